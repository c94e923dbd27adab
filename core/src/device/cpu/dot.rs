//! The weight gradient's product: many dot products along contiguous pixel rows, summed over a
//! batch of samples, `C[i][j] (+)= sum_s sum_p A_s[i][p] * B_s[j][p]`. Each register tile keeps
//! its vector partial sums across all samples and sums the lanes once at the end.

use super::simd::{Arr, Lanes};
use super::tile::Isa;
#[cfg(any(target_arch = "x86_64", target_feature = "simd128"))]
use super::tile::{as_f32, as_f32_mut};
use super::Float;

/// Operands of [`nt`]: row `i` of `A_s` is `a[s*sa + i*lda..][..len]`, row `j` of `B_s` is
/// `b[s*sb + boff[j]..][..len]` (rows may overlap: shifted views of one image).
#[derive(Clone, Copy)]
pub struct DotOperands<'a, T> {
    pub a: &'a [T],
    pub lda: usize,
    pub sa: usize,
    pub b: &'a [T],
    pub boff: &'a [usize],
    pub sb: usize,
    /// Samples in the batch.
    pub batch: usize,
    /// Length of every row.
    pub len: usize,
}

/// `C = sum_s A_s B_s^T` (or `C +=` when `accumulate`), `C` of `m` rows of `boff.len()`
/// elements `ldc` apart.
pub fn nt<T: Float>(m: usize, x: &DotOperands<'_, T>, c: &mut [T], ldc: usize, accumulate: bool) {
    let n = x.boff.len();
    if m == 0 || n == 0 {
        return;
    }
    if x.batch > 0 {
        let last = (x.batch - 1) * x.sa + (m - 1) * x.lda + x.len;
        assert!(x.a.len() >= last, "nt: A too short");
        let last_b = (x.batch - 1) * x.sb + x.boff.iter().max().copied().unwrap_or(0) + x.len;
        assert!(x.b.len() >= last_b, "nt: B too short");
    }
    assert!(c.len() >= (m - 1) * ldc + n, "nt: C too short");
    // SAFETY: bounds checked above; the ISA was detected.
    unsafe {
        match Isa::detect::<T>() {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => nt_avx512(m, &f32_operands(x), as_f32_mut(c), ldc, accumulate),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => nt_avx2(m, &f32_operands(x), as_f32_mut(c), ldc, accumulate),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => nt_kernel::<f32, super::simd::Simd128, 2, 4>(
                m,
                &f32_operands(x),
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            Isa::Generic => nt_kernel::<T, Arr<T, 8>, 2, 4>(m, x, c, ldc, accumulate),
        }
    }
}

#[cfg(any(target_arch = "x86_64", target_feature = "simd128"))]
fn f32_operands<'a, T: Float>(x: &DotOperands<'a, T>) -> DotOperands<'a, f32> {
    DotOperands {
        a: as_f32(x.a),
        lda: x.lda,
        sa: x.sa,
        b: as_f32(x.b),
        boff: x.boff,
        sb: x.sb,
        batch: x.batch,
        len: x.len,
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn nt_avx512(m: usize, x: &DotOperands<'_, f32>, c: &mut [f32], ldc: usize, acc: bool) {
    nt_kernel::<f32, super::simd::Avx512, 4, 4>(m, x, c, ldc, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn nt_avx2(m: usize, x: &DotOperands<'_, f32>, c: &mut [f32], ldc: usize, acc: bool) {
    nt_kernel::<f32, super::simd::Avx2, 2, 4>(m, x, c, ldc, acc)
}

/// The `nt` loop nest: `TM x TN` dot products at once, vector partial sums along the rows and
/// over the batch, the tail of each row in scalars. Edge tiles repeat the last row and drop the
/// duplicate results.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn nt_kernel<T: Float, V: Lanes<T>, const TM: usize, const TN: usize>(
    m: usize,
    x: &DotOperands<'_, T>,
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    let n = x.boff.len();
    let len = x.len;
    let vec_len = len - len % V::N;
    for i0 in (0..m).step_by(TM) {
        for j0 in (0..n).step_by(TN) {
            let rows = |s: usize| -> ([*const T; TM], [*const T; TN]) {
                (
                    std::array::from_fn(|r| {
                        x.a.as_ptr().add(s * x.sa + (i0 + r).min(m - 1) * x.lda)
                    }),
                    std::array::from_fn(|q| {
                        x.b.as_ptr().add(s * x.sb + x.boff[(j0 + q).min(n - 1)])
                    }),
                )
            };
            let mut acc = [[V::zero(); TN]; TM];
            for s in 0..x.batch {
                let (ar, br) = rows(s);
                let mut p = 0;
                while p < vec_len {
                    let mut bv = [V::zero(); TN];
                    for q in 0..TN {
                        bv[q] = V::load(br[q].add(p));
                    }
                    for r in 0..TM {
                        let av = V::load(ar[r].add(p));
                        for q in 0..TN {
                            acc[r][q] = acc[r][q].madd(av, bv[q]);
                        }
                    }
                    p += V::N;
                }
            }
            // Constant-bound loops (not closures) keep `acc` in registers; the scalar tails
            // come after, so their sums do not compete with `acc` for registers.
            let mut sums = [[T::ZERO; TN]; TM];
            for r in 0..TM {
                for q in 0..TN {
                    sums[r][q] = acc[r][q].hsum();
                }
            }
            if vec_len < len {
                for s in 0..x.batch {
                    let (ar, br) = rows(s);
                    for e in vec_len..len {
                        for r in 0..TM {
                            let av = *ar[r].add(e);
                            for q in 0..TN {
                                sums[r][q] += av * *br[q].add(e);
                            }
                        }
                    }
                }
            }
            for r in 0..TM.min(m - i0) {
                for q in 0..TN.min(n - j0) {
                    let d = c.as_mut_ptr().add((i0 + r) * ldc + j0 + q);
                    *d = if accumulate {
                        *d + sums[r][q]
                    } else {
                        sums[r][q]
                    };
                }
            }
        }
    }
}
