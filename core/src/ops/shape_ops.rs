//! Shape manipulation. `reshape` shares storage; permute, narrow, expand and cat copy, so
//! every tensor stays contiguous row-major.

use crate::autograd::Op;
use crate::error::{Error, Result};
use crate::tensor::shape::{broadcast_shapes, normalize_dim};
use crate::tensor::Tensor;

impl Tensor {
    /// New shape with the same elements; one entry may be -1 (inferred). Shares storage.
    pub fn reshape(&self, shape: &[isize]) -> Result<Tensor> {
        let known: usize = shape
            .iter()
            .filter(|&&d| d >= 0)
            .map(|&d| d as usize)
            .product();
        let infer = shape.iter().filter(|&&d| d == -1).count();
        let bad = || {
            Error::shapes(
                "reshape",
                &[
                    self.dims(),
                    &shape.iter().map(|&d| d.max(0) as usize).collect::<Vec<_>>(),
                ],
                "element counts differ",
            )
        };
        if infer > 1 || shape.iter().any(|&d| d < -1) {
            return Err(Error::invalid(
                "reshape",
                format!("invalid target shape {shape:?}"),
            ));
        }
        let dims: Vec<usize> = if infer == 1 {
            if known == 0 || !self.numel().is_multiple_of(known) {
                return Err(bad());
            }
            shape
                .iter()
                .map(|&d| {
                    if d == -1 {
                        self.numel() / known
                    } else {
                        d as usize
                    }
                })
                .collect()
        } else {
            shape.iter().map(|&d| d as usize).collect()
        };
        self.reshape_to(&dims)
    }

    /// [`Tensor::reshape`] with explicit sizes.
    pub fn reshape_to(&self, dims: &[usize]) -> Result<Tensor> {
        if dims.iter().product::<usize>() != self.numel() {
            return Err(Error::shapes(
                "reshape",
                &[self.dims(), dims],
                "element counts differ",
            ));
        }
        if dims == self.dims() {
            return Ok(self.clone());
        }
        Tensor::from_op(Op::Reshape, vec![self.clone()], dims.to_vec())
    }

    /// Alias of [`Tensor::reshape`] (every tensor is contiguous, so a view always exists).
    pub fn view(&self, shape: &[isize]) -> Result<Tensor> {
        self.reshape(shape)
    }

    /// Merges dimensions `start..=end` into one (torch.flatten).
    pub fn flatten(&self, start: isize, end: isize) -> Result<Tensor> {
        if self.rank() == 0 {
            return self.reshape_to(&[1]);
        }
        let s = normalize_dim("flatten", start, self.rank())?;
        let e = normalize_dim("flatten", end, self.rank())?;
        if s > e {
            return Err(Error::invalid(
                "flatten",
                format!("start dim {start} after end dim {end}"),
            ));
        }
        let d = self.dims();
        let mut out = d[..s].to_vec();
        out.push(d[s..=e].iter().product());
        out.extend_from_slice(&d[e + 1..]);
        self.reshape_to(&out)
    }

    /// Inserts a size-1 dimension at `dim` (range `-rank-1..=rank`).
    pub fn unsqueeze(&self, dim: isize) -> Result<Tensor> {
        let d = normalize_dim("unsqueeze", dim, self.rank() + 1)?;
        let mut out = self.dims().to_vec();
        out.insert(d, 1);
        self.reshape_to(&out)
    }

    /// Removes `dim` if it has size 1 (otherwise returns the tensor unchanged, like torch).
    pub fn squeeze(&self, dim: isize) -> Result<Tensor> {
        if self.rank() == 0 {
            return Ok(self.clone());
        }
        let d = normalize_dim("squeeze", dim, self.rank())?;
        if self.dims()[d] != 1 {
            return Ok(self.clone());
        }
        let mut out = self.dims().to_vec();
        out.remove(d);
        self.reshape_to(&out)
    }

    /// Reorders dimensions: output dim `i` is input dim `perm[i]` (copies).
    pub fn permute(&self, perm: &[isize]) -> Result<Tensor> {
        if perm.len() != self.rank() {
            return Err(Error::invalid(
                "permute",
                format!(
                    "{} dims given for a tensor of rank {}",
                    perm.len(),
                    self.rank()
                ),
            ));
        }
        let mut p = Vec::with_capacity(perm.len());
        for &d in perm {
            let d = normalize_dim("permute", d, self.rank())?;
            if p.contains(&d) {
                return Err(Error::invalid(
                    "permute",
                    format!("{perm:?} repeats a dimension"),
                ));
            }
            p.push(d);
        }
        if p.iter().enumerate().all(|(i, &d)| i == d) {
            return Ok(self.clone());
        }
        let out = p.iter().map(|&d| self.dims()[d]).collect();
        Tensor::from_op(Op::Permute { perm: p }, vec![self.clone()], out)
    }

