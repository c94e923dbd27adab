//! Safetensors checkpoints with PyTorch `state_dict` names, so a model saved here loads in
//! PyTorch (`safetensors.torch.load_file` + `load_state_dict`) and torchvision weights load
//! here. Reads F32, F64, F16 and BF16 (pretrained weights ship as F16); writes F32.

use std::collections::{BTreeMap, HashMap};

use safetensors::{Dtype, SafeTensors};

use crate::nn::{load_state_dict, state_dict, LoadReport, Module};
use crate::tensor::Tensor;

/// What can go wrong reading or writing a checkpoint.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckpointError {
    /// Not a valid safetensors file.
    #[error("invalid safetensors file: {0}")]
    Format(String),
    /// A tensor of a type that cannot hold weights.
    #[error("tensor `{name}` has unsupported dtype {dtype}")]
    Dtype { name: String, dtype: String },
    /// The checkpoint does not fit the model (shapes, or names when strict).
    #[error(transparent)]
    Model(#[from] crate::Error),
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: renormalize.
            let shift = m.leading_zeros() - 21;
            sign | ((127 - 15 + 1 - shift) << 23) | (((m << shift) & 0x3ff) << 13)
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// Every floating-point tensor of a safetensors file, by name, as f32 leaves; integer tensors
/// (torch's `num_batches_tracked`) are skipped.
pub fn read_safetensors(bytes: &[u8]) -> Result<BTreeMap<String, Tensor>, CheckpointError> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| CheckpointError::Format(e.to_string()))?;
    let mut out = BTreeMap::new();
    for (name, view) in st.tensors() {
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F64 => data
                .chunks_exact(8)
                .map(|b| {
                    f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
                })
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|b| f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16))
                .collect(),
            Dtype::I64 | Dtype::I32 | Dtype::U8 | Dtype::BOOL => continue,
            other => {
                return Err(CheckpointError::Dtype {
                    name,
                    dtype: format!("{other:?}"),
                })
            }
        };
        out.insert(name, Tensor::from_vec(values, view.shape().to_vec())?);
    }
    Ok(out)
}

/// Serializes named tensors as F32 safetensors with optional string metadata.
pub fn write_safetensors(
    tensors: &[(String, Tensor)],
    metadata: Option<HashMap<String, String>>,
) -> Result<Vec<u8>, CheckpointError> {
    let mut bufs: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::with_capacity(tensors.len());
    for (name, t) in tensors {
        let bytes = t
            .to_vec_f32()?
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        bufs.push((name.clone(), t.dims().to_vec(), bytes));
    }
    let views = bufs
        .iter()
        .map(|(n, s, b)| {
            safetensors::tensor::TensorView::new(Dtype::F32, s.clone(), b)
                .map(|v| (n.clone(), v))
                .map_err(|e| CheckpointError::Format(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    safetensors::serialize(views, metadata).map_err(|e| CheckpointError::Format(e.to_string()))
}

/// The model's `state_dict` (parameters and buffers) as safetensors bytes.
pub fn save_model(
    model: &dyn Module,
    metadata: Option<HashMap<String, String>>,
) -> Result<Vec<u8>, CheckpointError> {
    let named: Vec<(String, Tensor)> = state_dict(model)
        .into_iter()
        .map(|t| (t.name, t.tensor))
        .collect();
    write_safetensors(&named, metadata)
}

/// Loads safetensors bytes into the model by name (see [`load_state_dict`] for `strict`).
pub fn load_model(
    model: &dyn Module,
    bytes: &[u8],
    strict: bool,
) -> Result<LoadReport, CheckpointError> {
    let tensors = read_safetensors(bytes)?;
    Ok(load_state_dict(model, &tensors, strict)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_conversion_covers_every_class() {
        for (h, f) in [
            (0x3c00u16, 1.0f32),
            (0xc000, -2.0),
            (0x0000, 0.0),
            (0x7bff, 65504.0),
            (0x0001, 5.960_464_5e-8),
            (0x0200, 3.051_757_8e-5),
            (0x3555, 0.333_251_95),
        ] {
            assert_eq!(f16_to_f32(h), f, "{h:#x}");
        }
        assert!(f16_to_f32(0x7c00).is_infinite() && f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn round_trip_and_errors() {
        let t = Tensor::from_vec(vec![1.0f32, -2.5, 3.0, 0.5], [2, 2]).expect("valid");
        let bytes = write_safetensors(&[("a.weight".into(), t)], None).expect("write");
        let back = read_safetensors(&bytes).expect("read");
        assert_eq!(
            back["a.weight"].to_vec_f32().expect("read"),
            vec![1.0, -2.5, 3.0, 0.5]
        );
        assert!(read_safetensors(&bytes[..bytes.len() - 1]).is_err());
        assert!(read_safetensors(b"\x05\x00\x00\x00\x00\x00\x00\x00{}").is_err());
    }
}
