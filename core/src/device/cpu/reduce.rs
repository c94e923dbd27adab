//! Reductions over a set of axes (sum, amax), and softmax / log-softmax along one dimension.

use super::alloc;
use super::layout::{broadcast_strides, coalesce, contiguous_strides, for_each_row, numel};
use super::Float;

/// Sum of a contiguous row in eight independent lanes: vectorizes and halves rounding error.
fn sum_row<T: Float>(r: &[T]) -> T {
    let mut acc = [T::ZERO; 8];
    let chunks = r.chunks_exact(8);
    let rest = chunks.remainder();
    for ch in chunks {
        for k in 0..8 {
            acc[k] += ch[k];
        }
    }
    let mut s = T::ZERO;
    for &v in rest {
        s += v;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + s
}

fn max_row<T: Float>(r: &[T]) -> T {
    r.iter().fold(T::NEG_INFINITY, |m, &v| m.max_nan(v))
}

/// Reduces `x` over the sorted `axes`; the result is laid out as `shape` with those axes set
/// to 1 (callers drop them for `keepdim = false`, which changes no data).
fn reduce<T: Float>(
    x: &[T],
    shape: &[usize],
    axes: &[usize],
    init: T,
    row: impl Fn(&[T]) -> T,
    comb: impl Fn(T, T) -> T,
) -> Vec<T> {
    let kept: Vec<usize> = (0..shape.len())
        .map(|d| if axes.contains(&d) { 1 } else { shape[d] })
        .collect();
    let mut out = alloc::filled(init, numel(&kept));
    let st_x = contiguous_strides(shape);
    let st_o = broadcast_strides(&kept, shape);
    let (dims, st) = coalesce(shape, [&st_x, &st_o]);
    for_each_row(&dims, &st, |[xi, oi], len, [_, os]| {
        if os == 0 {
            out[oi] = comb(out[oi], row(&x[xi..xi + len]));
        } else {
            for (o, &v) in out[oi..oi + len].iter_mut().zip(&x[xi..xi + len]) {
                *o = comb(*o, v);
            }
        }
    });
    out
}

/// Sum over `axes`.
pub fn sum<T: Float>(x: &[T], shape: &[usize], axes: &[usize]) -> Vec<T> {
    reduce(x, shape, axes, T::ZERO, sum_row, |a, b| a + b)
}

/// Maximum over `axes` (NaN propagates).
pub fn max<T: Float>(x: &[T], shape: &[usize], axes: &[usize]) -> Vec<T> {
    reduce(x, shape, axes, T::NEG_INFINITY, max_row, |a, b| {
        a.max_nan(b)
    })
}

/// Softmax (or log-softmax) along `dim`, numerically stable (max subtracted).
pub fn softmax<T: Float>(x: &[T], shape: &[usize], dim: usize, log: bool) -> Vec<T> {
    let n = shape[dim];
    let inner = numel(&shape[dim + 1..]);
    let mut out = alloc::filled(T::ZERO, x.len());
    if n == 0 || x.is_empty() {
        return out;
    }
    let mut col = vec![T::ZERO; n];
    for (xb, ob) in x
        .chunks_exact(n * inner)
        .zip(out.chunks_exact_mut(n * inner))
    {
        for i in 0..inner {
            for (k, c) in col.iter_mut().enumerate() {
                *c = xb[k * inner + i];
            }
            let m = max_row(&col);
            let m = if m == T::NEG_INFINITY { T::ZERO } else { m };
            let mut s = T::ZERO;
            for c in col.iter_mut() {
                *c = *c - m;
                s += c.exp();
            }
            if log {
                let ls = s.ln();
                for (k, &c) in col.iter().enumerate() {
                    ob[k * inner + i] = c - ls;
                }
            } else {
                let inv = T::ONE / s;
                for (k, &c) in col.iter().enumerate() {
                    ob[k * inner + i] = c.exp() * inv;
                }
            }
        }
    }
    out
}
