//! conv2d and its two backward products via im2col + GEMM, in blocks of samples.
//!
//! A block of `nb` samples is unfolded into a column matrix `[C*kh*kw, nb*OH*OW]` small enough
//! to stay in L2 (rows grouped by channel, so group `g` owns a contiguous row block), and one
//! GEMM per group covers the block; results move between the GEMM layout `[O, nb*OH*OW]` and
//! NCHW with row copies. Blocks are independent, so they could run on separate threads.

use super::alloc;
use super::Float;
use crate::autograd::Conv2dParams;

/// Target size of one column block in elements (~512 KiB of f32).
const BLOCK_ELEMS: usize = 1 << 17;

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
    fn plane_out(&self) -> usize {
        self.oh * self.ow
    }
    fn k_group(&self) -> usize {
        self.c / self.p.groups * self.kh * self.kw
    }
    fn k_total(&self) -> usize {
        self.c * self.kh * self.kw
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

/// Writes `[o, nb*P]` rows back into samples `n0..n0+nb` of an NCHW tensor.
fn rows_to_nchw_block<T: Float>(rows: &[T], o: usize, p: usize, n0: usize, nb: usize, y: &mut [T]) {
    for c in 0..o {
        for n in 0..nb {
            y[((n0 + n) * o + c) * p..][..p].copy_from_slice(&rows[(c * nb + n) * p..][..p]);
        }
    }
}

/// Visits sample blocks `(n0, nb)`.
fn blocks(g: &ConvGeom) -> impl Iterator<Item = (usize, usize)> {
    let b = g.block();
    let n = g.n;
    (0..n).step_by(b).map(move |n0| (n0, b.min(n - n0)))
}

/// Forward convolution (no bias: the public op adds it with a broadcast add).
pub fn forward<T: Float>(x: &[T], w: &[T], g: &ConvGeom) -> Vec<T> {
    let (kg, og, p) = (g.k_group(), g.o / g.p.groups, g.plane_out());
    let mut out = alloc::filled(T::ZERO, g.n * g.o * p);
    let (mut cols, mut y) = (
        alloc::take(g.k_total() * g.block() * g.plane_out()),
        alloc::take(g.o * g.block() * g.plane_out()),
    );
    for (n0, nb) in blocks(g) {
        im2col(x, g, n0, nb, &mut cols);
        let np = nb * p;
        // beta = 0: the GEMM overwrites every element, stale values included.
        y.resize(g.o * np, T::ZERO);
        for gi in 0..g.p.groups {
            T::gemm(
                og,
                kg,
                np,
                &w[gi * og * kg..][..og * kg],
                [kg as isize, 1],
                &cols[gi * kg * np..][..kg * np],
                [np as isize, 1],
                T::ZERO,
                &mut y[gi * og * np..][..og * np],
                [np as isize, 1],
            );
        }
        rows_to_nchw_block(&y, g.o, p, n0, nb, &mut out);
    }
    alloc::give(cols);
    alloc::give(y);
    out
}

/// Gradient w.r.t. the input: `col2im(W^T dY)`.
pub fn backward_input<T: Float>(dy: &[T], w: &[T], g: &ConvGeom) -> Vec<T> {
    let (kg, og, p) = (g.k_group(), g.o / g.p.groups, g.plane_out());
    let mut dx = alloc::filled(T::ZERO, g.n * g.c * g.h * g.w);
    let (mut rows, mut dcols) = (
        alloc::take(g.o * g.block() * g.plane_out()),
        alloc::take(g.k_total() * g.block() * g.plane_out()),
    );
    for (n0, nb) in blocks(g) {
        nchw_block_to_rows(dy, g.o, p, n0, nb, &mut rows);
        let np = nb * p;
        dcols.resize(g.k_total() * np, T::ZERO);
        for gi in 0..g.p.groups {
            T::gemm(
                kg,
                og,
                np,
                &w[gi * og * kg..][..og * kg],
                [1, kg as isize],
                &rows[gi * og * np..][..og * np],
                [np as isize, 1],
                T::ZERO,
                &mut dcols[gi * kg * np..][..kg * np],
                [np as isize, 1],
            );
        }
        col2im(&dcols, g, n0, nb, &mut dx);
    }
    alloc::give(rows);
    alloc::give(dcols);
    dx
}

/// Gradient w.r.t. the weight: `sum over blocks of dY_b im2col(x_b)^T`.
pub fn backward_weight<T: Float>(x: &[T], dy: &[T], g: &ConvGeom) -> Vec<T> {
    let (kg, og, p) = (g.k_group(), g.o / g.p.groups, g.plane_out());
    let mut dw = alloc::filled(T::ZERO, g.o * kg);
    let (mut rows, mut cols) = (
        alloc::take(g.o * g.block() * g.plane_out()),
        alloc::take(g.k_total() * g.block() * g.plane_out()),
    );
    for (n0, nb) in blocks(g) {
        im2col(x, g, n0, nb, &mut cols);
        nchw_block_to_rows(dy, g.o, p, n0, nb, &mut rows);
        let np = nb * p;
        for gi in 0..g.p.groups {
            T::gemm(
                og,
                np,
                kg,
                &rows[gi * og * np..][..og * np],
                [np as isize, 1],
                &cols[gi * kg * np..][..kg * np],
                [1, np as isize],
                if n0 == 0 { T::ZERO } else { T::ONE },
                &mut dw[gi * og * kg..][..og * kg],
                [kg as isize, 1],
            );
        }
    }
    alloc::give(rows);
    alloc::give(cols);
    dw
}
