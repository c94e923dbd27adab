//! A packed, register-tiled GEMM on [`Lanes`] vectors, for targets where matrixmultiply's
//! kernel is slow: in wasm its 8x8 SIMD128 tile keeps 16 accumulators plus four operand
//! vectors live, more than the 16 xmm registers V8 allocates, so it spills on every step of
//! `k` (measured: 7-16 GFLOP/s on a 1024³ product, against 37 for XNNPACK on one core).
//! Here a tile is `MR` rows by `NV` vectors. For SIMD128 4x8 (8 accumulators, two `B` vectors,
//! one broadcast `A` value) runs at 50 GFLOP/s of CPU time in V8 on a Zen 5 core; 6x8, 5x8,
//! 8x4 and 4x12 all spill and run at 24-28.
//!
//! Blocking as in GotoBLAS: `k` in blocks of [`KC`], `n` in blocks of [`NC`]; each `B` block
//! is packed into column panels one tile wide (L2-resident), each `A` block into row panels of
//! `MR` rows (one panel stays in L1 while it sweeps the `B` panels). Packing reads any
//! strides, so transposed operands cost nothing extra. The arithmetic per output element is
//! the same sum in the same order (over `k`, ascending) whatever the sizes.

use super::alloc;
use super::simd::Lanes;
use super::Float;

/// Depth of one block of `k`: an `A` panel (`MR x KC`) and a `B` panel (`KC x NR`) together
/// stay within L1.
const KC: usize = 256;
/// Width of one block of `n`: a packed `B` block is at most `KC x NC` (1 MB of f32, L2).
const NC: usize = 1024;

/// A strided matrix view: element `(i, j)` is `data[i*rs + j*cs]`.
#[derive(Clone, Copy)]
pub struct View<'a, T> {
    pub data: &'a [T],
    pub rs: usize,
    pub cs: usize,
}

/// `C = A B` for `A` `m x k`, `B` `k x n` (any strides) and row-major `C` (`m` rows `ldc`
/// apart), overwriting `C` (not read, so it may hold garbage).
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Float, V: Lanes<T>, const MR: usize, const NV: usize>(
    m: usize,
    k: usize,
    n: usize,
    a: View<'_, T>,
    b: View<'_, T>,
    c: &mut [T],
    ldc: usize,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(c.len() >= (m - 1) * ldc + n, "gemm: C too short");
    if k == 0 {
        for row in c.chunks_mut(ldc).take(m) {
            row[..n].fill(T::ZERO);
        }
        return;
    }
    assert!(
        a.data.len() > (m - 1) * a.rs + (k - 1) * a.cs,
        "gemm: A too short"
    );
    assert!(
        b.data.len() > (k - 1) * b.rs + (n - 1) * b.cs,
        "gemm: B too short"
    );
    let nr = NV * V::N;
    // Packing buffers from the per-thread cache: a training step multiplies the same shapes
    // every time, so steady-state steps allocate nothing here.
    let mut pa = alloc::take::<T>(m.div_ceil(MR) * MR * k.min(KC));
    let mut pb = alloc::take::<T>(n.min(NC).div_ceil(nr) * nr * k.min(KC));
    {
        let (pa, pb) = (&mut pa, &mut pb);
        for j0 in (0..n).step_by(NC) {
            let nc = NC.min(n - j0);
            for p0 in (0..k).step_by(KC) {
                let kc = KC.min(k - p0);
                pack_b(pb, b, p0, kc, j0, nc, nr);
                pack_a(pa, a, p0, kc, m, MR);
                for t in 0..m.div_ceil(MR) {
                    let rows = MR.min(m - t * MR);
                    let ap = &pa[t * kc * MR..(t + 1) * kc * MR];
                    for q in 0..nc.div_ceil(nr) {
                        let cols = nr.min(nc - q * nr);
                        let bp = &pb[q * kc * nr..(q + 1) * kc * nr];
                        let c0 = t * MR * ldc + j0 + q * nr;
                        // SAFETY: the panels hold kc*MR and kc*nr elements; the tile's
                        // `rows x cols` corner of C starts at c0 and lies inside C (checked
                        // against m, n and ldc above).
                        unsafe {
                            tile::<T, V, MR, NV>(
                                kc,
                                ap.as_ptr(),
                                bp.as_ptr(),
                                c.as_mut_ptr().add(c0),
                                ldc,
                                rows,
                                cols,
                                p0 > 0,
                            );
                        }
                    }
                }
            }
        }
    }
    alloc::give(pa);
    alloc::give(pb);
}

