// 2-D pooling on [N, C, H, W] planes, mirroring core/src/device/cpu/pool.rs: max pooling with its
// scatter/gather adjoints (each recomputes the arg-max instead of storing indices, so the
// backward needs no extra buffer), average pooling with torch's divisor rule, adaptive average.
// Adjoints are written in gather form (one invocation per output element), so they need no
// atomics and are deterministic.
//
// Params: [n, planes, H, W, OH, OW, kh, kw, sh, sw, ph, pw, count_include_pad, dh, dw,
// divisor_override], where n is the number of invocations (outputs for forward kernels, inputs
// for adjoints), dh/dw the max-pool dilation and divisor_override 0 when unset. ceil_mode needs
// nothing here: the host's output size already holds the extra clipped windows.

struct Geom {
    h: u32, w: u32, oh: u32, ow: u32,
    kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32, dh: u32, dw: u32,
}

fn geom() -> Geom {
    return Geom(p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[13], p[14]);
}

// Dilated max-pool window along one axis: its first tap inside 0..size and the clipped end;
// the taps are first, first + d, .. below end (taps in the padding are skipped whole steps).
fn win(o: u32, stride: u32, pad: u32, k: u32, d: u32, size: u32) -> vec2<u32> {
    let start = i32(o * stride) - i32(pad);
    let end = max(min(start + i32(d * (k - 1u) + 1u), i32(size)), 0);
    var first = start;
    if (start < 0) {
        first = start + i32(d) * ((-start + i32(d) - 1) / i32(d));
    }
    return vec2<u32>(u32(min(max(first, 0), end)), u32(end));
}

// Index within the plane of the first maximum of window (oh, ow); NaN wins (torch's rule).
// NO_TAP for a dilated window whose taps all fall in the padding (torch: -inf, no gradient).
const NO_TAP = 0xffffffffu;
fn argmax(base: u32, g: Geom, oh: u32, ow: u32) -> u32 {
    let hw = win(oh, g.sh, g.ph, g.kh, g.dh, g.h);
    let ww = win(ow, g.sw, g.pw, g.kw, g.dw, g.w);
    if (hw.x >= hw.y || ww.x >= ww.y) {
        return NO_TAP;
    }
    var best = hw.x * g.w + ww.x;
    var m = neg_inf();
    for (var ih = hw.x; ih < hw.y; ih = ih + g.dh) {
        for (var iw = ww.x; iw < ww.y; iw = iw + g.dw) {
            let v = in0[base + ih * g.w + iw];
            if (v > m || v != v) {
                m = v;
                best = ih * g.w + iw;
                if (v != v) {
                    return best;
                }
            }
        }
    }
    return best;
}

// Output positions whose window (stride s, pad, kernel k) may contain input position i.
fn covering(i: u32, s: u32, pad: u32, k: u32, out_size: u32) -> vec2<u32> {
    let ip = i + pad;
    var lo = 0u;
    if (ip + 1u > k) {
        lo = (ip + 1u - k + s - 1u) / s;
    }
    let hi = min(ip / s + 1u, out_size);
    return vec2<u32>(lo, max(lo, hi));
}

@compute @workgroup_size(256)
fn max_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let o = flat_index(wid, nwg, lid);
    if (o >= p[0]) { return; }
    let g = geom();
    let plane = o / (g.oh * g.ow);
    let q = o % (g.oh * g.ow);
    let base = plane * g.h * g.w;
    let best = argmax(base, g, q / g.ow, q % g.ow);
    if (best == NO_TAP) {
        out[o] = neg_inf();
        return;
    }
    out[o] = in0[base + best];
}

// Inputs (x, h): h has x's shape; picks h at each window's arg-max.
@compute @workgroup_size(256)
fn max_gather(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let o = flat_index(wid, nwg, lid);
    if (o >= p[0]) { return; }
    let g = geom();
    let plane = o / (g.oh * g.ow);
    let q = o % (g.oh * g.ow);
    let base = plane * g.h * g.w;
    let best = argmax(base, g, q / g.ow, q % g.ow);
    if (best == NO_TAP) {
        out[o] = 0.0;
        return;
    }
    out[o] = in1[base + best];
}

