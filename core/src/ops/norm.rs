//! Batch and layer normalization, composed from primitives (their gradients follow), with
//! torch's running-statistics update for batch norm.

use crate::autograd::no_grad;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Checks an optional per-feature tensor has exactly `shape`.
fn check_param(
    op: &'static str,
    x: &Tensor,
    p: Option<&Tensor>,
    shape: &[usize],
    what: &str,
) -> Result<()> {
    match p {
        Some(t) if t.dims() != shape => Err(Error::shapes(
            op,
            &[x.dims(), t.dims()],
            format!("{what} must have shape {shape:?}"),
        )),
        _ => Ok(()),
    }
}

impl Tensor {
    /// torch.nn.functional.batch_norm over `[N, C, ...]`. Training normalizes with the batch
    /// statistics and, when given, updates `running_mean`/`running_var` in place with
    /// `momentum` (unbiased variance, like torch); evaluation uses the running statistics.
    #[allow(clippy::too_many_arguments)]
    pub fn batch_norm(
        &self,
        running_mean: Option<&Tensor>,
        running_var: Option<&Tensor>,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        training: bool,
        momentum: f64,
        eps: f64,
    ) -> Result<Tensor> {
        if self.rank() < 2 {
            return Err(Error::shapes(
                "batch_norm",
                &[self.dims()],
                "expects input [N, C, ...]",
            ));
        }
        let c = self.dims()[1];
        for (p, what) in [
            (running_mean, "running_mean"),
            (running_var, "running_var"),
            (weight, "weight"),
            (bias, "bias"),
        ] {
            check_param("batch_norm", self, p, &[c], what)?;
        }
        let mut bshape = vec![1; self.rank()];
        bshape[1] = c;
        let axes: Vec<isize> = (0..self.rank() as isize).filter(|&d| d != 1).collect();
        let count = self.numel() / c.max(1);
        let (mean, var) = if training {
            if count <= 1 {
                return Err(Error::shapes(
                    "batch_norm",
                    &[self.dims()],
                    "expected more than 1 value per channel when training",
                ));
            }
            let mean = self.mean(&axes, true)?;
            let var = self.sub(&mean)?.square()?.mean(&axes, true)?;
            no_grad(|| -> Result<()> {
                let unbiased = var
                    .detach()
                    .mul_scalar(count as f64 / (count as f64 - 1.0))?;
                for (running, batch) in [(running_mean, mean.detach()), (running_var, unbiased)] {
                    if let Some(r) = running {
                        let b = batch.reshape_to(&[c])?;
                        r.set_data(
                            &r.mul_scalar(1.0 - momentum)?
                                .add(&b.mul_scalar(momentum)?)?,
                        )?;
                    }
                }
                Ok(())
            })?;
            (mean, var)
        } else {
            let (Some(rm), Some(rv)) = (running_mean, running_var) else {
                return Err(Error::invalid(
                    "batch_norm",
                    "evaluation mode needs running_mean and running_var",
                ));
            };
            (rm.reshape_to(&bshape)?, rv.reshape_to(&bshape)?)
        };
        let mut y = self.sub(&mean)?.div(&var.add_scalar(eps)?.sqrt()?)?;
        if let Some(w) = weight {
            y = y.mul(&w.reshape_to(&bshape)?)?;
        }
        if let Some(b) = bias {
            y = y.add(&b.reshape_to(&bshape)?)?;
        }
        Ok(y)
    }

    /// torch.nn.functional.layer_norm over the trailing `normalized_shape` dimensions, with
    /// optional element-wise affine `weight`/`bias` of that shape (biased variance).
    pub fn layer_norm(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        let k = normalized_shape.len();
        if k == 0 || k > self.rank() || self.dims()[self.rank() - k..] != *normalized_shape {
            return Err(Error::shapes(
                "layer_norm",
                &[self.dims(), normalized_shape],
                "normalized_shape must match the trailing dimensions of the input",
            ));
        }
        check_param("layer_norm", self, weight, normalized_shape, "weight")?;
        check_param("layer_norm", self, bias, normalized_shape, "bias")?;
        let axes: Vec<isize> = (self.rank() - k..self.rank()).map(|d| d as isize).collect();
        let mean = self.mean(&axes, true)?;
        let centered = self.sub(&mean)?;
        let var = centered.square()?.mean(&axes, true)?;
        let mut y = centered.div(&var.add_scalar(eps)?.sqrt()?)?;
        if let Some(w) = weight {
            y = y.mul(w)?;
        }
        if let Some(b) = bias {
            y = y.add(b)?;
        }
        Ok(y)
    }
}
