//! Index kernels: gather and its adjoint scatter-add. Index tensors hold integer values in the
//! tensor's float type; they are validated here because only the kernel reads them.

use super::alloc;
use super::layout::{contiguous_strides, numel};
use super::Float;
use crate::error::{Error, Result};

/// Converts an index element to `usize`, rejecting fractions and out-of-range values.
pub fn to_index<T: Float>(op: &'static str, v: T, size: usize) -> Result<usize> {
    let f = v.to_f64();
    if f.fract() != 0.0 || f < 0.0 || f >= size as f64 {
        let index = if f.is_finite() { f as i64 } else { i64::MIN };
        return Err(Error::IndexOutOfRange { op, index, size });
    }
    Ok(f as usize)
}

/// Visits every element of `index` with its flat position and the flat offset of the same
/// coordinates in a tensor with `strides`, excluding `dim`'s contribution.
fn for_each_coord(
    index_shape: &[usize],
    strides: &[usize],
    dim: usize,
    mut f: impl FnMut(usize, usize) -> Result<()>,
) -> Result<()> {
    let n = numel(index_shape);
    let rank = index_shape.len();
    let mut coord = vec![0usize; rank];
    let mut off = 0usize;
    for flat in 0..n {
        f(flat, off)?;
        for d in (0..rank).rev() {
            coord[d] += 1;
            if d != dim {
                off += strides[d];
            }
            if coord[d] < index_shape[d] {
                break;
            }
            if d != dim {
                off -= strides[d] * index_shape[d];
            }
            coord[d] = 0;
        }
    }
    Ok(())
}

/// torch.gather: `out[i][j][k] = x[i][index[i][j][k]][k]` for `dim = 1`, and so on.
pub fn gather<T: Float>(
    x: &[T],
    x_shape: &[usize],
    index: &[T],
    index_shape: &[usize],
    dim: usize,
) -> Result<Vec<T>> {
    let st = contiguous_strides(x_shape);
    let mut out = alloc::take(index.len());
    for_each_coord(index_shape, &st, dim, |flat, off| {
        let i = to_index("gather", index[flat], x_shape[dim])?;
        out.push(x[off + i * st[dim]]);
        Ok(())
    })?;
    Ok(out)
}

/// Zeros of `out_shape` with `src[p]` added at `index[p]` along `dim` (adjoint of gather).
pub fn scatter_add<T: Float>(
    index: &[T],
    index_shape: &[usize],
    src: &[T],
    dim: usize,
    out_shape: &[usize],
) -> Result<Vec<T>> {
    let st = contiguous_strides(out_shape);
    let mut out = alloc::filled(T::ZERO, numel(out_shape));
    for_each_coord(index_shape, &st, dim, |flat, off| {
        let i = to_index("scatter_add", index[flat], out_shape[dim])?;
        out[off + i * st[dim]] += src[flat];
        Ok(())
    })?;
    Ok(out)
}
