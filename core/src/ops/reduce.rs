//! Reductions over axes with `keepdim`, PyTorch semantics (an empty axis list means all).

use crate::autograd::Op;
use crate::error::{Error, Result};
use crate::tensor::shape::normalize_axes;
use crate::tensor::Tensor;

impl Tensor {
    fn reduced_shape(&self, axes: &[usize], keepdim: bool) -> Vec<usize> {
        (0..self.rank())
            .filter_map(|d| match (axes.contains(&d), keepdim) {
                (false, _) => Some(self.dims()[d]),
                (true, true) => Some(1),
                (true, false) => None,
            })
            .collect()
    }

    /// Sum over `axes` (all when empty).
    pub fn sum(&self, axes: &[isize], keepdim: bool) -> Result<Tensor> {
        let axes = normalize_axes("sum", axes, self.rank())?;
        let out = self.reduced_shape(&axes, keepdim);
        Tensor::from_op(Op::Sum { axes, keepdim }, vec![self.clone()], out)
    }

    /// Sum of every element, as a scalar.
    pub fn sum_all(&self) -> Result<Tensor> {
        self.sum(&[], false)
    }

    /// Mean over `axes` (all when empty).
    pub fn mean(&self, axes: &[isize], keepdim: bool) -> Result<Tensor> {
        let norm = normalize_axes("mean", axes, self.rank())?;
        let n: usize = norm.iter().map(|&d| self.dims()[d]).product();
        self.sum(axes, keepdim)?.div_scalar(n as f64)
    }

    /// Mean of every element, as a scalar.
    pub fn mean_all(&self) -> Result<Tensor> {
        self.mean(&[], false)
    }

    /// Maximum values over `axes` (torch.amax; ties share the gradient evenly).
    pub fn amax(&self, axes: &[isize], keepdim: bool) -> Result<Tensor> {
        let axes = normalize_axes("amax", axes, self.rank())?;
        if let Some(&d) = axes.iter().find(|&&d| self.dims()[d] == 0) {
            return Err(Error::shapes(
                "amax",
                &[self.dims()],
                format!("cannot reduce the empty dimension {d}"),
            ));
        }
        let out = self.reduced_shape(&axes, keepdim);
        Tensor::from_op(Op::Max { axes, keepdim }, vec![self.clone()], out)
    }

    /// Variance over `axes`, unbiased (divide by n - 1) like torch's default when `unbiased`.
    pub fn var(&self, axes: &[isize], unbiased: bool, keepdim: bool) -> Result<Tensor> {
        let norm = normalize_axes("var", axes, self.rank())?;
        let n: usize = norm.iter().map(|&d| self.dims()[d]).product();
        let mean = self.mean(axes, true)?;
        let sq = self.sub(&mean)?.square()?.sum(axes, keepdim)?;
        let denom = if unbiased { n as f64 - 1.0 } else { n as f64 };
        sq.div_scalar(denom)
    }
}
