//! Register-tiled small GEMMs for the shapes convolutions produce: a weight matrix of a few
//! dozen rows times long rows of unfolded pixels (`nn`), and the weight gradient as dot products
//! along the pixels (`nt`). Unlike a general GEMM they never pack the long operand: its rows
//! are read in place, so a conv layer costs its arithmetic plus one im2col, not a second copy.
//! The vector width comes from [`Isa::detect`]; f64 uses the portable array kernel.

use std::any::TypeId;

use super::simd::{Arr, Lanes};
use super::Float;

/// The instruction set the kernels run on for one element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
    Generic,
}

impl Isa {
    /// The fastest kernel set for `T` on this CPU (f32 only; everything else is generic).
    pub fn detect<T: Float>() -> Isa {
        if TypeId::of::<T>() != TypeId::of::<f32>() {
            return Isa::Generic;
        }
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Isa::Avx2;
            }
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            return Isa::Simd128;
        }
        #[allow(unreachable_code)]
        Isa::Generic
    }

    /// Rows of one register tile of [`nn`].
    fn mr(self) -> usize {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => 8,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => 6,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => 4,
            Isa::Generic => 4,
        }
    }
}

/// Reinterprets a slice of `T` as f32 when `T` is f32.
#[cfg(any(target_arch = "x86_64", target_feature = "simd128"))]
fn as_f32<T: Float>(x: &[T]) -> &[f32] {
    assert_eq!(TypeId::of::<T>(), TypeId::of::<f32>());
    // SAFETY: T is f32 (checked above), so layout and validity are identical.
    unsafe { std::slice::from_raw_parts(x.as_ptr().cast(), x.len()) }
}

#[cfg(any(target_arch = "x86_64", target_feature = "simd128"))]
fn as_f32_mut<T: Float>(x: &mut [T]) -> &mut [f32] {
    assert_eq!(TypeId::of::<T>(), TypeId::of::<f32>());
    // SAFETY: as in `as_f32`.
    unsafe { std::slice::from_raw_parts_mut(x.as_mut_ptr().cast(), x.len()) }
}

/// The left operand of [`nn`], `m x k`, stored as panels of `mr` rows interleaved by column
/// (`data[(t*k + p)*mr + r] = A[t*mr + r][p]`), zero rows padding the last panel.
pub struct PackedA<T> {
    data: Vec<T>,
    m: usize,
    k: usize,
    isa: Isa,
}

impl<T: Float> PackedA<T> {
    /// Packs `A` whose element `(i, p)` is `a[i*rs + p*cs]` (any layout, e.g. a transpose).
    pub fn new(a: &[T], m: usize, k: usize, rs: usize, cs: usize) -> Self {
        let isa = Isa::detect::<T>();
        let mr = isa.mr();
        let panels = m.div_ceil(mr);
        let mut data = vec![T::ZERO; panels * k * mr];
        for t in 0..panels {
            for r in 0..mr.min(m - t * mr) {
                let i = t * mr + r;
                for p in 0..k {
                    data[(t * k + p) * mr + r] = a[i * rs + p * cs];
                }
            }
        }
        PackedA { data, m, k, isa }
    }
}

/// `C = A B` (or `C += A B` when `accumulate`) for packed `A` (`m x k`), `B` of `k` rows of
/// `n` elements `ldb` apart, and `C` of `m` rows of `n` elements `ldc` apart.
#[allow(clippy::too_many_arguments)]
pub fn nn<T: Float>(
    a: &PackedA<T>,
    n: usize,
    b: &[T],
    ldb: usize,
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    let (m, k) = (a.m, a.k);
    if m == 0 || n == 0 {
        return;
    }
    assert!(k == 0 || b.len() >= (k - 1) * ldb + n, "nn: B too short");
    assert!(c.len() >= (m - 1) * ldc + n, "nn: C too short");
    // Blocks of KC rows of B keep a column tile of B and a panel of A in L1 when k is deep;
    // the first block writes C (unless accumulating), the rest add to it.
    const KC: usize = 256;
    let mut p0 = 0;
    loop {
        let kc = KC.min(k - p0);
        let acc = accumulate || p0 > 0;
        nn_block(a, p0, kc, n, &b[p0 * ldb..], ldb, c, ldc, acc);
        p0 += kc;
        if p0 >= k {
            break;
        }
    }
}

