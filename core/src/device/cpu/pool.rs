//! 2-D pooling on `[N, C, H, W]` planes: max (with its scatter/gather adjoints, which share
//! one arg-max search; dilated windows), average (torch's divisor rules) and adaptive average.
//! `ceil_mode` needs nothing here: it only adds windows clipped at the bottom/right edge.

use super::alloc;
use super::parallel;
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

/// Max-pool window along `axis` for output position `o`: the first tap inside the input and
/// the clipped end, taps `first, first + dilation, ..` below `end` (torch's dilated window).
fn window(o: usize, axis: usize, p: &Pool2dParams, size: usize) -> (usize, usize) {
    let d = p.dilation[axis].max(1) as isize;
    let start = (o * p.stride[axis]) as isize - p.padding[axis] as isize;
    let end = (start + p.effective_kernel(axis) as isize).min(size as isize);
    // Taps left of the input (in the padding) are skipped whole dilation steps at a time.
    let first = if start < 0 {
        start + d * ((-start + d - 1) / d)
    } else {
        start
    };
    let end = end.max(0) as usize;
    ((first.max(0) as usize).min(end), end)
}

/// Max-pool windows of every output position along one axis.
fn windows(out: usize, axis: usize, p: &Pool2dParams, size: usize) -> Vec<(usize, usize)> {
    (0..out).map(|o| window(o, axis, p, size)).collect()
}

/// Calls `f(output index, plane offset, index of the window's first maximum within the plane)`
/// for every pooled position with a tap inside the input, with torch's rules: the first maximum wins ties, a NaN wins
/// (the last NaN of a window, as torch's `val > max || isnan(val)` scan picks).
fn for_each_argmax<T: Float>(
    x: &[T],
    g: &PoolGeom,
    p: &Pool2dParams,
    mut f: impl FnMut(usize, usize, usize),
) {
    let plane_len = g.h * g.w;
    let per = g.oh * g.ow;
    let hw = windows(g.oh, 0, p, g.h);
    let ww = windows(g.ow, 1, p, g.w);
    let [dh, dw] = p.dilation.map(|d| d.max(1));
    for (pi, plane) in x.chunks_exact(plane_len.max(1)).take(g.planes).enumerate() {
        let base = pi * plane_len;
        for (oh, &(h0, h1)) in hw.iter().enumerate() {
            let o_row = pi * per + oh * g.ow;
            for (ow, &(w0, w1)) in ww.iter().enumerate() {
                let mut best = h0 * g.w + w0;
                let mut m = T::NEG_INFINITY;
                if h0 >= h1 || w0 >= w1 {
                    // A dilated window whose taps all fall in the padding (torch gives -inf
                    // and no gradient): it has no arg-max.
                    continue;
                }
                for ih in (h0..h1).step_by(dh) {
                    let row = plane[ih * g.w + w0..ih * g.w + w1].iter().step_by(dw);
                    for (j, &v) in row.enumerate() {
                        let take = (v > m) | v.is_nan();
                        m = if take { v } else { m };
                        best = if take { ih * g.w + w0 + j * dw } else { best };
                    }
                }
                f(o_row + ow, base, best);
            }
        }
    }
}

/// True for non-overlapping 2x2 windows without padding or dilation that all lie inside the
/// input (LeNet/VGG pooling; not a `ceil_mode` window clipped at an odd edge), which have
/// straight-line kernels below.
fn is_2x2(p: &Pool2dParams, g: &PoolGeom) -> bool {
    p.kernel == [2, 2]
        && p.stride == [2, 2]
        && p.padding == [0, 0]
        && p.dilation == [1, 1]
        && 2 * g.oh <= g.h
        && 2 * g.ow <= g.w
}

/// NaN-propagating maximum that keeps `a` on ties (branch-free, vectorizable).
#[inline(always)]
fn max_keep_first<T: Float>(a: T, b: T) -> T {
    if (b > a) | b.is_nan() {
        b
    } else {
        a
    }
}

/// Rows `2*oh` and `2*oh + 1` of a plane, trimmed to the pooled width.
fn row_pair<T>(plane: &[T], w: usize, oh: usize, ow: usize) -> (&[T], &[T]) {
    (
        &plane[2 * oh * w..][..2 * ow],
        &plane[(2 * oh + 1) * w..][..2 * ow],
    )
}

/// Runs `f(first plane, output of those planes)` on the planes split over the threads, each
/// plane's output `per_plane` elements long and costing about `cost` element visits.
fn by_planes<T: Float>(
    out: &mut [T],
    per_plane: usize,
    cost: usize,
    f: &(dyn Fn(usize, &mut [T]) + Sync),
) {
    if per_plane == 0 {
        return;
    }
    let planes = out.len() / per_plane;
    let parts = parallel::parts(planes * cost, 1 << 15);
    parallel::for_each_piece_mut(out, per_plane, parts, f);
}