// Inputs (x, dy): one invocation per input element sums dy over the windows whose arg-max it is.
@compute @workgroup_size(256)
fn max_scatter(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let i = flat_index(wid, nwg, lid);
    if (i >= p[0]) { return; }
    let g = geom();
    let plane = i / (g.h * g.w);
    let q = i % (g.h * g.w);
    let ih = q / g.w;
    let iw = q % g.w;
    let base = plane * g.h * g.w;
    // Windows span dilation * (kernel - 1) + 1 taps; argmax() decides the exact membership.
    let rh = covering(ih, g.sh, g.ph, g.dh * (g.kh - 1u) + 1u, g.oh);
    let rw = covering(iw, g.sw, g.pw, g.dw * (g.kw - 1u) + 1u, g.ow);
    var acc = 0.0;
    for (var oh = rh.x; oh < rh.y; oh = oh + 1u) {
        for (var ow = rw.x; ow < rw.y; ow = ow + 1u) {
            if (argmax(base, g, oh, ow) == q) {
                acc = acc + in1[(plane * g.oh + oh) * g.ow + ow];
            }
        }
    }
    out[i] = acc;
}

// The adjoint of a max pool whose windows tile the input (stride = kernel, no padding), in
// block form: one invocation per window computes its arg-max once and writes the whole window
// (dy at the arg-max, 0 elsewhere); the blocks past the last window (a size that is not a
// multiple of the stride) are written as zeros. The gather form above recomputes each window's
// arg-max for every one of its inputs, 4x the work for 2x2 pooling. p[0] counts blocks.
@compute @workgroup_size(256)
fn max_scatter_blocks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    let b = flat_index(wid, nwg, lid);
    if (b >= p[0]) { return; }
    let g = geom();
    let bh = (g.h + g.sh - 1u) / g.sh;
    let bw = (g.w + g.sw - 1u) / g.sw;
    let plane = b / (bh * bw);
    let q = b % (bh * bw);
    let oh = q / bw;
    let ow = q % bw;
    let base = plane * g.h * g.w;
    var best = NO_TAP;
    var dy = 0.0;
    if (oh < g.oh && ow < g.ow) {
        best = argmax(base, g, oh, ow);
        dy = in1[(plane * g.oh + oh) * g.ow + ow];
    }
    let h_end = min(oh * g.sh + g.sh, g.h);
    let w_end = min(ow * g.sw + g.sw, g.w);
    for (var ih = oh * g.sh; ih < h_end; ih = ih + 1u) {
        for (var iw = ow * g.sw; iw < w_end; iw = iw + 1u) {
            let idx = ih * g.w + iw;
            out[base + idx] = select(0.0, dy, idx == best);
        }
    }
}

// Window [start, end) and its divisor size along one axis, torch's count_include_pad rule.
fn avg_win(o: u32, stride: u32, pad: u32, k: u32, size: u32) -> vec3<u32> {
    let start = i32(o * stride) - i32(pad);
    let end_pad = min(start + i32(k), i32(size + pad));
    let padded = u32(end_pad - start);
    let s = u32(max(start, 0));
    let e = u32(max(min(end_pad, i32(size)), 0));
    return vec3<u32>(s, e, padded);
}

fn avg_divisor(hw: vec3<u32>, ww: vec3<u32>) -> f32 {
    if (p[15] != 0u) {
        return f32(p[15]);
    }
    if (p[12] != 0u) {
        return f32(hw.z * ww.z);
    }
    return f32((hw.y - hw.x) * (ww.y - ww.x));
}

@compute @workgroup_size(256)
fn avg_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let o = flat_index(wid, nwg, lid);
    if (o >= p[0]) { return; }
    let g = geom();
    let plane = o / (g.oh * g.ow);
    let q = o % (g.oh * g.ow);
    let hw = avg_win(q / g.ow, g.sh, g.ph, g.kh, g.h);
    let ww = avg_win(q % g.ow, g.sw, g.pw, g.kw, g.w);
    let base = plane * g.h * g.w;
    var s = 0.0;
    for (var ih = hw.x; ih < hw.y; ih = ih + 1u) {
        for (var iw = ww.x; iw < ww.y; iw = iw + 1u) {
            s = s + in0[base + ih * g.w + iw];
        }
    }
    out[o] = s / avg_divisor(hw, ww);
}

