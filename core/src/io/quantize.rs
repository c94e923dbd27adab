//! Symmetric int8 per-output-channel weight quantization: each row (dimension 0: output
//! channels or features) gets `scale = max|w| / 127` and `q = round(w / scale)`. Shrinks a
//! checkpoint 4× for sharing in a URL while keeping each channel's own range (a per-tensor
//! scale would flatten small channels to zero).

use serde::{Deserialize, Serialize};

use crate::nn::{state_dict, Module, TensorKind};
use crate::tensor::Tensor;

/// One quantized tensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantizedTensor {
    pub name: String,
    pub shape: Vec<usize>,
    /// One scale per slice along dimension 0 (one for 0- and 1-d tensors).
    pub scales: Vec<f32>,
    pub values: Vec<i8>,
}

impl QuantizedTensor {
    /// Quantizes `t` per output channel.
    pub fn quantize(name: &str, t: &Tensor) -> crate::Result<QuantizedTensor> {
        let v = t.to_vec_f32()?;
        let rows = if t.rank() >= 2 { t.dims()[0] } else { 1 };
        let per = v.len().checked_div(rows).unwrap_or(0);
        let mut scales = Vec::with_capacity(rows);
        let mut values = Vec::with_capacity(v.len());
        for r in 0..rows {
            let row = &v[r * per..(r + 1) * per];
            let max = row.iter().fold(0f32, |m, x| m.max(x.abs()));
            let scale = if max > 0.0 && max.is_finite() {
                max / 127.0
            } else {
                1.0
            };
            scales.push(scale);
            values.extend(
                row.iter()
                    .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
            );
        }
        Ok(QuantizedTensor {
            name: name.to_string(),
            shape: t.dims().to_vec(),
            scales,
            values,
        })
    }

    /// The f32 approximation.
    pub fn dequantize(&self) -> crate::Result<Tensor> {
        let rows = self.scales.len().max(1);
        let per = self.values.len() / rows;
        let v: Vec<f32> = self
            .values
            .iter()
            .enumerate()
            .map(|(i, &q)| f32::from(q) * self.scales[i / per.max(1)])
            .collect();
        Tensor::from_vec(v, self.shape.clone())
    }

    /// Largest absolute rounding error against `t` (at most half a step per channel).
    pub fn max_error(&self, t: &Tensor) -> crate::Result<f32> {
        let a = self.dequantize()?.to_vec_f32()?;
        let b = t.to_vec_f32()?;
        Ok(a.iter()
            .zip(&b)
            .fold(0f32, |m, (x, y)| m.max((x - y).abs())))
    }
}

/// A model's weights in int8 plus the tensors kept in f32.
#[derive(Debug, Clone)]
pub struct QuantizedModel {
    /// Parameters of rank >= 2.
    pub weights: Vec<QuantizedTensor>,
    /// Biases, norm parameters and buffers.
    pub rest: Vec<(String, Tensor)>,
}

impl QuantizedModel {
    /// Bytes needed to store the model this way: one byte per int8 value, an f32 scale per
    /// output channel, and the f32 rest (biases, norms, buffers). Compare with four bytes per
    /// element of the f32 `state_dict`.
    pub fn stored_bytes(&self) -> usize {
        let weights: usize = self
            .weights
            .iter()
            .map(|w| w.values.len() + 4 * w.scales.len())
            .sum();
        let rest: usize = self.rest.iter().map(|(_, t)| 4 * t.numel()).sum();
        weights + rest
    }
}

/// Quantizes every parameter of rank >= 2 (weights); biases, norms and buffers stay f32 and
/// are returned separately, since they are small and sensitive.
pub fn quantize_model(model: &dyn Module) -> crate::Result<QuantizedModel> {
    let mut q = Vec::new();
    let mut rest = Vec::new();
    for t in state_dict(model) {
        if t.kind == TensorKind::Parameter && t.tensor.rank() >= 2 {
            q.push(QuantizedTensor::quantize(&t.name, &t.tensor)?);
        } else {
            rest.push((t.name, t.tensor.detach()));
        }
    }
    Ok(QuantizedModel { weights: q, rest })
}

/// Loads quantized weights (dequantized) and the f32 rest back into a model of the same spec.
pub fn dequantize_model(model: &dyn Module, q: &QuantizedModel) -> crate::Result<()> {
    let mut all = std::collections::BTreeMap::new();
    for w in &q.weights {
        all.insert(w.name.clone(), w.dequantize()?);
    }
    for (n, t) in &q.rest {
        all.insert(n.clone(), t.clone());
    }
    crate::nn::load_state_dict(model, &all, true).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenet5_in_int8_is_about_four_times_smaller() {
        use crate::models::{InputSpec, ModelSpec};
        let model = ModelSpec::preset("lenet5")
            .expect("preset")
            .build(InputSpec::GREY28, 10, 0)
            .expect("builds");
        let f32_bytes: usize = state_dict(&model)
            .iter()
            .map(|t| 4 * t.tensor.numel())
            .sum();
        let q = quantize_model(&model).expect("quantizes");
        let ratio = f32_bytes as f64 / q.stored_bytes() as f64;
        assert!(
            (3.8..4.0).contains(&ratio),
            "{f32_bytes} / {} = {ratio}",
            q.stored_bytes()
        );
    }

    #[test]
    fn per_channel_error_is_within_half_a_step() {
        let t = Tensor::from_vec(vec![1.0f32, -0.5, 0.25, 0.001, -0.002, 0.0005], [2, 3])
            .expect("valid");
        let q = QuantizedTensor::quantize("w", &t).expect("quantize");
        assert_eq!(q.values[..3], [127, -64, 32]);
        assert_eq!(q.values[4], -127);
        let err = q.max_error(&t).expect("dequantize");
        assert!(err <= 0.5 / 127.0 + 1e-7, "{err}");
        // The small channel keeps its resolution thanks to its own scale.
        let back = q
            .dequantize()
            .expect("dequantize")
            .to_vec_f32()
            .expect("read");
        assert!((back[3] - 0.001).abs() < 0.002 / 254.0 + 1e-9);
        let zeros = QuantizedTensor::quantize("z", &Tensor::zeros([2, 2])).expect("quantize");
        assert!(zeros
            .dequantize()
            .expect("dequantize")
            .to_vec_f32()
            .expect("read")
            .iter()
            .all(|&v| v == 0.0));
    }
}
