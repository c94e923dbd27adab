//! Finite-difference gradient checking in f64 on the CPU, for any op or composite.
//!
//! A non-scalar output is projected to a scalar with fixed pseudo-random weights,
//! `L = sum(f(x) * R)`, so one backward pass checks every output element's contribution.

use super::engine::grad;
use crate::device::DType;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Outcome of a gradient check: the worst element over all inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct GradcheckReport {
    /// max over elements of `|analytic - numeric| / max(1, |analytic|, |numeric|)`.
    pub max_error: f64,
    /// `(input index, element index, analytic, numeric)` of the worst element.
    pub worst: Option<(usize, usize, f64, f64)>,
}

impl GradcheckReport {
    /// True when the worst error is below `tol`.
    pub fn passes(&self, tol: f64) -> bool {
        self.max_error < tol
    }
}

/// Step of the central differences: balances truncation (eps^2) and rounding (1e-16 / eps).
const EPS: f64 = 1e-6;

fn projected(f: &dyn Fn(&[Tensor]) -> Result<Tensor>, xs: &[Tensor], r: &Tensor) -> Result<Tensor> {
    let out = f(xs)?;
    if out.dims() != r.dims() {
        return Err(Error::shapes(
            "gradcheck",
            &[out.dims(), r.dims()],
            "output shape changed between calls",
        ));
    }
    out.mul(r)?.sum_all()
}

/// Compares autograd's gradient of `f` with central differences at `inputs` (converted to f64
/// leaves that require grad). Constant arguments (indices, targets) belong in the closure.
pub fn gradcheck(
    f: impl Fn(&[Tensor]) -> Result<Tensor>,
    inputs: &[Tensor],
) -> Result<GradcheckReport> {
    // Works inside a `no_grad` scope too: the analytic pass needs a graph.
    super::grad_mode::enable_grad(|| gradcheck_inner(&f, inputs))
}

fn gradcheck_inner(
    f: &dyn Fn(&[Tensor]) -> Result<Tensor>,
    inputs: &[Tensor],
) -> Result<GradcheckReport> {
    let xs: Vec<Tensor> = inputs
        .iter()
        .map(|t| t.to_dtype(DType::F64)?.requires_grad_())
        .collect::<Result<_>>()?;
    let out = f(&xs)?;
    if out.dtype() != DType::F64 {
        return Err(Error::DTypeMismatch {
            op: "gradcheck",
            expected: DType::F64,
            got: out.dtype(),
        });
    }
    let mut rng = Rng::new(0x6772_6164);
    let r = Tensor::uniform(out.shape().clone(), 0.5, 1.5, &mut rng).to_dtype(DType::F64)?;
    let loss = projected(f, &xs, &r)?;
    let analytic = if loss.requires_grad() {
        grad(std::slice::from_ref(&loss), &xs, false)?
    } else {
        xs.iter().map(Tensor::zeros_like).collect()
    };
    let mut report = GradcheckReport {
        max_error: 0.0,
        worst: None,
    };
    for (i, x) in xs.iter().enumerate() {
        let base = x.to_vec::<f64>()?;
        let a = analytic[i].to_vec::<f64>()?;
        for j in 0..base.len() {
            let eval = |delta: f64| -> Result<f64> {
                let mut v = base.clone();
                v[j] += delta;
                let mut args = xs.clone();
                // Leaves keep requires_grad so closures that differentiate internally
                // (second-order checks) evaluate the same way as for the analytic pass.
                args[i] = Tensor::from_vec(v, x.shape().clone())?.requires_grad_()?;
                projected(f, &args, &r)?.item()
            };
            let numeric = (eval(EPS)? - eval(-EPS)?) / (2.0 * EPS);
            let err = (a[j] - numeric).abs() / a[j].abs().max(numeric.abs()).max(1.0);
            if err > report.max_error || err.is_nan() || report.worst.is_none() {
                report.max_error = if err.is_nan() {
                    f64::INFINITY
                } else {
                    err.max(report.max_error)
                };
                report.worst = Some((i, j, a[j], numeric));
            }
        }
    }
    Ok(report)
}
