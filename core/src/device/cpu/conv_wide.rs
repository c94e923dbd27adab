//! Stride-1 convolutions without im2col. In a zero-padded image of width `Wp`, the columns of
//! kernel tap `(c, i, j)` for every output pixel are one contiguous run starting at
//! `c*Hp*Wp + i*dh*Wp + j*dw`, if the output is computed "wide": `OH` rows of `Wp` pixels, of
//! which the last `Wp - OW` of each row are discarded. So the products read their rows straight
//! from the padded image at those offsets ([`tile::nn`] and [`dot::nt`] take row offsets); the
//! only copies are the padding and the wide-to-NCHW compaction, both a fraction of an im2col.

use super::conv::{pack_groups, sample_parts, ConvGeom, BLOCK_ELEMS};
use super::dot::{self, DotOperands};
use super::{alloc, parallel, tile, Float};

/// Sizes of the padded image and of the wide output.
struct Wide {
    /// Padded height and width.
    hp: usize,
    wp: usize,
    /// Wide output columns: `(OH-1)*Wp + OW` (the last row needs no discarded tail).
    nw: usize,
}

impl Wide {
    fn new(g: &ConvGeom) -> Self {
        let (hp, wp) = (g.h + 2 * g.p.padding[0], g.w + 2 * g.p.padding[1]);
        let nw = if g.oh == 0 || g.ow == 0 {
            0
        } else {
            (g.oh - 1) * wp + g.ow
        };
        Wide { hp, wp, nw }
    }
    fn plane(&self) -> usize {
        self.hp * self.wp
    }
    /// Offsets of the `(c, i, j)` taps of one group's channels within the padded sample.
    fn offsets(&self, g: &ConvGeom) -> Vec<usize> {
        let cg = g.c / g.p.groups;
        let mut v = Vec::with_capacity(cg * g.kh * g.kw);
        for c in 0..cg {
            for i in 0..g.kh {
                for j in 0..g.kw {
                    v.push(c * self.plane() + i * g.p.dilation[0] * self.wp + j * g.p.dilation[1]);
                }
            }
        }
        v
    }
}

/// Writes sample `n` of `x` zero-padded into `dst` (`C` planes of `Hp x Wp`, then zeros).
fn pad_sample<T: Float>(x: &[T], g: &ConvGeom, wd: &Wide, n: usize, dst: &mut [T]) {
    let (ph, pw) = (g.p.padding[0], g.p.padding[1]);
    if ph == 0 && pw == 0 {
        let len = g.c * g.h * g.w;
        dst[..len].copy_from_slice(&x[n * len..][..len]);
        dst[len..].fill(T::ZERO);
        return;
    }
    dst.fill(T::ZERO);
    for c in 0..g.c {
        let src = &x[(n * g.c + c) * g.h * g.w..][..g.h * g.w];
        let plane = &mut dst[c * wd.plane()..][..wd.plane()];
        for (r, row) in src.chunks_exact(g.w).enumerate() {
            plane[(r + ph) * wd.wp + pw..][..g.w].copy_from_slice(row);
        }
    }
}

/// Stride-1 forward convolution (see the module notes).
pub fn forward<T: Float>(x: &[T], w: &[T], g: &ConvGeom) -> Vec<T> {
    let wd = Wide::new(g);
    let (og, p, cg) = (g.o / g.p.groups, g.plane_out(), g.c / g.p.groups);
    let mut out = alloc::stale(g.n * g.o * p);
    let packed = pack_groups(w, g, false);
    let offs = wd.offsets(g);
    let parts = sample_parts(g, g.o * offs.len() * p);
    parallel::for_each_piece_mut(&mut out, g.o * p, parts, &|n0, piece| {
        let mut xp = alloc::stale(g.c * wd.plane());
        let mut wide = alloc::stale(g.o * wd.nw);
        for (i, y) in piece.chunks_exact_mut(g.o * p).enumerate() {
            pad_sample(x, g, &wd, n0 + i, &mut xp);
            for (gi, a) in packed.iter().enumerate() {
                let b = &xp[gi * cg * wd.plane()..];
                tile::nn(
                    a,
                    wd.nw,
                    b,
                    &offs,
                    &mut wide[gi * og * wd.nw..],
                    wd.nw,
                    false,
                );
            }
            for (o, yo) in y.chunks_exact_mut(p).enumerate() {
                for (oh, row) in yo.chunks_exact_mut(g.ow).enumerate() {
                    row.copy_from_slice(&wide[o * wd.nw + oh * wd.wp..][..g.ow]);
                }
            }
        }
        alloc::give(xp);
        alloc::give(wide);
    });
    out
}

