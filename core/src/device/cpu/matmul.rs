//! Batched matrix product through matrixmultiply's GEMM (natively) or [`super::gemm`] (f32
//! in wasm SIMD128, where matrixmultiply's kernel spills); transposed operands are read
//! through strides, so `A^T B` and `A B^T` (the backward products) cost no copies.

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
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() {
        return simd128(a, b, batch, m, k, n, transpose_a, transpose_b);
    }
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

/// [`batched`] for f32 on wasm SIMD128: every element of the output is written by the GEMM,
/// so the buffer is not cleared first.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[allow(clippy::too_many_arguments)]
fn simd128<T: Float>(
    a: &[T],
    b: &[T],
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
    transpose_a: bool,
    transpose_b: bool,
) -> Vec<T> {
    use super::gemm::View;
    use super::helper::gemm_shared;
    use super::tile::{as_f32, as_f32_mut};
    let mut out = alloc::stale(batch * m * n);
    let (a, b) = (as_f32(a), as_f32(b));
    let c = as_f32_mut(&mut out);
    let (ars, acs) = if transpose_a { (1, m) } else { (k, 1) };
    let (brs, bcs) = if transpose_b { (1, k) } else { (n, 1) };
    for i in 0..batch {
        let va = View {
            data: &a[i * m * k..(i + 1) * m * k],
            rs: ars,
            cs: acs,
        };
        let vb = View {
            data: &b[i * k * n..(i + 1) * k * n],
            rs: brs,
            cs: bcs,
        };
        let ci = &mut c[i * m * n..(i + 1) * m * n];
        gemm_shared(m, k, n, va, vb, ci);
    }
    out
}
