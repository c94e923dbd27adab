//! Trained weights small enough to ride in a share link: every tensor of the model's
//! `state_dict`, in its order and without names or shapes (both follow from the spec's model),
//! weights of rank >= 2 as int8 with one scale per output channel (see `quantize`), the small
//! and sensitive rest (biases, norms, running statistics) as f32. The binary form is a
//! hand-written length-prefixed layout read with bounds checks on every length.

#![warn(missing_docs)]

use std::collections::BTreeMap;

use super::run_spec::SpecError;
use super::QuantizedTensor;
use crate::nn::{load_state_dict, state_dict, Module, TensorKind};
use crate::tensor::Tensor;

/// Most tensors a link may carry (a deep preset has a few hundred).
const MAX_TENSORS: usize = 4096;

/// One tensor's values in `state_dict` order.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkTensor {
    /// `values.len() / scales.len()` values per output channel, each `q * scale`.
    Int8 {
        /// One positive scale per output channel (dimension 0).
        scales: Vec<f32>,
        /// The quantized values, row-major.
        values: Vec<i8>,
    },
    /// Kept exact.
    F32(Vec<f32>),
}

/// A model's weights for a link (see the module docs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkWeights {
    /// One entry per `state_dict` tensor, in order.
    pub tensors: Vec<LinkTensor>,
}

impl LinkWeights {
    /// Quantizes `model`'s parameters of rank >= 2; keeps everything else in f32.
    pub fn from_model(model: &dyn Module) -> crate::Result<LinkWeights> {
        let mut tensors = Vec::new();
        for t in state_dict(model) {
            tensors.push(if t.kind == TensorKind::Parameter && t.tensor.rank() >= 2 {
                let q = QuantizedTensor::quantize(&t.name, &t.tensor)?;
                LinkTensor::Int8 {
                    scales: q.scales,
                    values: q.values,
                }
            } else {
                LinkTensor::F32(t.tensor.to_vec_f32()?)
            });
        }
        Ok(LinkWeights { tensors })
    }

    /// Checks what can be checked without the model: finite values, positive scales, whole
    /// channels.
    pub fn check_structure(&self) -> Result<(), SpecError> {
        if self.tensors.len() > MAX_TENSORS {
            return Err(SpecError::new("weights", "too many tensors"));
        }
        for (i, t) in self.tensors.iter().enumerate() {
            let ok = match t {
                LinkTensor::Int8 { scales, values } => {
                    !scales.is_empty()
                        && values.len().is_multiple_of(scales.len())
                        && scales.iter().all(|s| s.is_finite() && *s > 0.0)
                }
                LinkTensor::F32(v) => v.iter().all(|x| x.is_finite()),
            };
            if !ok {
                return Err(SpecError::new(
                    format!("weights[{i}]"),
                    "non-finite values or channels that do not divide the values",
                ));
            }
        }
        Ok(())
    }

