//! 2-D pooling on `[N, C, H, W]` planes: max (with its scatter/gather adjoints, which share
//! one arg-max search), average (torch's divisor rules) and adaptive average.

use super::Float;
use crate::autograd::Pool2dParams;

/// Plane sizes of one pooling: `planes = N*C`, input `h x w`, output `oh x ow`.
#[derive(Debug, Clone, Copy)]
pub struct PoolGeom {
    pub planes: usize,
    pub h: usize,
    pub w: usize,
    pub oh: usize,
    pub ow: usize,
}

impl PoolGeom {
    /// From the `[N,C,H,W]` input and output shapes.
    pub fn new(x: &[usize], out: &[usize]) -> Self {
        PoolGeom {
            planes: x[0] * x[1],
            h: x[2],
            w: x[3],
            oh: out[2],
            ow: out[3],
        }
    }
}

/// Clipped window `[start, end)` along one axis for output position `o`.
fn window(o: usize, stride: usize, pad: usize, k: usize, size: usize) -> (usize, usize) {
    let start = (o * stride) as isize - pad as isize;
    let end = (start + k as isize).min(size as isize);
    (start.max(0) as usize, end.max(0) as usize)
}

/// Index (within the plane) of the first maximum of each window, torch's tie rule; NaN wins.
fn argmax<T: Float>(x: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<usize> {
    let mut idx = Vec::with_capacity(g.planes * g.oh * g.ow);
    for plane in x.chunks_exact(g.h * g.w) {
        for oh in 0..g.oh {
            let (h0, h1) = window(oh, p.stride[0], p.padding[0], p.kernel[0], g.h);
            for ow in 0..g.ow {
                let (w0, w1) = window(ow, p.stride[1], p.padding[1], p.kernel[1], g.w);
                let mut best = h0 * g.w + w0;
                let mut m = T::NEG_INFINITY;
                for ih in h0..h1 {
                    for iw in w0..w1 {
                        let v = plane[ih * g.w + iw];
                        if v > m || v.is_nan() {
                            m = v;
                            best = ih * g.w + iw;
                            if v.is_nan() {
                                break;
                            }
                        }
                    }
                }
                idx.push(best);
            }
        }
    }
    idx
}

/// Max pooling values.
pub fn max_forward<T: Float>(x: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<T> {
    let per = g.oh * g.ow;
    let idx = argmax(x, g, p);
    idx.iter()
        .enumerate()
        .map(|(o, &i)| x[(o / per) * g.h * g.w + i])
        .collect()
}

/// Adds pooled gradients `dy` onto the arg-max positions of `x` (max_pool2d backward).
pub fn max_scatter<T: Float>(x: &[T], dy: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<T> {
    let per = g.oh * g.ow;
    let mut dx = vec![T::ZERO; x.len()];
    for (o, &i) in argmax(x, g, p).iter().enumerate() {
        dx[(o / per) * g.h * g.w + i] += dy[o];
    }
    dx
}

/// Picks `h` (shaped like `x`) at the arg-max positions of `x` (adjoint of the scatter).
pub fn max_gather<T: Float>(x: &[T], h: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<T> {
    let per = g.oh * g.ow;
    argmax(x, g, p)
        .iter()
        .enumerate()
        .map(|(o, &i)| h[(o / per) * g.h * g.w + i])
        .collect()
}

/// Window bounds and divisor of average pooling, following torch's `count_include_pad` rule.
fn avg_window(o: usize, axis: usize, size: usize, p: &Pool2dParams) -> (usize, usize, usize) {
    let start = (o * p.stride[axis]) as isize - p.padding[axis] as isize;
    let end_pad = (start + p.kernel[axis] as isize).min((size + p.padding[axis]) as isize);
    let padded = (end_pad - start) as usize;
    let s = start.max(0) as usize;
    let e = end_pad.min(size as isize).max(0) as usize;
    (s, e, padded)
}

/// Visits every (output index, window, divisor) of an average pooling.
fn for_each_avg_window(
    g: &PoolGeom,
    p: &Pool2dParams,
    mut f: impl FnMut(usize, usize, [usize; 4], usize),
) {
    for plane in 0..g.planes {
        for oh in 0..g.oh {
            let (h0, h1, hp) = avg_window(oh, 0, g.h, p);
            for ow in 0..g.ow {
                let (w0, w1, wp) = avg_window(ow, 1, g.w, p);
                let div = if p.count_include_pad {
                    hp * wp
                } else {
                    (h1 - h0) * (w1 - w0)
                };
                f(
                    plane,
                    (plane * g.oh + oh) * g.ow + ow,
                    [h0, h1, w0, w1],
                    div,
                );
            }
        }
    }
}

/// Average pooling.
pub fn avg_forward<T: Float>(x: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<T> {
    let mut y = vec![T::ZERO; g.planes * g.oh * g.ow];
    for_each_avg_window(g, p, |plane, o, [h0, h1, w0, w1], div| {
        let xp = &x[plane * g.h * g.w..];
        let mut s = T::ZERO;
        for ih in h0..h1 {
            for &v in &xp[ih * g.w + w0..ih * g.w + w1] {
                s += v;
            }
        }
        y[o] = s / T::from_f64(div as f64);
    });
    y
}

/// Adjoint of average pooling: spreads each pooled gradient over its window.
pub fn avg_backward<T: Float>(dy: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<T> {
    let mut dx = vec![T::ZERO; g.planes * g.h * g.w];
    for_each_avg_window(g, p, |plane, o, [h0, h1, w0, w1], div| {
        let v = dy[o] / T::from_f64(div as f64);
        let xp = &mut dx[plane * g.h * g.w..];
        for ih in h0..h1 {
            for d in &mut xp[ih * g.w + w0..ih * g.w + w1] {
                *d += v;
            }
        }
    });
    dx
}

/// torch's adaptive window: `[floor(o*in/out), ceil((o+1)*in/out))`.
fn adaptive_window(o: usize, out: usize, size: usize) -> (usize, usize) {
    (o * size / out, ((o + 1) * size).div_ceil(out))
}

fn for_each_adaptive_window(g: &PoolGeom, mut f: impl FnMut(usize, usize, [usize; 4])) {
    for plane in 0..g.planes {
        for oh in 0..g.oh {
            let (h0, h1) = adaptive_window(oh, g.oh, g.h);
            for ow in 0..g.ow {
                let (w0, w1) = adaptive_window(ow, g.ow, g.w);
                f(plane, (plane * g.oh + oh) * g.ow + ow, [h0, h1, w0, w1]);
            }
        }
    }
}

/// Adaptive average pooling.
pub fn adaptive_avg_forward<T: Float>(x: &[T], g: &PoolGeom) -> Vec<T> {
    let mut y = vec![T::ZERO; g.planes * g.oh * g.ow];
    for_each_adaptive_window(g, |plane, o, [h0, h1, w0, w1]| {
        let xp = &x[plane * g.h * g.w..];
        let mut s = T::ZERO;
        for ih in h0..h1 {
            for &v in &xp[ih * g.w + w0..ih * g.w + w1] {
                s += v;
            }
        }
        y[o] = s / T::from_f64(((h1 - h0) * (w1 - w0)) as f64);
    });
    y
}

/// Adjoint of adaptive average pooling.
pub fn adaptive_avg_backward<T: Float>(dy: &[T], g: &PoolGeom) -> Vec<T> {
    let mut dx = vec![T::ZERO; g.planes * g.h * g.w];
    for_each_adaptive_window(g, |plane, o, [h0, h1, w0, w1]| {
        let v = dy[o] / T::from_f64(((h1 - h0) * (w1 - w0)) as f64);
        let xp = &mut dx[plane * g.h * g.w..];
        for ih in h0..h1 {
            for d in &mut xp[ih * g.w + w0..ih * g.w + w1] {
                *d += v;
            }
        }
    });
    dx
}
