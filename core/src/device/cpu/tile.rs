//! A register-tiled small GEMM for the shapes convolutions produce: a weight matrix of a few
//! dozen rows times long rows of pixels (`nn`; the weight gradient's dot products are in
//! [`super::dot`]). Unlike a general GEMM it never packs the long operand: its rows are read in
//! place, at any offsets, so a stride-1 convolution needs no im2col at all. The vector width
//! comes from [`Isa::detect`]; f64 uses the portable array kernel.

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
    pub(super) fn mr(self) -> usize {
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
pub(super) fn as_f32<T: Float>(x: &[T]) -> &[f32] {
    assert_eq!(TypeId::of::<T>(), TypeId::of::<f32>());
    // SAFETY: T is f32 (checked above), so layout and validity are identical.
    unsafe { std::slice::from_raw_parts(x.as_ptr().cast(), x.len()) }
}

#[cfg(any(target_arch = "x86_64", target_feature = "simd128"))]
pub(super) fn as_f32_mut<T: Float>(x: &mut [T]) -> &mut [f32] {
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

/// `C = A B` (or `C += A B` when `accumulate`) for packed `A` (`m x k`), `B` whose row `p`
/// is the `n` elements at `b[boff[p]..]` (rows may overlap: an implicit im2col passes shifted
/// views of one image), and `C` of `m` rows of `n` elements `ldc` apart.
pub fn nn<T: Float>(
    a: &PackedA<T>,
    n: usize,
    b: &[T],
    boff: &[usize],
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    let (m, k) = (a.m, a.k);
    if m == 0 || n == 0 {
        return;
    }
    assert_eq!(boff.len(), k, "nn: one offset per row of B");
    assert!(boff.iter().all(|&o| o + n <= b.len()), "nn: B too short");
    assert!(c.len() >= (m - 1) * ldc + n, "nn: C too short");
    // Blocks of KC rows of B keep a column tile of B and a panel of A in L1 when k is deep;
    // the first block writes C (unless accumulating), the rest add to it.
    const KC: usize = 256;
    let mut p0 = 0;
    loop {
        let kc = KC.min(k - p0);
        let acc = accumulate || p0 > 0;
        nn_block(a, p0, n, b, &boff[p0..p0 + kc], c, ldc, acc);
        p0 += kc;
        if p0 >= k {
            break;
        }
    }
}

/// Row offsets `0, ld, 2*ld, ...` of a plain row-major `B` with `k` rows.
pub fn row_offsets(k: usize, ld: usize) -> Vec<usize> {
    (0..k).map(|p| p * ld).collect()
}

/// One block of [`nn`]: the rows of `B` in `boff`, from row `p0` of the packed `A`.
#[allow(clippy::too_many_arguments)]
fn nn_block<T: Float>(
    a: &PackedA<T>,
    p0: usize,
    n: usize,
    b: &[T],
    boff: &[usize],
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    let (m, mr) = (a.m, a.isa.mr());
    let panel = a.k * mr;
    // SAFETY: `nn` checked the bounds of B and C; the ISA was detected.
    unsafe {
        match a.isa {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => nn_avx512(
                &a.data_f32()[p0 * mr..],
                panel,
                m,
                n,
                as_f32(b),
                boff,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => nn_avx2(
                &a.data_f32()[p0 * mr..],
                panel,
                m,
                n,
                as_f32(b),
                boff,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => nn_kernel::<f32, super::simd::Simd128, 4, 2>(
                &a.data_f32()[p0 * mr..],
                panel,
                m,
                n,
                as_f32(b),
                boff,
                as_f32_mut(c),
                ldc,
                accumulate,
            ),
            Isa::Generic => nn_kernel::<T, Arr<T, 8>, 4, 1>(
                &a.data[p0 * mr..],
                panel,
                m,
                n,
                b,
                boff,
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
    n: usize,
    b: &[f32],
    boff: &[usize],
    c: &mut [f32],
    ldc: usize,
    acc: bool,
) {
    nn_kernel::<f32, super::simd::Avx512, 8, 2>(a, a_panel, m, n, b, boff, c, ldc, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn nn_avx2(
    a: &[f32],
    a_panel: usize,
    m: usize,
    n: usize,
    b: &[f32],
    boff: &[usize],
    c: &mut [f32],
    ldc: usize,
    acc: bool,
) {
    nn_kernel::<f32, super::simd::Avx2, 6, 2>(a, a_panel, m, n, b, boff, c, ldc, acc)
}

/// The `nn` loop nest (A panels `a_panel` elements apart): column tiles of `NV` vectors, row
/// panels of `MR`, all of `boff`'s rows in registers. A last partial column tile is copied
/// into a zero-padded scratch block first.
#[inline(always)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
unsafe fn nn_kernel<T: Float, V: Lanes<T>, const MR: usize, const NV: usize>(
    a: &[T],
    a_panel: usize,
    m: usize,
    n: usize,
    b: &[T],
    boff: &[usize],
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    let k = boff.len();
    let nr = NV * V::N;
    let panels = m.div_ceil(MR);
    let mut scratch: Vec<T> = Vec::new();
    let scratch_off = row_offsets(k, nr);
    let cp = c.as_mut_ptr();
    let mut j0 = 0;
    while j0 < n {
        let width = nr.min(n - j0);
        let (bp, offs) = if width == nr {
            (b.as_ptr().add(j0), boff)
        } else {
            scratch.resize(k * nr, T::ZERO);
            for (p, &o) in boff.iter().enumerate() {
                scratch[p * nr..p * nr + width].copy_from_slice(&b[o + j0..][..width]);
            }
            (scratch.as_ptr(), &scratch_off[..])
        };
        for t in 0..panels {
            let ap = a.as_ptr().add(t * a_panel);
            let mut acc = [[V::zero(); NV]; MR];
            for (p, &o) in offs.iter().enumerate() {
                let brow = bp.add(o);
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

#[cfg(test)]
mod tests;