// Input: pooled grads; one invocation per input element gathers from the covering windows.
@compute @workgroup_size(256)
fn avg_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let i = flat_index(wid, nwg, lid);
    if (i >= p[0]) { return; }
    let g = geom();
    let plane = i / (g.h * g.w);
    let q = i % (g.h * g.w);
    let ih = q / g.w;
    let iw = q % g.w;
    let rh = covering(ih, g.sh, g.ph, g.kh, g.oh);
    let rw = covering(iw, g.sw, g.pw, g.kw, g.ow);
    var acc = 0.0;
    for (var oh = rh.x; oh < rh.y; oh = oh + 1u) {
        let hw = avg_win(oh, g.sh, g.ph, g.kh, g.h);
        if (ih < hw.x || ih >= hw.y) { continue; }
        for (var ow = rw.x; ow < rw.y; ow = ow + 1u) {
            let ww = avg_win(ow, g.sw, g.pw, g.kw, g.w);
            if (iw < ww.x || iw >= ww.y) { continue; }
            acc = acc + in0[(plane * g.oh + oh) * g.ow + ow] / avg_divisor(hw, ww);
        }
    }
    out[i] = acc;
}

// torch's adaptive window: [floor(o*in/out), ceil((o+1)*in/out)).
fn ada_win(o: u32, out_size: u32, size: u32) -> vec2<u32> {
    return vec2<u32>(o * size / out_size, ((o + 1u) * size + out_size - 1u) / out_size);
}

@compute @workgroup_size(256)
fn adaptive_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    let o = flat_index(wid, nwg, lid);
    if (o >= p[0]) { return; }
    let g = geom();
    let plane = o / (g.oh * g.ow);
    let q = o % (g.oh * g.ow);
    let hw = ada_win(q / g.ow, g.oh, g.h);
    let ww = ada_win(q % g.ow, g.ow, g.w);
    let base = plane * g.h * g.w;
    var s = 0.0;
    for (var ih = hw.x; ih < hw.y; ih = ih + 1u) {
        for (var iw = ww.x; iw < ww.y; iw = iw + 1u) {
            s = s + in0[base + ih * g.w + iw];
        }
    }
    out[o] = s / f32((hw.y - hw.x) * (ww.y - ww.x));
}

@compute @workgroup_size(256)
fn adaptive_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    let i = flat_index(wid, nwg, lid);
    if (i >= p[0]) { return; }
    let g = geom();
    let plane = i / (g.h * g.w);
    let q = i % (g.h * g.w);
    let ih = q / g.w;
    let iw = q % g.w;
    var acc = 0.0;
    // Window o covers ih only if floor(ih*OH/H) - 1 <= o < ceil((ih+1)*OH/H) + 1.
    let oh_lo = max(ih * g.oh / g.h, 1u) - 1u;
    let oh_hi = min(g.oh, ((ih + 1u) * g.oh + g.h - 1u) / g.h + 1u);
    let ow_lo = max(iw * g.ow / g.w, 1u) - 1u;
    let ow_hi = min(g.ow, ((iw + 1u) * g.ow + g.w - 1u) / g.w + 1u);
    for (var oh = oh_lo; oh < oh_hi; oh = oh + 1u) {
        let hw = ada_win(oh, g.oh, g.h);
        if (ih < hw.x || ih >= hw.y) { continue; }
        for (var ow = ow_lo; ow < ow_hi; ow = ow + 1u) {
            let ww = ada_win(ow, g.ow, g.w);
            if (iw < ww.x || iw >= ww.y) { continue; }
            acc = acc + in0[(plane * g.oh + oh) * g.ow + ow] / f32((hw.y - hw.x) * (ww.y - ww.x));
        }
    }
    out[i] = acc;
}