/// Stride-1 weight gradient: `dW[o][(c,i,j)] = sum_n sum_q dYwide[n][o][q] * Xpad[n][c][off + q]`
/// with zeros in the discarded wide columns, in blocks of samples per thread; the threads'
/// partial sums are added in a fixed order.
pub fn backward_weight<T: Float>(x: &[T], dy: &[T], g: &ConvGeom) -> Vec<T> {
    let wd = Wide::new(g);
    let (og, p, cg) = (g.o / g.p.groups, g.plane_out(), g.c / g.p.groups);
    let offs = wd.offsets(g);
    let kg = offs.len();
    // Rows padded to whole vectors; the padded image gets the same slack of zeros at its end.
    let len = wd.nw.div_ceil(16) * 16;
    let xs = g.c * wd.plane() + (len - wd.nw);
    let ys = g.o * len;
    let nb = (BLOCK_ELEMS / (xs + ys)).clamp(1, g.n.max(1));
    let wlen = g.o * kg;
    let parts = sample_parts(g, g.o * kg * p);
    let mut partial = alloc::stale(parts * wlen);
    parallel::for_each_piece_mut(&mut partial, wlen, parts, &|part, dw| {
        let (s0, s1) = (part * g.n / parts, (part + 1) * g.n / parts);
        let (mut xp, mut dyw) = (alloc::stale(nb * xs), alloc::stale(nb * ys));
        dw.fill(T::ZERO);
        let mut n0 = s0;
        while n0 < s1 {
            let b = nb.min(s1 - n0);
            dyw.fill(T::ZERO);
            for s in 0..b {
                pad_sample(x, g, &wd, n0 + s, &mut xp[s * xs..][..xs]);
                let src = &dy[(n0 + s) * g.o * p..][..g.o * p];
                for (o, plane) in src.chunks_exact(p).enumerate() {
                    for (oh, row) in plane.chunks_exact(g.ow).enumerate() {
                        dyw[s * ys + o * len + oh * wd.wp..][..g.ow].copy_from_slice(row);
                    }
                }
            }
            for gi in 0..g.p.groups {
                let ops = DotOperands {
                    a: &dyw[gi * og * len..],
                    lda: len,
                    sa: ys,
                    b: &xp[gi * cg * wd.plane()..],
                    boff: &offs,
                    sb: xs,
                    batch: b,
                    len,
                };
                dot::nt(og, &ops, &mut dw[gi * og * kg..], kg, true);
            }
            n0 += b;
        }
        alloc::give(xp);
        alloc::give(dyw);
    });
    let mut dw = alloc::take(wlen);
    dw.extend_from_slice(&partial[..wlen]);
    for part in partial.chunks_exact(wlen).skip(1) {
        for (d, &v) in dw.iter_mut().zip(part) {
            *d += v;
        }
    }
    dw
}

#[cfg(test)]
mod tests {
    use super::super::conv::{backward_weight_im2col, forward_im2col};
    use super::*;
    use crate::autograd::Conv2dParams;

    fn data(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1 << 24) as f32 - 0.5
            })
            .collect()
    }

    /// The wide path equals the im2col path on padded, dilated and grouped stride-1 convs.
    #[test]
    fn wide_matches_im2col() {
        // (n, c, h, w, o, kh, kw, padding, dilation, groups)
        let cases = [
            (3, 1, 28, 28, 6, 5, 5, [2, 2], [1, 1], 1),
            (5, 6, 14, 14, 16, 5, 5, [0, 0], [1, 1], 1),
            (2, 4, 9, 11, 6, 3, 2, [1, 0], [2, 1], 2),
            (2, 3, 7, 6, 3, 1, 1, [0, 0], [1, 1], 3),
            (1, 2, 5, 40, 4, 3, 3, [1, 1], [1, 3], 1),
        ];
        for (n, c, h, w, o, kh, kw, padding, dilation, groups) in cases {
            let p = Conv2dParams {
                stride: [1, 1],
                padding,
                dilation,
                groups,
            };
            let out =
                |s: usize, k: usize, pad: usize, d: usize| (s + 2 * pad - d * (k - 1) - 1) + 1;
            let (oh, ow) = (
                out(h, kh, padding[0], dilation[0]),
                out(w, kw, padding[1], dilation[1]),
            );
            let g = ConvGeom::new(&[n, c, h, w], &[o, c / groups, kh, kw], &[n, o, oh, ow], p);
            let x = data(n * c * h * w, 3);
            let wt = data(o * c / groups * kh * kw, 4);
            let dy = data(n * o * oh * ow, 5);
            let pairs = [
                (forward(&x, &wt, &g), forward_im2col(&x, &wt, &g)),
                (
                    backward_weight(&x, &dy, &g),
                    backward_weight_im2col(&x, &dy, &g),
                ),
            ];
            for (got, want) in pairs {
                assert_eq!(got.len(), want.len());
                for (a, b) in got.iter().zip(&want) {
                    assert!((a - b).abs() < 1e-4 * (1.0 + b.abs()), "{g:?}: {a} vs {b}");
                }
            }
        }
    }
}
