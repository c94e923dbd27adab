//! Loss functions with torch.nn.functional's exact semantics (weights, ignore_index, label
//! smoothing, weighted mean), composed from primitives.
//!
//! Class targets are tensors of integer values in any float dtype (shape `[N]`, `[N, d...]`,
//! or `[]` for a 1-D input): they can live on the GPU beside the logits, and `ignore_index`
//! (-100 by default) is representable.

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// How per-element losses are combined (torch's `reduction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    None,
    #[default]
    Mean,
    Sum,
}

/// Options of cross_entropy / nll_loss; `Default` gives torch's defaults.
#[derive(Debug, Clone, Copy)]
pub struct CrossEntropyOptions<'a> {
    /// Per-class weight `[C]` (constant; no gradient).
    pub weight: Option<&'a Tensor>,
    pub ignore_index: i64,
    /// In `[0, 1]`; only for cross_entropy.
    pub label_smoothing: f64,
    pub reduction: Reduction,
}

impl Default for CrossEntropyOptions<'_> {
    fn default() -> Self {
        CrossEntropyOptions {
            weight: None,
            ignore_index: -100,
            label_smoothing: 0.0,
            reduction: Reduction::Mean,
        }
    }
}

fn reduce(loss: Tensor, reduction: Reduction) -> Result<Tensor> {
    match reduction {
        Reduction::None => Ok(loss),
        Reduction::Mean => loss.mean_all(),
        Reduction::Sum => loss.sum_all(),
    }
}

/// Class scores moved to `[M, C]` rows plus the target flattened to `M` values.
struct Rows {
    scores: Tensor,
    target: Vec<f64>,
    target_shape: Vec<usize>,
    classes: usize,
}

fn to_rows(op: &'static str, input: &Tensor, target: &Tensor) -> Result<Rows> {
    let d = input.dims();
    let expected: Vec<usize> = match input.rank() {
        0 => {
            return Err(Error::shapes(
                op,
                &[d, target.dims()],
                "input needs a class dimension",
            ))
        }
        1 => vec![],
        _ => d
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != 1)
            .map(|(_, &s)| s)
            .collect(),
    };
    if target.dims() != expected.as_slice() {
        return Err(Error::shapes(
            op,
            &[d, target.dims()],
            format!("target must have shape {expected:?}"),
        ));
    }
    let classes = if input.rank() == 1 { d[0] } else { d[1] };
    let scores = match input.rank() {
        1 => input.reshape_to(&[1, classes])?,
        2 => input.clone(),
        r => {
            let mut perm: Vec<isize> = vec![0];
            perm.extend((2..r as isize).collect::<Vec<_>>());
            perm.push(1);
            input.permute(&perm)?.reshape(&[-1, classes as isize])?
        }
    };
    Ok(Rows {
        scores,
        target: target.to_vec::<f64>()?,
        target_shape: expected,
        classes,
    })
}

impl Tensor {
    /// torch.nn.functional.nll_loss on log-probabilities `[N, C, ...]` (or `[C]`).
    pub fn nll_loss(&self, target: &Tensor, opts: &CrossEntropyOptions) -> Result<Tensor> {
        if opts.label_smoothing != 0.0 {
            return Err(Error::invalid(
                "nll_loss",
                "label_smoothing is only defined for cross_entropy",
            ));
        }
        let rows = to_rows("nll_loss", self, target)?;
        let nll = nll_rows("nll_loss", &rows, opts)?;
        finish(nll.per_row, &rows, nll.total_weight, opts.reduction)
    }

