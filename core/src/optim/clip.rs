//! Gradient clipping (`torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`) and explicit
//! L1/L2 penalty terms for the loss.

use super::OptimError;
use crate::autograd::no_grad;
use crate::tensor::Tensor;

/// Scales all gradients by `max_norm / (total_norm + 1e-6)` when that is below 1, where
/// `total_norm` is the 2-norm over every gradient; returns `total_norm` (for the UI's
/// gradient-norm chart).
pub fn clip_grad_norm(params: &[Tensor], max_norm: f64) -> Result<f64, OptimError> {
    if !(max_norm > 0.0 && max_norm.is_finite()) {
        return Err(OptimError::InvalidArgument {
            what: "clip_grad_norm",
            reason: format!("max_norm {max_norm} must be positive"),
        });
    }
    no_grad(|| -> Result<f64, OptimError> {
        let mut sq = 0.0;
        for p in params {
            if let Some(g) = p.grad() {
                sq += g.square()?.sum_all()?.item()?;
            }
        }
        let total = sq.sqrt();
        let coef = (max_norm / (total + 1e-6)).min(1.0);
        if coef < 1.0 {
            for p in params {
                if let Some(g) = p.grad() {
                    p.set_grad(Some(g.mul_scalar(coef)?));
                }
            }
        }
        Ok(total)
    })
}

/// Clamps every gradient element to `[-clip, clip]`.
pub fn clip_grad_value(params: &[Tensor], clip: f64) -> Result<(), OptimError> {
    if !(clip > 0.0 && clip.is_finite()) {
        return Err(OptimError::InvalidArgument {
            what: "clip_grad_value",
            reason: format!("clip {clip} must be positive"),
        });
    }
    no_grad(|| -> Result<(), OptimError> {
        for p in params {
            if let Some(g) = p.grad() {
                p.set_grad(Some(g.clamp(Some(-clip), Some(clip))?));
            }
        }
        Ok(())
    })
}

/// `lambda * sum |w|` over `params`, to add to the loss (differentiable).
pub fn l1_penalty(params: &[Tensor], lambda: f64) -> Result<Option<Tensor>, OptimError> {
    penalty(params, lambda, |p| p.abs()?.sum_all())
}

/// `lambda * sum w^2` over `params`, to add to the loss (differentiable). Note that SGD's
/// `weight_decay = 2 lambda` gives the same gradient.
pub fn l2_penalty(params: &[Tensor], lambda: f64) -> Result<Option<Tensor>, OptimError> {
    penalty(params, lambda, |p| p.square()?.sum_all())
}

fn penalty(
    params: &[Tensor],
    lambda: f64,
    f: impl Fn(&Tensor) -> crate::Result<Tensor>,
) -> Result<Option<Tensor>, OptimError> {
    let mut total: Option<Tensor> = None;
    for p in params {
        let t = f(p)?;
        total = Some(match total {
            Some(acc) => acc.add(&t)?,
            None => t,
        });
    }
    Ok(match total {
        Some(t) => Some(t.mul_scalar(lambda)?),
        None => None,
    })
}