/// Packs rows `p0..p0+kc`, columns `j0..j0+nc` of `B` into panels of `nr` columns:
/// `pb[(q*kc + p)*nr + jj] = B[p0+p][j0 + q*nr + jj]`, zero-padded past `nc`.
fn pack_b<T: Float>(
    pb: &mut Vec<T>,
    b: View<'_, T>,
    p0: usize,
    kc: usize,
    j0: usize,
    nc: usize,
    nr: usize,
) {
    let panels = nc.div_ceil(nr);
    pb.clear();
    pb.resize(panels * kc * nr, T::ZERO);
    for q in 0..panels {
        let cols = nr.min(nc - q * nr);
        let panel = &mut pb[q * kc * nr..(q + 1) * kc * nr];
        for (p, dst) in panel.chunks_exact_mut(nr).enumerate() {
            let row = (p0 + p) * b.rs + (j0 + q * nr) * b.cs;
            if b.cs == 1 {
                dst[..cols].copy_from_slice(&b.data[row..row + cols]);
            } else {
                for (jj, d) in dst[..cols].iter_mut().enumerate() {
                    *d = b.data[row + jj * b.cs];
                }
            }
        }
    }
}

/// Packs columns `p0..p0+kc` of all `m` rows of `A` into panels of `mr` rows interleaved by
/// column: `pa[(t*kc + p)*mr + r] = A[t*mr + r][p0 + p]`, zero-padded past `m`.
fn pack_a<T: Float>(pa: &mut Vec<T>, a: View<'_, T>, p0: usize, kc: usize, m: usize, mr: usize) {
    let panels = m.div_ceil(mr);
    pa.clear();
    pa.resize(panels * kc * mr, T::ZERO);
    for t in 0..panels {
        let rows = mr.min(m - t * mr);
        let panel = &mut pa[t * kc * mr..(t + 1) * kc * mr];
        for r in 0..rows {
            let base = (t * mr + r) * a.rs + p0 * a.cs;
            for p in 0..kc {
                panel[p * mr + r] = a.data[base + p * a.cs];
            }
        }
    }
}

/// One `MR x NV*N` tile: `C (+)= A_panel B_panel` over `kc`, writing only the `rows x cols`
/// corner that lies inside `C`.
///
/// # Safety
/// `ap` holds `kc*MR` elements, `bp` `kc*NV*N`, and the corner of `C` at `c` is valid.
#[inline(always)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
unsafe fn tile<T: Float, V: Lanes<T>, const MR: usize, const NV: usize>(
    kc: usize,
    ap: *const T,
    bp: *const T,
    c: *mut T,
    ldc: usize,
    rows: usize,
    cols: usize,
    accumulate: bool,
) {
    let nr = NV * V::N;
    let mut acc = [[V::zero(); NV]; MR];
    let (mut ap, mut bp) = (ap, bp);
    for _ in 0..kc {
        let mut bv = [V::zero(); NV];
        for v in 0..NV {
            bv[v] = V::load(bp.add(v * V::N));
        }
        for r in 0..MR {
            let av = V::splat(*ap.add(r));
            for v in 0..NV {
                acc[r][v] = acc[r][v].madd(av, bv[v]);
            }
        }
        ap = ap.add(MR);
        bp = bp.add(nr);
    }
    // Constant trip counts keep `acc` in registers (a bound of `rows` would index it).
    for r in 0..MR {
        if r >= rows {
            break;
        }
        let crow = c.add(r * ldc);
        if cols == nr {
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
            for (j, &x) in tmp[..cols].iter().enumerate() {
                let d = crow.add(j);
                *d = if accumulate { *d + x } else { x };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::simd::Arr;
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

    /// Against a plain triple loop, with partial tiles in every direction, `k` deeper than a
    /// block, `n` wider than a block, and transposed operands.
    #[test]
    fn gemm_matches_a_naive_product() {
        for &(m, k, n) in &[
            (1, 1, 1),
            (7, 3, 5),
            (13, 300, 37),
            (6, 257, 1030),
            (128, 20, 8),
            (3, 0, 4),
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
            let at: Vec<f32> = (0..k * m).map(|q| a[(q % m) * k + q / m]).collect();
            let bt: Vec<f32> = (0..n * k).map(|q| b[(q % k) * n + q / k]).collect();
            let plain = (
                View {
                    data: &a,
                    rs: k,
                    cs: 1,
                },
                View {
                    data: &b,
                    rs: n,
                    cs: 1,
                },
            );
            let transposed = (
                View {
                    data: &at,
                    rs: 1,
                    cs: m,
                },
                View {
                    data: &bt,
                    rs: 1,
                    cs: k,
                },
            );
            for (va, vb) in [plain, transposed] {
                let mut c = vec![f32::NAN; m * n];
                gemm::<f32, Arr<f32, 4>, 6, 2>(m, k, n, va, vb, &mut c, n);
                for (g, w) in c.iter().zip(&want) {
                    let g = f64::from(*g);
                    assert!(
                        (g - w).abs() < 1e-4 * (1.0 + w.abs()),
                        "{m}x{k}x{n}: {g} vs {w}"
                    );
                }
            }
        }
    }
}
