//! conv2d and its two backward products via im2col and the register-tiled products of
//! [`tile`], with the samples split over the threads.
//!
//! A sample (or, for the weight gradient, a block of `nb` samples) is unfolded into a column
//! matrix `[C*kh*kw, nb*OH*OW]` small enough to stay in L2, rows grouped by channel so group `g`
//! owns a contiguous row block. The forward and input-gradient products run per sample straight
//! between NCHW and the columns; the weight gradient takes dot products along the pixels.

use super::alloc;
use super::conv_wide;
use super::dot::{self, DotOperands};
use super::parallel;
use super::tile;
use super::Float;
use crate::autograd::Conv2dParams;

/// Target size of one column block in elements (~512 KiB of f32).
pub(super) const BLOCK_ELEMS: usize = 1 << 17;

/// Sizes of one convolution, derived from the input, weight and output shapes.
#[derive(Debug, Clone, Copy)]
pub struct ConvGeom {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub o: usize,
    pub kh: usize,
    pub kw: usize,
    pub oh: usize,
    pub ow: usize,
    pub p: Conv2dParams,
}

impl ConvGeom {
    /// From `x: [N,C,H,W]`, `w: [O,C/g,kh,kw]`, `out: [N,O,OH,OW]`.
    pub fn new(x: &[usize], w: &[usize], out: &[usize], p: Conv2dParams) -> Self {
        ConvGeom {
            n: x[0],
            c: x[1],
            h: x[2],
            w: x[3],
            o: w[0],
            kh: w[2],
            kw: w[3],
            oh: out[2],
            ow: out[3],
            p,
        }
    }
    pub(super) fn plane_out(&self) -> usize {
        self.oh * self.ow
    }
    pub(super) fn k_group(&self) -> usize {
        self.c / self.p.groups * self.kh * self.kw
    }
    fn k_total(&self) -> usize {
        self.c * self.kh * self.kw
    }
    /// True when the stride-1 path of [`conv_wide`] applies and its discarded wide columns
    /// cost less than an im2col would.
    pub(super) fn wide(&self) -> bool {
        let wp = self.w + 2 * self.p.padding[1];
        self.p.stride == [1, 1] && 2 * wp <= 3 * self.ow
    }
    /// Samples per block so that a column block holds about `BLOCK_ELEMS` elements.
    fn block(&self) -> usize {
        (BLOCK_ELEMS / (self.k_total() * self.plane_out()).max(1)).clamp(1, self.n.max(1))
    }
    /// Output columns `ow` whose input column `ow*s - p + j*d` lies inside `0..w`.
    fn valid_ow(&self, j: usize) -> (usize, usize) {
        let (s, pad, d) = (self.p.stride[1], self.p.padding[1], self.p.dilation[1]);
        let off = j * d;
        let lo = if off >= pad {
            0
        } else {
            (pad - off).div_ceil(s)
        };
        // ow*s + off - pad <= w - 1  <=>  ow <= (w - 1 + pad - off) / s
        let hi = if self.w + pad > off {
            ((self.w - 1 + pad - off) / s + 1).min(self.ow)
        } else {
            0
        };
        (lo.min(hi), hi)
    }
    /// Input row of output row `oh` for kernel row `i`, if inside the image.
    fn input_row(&self, oh: usize, i: usize) -> Option<usize> {
        let ih =
            (oh * self.p.stride[0] + i * self.p.dilation[0]) as isize - self.p.padding[0] as isize;
        (ih >= 0 && ih < self.h as isize).then_some(ih as usize)
    }
}

/// Copies a short row without a `memcpy` call (rows are often 10-30 elements).
#[inline]
fn copy_short<T: Float>(dst: &mut [T], src: &[T]) {
    let mut d = dst.chunks_exact_mut(8);
    let mut s = src.chunks_exact(8);
    for (a, b) in (&mut d).zip(&mut s) {
        let chunk: [T; 8] = b.try_into().expect("chunks of 8");
        a.copy_from_slice(&chunk);
    }
    for (a, &b) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *a = b;
    }
}