/// One `KC`-deep block of [`nn`]: rows `p0..p0+kc` of `B`, columns `p0..p0+kc` of `A`.
#[allow(clippy::too_many_arguments)]
fn nn_block<T: Float>(
    a: &PackedA<T>,
    p0: usize,
    kc: usize,
    n: usize,
    b: &[T],
    ldb: usize,
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    let (m, k) = (a.m, a.k);
    // SAFETY: `nn` checked the bounds of B and C; the ISA was detected.
    unsafe {
        match a.isa {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => nn_avx512(
                &a.data_f32()[p0 * a.isa.mr()..],
                k * a.isa.mr(),
                m,
                kc,
                n,
                as_f32(b),
                ldb,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => nn_avx2(
                &a.data_f32()[p0 * a.isa.mr()..],
                k * a.isa.mr(),
                m,
                kc,
                n,
                as_f32(b),
                ldb,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => nn_kernel::<f32, super::simd::Simd128, 4, 2>(
                &a.data_f32()[p0 * a.isa.mr()..],
                k * a.isa.mr(),
                m,
                kc,
                n,
                as_f32(b),
                ldb,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            Isa::Generic => nn_kernel::<T, Arr<T, 8>, 4, 1>(
                &a.data[p0 * 4..],
                k * 4,
                m,
                kc,
                n,
                b,
                ldb,
                c,
                ldc,
                accumulate,
            ),
        }
    }
}

impl<T: Float> PackedA<T> {
    #[cfg(any(target_arch = "x86_64", target_feature = "simd128"))]
    fn data_f32(&self) -> &[f32] {
        as_f32(&self.data)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn nn_avx512(
    a: &[f32],
    a_panel: usize,
    m: usize,
    k: usize,
    n: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    acc: bool,
) {
    nn_kernel::<f32, super::simd::Avx512, 8, 2>(a, a_panel, m, k, n, b, ldb, c, ldc, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn nn_avx2(
    a: &[f32],
    a_panel: usize,
    m: usize,
    k: usize,
    n: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    acc: bool,
) {
    nn_kernel::<f32, super::simd::Avx2, 6, 2>(a, a_panel, m, k, n, b, ldb, c, ldc, acc)
}

/// The `nn` loop nest (A panels `a_panel` elements apart): column tiles of `NV` vectors, row panels of `MR`, the whole `k` in
/// registers. A last partial column tile is copied into a zero-padded scratch block first.
#[inline(always)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
unsafe fn nn_kernel<T: Float, V: Lanes<T>, const MR: usize, const NV: usize>(
    a: &[T],
    a_panel: usize,
    m: usize,
    k: usize,
    n: usize,
    b: &[T],
    ldb: usize,
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    let nr = NV * V::N;
    let panels = m.div_ceil(MR);
    let mut scratch: Vec<T> = Vec::new();
    let cp = c.as_mut_ptr();
    let mut j0 = 0;
    while j0 < n {
        let width = nr.min(n - j0);
        let (bp, bs) = if width == nr {
            (b.as_ptr().add(j0), ldb)
        } else {
            scratch.resize(k * nr, T::ZERO);
            for p in 0..k {
                scratch[p * nr..p * nr + width].copy_from_slice(&b[p * ldb + j0..][..width]);
            }
            (scratch.as_ptr(), nr)
        };
        for t in 0..panels {
            let ap = a.as_ptr().add(t * a_panel);
            let mut acc = [[V::zero(); NV]; MR];
            for p in 0..k {
                let brow = bp.add(p * bs);
                let mut bv = [V::zero(); NV];
                for v in 0..NV {
                    bv[v] = V::load(brow.add(v * V::N));
                }
                for r in 0..MR {
                    let av = V::splat(*ap.add(p * MR + r));
                    for v in 0..NV {
                        acc[r][v] = acc[r][v].madd(av, bv[v]);
                    }
                }
            }
            // Constant trip counts keep `acc` in registers (a bound of `rows` would index it).
            let rows = MR.min(m - t * MR);
            for r in 0..MR {
                if r >= rows {
                    break;
                }
                let crow = cp.add((t * MR + r) * ldc + j0);
                if width == nr {
                    for v in 0..NV {
                        let mut x = acc[r][v];
                        if accumulate {
                            x = x.add(V::load(crow.add(v * V::N)));
                        }
                        x.store(crow.add(v * V::N));
                    }
                } else {
                    let mut tmp = [T::ZERO; 64];
                    for v in 0..NV {
                        acc[r][v].store(tmp.as_mut_ptr().add(v * V::N));
                    }
                    for (j, &x) in tmp[..width].iter().enumerate() {
                        let d = crow.add(j);
                        *d = if accumulate { *d + x } else { x };
                    }
                }
            }
        }
        j0 += nr;
    }
}

/// `C = A B^T` (or `C += A B^T`): `c[i*ldc + j] = sum_p a[i*lda + p] * b[j*ldb + p]` for
/// `i < m`, `j < n`, `p < len` (dot products along contiguous rows).
#[allow(clippy::too_many_arguments)]
pub fn nt<T: Float>(
    m: usize,
    n: usize,
    len: usize,
    a: &[T],
    lda: usize,
    b: &[T],
    ldb: usize,
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(a.len() >= (m - 1) * lda + len, "nt: A too short");
    assert!(b.len() >= (n - 1) * ldb + len, "nt: B too short");
    assert!(c.len() >= (m - 1) * ldc + n, "nt: C too short");
    // SAFETY: bounds checked above; the ISA was detected.
    unsafe {
        match Isa::detect::<T>() {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => nt_avx512(
                m,
                n,
                len,
                as_f32(a),
                lda,
                as_f32(b),
                ldb,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => nt_avx2(
                m,
                n,
                len,
                as_f32(a),
                lda,
                as_f32(b),
                ldb,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => nt_kernel::<f32, super::simd::Simd128, 2, 4>(
                m,
                n,
                len,
                as_f32(a),
                lda,
                as_f32(b),
                ldb,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            Isa::Generic => {
                nt_kernel::<T, Arr<T, 8>, 2, 4>(m, n, len, a, lda, b, ldb, c, ldc, accumulate)
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn nt_avx512(
    m: usize,
    n: usize,
    len: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    acc: bool,
) {
    nt_kernel::<f32, super::simd::Avx512, 4, 4>(m, n, len, a, lda, b, ldb, c, ldc, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn nt_avx2(
    m: usize,
    n: usize,
    len: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    acc: bool,
) {
    nt_kernel::<f32, super::simd::Avx2, 2, 4>(m, n, len, a, lda, b, ldb, c, ldc, acc)
}

/// The `nt` loop nest: `TM x TN` dot products at once, vector partial sums along the rows,
/// summed across lanes at the end, the tail of each row in scalars. Edge tiles repeat the last
/// row and drop the duplicate results.
#[inline(always)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
unsafe fn nt_kernel<T: Float, V: Lanes<T>, const TM: usize, const TN: usize>(
    m: usize,
    n: usize,
    len: usize,
    a: &[T],
    lda: usize,
    b: &[T],
    ldb: usize,
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    let vec_len = len - len % V::N;
    for i0 in (0..m).step_by(TM) {
        let ar: [*const T; TM] = std::array::from_fn(|r| a.as_ptr().add((i0 + r).min(m - 1) * lda));
        for j0 in (0..n).step_by(TN) {
            let br: [*const T; TN] =
                std::array::from_fn(|s| b.as_ptr().add((j0 + s).min(n - 1) * ldb));
            let mut acc = [[V::zero(); TN]; TM];
            let mut p = 0;
            while p < vec_len {
                let bv: [V; TN] = std::array::from_fn(|s| V::load(br[s].add(p)));
                for r in 0..TM {
                    let av = V::load(ar[r].add(p));
                    for s in 0..TN {
                        acc[r][s] = acc[r][s].madd(av, bv[s]);
                    }
                }
                p += V::N;
            }
            let sums: [[T; TN]; TM] =
                std::array::from_fn(|r| std::array::from_fn(|s| acc[r][s].hsum()));
            for r in 0..TM.min(m - i0) {
                for s in 0..TN.min(n - j0) {
                    let mut sum = sums[r][s];
                    for q in vec_len..len {
                        sum += *ar[r].add(q) * *br[s].add(q);
                    }
                    let d = c.as_mut_ptr().add((i0 + r) * ldc + j0 + s);
                    *d = if accumulate { *d + sum } else { sum };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1 << 24) as f32 - 0.5
            })
            .collect()
    }

    /// Every ISA path against a plain triple loop, on sizes with partial tiles and a `k`
    /// deeper than one block.
    #[test]
    fn nn_and_nt_match_naive_products() {
        for &(m, k, n) in &[
            (1, 1, 1),
            (6, 25, 784),
            (16, 150, 100),
            (13, 300, 37),
            (9, 3, 65),
        ] {
            let a = data(m * k, 1);
            let b = data(k * n, 2);
            let mut want = vec![0f64; m * n];
            for i in 0..m {
                for p in 0..k {
                    for j in 0..n {
                        want[i * n + j] += f64::from(a[i * k + p]) * f64::from(b[p * n + j]);
                    }
                }
            }
            let close = |got: &[f32], scale: f64| {
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        (f64::from(*g) - w * scale).abs() < 1e-4 * (1.0 + w.abs()),
                        "{m}x{k}x{n}"
                    );
                }
            };
            // C = A B, then C += A B.
            let mut c = vec![f32::NAN; m * n];
            let pa = PackedA::new(&a, m, k, k, 1);
            nn(&pa, n, &b, n, &mut c, n, false);
            close(&c, 1.0);
            nn(&pa, n, &b, n, &mut c, n, true);
            close(&c, 2.0);
            // The same through A^T packed from a transposed layout, and as dot products.
            let at: Vec<f32> = (0..k * m).map(|q| a[(q % m) * k + q / m]).collect();
            let pt = PackedA::new(&at, m, k, 1, m);
            nn(&pt, n, &b, n, &mut c, n, false);
            close(&c, 1.0);
            let bt: Vec<f32> = (0..n * k).map(|q| b[(q % k) * n + q / k]).collect();
            nt(m, n, k, &a, k, &bt, k, &mut c, n, false);
            close(&c, 1.0);
            let (a64, bt64): (Vec<f64>, Vec<f64>) = (
                a.iter().map(|&v| f64::from(v)).collect(),
                bt.iter().map(|&v| f64::from(v)).collect(),
            );
            let mut c64 = vec![0f64; m * n];
            nt(m, n, k, &a64, k, &bt64, k, &mut c64, n, false);
            for (g, w) in c64.iter().zip(&want) {
                assert!((g - w).abs() < 1e-9 * (1.0 + w.abs()));
            }
        }
    }
}