/// Max pooling values.
pub fn max_forward<T: Float>(x: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<T> {
    if is_2x2(p, g) {
        let mut y = alloc::stale(g.planes * g.oh * g.ow);
        let plane_len = g.h * g.w;
        by_planes(&mut y, g.oh * g.ow, plane_len, &|p0, ys| {
            for (i, yp) in ys.chunks_exact_mut(g.oh * g.ow).enumerate() {
                let plane = &x[(p0 + i) * plane_len..][..plane_len];
                for (oh, dst) in yp.chunks_exact_mut(g.ow).enumerate() {
                    let (r0, r1) = row_pair(plane, g.w, oh, g.ow);
                    for ((d, a), b) in dst
                        .iter_mut()
                        .zip(r0.chunks_exact(2))
                        .zip(r1.chunks_exact(2))
                    {
                        *d = max_keep_first(max_keep_first(a[0], a[1]), max_keep_first(b[0], b[1]));
                    }
                }
            }
        });
        return y;
    }
    let mut y = alloc::filled(T::ZERO, g.planes * g.oh * g.ow);
    // Values only: a running NaN-propagating max, no index bookkeeping.
    let hw = windows(g.oh, 0, p, g.h);
    let ww = windows(g.ow, 1, p, g.w);
    let [dh, dw] = p.dilation.map(|d| d.max(1));
    let mut out = y.iter_mut();
    for plane in x.chunks_exact((g.h * g.w).max(1)).take(g.planes) {
        for &(h0, h1) in &hw {
            for &(w0, w1) in &ww {
                let mut m = T::NEG_INFINITY;
                for ih in (h0..h1).step_by(dh) {
                    for &v in plane[ih * g.w + w0..ih * g.w + w1].iter().step_by(dw) {
                        m = max_keep_first(m, v);
                    }
                }
                *out.next().expect("one output per window") = m;
            }
        }
    }
    y
}

/// Adds pooled gradients `dy` onto the arg-max positions of `x` (max_pool2d backward).
pub fn max_scatter<T: Float>(x: &[T], dy: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<T> {
    if is_2x2(p, g) {
        // Windows do not overlap: write each window's four gradients directly (every element
        // of dx is written, the rows and columns outside all windows with zeros).
        let mut dx = alloc::stale(x.len());
        let plane_len = g.h * g.w;
        by_planes(&mut dx, plane_len, plane_len, &|p0, dxs| {
            for (i, dplane) in dxs.chunks_exact_mut(plane_len).enumerate() {
                let pi = p0 + i;
                let plane = &x[pi * plane_len..][..plane_len];
                dplane.fill(T::ZERO);
                for oh in 0..g.oh {
                    let (r0, r1) = row_pair(plane, g.w, oh, g.ow);
                    let grads = &dy[(pi * g.oh + oh) * g.ow..][..g.ow];
                    let (top, bottom) = dplane[2 * oh * g.w..][..2 * g.w].split_at_mut(g.w);
                    let (top, bottom) = (&mut top[..2 * g.ow], &mut bottom[..2 * g.ow]);
                    for ow in 0..g.ow {
                        let (a0, a1, b0, b1) =
                            (r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]);
                        let m = max_keep_first(max_keep_first(a0, a1), max_keep_first(b0, b1));
                        // The first position holding the maximum (or a NaN) takes the gradient.
                        let hit = |v: T| (v == m) | v.is_nan();
                        let e0 = hit(a0);
                        let e1 = !e0 & hit(a1);
                        let e2 = !e0 & !e1 & hit(b0);
                        let e3 = !e0 & !e1 & !e2;
                        // Multiplying by 0/1 instead of selecting keeps the loop free of
                        // branches, which random data would mispredict half the time.
                        let gv = grads[ow];
                        let one = |b: bool| T::from_f64(f64::from(u8::from(b)));
                        top[2 * ow] = gv * one(e0);
                        top[2 * ow + 1] = gv * one(e1);
                        bottom[2 * ow] = gv * one(e2);
                        bottom[2 * ow + 1] = gv * one(e3);
                    }
                }
            }
        });
        return dx;
    }
    let mut dx = alloc::filled(T::ZERO, x.len());
    for_each_argmax(x, g, p, |o, base, i| dx[base + i] += dy[o]);
    dx
}

/// Picks `h` (shaped like `x`) at the arg-max positions of `x` (adjoint of the scatter).
pub fn max_gather<T: Float>(x: &[T], h: &[T], g: &PoolGeom, p: &Pool2dParams) -> Vec<T> {
    let mut y = alloc::filled(T::ZERO, g.planes * g.oh * g.ow);
    for_each_argmax(x, g, p, |o, base, i| y[o] = h[base + i]);
    y
}

/// Window bounds and the window's size clipped to the padded input (the divisor under
/// `count_include_pad`, also for `ceil_mode` windows past the right padding, as torch).
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
                let div = match p.divisor_override {
                    Some(d) => d,
                    None if p.count_include_pad => hp * wp,
                    None => (h1 - h0) * (w1 - w0),
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
    let mut y = alloc::filled(T::ZERO, g.planes * g.oh * g.ow);
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
    let mut dx = alloc::filled(T::ZERO, g.planes * g.h * g.w);
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
    let mut y = alloc::filled(T::ZERO, g.planes * g.oh * g.ow);
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
    let mut dx = alloc::filled(T::ZERO, g.planes * g.h * g.w);
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
