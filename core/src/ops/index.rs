//! Indexing by tensors of integer values (stored in the float dtype, validated by kernels):
//! gather, index_select and one_hot.

use crate::autograd::Op;
use crate::error::{Error, Result};
use crate::tensor::shape::normalize_dim;
use crate::tensor::Tensor;

impl Tensor {
    /// torch.gather: `out[i][j] = self[i][index[i][j]]` for `dim = 1`. `index` has the same
    /// rank and is no larger than `self` outside `dim`.
    pub fn gather(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        let d = normalize_dim("gather", dim, self.rank())?;
        let fits = index.rank() == self.rank()
            && (0..self.rank()).all(|i| i == d || index.dims()[i] <= self.dims()[i]);
        if !fits {
            return Err(Error::shapes(
                "gather",
                &[self.dims(), index.dims()],
                format!("index must have the same rank and sizes no larger than the input outside dim {d}"),
            ));
        }
        let index = index.detach();
        let index = if index.dtype() == self.dtype() {
            index
        } else {
            index.to_dtype(self.dtype())?
        };
        let out = index.dims().to_vec();
        Tensor::from_op(Op::Gather { dim: d }, vec![self.clone(), index], out)
    }

    /// torch.index_select: the entries `index` (1-D) along `dim`.
    pub fn index_select(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        let d = normalize_dim("index_select", dim, self.rank())?;
        if index.rank() > 1 {
            return Err(Error::shapes(
                "index_select",
                &[self.dims(), index.dims()],
                "index must be 1-D",
            ));
        }
        let n = index.numel();
        let mut out = self.dims().to_vec();
        if out.is_empty() {
            return self
                .reshape_to(&[1])?
                .gather(0, &index.reshape_to(&[n])?)?
                .reshape_to(&[]);
        }
        out[d] = n;
        let mut col = vec![1; self.rank()];
        col[d] = n;
        let idx = index.detach().reshape_to(&col)?.expand_to(&out)?;
        self.gather(d as isize, &idx)
    }

    /// torch.nn.functional.one_hot of integer values: a new trailing dimension of size
    /// `num_classes` (or max + 1 when `None`), in this tensor's float dtype, without gradient.
    pub fn one_hot(&self, num_classes: Option<usize>) -> Result<Tensor> {
        let v = self.to_vec::<f64>()?;
        let max = v.iter().cloned().fold(-1.0f64, f64::max);
        let c = num_classes.unwrap_or((max + 1.0).max(0.0) as usize);
        let mut out = vec![0.0f64; v.len() * c];
        for (i, &x) in v.iter().enumerate() {
            if x.fract() != 0.0 || x < 0.0 || x >= c as f64 {
                return Err(Error::IndexOutOfRange {
                    op: "one_hot",
                    index: x as i64,
                    size: c,
                });
            }
            out[i * c + x as usize] = 1.0;
        }
        let mut shape = self.dims().to_vec();
        shape.push(c);
        Tensor::from_vec(out, shape)?.to_dtype(self.dtype())
    }
}