    /// torch.nn.functional.cross_entropy on logits `[N, C, ...]` (or `[C]`) with class-index
    /// targets, or with class probabilities when `target` has the input's shape.
    pub fn cross_entropy(&self, target: &Tensor, opts: &CrossEntropyOptions) -> Result<Tensor> {
        if !(0.0..=1.0).contains(&opts.label_smoothing) {
            return Err(Error::invalid(
                "cross_entropy",
                format!("label_smoothing {} is outside [0, 1]", opts.label_smoothing),
            ));
        }
        if self.rank() >= 1 && target.dims() == self.dims() && self.rank() != 1
            || (self.rank() == 1 && target.dims() == self.dims())
        {
            return self.cross_entropy_probs(target, opts);
        }
        let logp = self.log_softmax(if self.rank() == 1 { 0 } else { 1 })?;
        let rows = to_rows("cross_entropy", &logp, target)?;
        let Nll {
            per_row: nll,
            total_weight,
            valid,
        } = nll_rows("cross_entropy", &rows, opts)?;
        let eps = opts.label_smoothing;
        if eps == 0.0 {
            return finish(nll, &rows, total_weight, opts.reduction);
        }
        // torch: smooth_i = -sum_c w_c logp_ic, zero for ignored rows, normalized like nll.
        let weighted = match opts.weight {
            Some(w) => rows
                .scores
                .mul(&w.detach().reshape_to(&[1, rows.classes])?)?,
            None => rows.scores.clone(),
        };
        let valid = Tensor::from_vec(valid, [rows.target.len()])?.to_dtype(self.dtype())?;
        let smooth = weighted.sum(&[1], false)?.neg()?.mul(&valid)?;
        let nll = finish(nll, &rows, total_weight, opts.reduction)?;
        let smooth = finish(smooth, &rows, total_weight, opts.reduction)?;
        nll.mul_scalar(1.0 - eps)?
            .add(&smooth.mul_scalar(eps / rows.classes as f64)?)
    }

    /// Cross-entropy against class probabilities (torch's soft-target form).
    fn cross_entropy_probs(&self, target: &Tensor, opts: &CrossEntropyOptions) -> Result<Tensor> {
        let dim = if self.rank() == 1 { 0 } else { 1 };
        let c = self.dims()[dim];
        let logp = self.log_softmax(dim as isize)?;
        let mut t = target.detach();
        if opts.label_smoothing > 0.0 {
            t = t
                .mul_scalar(1.0 - opts.label_smoothing)?
                .add_scalar(opts.label_smoothing / c as f64)?;
        }
        let mut prod = logp.mul(&t)?;
        if let Some(w) = opts.weight {
            let mut shape = vec![1; self.rank()];
            shape[dim] = c;
            prod = prod.mul(&w.detach().reshape_to(&shape)?)?;
        }
        let per = prod.sum(&[dim as isize], false)?.neg()?;
        match opts.reduction {
            Reduction::Mean => {
                let n = if self.rank() == 1 { 1 } else { per.numel() };
                per.sum_all()?.div_scalar(n as f64)
            }
            r => reduce(per, r),
        }
    }

    /// torch.nn.functional.mse_loss.
    pub fn mse_loss(&self, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
        reduce(self.sub(target)?.square()?, reduction)
    }

    /// torch.nn.functional.l1_loss.
    pub fn l1_loss(&self, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
        reduce(self.sub(target)?.abs()?, reduction)
    }

    /// torch.nn.functional.smooth_l1_loss: quadratic below `beta`, linear above.
    pub fn smooth_l1_loss(
        &self,
        target: &Tensor,
        beta: f64,
        reduction: Reduction,
    ) -> Result<Tensor> {
        if beta < 0.0 {
            return Err(Error::invalid(
                "smooth_l1_loss",
                format!("beta {beta} must be non-negative"),
            ));
        }
        let d = self.sub(target)?;
        if beta == 0.0 {
            return reduce(d.abs()?, reduction);
        }
        let a = d.abs()?;
        let quad = d.square()?.mul_scalar(0.5 / beta)?;
        let lin = a.sub_scalar(0.5 * beta)?;
        reduce(
            Tensor::where_cond(&a.lt(&a.scalar_like(beta))?, &quad, &lin)?,
            reduction,
        )
    }

