//! The element types CPU kernels are generic over: f32 for real work, f64 for gradcheck.

use std::fmt::{Debug, Display};
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub};

use super::CpuStorage;

/// A float type with the handful of functions kernels need, plus the GEMM of its precision.
pub trait Float:
    super::alloc::Cached
    + Copy
    + Send
    + Sync
    + Default
    + Debug
    + Display
    + PartialOrd
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + MulAssign
{
    const ZERO: Self;
    const ONE: Self;
    const NEG_INFINITY: Self;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn tanh(self) -> Self;
    fn erf(self) -> Self;
    fn powf(self, p: Self) -> Self;
    fn is_nan(self) -> bool;
    /// Wraps a vector of this type into CPU storage.
    fn wrap(v: Vec<Self>) -> CpuStorage;
    /// Borrows CPU storage as a slice of this type, if the dtype matches.
    fn slice(s: &CpuStorage) -> Option<&[Self]>;
    /// `C = A B + beta C` with arbitrary non-negative strides (in elements), via
    /// matrixmultiply, shaped for its threading: the larger of `m`/`n` is put in the `m` slot
    /// (matrixmultiply splits `m` across threads in one parallel region), and a deep `k` with a
    /// small output is cut into chunks small enough to run on one thread (otherwise every
    /// 256-deep block of `k` is a thread rendezvous doing almost no work).
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: &[Self],
        sa: [isize; 2],
        b: &[Self],
        sb: [isize; 2],
        beta: Self,
        c: &mut [Self],
        sc: [isize; 2],
    ) {
        if n > m {
            // C^T = B^T A^T: same memory, strides swapped.
            return Self::gemm(
                n,
                k,
                m,
                b,
                [sb[1], sb[0]],
                a,
                [sa[1], sa[0]],
                beta,
                c,
                [sc[1], sc[0]],
            );
        }
        // matrixmultiply stays on one thread while (m + n) * k < 2^15 (its size heuristic).
        const KC: usize = 256;
        let single_thread_k = (1 << 15) / (m + n).max(1);
        if k > 2 * KC && m * n <= 128 * 64 && single_thread_k >= 64 {
            let chunk = (single_thread_k - 1).min(k);
            let mut p0 = 0;
            while p0 < k {
                let len = chunk.min(k - p0);
                let bt = if p0 == 0 { beta } else { Self::ONE };
                Self::gemm_raw(
                    m,
                    len,
                    n,
                    &a[p0 * sa[1] as usize..],
                    sa,
                    &b[p0 * sb[0] as usize..],
                    sb,
                    bt,
                    c,
                    sc,
                );
                p0 += len;
            }
            return;
        }
        Self::gemm_raw(m, k, n, a, sa, b, sb, beta, c, sc)
    }

    /// One matrixmultiply call, bounds-checked.
    #[allow(clippy::too_many_arguments)]
    fn gemm_raw(
        m: usize,
        k: usize,
        n: usize,
        a: &[Self],
        a_strides: [isize; 2],
        b: &[Self],
        b_strides: [isize; 2],
        beta: Self,
        c: &mut [Self],
        c_strides: [isize; 2],
    );

    /// max that propagates NaN like torch.
    #[inline]
    fn max_nan(self, o: Self) -> Self {
        if self.is_nan() || self >= o {
            self
        } else {
            o
        }
    }
}

/// Checks that a strided `rows x cols` matrix fits into a slice of `len` (non-negative strides).
fn fits(rows: usize, cols: usize, s: [isize; 2], len: usize) -> bool {
    if rows == 0 || cols == 0 {
        return true;
    }
    s[0] >= 0 && s[1] >= 0 && ((rows - 1) * s[0] as usize + (cols - 1) * s[1] as usize) < len
}

macro_rules! impl_float {
    ($t:ty, $variant:ident, $erf:path, $gemm:path) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NEG_INFINITY: Self = <$t>::NEG_INFINITY;
            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            #[inline]
            fn erf(self) -> Self {
                $erf(self)
            }
            #[inline]
            fn powf(self, p: Self) -> Self {
                <$t>::powf(self, p)
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn wrap(v: Vec<Self>) -> CpuStorage {
                CpuStorage::$variant(v)
            }
            fn slice(s: &CpuStorage) -> Option<&[Self]> {
                match s {
                    CpuStorage::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn gemm_raw(
                m: usize,
                k: usize,
                n: usize,
                a: &[Self],
                sa: [isize; 2],
                b: &[Self],
                sb: [isize; 2],
                beta: Self,
                c: &mut [Self],
                sc: [isize; 2],
            ) {
                assert!(
                    fits(m, k, sa, a.len()) && fits(k, n, sb, b.len()) && fits(m, n, sc, c.len()),
                    "gemm operands out of bounds"
                );
                // SAFETY: the assert above checks every strided access stays inside its slice,
                // and `c` is a unique borrow distinct from `a` and `b`.
                unsafe {
                    $gemm(
                        m,
                        k,
                        n,
                        1.0,
                        a.as_ptr(),
                        sa[0],
                        sa[1],
                        b.as_ptr(),
                        sb[0],
                        sb[1],
                        beta,
                        c.as_mut_ptr(),
                        sc[0],
                        sc[1],
                    )
                }
            }
        }
    };
}

impl_float!(f32, F32, libm::erff, matrixmultiply::sgemm);
impl_float!(f64, F64, libm::erf, matrixmultiply::dgemm);