    /// Loads the (dequantized) weights into `model`, which must be built from the same spec:
    /// the count, every size and every channel count must match. Nothing is changed on error.
    pub fn load_into(&self, model: &dyn Module) -> Result<(), String> {
        let targets = state_dict(model);
        if targets.len() != self.tensors.len() {
            return Err(format!(
                "{} tensors for a model with {}",
                self.tensors.len(),
                targets.len()
            ));
        }
        let mut source = BTreeMap::new();
        for (t, w) in targets.iter().zip(&self.tensors) {
            let dims = t.tensor.dims().to_vec();
            let numel: usize = dims.iter().product();
            let values = match w {
                LinkTensor::F32(v) => v.clone(),
                LinkTensor::Int8 { scales, values } => {
                    let rows = if dims.len() >= 2 { dims[0] } else { 1 };
                    if scales.len() != rows || values.len() != numel {
                        return Err(format!("`{}` has the wrong size", t.name));
                    }
                    let per = numel / rows.max(1);
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, &q)| f32::from(q) * scales[i / per.max(1)])
                        .collect()
                }
            };
            if values.len() != numel {
                return Err(format!("`{}` has the wrong size", t.name));
            }
            let tensor = Tensor::from_vec(values, dims).map_err(|e| e.to_string())?;
            source.insert(t.name.clone(), tensor);
        }
        load_state_dict(model, &source, true)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// The binary form (see [`LinkWeights::decode`]).
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_len(out, self.tensors.len());
        for t in &self.tensors {
            match t {
                LinkTensor::F32(v) => {
                    out.push(0);
                    put_len(out, v.len());
                    v.iter()
                        .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
                }
                LinkTensor::Int8 { scales, values } => {
                    out.push(1);
                    put_len(out, scales.len());
                    scales
                        .iter()
                        .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
                    put_len(out, values.len());
                    out.extend(values.iter().map(|&q| q as u8));
                }
            }
        }
    }

    /// Reads the binary form; every length is checked against the bytes left before anything
    /// is allocated, and trailing bytes are an error.
    pub fn decode(bytes: &[u8]) -> Result<LinkWeights, String> {
        let mut r = Reader { bytes, pos: 0 };
        let count = r.len(1)?;
        if count > MAX_TENSORS {
            return Err(format!("{count} tensors (at most {MAX_TENSORS})"));
        }
        let mut tensors = Vec::with_capacity(count);
        for _ in 0..count {
            tensors.push(match r.byte()? {
                0 => {
                    let n = r.len(4)?;
                    LinkTensor::F32(r.take(n * 4)?.chunks_exact(4).map(f32_le).collect())
                }
                1 => {
                    let rows = r.len(4)?;
                    let scales = r.take(rows * 4)?.chunks_exact(4).map(f32_le).collect();
                    let n = r.len(1)?;
                    let values = r.take(n)?.iter().map(|&b| b as i8).collect();
                    LinkTensor::Int8 { scales, values }
                }
                k => return Err(format!("unknown tensor kind {k}")),
            });
        }
        if r.pos != bytes.len() {
            return Err("trailing bytes after the weights".into());
        }
        Ok(LinkWeights { tensors })
    }
}

fn f32_le(b: &[u8]) -> f32 {
    f32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// LEB128 unsigned length.
pub(crate) fn put_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// A cursor over untrusted bytes.
pub(crate) struct Reader<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    /// One byte.
    pub fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.pos).ok_or("unexpected end of data")?;
        self.pos += 1;
        Ok(b)
    }

    /// A LEB128 length of items of `item` bytes each, rejected when more than what is left.
    pub fn len(&mut self, item: usize) -> Result<usize, String> {
        let mut n = 0usize;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                let left = self.bytes.len() - self.pos;
                return if n.checked_mul(item).is_some_and(|total| total <= left) {
                    Ok(n)
                } else {
                    Err(format!("length {n} runs past the end of the data"))
                };
            }
        }
        Err("length too long".into())
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or("unexpected end of data")?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{InputSpec, ModelSpec};

    #[test]
    fn binary_round_trip_and_load() {
        let spec = ModelSpec::preset("lenet5_bn").expect("preset");
        let a = spec.build(InputSpec::GREY28, 10, 1).expect("build");
        let w = LinkWeights::from_model(&a).expect("quantize");
        let mut bytes = Vec::new();
        w.encode(&mut bytes);
        let back = LinkWeights::decode(&bytes).expect("decode");
        assert_eq!(back, w);
        back.check_structure().expect("valid");
        let b = spec.build(InputSpec::GREY28, 10, 2).expect("build");
        back.load_into(&b).expect("load");
        let (sa, sb) = (state_dict(&a), state_dict(&b));
        let x = sa[0].tensor.to_vec_f32().expect("read");
        let y = sb[0].tensor.to_vec_f32().expect("read");
        let max = x.iter().fold(0f32, |m, v| m.max(v.abs()));
        assert!(x
            .iter()
            .zip(&y)
            .all(|(p, q)| (p - q).abs() <= max / 254.0 + 1e-7));
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(LinkWeights::decode(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let other = ModelSpec::preset("lenet5").expect("preset");
        let c = other.build(InputSpec::GREY28, 10, 1).expect("build");
        assert!(back.load_into(&c).is_err());
    }
}
