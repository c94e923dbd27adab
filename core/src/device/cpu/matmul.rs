//! Batched matrix product through matrixmultiply's GEMM; transposed operands are read through
//! strides, so `A^T B` and `A B^T` (the backward products) cost no copies.

use super::alloc;
use super::Float;

/// `out[b] = op(A[b]) op(B[b])` for `out` of shape `[batch, m, n]` and inner size `k`.
#[allow(clippy::too_many_arguments)]
pub fn batched<T: Float>(
    a: &[T],
    b: &[T],
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
    transpose_a: bool,
    transpose_b: bool,
) -> Vec<T> {
    let mut out = alloc::filled(T::ZERO, batch * m * n);
    let sa = if transpose_a {
        [1, m as isize]
    } else {
        [k as isize, 1]
    };
    let sb = if transpose_b {
        [1, k as isize]
    } else {
        [n as isize, 1]
    };
    for i in 0..batch {
        T::gemm(
            m,
            k,
            n,
            &a[i * m * k..(i + 1) * m * k],
            sa,
            &b[i * k * n..(i + 1) * k * n],
            sb,
            T::ZERO,
            &mut out[i * m * n..(i + 1) * m * n],
            [n as isize, 1],
        );
    }
    out
}