/// Unfolds samples `n0..n0+nb` into `cols` (`[C*kh*kw, nb*OH*OW]`).
fn im2col<T: Float>(x: &[T], g: &ConvGeom, n0: usize, nb: usize, cols: &mut Vec<T>) {
    // Every element is written below (zeros included), so the buffer is only resized.
    cols.resize(g.k_total() * nb * g.plane_out(), T::ZERO);
    let s1 = g.p.stride[1];
    let mut rows = cols.chunks_exact_mut(g.ow);
    for c in 0..g.c {
        for i in 0..g.kh {
            for j in 0..g.kw {
                let (lo, hi) = g.valid_ow(j);
                let start = (lo * s1 + j * g.p.dilation[1]).saturating_sub(g.p.padding[1]);
                for n in n0..n0 + nb {
                    let plane = &x[(n * g.c + c) * g.h * g.w..][..g.h * g.w];
                    for oh in 0..g.oh {
                        let dst = rows.next().expect("cols sized to every output row");
                        let Some(ih) = g.input_row(oh, i).filter(|_| hi > lo) else {
                            dst.fill(T::ZERO);
                            continue;
                        };
                        dst[..lo].fill(T::ZERO);
                        dst[hi..].fill(T::ZERO);
                        let src = &plane[ih * g.w..][..g.w];
                        if s1 == 1 {
                            copy_short(&mut dst[lo..hi], &src[start..start + (hi - lo)]);
                        } else {
                            for (d, &v) in
                                dst[lo..hi].iter_mut().zip(src[start..].iter().step_by(s1))
                            {
                                *d = v;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Folds a column block back onto samples `n0..n0+nb` of `x`, adding overlaps.
fn col2im<T: Float>(cols: &[T], g: &ConvGeom, n0: usize, nb: usize, x: &mut [T]) {
    let np = nb * g.plane_out();
    let s1 = g.p.stride[1];
    for c in 0..g.c {
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = &cols[((c * g.kh + i) * g.kw + j) * np..][..np];
                let (lo, hi) = g.valid_ow(j);
                let start = (lo * s1 + j * g.p.dilation[1]).saturating_sub(g.p.padding[1]);
                for n in 0..nb {
                    let plane = &mut x[((n0 + n) * g.c + c) * g.h * g.w..][..g.h * g.w];
                    for oh in 0..g.oh {
                        let Some(ih) = g.input_row(oh, i) else {
                            continue;
                        };
                        if hi == lo {
                            continue;
                        }
                        let dst = &mut plane[ih * g.w + start..];
                        let src = &row[(n * g.oh + oh) * g.ow + lo..][..hi - lo];
                        if s1 == 1 {
                            for (d, &v) in dst[..src.len()].iter_mut().zip(src) {
                                *d += v;
                            }
                        } else {
                            for (d, &v) in dst.iter_mut().step_by(s1).zip(src) {
                                *d += v;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Copies samples `n0..n0+nb` of an NCHW tensor with `o` channels into `[o, nb*P]`.
fn nchw_block_to_rows<T: Float>(
    y: &[T],
    o: usize,
    p: usize,
    n0: usize,
    nb: usize,
    out: &mut Vec<T>,
) {
    out.clear();
    for c in 0..o {
        for n in n0..n0 + nb {
            out.extend_from_slice(&y[(n * o + c) * p..][..p]);
        }
    }
}

/// Multiply-adds below which a part is not worth another thread.
const MIN_PART_MACS: usize = 1 << 17;

/// Parts to split `g.n` samples into for a product of `macs_per_sample` multiply-adds each.
pub(super) fn sample_parts(g: &ConvGeom, macs_per_sample: usize) -> usize {
    parallel::parts(g.n * macs_per_sample, MIN_PART_MACS).min(g.n.max(1))
}

/// The weight of each group packed for [`tile::nn`]; `transpose` packs `W_g^T` (`kg x og`).
pub(super) fn pack_groups<T: Float>(
    w: &[T],
    g: &ConvGeom,
    transpose: bool,
) -> Vec<tile::PackedA<T>> {
    let (kg, og) = (g.k_group(), g.o / g.p.groups);
    (0..g.p.groups)
        .map(|gi| {
            let wg = &w[gi * og * kg..][..og * kg];
            if transpose {
                tile::PackedA::new(wg, kg, og, 1, kg)
            } else {
                tile::PackedA::new(wg, og, kg, kg, 1)
            }
        })
        .collect()
}

/// Forward convolution (no bias: the public op adds it with a broadcast add): per sample, one
/// im2col and one register-tiled product per group written straight into the NCHW output;
/// samples are split over the threads.
pub fn forward<T: Float>(x: &[T], w: &[T], g: &ConvGeom) -> Vec<T> {
    if g.wide() {
        conv_wide::forward(x, w, g)
    } else {
        forward_im2col(x, w, g)
    }
}

/// [`forward`] through an explicit im2col (any stride).
pub(super) fn forward_im2col<T: Float>(x: &[T], w: &[T], g: &ConvGeom) -> Vec<T> {
    let (kg, og, p) = (g.k_group(), g.o / g.p.groups, g.plane_out());
    let mut out = alloc::stale(g.n * g.o * p);
    let offs = tile::row_offsets(kg, p);
    let packed = pack_groups(w, g, false);
    let parts = sample_parts(g, g.o * kg * p);
    parallel::for_each_piece_mut(&mut out, g.o * p, parts, &|n0, piece| {
        let mut cols = alloc::take(g.k_total() * p);
        for (i, y) in piece.chunks_exact_mut(g.o * p).enumerate() {
            im2col(x, g, n0 + i, 1, &mut cols);
            for (gi, a) in packed.iter().enumerate() {
                tile::nn(
                    a,
                    p,
                    &cols[gi * kg * p..],
                    &offs,
                    &mut y[gi * og * p..],
                    p,
                    false,
                );
            }
        }
        alloc::give(cols);
    });
    out
}

/// Gradient w.r.t. the input: `col2im(W^T dY)`, per sample, samples split over the threads.
pub fn backward_input<T: Float>(dy: &[T], w: &[T], g: &ConvGeom) -> Vec<T> {
    let (kg, og, p) = (g.k_group(), g.o / g.p.groups, g.plane_out());
    let chw = g.c * g.h * g.w;
    let mut dx = alloc::filled(T::ZERO, g.n * chw);
    let packed = pack_groups(w, g, true);
    let offs = tile::row_offsets(og, p);
    let parts = sample_parts(g, g.o * kg * p);
    parallel::for_each_piece_mut(&mut dx, chw, parts, &|n0, piece| {
        let mut dcols = alloc::take(g.k_total() * p);
        dcols.resize(g.k_total() * p, T::ZERO);
        for (i, dxn) in piece.chunks_exact_mut(chw).enumerate() {
            let dyn_ = &dy[(n0 + i) * g.o * p..][..g.o * p];
            for (gi, a) in packed.iter().enumerate() {
                tile::nn(
                    a,
                    p,
                    &dyn_[gi * og * p..],
                    &offs,
                    &mut dcols[gi * kg * p..],
                    p,
                    false,
                );
            }
            col2im(&dcols, g, 0, 1, dxn);
        }
        alloc::give(dcols);
    });
    dx
}

/// Gradient w.r.t. the weight: `sum over samples of dY_n im2col(x_n)^T`, as dot products along
/// the pixels of blocks of samples; each thread sums its share of the samples and the partial
/// sums are added in a fixed order.
pub fn backward_weight<T: Float>(x: &[T], dy: &[T], g: &ConvGeom) -> Vec<T> {
    if g.wide() {
        conv_wide::backward_weight(x, dy, g)
    } else {
        backward_weight_im2col(x, dy, g)
    }
}

/// [`backward_weight`] through an explicit im2col (any stride).
pub(super) fn backward_weight_im2col<T: Float>(x: &[T], dy: &[T], g: &ConvGeom) -> Vec<T> {
    let (kg, og, p) = (g.k_group(), g.o / g.p.groups, g.plane_out());
    let wlen = g.o * kg;
    let parts = sample_parts(g, g.o * kg * p);
    let mut partial = alloc::filled(T::ZERO, parts * wlen);
    parallel::for_each_piece_mut(&mut partial, wlen, parts, &|part, dw| {
        let (s0, s1) = (part * g.n / parts, (part + 1) * g.n / parts);
        let b = g.block();
        let (mut rows, mut cols) = (alloc::take(g.o * b * p), alloc::take(g.k_total() * b * p));
        let mut n0 = s0;
        while n0 < s1 {
            let nb = b.min(s1 - n0);
            im2col(x, g, n0, nb, &mut cols);
            nchw_block_to_rows(dy, g.o, p, n0, nb, &mut rows);
            let np = nb * p;
            for gi in 0..g.p.groups {
                let offs = tile::row_offsets(kg, np);
                let ops = DotOperands {
                    a: &rows[gi * og * np..],
                    lda: np,
                    sa: 0,
                    b: &cols[gi * kg * np..],
                    boff: &offs,
                    sb: 0,
                    batch: 1,
                    len: np,
                };
                dot::nt(og, &ops, &mut dw[gi * og * kg..], kg, n0 > s0);
            }
            n0 += nb;
        }
        alloc::give(rows);
        alloc::give(cols);
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