    /// torch.nn.functional.binary_cross_entropy_with_logits, stable form, with optional
    /// element `weight` and per-class `pos_weight` (both broadcast, no gradient).
    pub fn binary_cross_entropy_with_logits(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        pos_weight: Option<&Tensor>,
        reduction: Reduction,
    ) -> Result<Tensor> {
        if target.dims() != self.dims() {
            return Err(Error::shapes(
                "binary_cross_entropy_with_logits",
                &[self.dims(), target.dims()],
                "target must have the input's shape",
            ));
        }
        // softplus(-x) = relu(-x) + log(1 + exp(-|x|))
        let neg_x = self.neg()?;
        let softplus = neg_x
            .relu()?
            .add(&self.abs()?.neg()?.exp()?.add_scalar(1.0)?.log()?)?;
        let one_minus_t = target.neg()?.add_scalar(1.0)?;
        let log_weight = match pos_weight {
            Some(pw) => Some(pw.detach().sub_scalar(1.0)?.mul(target)?.add_scalar(1.0)?),
            None => None,
        };
        let tail = match &log_weight {
            Some(lw) => lw.mul(&softplus)?,
            None => softplus,
        };
        let mut loss = one_minus_t.mul(self)?.add(&tail)?;
        if let Some(w) = weight {
            loss = loss.mul(&w.detach())?;
        }
        reduce(loss, reduction)
    }
}

/// Per-row negative log-likelihoods of the valid rows.
struct Nll {
    /// `-w[t_i] * scores[i, t_i]` (0 for ignored rows).
    per_row: Tensor,
    /// Sum of the row weights: torch's weighted-mean denominator.
    total_weight: f64,
    /// 1 for counted rows, 0 for ignored ones.
    valid: Vec<f64>,
}

/// Validates the targets and picks `-w[t] * scores[t]` per row.
fn nll_rows(op: &'static str, rows: &Rows, opts: &CrossEntropyOptions) -> Result<Nll> {
    let class_w = match opts.weight {
        Some(w) => {
            if w.dims() != [rows.classes] {
                return Err(Error::shapes(
                    op,
                    &[rows.scores.dims(), w.dims()],
                    format!("weight must have shape [{}]", rows.classes),
                ));
            }
            Some(w.to_vec::<f64>()?)
        }
        None => None,
    };
    let m = rows.target.len();
    let mut safe = Vec::with_capacity(m);
    let mut vw = Vec::with_capacity(m);
    for &t in &rows.target {
        if t == opts.ignore_index as f64 {
            safe.push(0.0);
            vw.push((0.0, 0.0));
            continue;
        }
        if t.fract() != 0.0 || t < 0.0 || t >= rows.classes as f64 {
            return Err(Error::IndexOutOfRange {
                op,
                index: t as i64,
                size: rows.classes,
            });
        }
        safe.push(t);
        vw.push((1.0, class_w.as_ref().map_or(1.0, |w| w[t as usize])));
    }
    let dtype = rows.scores.dtype();
    let index = Tensor::from_vec(safe, [m, 1])?.to_dtype(dtype)?;
    let weights =
        Tensor::from_vec(vw.iter().map(|&(_, w)| w).collect::<Vec<f64>>(), [m])?.to_dtype(dtype)?;
    let picked = rows.scores.gather(1, &index)?.reshape_to(&[m])?;
    let total: f64 = vw.iter().map(|&(_, w)| w).sum();
    Ok(Nll {
        per_row: picked.mul(&weights)?.neg()?,
        total_weight: total,
        valid: vw.iter().map(|&(v, _)| v).collect(),
    })
}

/// Applies the reduction to per-row values, normalizing the mean by the total weight.
fn finish(per_row: Tensor, rows: &Rows, total_weight: f64, reduction: Reduction) -> Result<Tensor> {
    match reduction {
        Reduction::None => per_row.reshape_to(&rows.target_shape),
        Reduction::Sum => per_row.sum_all(),
        Reduction::Mean => per_row.sum_all()?.div_scalar(total_weight),
    }
}
