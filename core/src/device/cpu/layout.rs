//! Strided iteration shared by the copy-style kernels (broadcast, expand, permute) and the
//! data-movement kernels themselves (narrow, cat). Inputs are always contiguous row-major; only
//! the iteration order changes, so every kernel writes its output sequentially.

use super::alloc;
use super::Float;

/// Number of elements of a shape.
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Contiguous row-major strides of `shape`.
pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// Strides for reading a contiguous tensor of `shape` while iterating `out` (right-aligned
/// broadcasting): 0 on dimensions that are broadcast.
pub fn broadcast_strides(shape: &[usize], out: &[usize]) -> Vec<usize> {
    let own = contiguous_strides(shape);
    let lead = out.len() - shape.len();
    (0..out.len())
        .map(|d| {
            if d < lead || shape[d - lead] == 1 {
                0
            } else {
                own[d - lead]
            }
        })
        .collect()
}

/// Drops size-1 dimensions and merges neighbours whose strides are compatible for every
/// operand, so inner loops run as long as possible. Returns the merged dims and strides.
pub fn coalesce<const N: usize>(
    dims: &[usize],
    strides: [&[usize]; N],
) -> (Vec<usize>, [Vec<usize>; N]) {
    let mut out_dims: Vec<usize> = Vec::new();
    let mut out_strides: [Vec<usize>; N] = std::array::from_fn(|_| Vec::new());
    for d in 0..dims.len() {
        if dims[d] == 1 {
            continue;
        }
        let mergeable = !out_dims.is_empty()
            && (0..N).all(|k| {
                let last = *out_strides[k].last().expect("non-empty when out_dims is");
                last == strides[k][d] * dims[d]
            });
        if mergeable {
            let n = out_dims.len() - 1;
            out_dims[n] *= dims[d];
            for k in 0..N {
                out_strides[k][n] = strides[k][d];
            }
        } else {
            out_dims.push(dims[d]);
            for k in 0..N {
                out_strides[k].push(strides[k][d]);
            }
        }
    }
    (out_dims, out_strides)
}

/// Calls `f(offsets, len, inner_strides)` for every innermost row of an iteration over `dims`
/// in row-major order, where operand `k` starts at `offsets[k]` and steps `inner_strides[k]`.
pub fn for_each_row<const N: usize>(
    dims: &[usize],
    strides: &[Vec<usize>; N],
    mut f: impl FnMut([usize; N], usize, [usize; N]),
) {
    if dims.is_empty() {
        f([0; N], 1, [0; N]);
        return;
    }
    if dims.contains(&0) {
        return;
    }
    let last = dims.len() - 1;
    let inner: [usize; N] = std::array::from_fn(|k| strides[k][last]);
    let mut idx = vec![0usize; last];
    let mut off = [0usize; N];
    loop {
        f(off, dims[last], inner);
        let mut d = last;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            for k in 0..N {
                off[k] += strides[k][d];
            }
            if idx[d] < dims[d] {
                break;
            }
            for k in 0..N {
                off[k] -= strides[k][d] * dims[d];
            }
            idx[d] = 0;
        }
    }
}

/// Broadcasts a contiguous tensor of `shape` to `out` (torch.expand, materialized).
pub fn expand<T: Float>(x: &[T], shape: &[usize], out: &[usize]) -> Vec<T> {
    let st = broadcast_strides(shape, out);
    let (dims, [st]) = coalesce(out, [&st]);
    let mut v = alloc::take(numel(out));
    for_each_row(&dims, &[st], |[o], len, [s]| match s {
        1 => v.extend_from_slice(&x[o..o + len]),
        0 => v.extend(std::iter::repeat_n(x[o], len)),
        s => v.extend((0..len).map(|i| x[o + i * s])),
    });
    v
}

/// Permutes the axes of a contiguous tensor: output dim `d` is input dim `perm[d]`.
pub fn permute<T: Float>(x: &[T], shape: &[usize], perm: &[usize]) -> Vec<T> {
    let own = contiguous_strides(shape);
    let out: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let st: Vec<usize> = perm.iter().map(|&p| own[p]).collect();
    let (dims, [st]) = coalesce(&out, [&st]);
    let mut v = alloc::take(x.len());
    for_each_row(&dims, &[st], |[o], len, [s]| {
        if s == 1 {
            v.extend_from_slice(&x[o..o + len]);
        } else {
            v.extend((0..len).map(|i| x[o + i * s]));
        }
    });
    v
}

/// Elements `start..start + out[dim]` along `dim` (torch.narrow), copied.
pub fn narrow<T: Float>(
    x: &[T],
    shape: &[usize],
    dim: usize,
    start: usize,
    out: &[usize],
) -> Vec<T> {
    let inner = numel(&shape[dim + 1..]);
    let block = shape[dim] * inner;
    let take = out[dim] * inner;
    let mut v = alloc::take(numel(out));
    if block > 0 {
        for chunk in x.chunks_exact(block) {
            v.extend_from_slice(&chunk[start * inner..start * inner + take]);
        }
    }
    v
}

/// Concatenation along `dim` of tensors that agree on every other dimension.
pub fn cat<T: Float>(parts: &[(&[T], &[usize])], dim: usize, out: &[usize]) -> Vec<T> {
    let outer = numel(&out[..dim]);
    let mut v = alloc::take(numel(out));
    for o in 0..outer {
        for (x, shape) in parts {
            let block = numel(&shape[dim..]);
            v.extend_from_slice(&x[o * block..(o + 1) * block]);
        }
    }
    v
}