    /// Swaps two dimensions (copies).
    pub fn transpose(&self, dim0: isize, dim1: isize) -> Result<Tensor> {
        if self.rank() < 2 {
            normalize_dim("transpose", dim0, self.rank())?;
            normalize_dim("transpose", dim1, self.rank())?;
            return Ok(self.clone());
        }
        let a = normalize_dim("transpose", dim0, self.rank())?;
        let b = normalize_dim("transpose", dim1, self.rank())?;
        let mut perm: Vec<isize> = (0..self.rank() as isize).collect();
        perm.swap(a, b);
        self.permute(&perm)
    }

    /// Matrix transpose of a rank <= 2 tensor (torch.t).
    pub fn t(&self) -> Result<Tensor> {
        if self.rank() > 2 {
            return Err(Error::shapes(
                "t",
                &[self.dims()],
                "expects a tensor with at most 2 dimensions",
            ));
        }
        self.transpose(0, -1)
    }

    /// Elements `start..start + length` along `dim` (copies).
    pub fn narrow(&self, dim: isize, start: usize, length: usize) -> Result<Tensor> {
        let d = normalize_dim("narrow", dim, self.rank())?;
        if self.rank() == 0 {
            return Err(Error::shapes(
                "narrow",
                &[self.dims()],
                "cannot narrow a scalar",
            ));
        }
        let size = self.dims()[d];
        if start + length > size {
            return Err(Error::IndexOutOfRange {
                op: "narrow",
                index: (start + length) as i64,
                size,
            });
        }
        if start == 0 && length == size {
            return Ok(self.clone());
        }
        let mut out = self.dims().to_vec();
        out[d] = length;
        Tensor::from_op(Op::Narrow { dim: d, start }, vec![self.clone()], out)
    }

    /// Concatenates along `dim`; all other dimensions must agree.
    pub fn cat(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        let first = tensors
            .first()
            .ok_or_else(|| Error::invalid("cat", "expects at least one tensor"))?;
        let d = normalize_dim("cat", dim, first.rank())?;
        let all: Vec<&[usize]> = tensors.iter().map(|t| t.dims()).collect();
        if first.rank() == 0 {
            return Err(Error::shapes(
                "cat",
                &all,
                "zero-dimensional tensors cannot be concatenated",
            ));
        }
        let mut out = first.dims().to_vec();
        out[d] = 0;
        for t in tensors {
            let ok = t.rank() == first.rank()
                && (0..t.rank()).all(|i| i == d || t.dims()[i] == first.dims()[i]);
            if !ok {
                return Err(Error::shapes(
                    "cat",
                    &all,
                    format!("sizes must match except in dimension {d}"),
                ));
            }
            out[d] += t.dims()[d];
        }
        if tensors.len() == 1 {
            return Ok(first.clone());
        }
        Tensor::from_op(Op::Cat { dim: d }, tensors.to_vec(), out)
    }

    /// Stacks equal-shaped tensors along a new dimension `dim`.
    pub fn stack(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        let first = tensors
            .first()
            .ok_or_else(|| Error::invalid("stack", "expects at least one tensor"))?;
        if let Some(t) = tensors.iter().find(|t| t.dims() != first.dims()) {
            return Err(Error::shapes(
                "stack",
                &[first.dims(), t.dims()],
                "all tensors must have the same shape",
            ));
        }
        let d = normalize_dim("stack", dim, first.rank() + 1)?;
        let parts = tensors
            .iter()
            .map(|t| t.unsqueeze(d as isize))
            .collect::<Result<Vec<_>>>()?;
        Tensor::cat(&parts, d as isize)
    }

    /// torch.expand: size-1 dims stretch, new leading dims may be added, -1 keeps a size.
    pub fn expand(&self, shape: &[isize]) -> Result<Tensor> {
        if shape.len() < self.rank() {
            return Err(Error::invalid(
                "expand",
                format!(
                    "{} sizes given for a tensor of rank {}",
                    shape.len(),
                    self.rank()
                ),
            ));
        }
        let lead = shape.len() - self.rank();
        let mut out = Vec::with_capacity(shape.len());
        for (i, &s) in shape.iter().enumerate() {
            out.push(if s == -1 && i >= lead {
                self.dims()[i - lead]
            } else if s < 0 {
                return Err(Error::invalid(
                    "expand",
                    format!("size {s} at dimension {i}"),
                ));
            } else {
                s as usize
            });
        }
        self.expand_to(&out)
    }

    /// Broadcasts to `shape` (materialized). Errors unless the shape is a valid broadcast target.
    pub fn expand_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.dims() == shape {
            return Ok(self.clone());
        }
        let b = broadcast_shapes("expand", self.dims(), shape)?;
        if b != shape {
            return Err(Error::shapes(
                "expand",
                &[self.dims(), shape],
                "the target shape must contain the tensor's shape",
            ));
        }
        Tensor::from_op(Op::Expand, vec![self.clone()], shape.to_vec())
    }

    /// Alias of [`Tensor::expand_to`] (torch.broadcast_to).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        self.expand_to(shape)
    }
}
