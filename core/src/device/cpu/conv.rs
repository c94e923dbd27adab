//! conv2d and its two backward products via im2col + GEMM.
//!
//! Layout: the column matrix is `[C*kh*kw, N*OH*OW]` (rows grouped by channel, so group `g`
//! owns a contiguous row block), which lets one GEMM per group cover the whole batch; the
//! GEMM result `[O, N*OH*OW]` is then moved to NCHW with row copies.

use super::Float;
use crate::autograd::Conv2dParams;

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
    fn cols(&self) -> usize {
        self.n * self.oh * self.ow
    }
    fn k_group(&self) -> usize {
        self.c / self.p.groups * self.kh * self.kw
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
}

/// Unfolds `x` into the `[C*kh*kw, N*OH*OW]` column matrix.
fn im2col<T: Float>(x: &[T], g: &ConvGeom) -> Vec<T> {
    let np = g.cols();
    let mut cols = vec![T::ZERO; g.c * g.kh * g.kw * np];
    let (s0, s1) = (g.p.stride[0], g.p.stride[1]);
    for c in 0..g.c {
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = &mut cols[((c * g.kh + i) * g.kw + j) * np..][..np];
                let (lo, hi) = g.valid_ow(j);
                for n in 0..g.n {
                    let plane = &x[(n * g.c + c) * g.h * g.w..][..g.h * g.w];
                    for oh in 0..g.oh {
                        let ih = (oh * s0 + i * g.p.dilation[0]) as isize - g.p.padding[0] as isize;
                        if ih < 0 || ih >= g.h as isize {
                            continue;
                        }
                        let src = &plane[ih as usize * g.w..][..g.w];
                        let dst = &mut row[(n * g.oh + oh) * g.ow..][..g.ow];
                        let base = j * g.p.dilation[1];
                        for ow in lo..hi {
                            dst[ow] = src[ow * s1 + base - g.p.padding[1]];
                        }
                    }
                }
            }
        }
    }
    cols
}

/// Folds a column matrix back onto `[N,C,H,W]`, adding overlapping contributions.
fn col2im<T: Float>(cols: &[T], g: &ConvGeom) -> Vec<T> {
    let np = g.cols();
    let mut x = vec![T::ZERO; g.n * g.c * g.h * g.w];
    let (s0, s1) = (g.p.stride[0], g.p.stride[1]);
    for c in 0..g.c {
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = &cols[((c * g.kh + i) * g.kw + j) * np..][..np];
                let (lo, hi) = g.valid_ow(j);
                for n in 0..g.n {
                    let plane = &mut x[(n * g.c + c) * g.h * g.w..][..g.h * g.w];
                    for oh in 0..g.oh {
                        let ih = (oh * s0 + i * g.p.dilation[0]) as isize - g.p.padding[0] as isize;
                        if ih < 0 || ih >= g.h as isize {
                            continue;
                        }
                        let dst = &mut plane[ih as usize * g.w..][..g.w];
                        let src = &row[(n * g.oh + oh) * g.ow..][..g.ow];
                        let base = j * g.p.dilation[1];
                        for ow in lo..hi {
                            dst[ow * s1 + base - g.p.padding[1]] += src[ow];
                        }
                    }
                }
            }
        }
    }
    x
}

/// `[O, N*P]` (GEMM layout) to `[N, O, P]` (NCHW) and back.
fn ocols_to_nchw<T: Float>(y: &[T], n: usize, o: usize, p: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(y.len());
    for b in 0..n {
        for c in 0..o {
            out.extend_from_slice(&y[(c * n + b) * p..][..p]);
        }
    }
    out
}

fn nchw_to_ocols<T: Float>(y: &[T], n: usize, o: usize, p: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(y.len());
    for c in 0..o {
        for b in 0..n {
            out.extend_from_slice(&y[(b * o + c) * p..][..p]);
        }
    }
    out
}

/// Forward convolution (no bias: the public op adds it with a broadcast add).
pub fn forward<T: Float>(x: &[T], w: &[T], g: &ConvGeom) -> Vec<T> {
    let cols = im2col(x, g);
    let (np, kg, og) = (g.cols(), g.k_group(), g.o / g.p.groups);
    let mut y = vec![T::ZERO; g.o * np];
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
    ocols_to_nchw(&y, g.n, g.o, g.oh * g.ow)
}

/// Gradient w.r.t. the input: `col2im(W^T dY)`.
pub fn backward_input<T: Float>(dy: &[T], w: &[T], g: &ConvGeom) -> Vec<T> {
    let dy = nchw_to_ocols(dy, g.n, g.o, g.oh * g.ow);
    let (np, kg, og) = (g.cols(), g.k_group(), g.o / g.p.groups);
    let mut dcols = vec![T::ZERO; g.c * g.kh * g.kw * np];
    for gi in 0..g.p.groups {
        T::gemm(
            kg,
            og,
            np,
            &w[gi * og * kg..][..og * kg],
            [1, kg as isize],
            &dy[gi * og * np..][..og * np],
            [np as isize, 1],
            T::ZERO,
            &mut dcols[gi * kg * np..][..kg * np],
            [np as isize, 1],
        );
    }
    col2im(&dcols, g)
}

/// Gradient w.r.t. the weight: `dY im2col(x)^T`.
pub fn backward_weight<T: Float>(x: &[T], dy: &[T], g: &ConvGeom) -> Vec<T> {
    let cols = im2col(x, g);
    let dy = nchw_to_ocols(dy, g.n, g.o, g.oh * g.ow);
    let (np, kg, og) = (g.cols(), g.k_group(), g.o / g.p.groups);
    let mut dw = vec![T::ZERO; g.o * kg];
    for gi in 0..g.p.groups {
        T::gemm(
            og,
            np,
            kg,
            &dy[gi * og * np..][..og * np],
            [np as isize, 1],
            &cols[gi * kg * np..][..kg * np],
            [1, np as isize],
            T::ZERO,
            &mut dw[gi * og * kg..][..og * kg],
            [kg as isize, 1],
        );
    }
    dw
}
