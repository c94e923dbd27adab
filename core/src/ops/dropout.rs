//! Dropout with a seeded, counter-based mask, so the same seed drops the same units on every
//! device.

use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

impl Tensor {
    /// torch.nn.functional.dropout: in training, zeroes each element with probability `p` and
    /// scales survivors by `1 / (1 - p)`; identity in evaluation.
    pub fn dropout(&self, p: f64, training: bool, rng: &mut Rng) -> Result<Tensor> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid(
                "dropout",
                format!("probability {p} is outside [0, 1]"),
            ));
        }
        if !training || p == 0.0 {
            return Ok(self.clone());
        }
        if p == 1.0 {
            return self.mul(&self.scalar_like(0.0));
        }
        let keep = 1.0 - p;
        let scale = 1.0 / keep;
        let mask: Vec<f64> = rng
            .uniform(self.numel(), 0.0, 1.0)
            .into_iter()
            .map(|u| if f64::from(u) < keep { scale } else { 0.0 })
            .collect();
        let mask = Tensor::from_vec(mask, self.shape().clone())?.to_dtype(self.dtype())?;
        self.mul(&mask)
    }
}
