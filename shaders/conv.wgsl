// conv2d and its two gradients as implicit GEMMs (appended to gemm.wgsl): the column matrix of
// im2col is never stored, its elements are computed in load_b. One GEMM per group (b = group).
//   MODE 0, forward, inputs (x, w):        [Og x Cg*kh*kw] x [Cg*kh*kw x N*OH*OW] -> y (NCHW)
//   MODE 1, grad input, inputs (dy, w):    [Cg x Og*kh*kw] x [Og*kh*kw x N*H*W]   -> dx (NCHW)
//   MODE 2, grad weight, inputs (x, dy):   [Og x N*OH*OW] x [N*OH*OW x Cg*kh*kw]  -> dw (split-k)
// Params from p[8]: [N, C, H, W, O, kh, kw, OH, OW, sh, sw, ph, pw, dh, dw, Cg, Og].

override MODE: u32 = 0u;

struct Conv {
    n: u32, c: u32, h: u32, w: u32, o: u32, kh: u32, kw: u32, oh: u32, ow: u32,
    sh: u32, sw: u32, ph: u32, pw: u32, dh: u32, dw: u32, cg: u32, og: u32,
}

var<private> g: Conv;

fn io_setup() {
    g = Conv(p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16],
             p[17], p[18], p[19], p[20], p[21], p[22], p[23], p[24]);
}

// x[n, ch, oh*sh + i*dh - ph, ow*sw + j*dw - pw], or 0 in the padding.
fn x_at(n: u32, ch: u32, oh: u32, ow: u32, i: u32, j: u32) -> f32 {
    let ih = i32(oh * g.sh + i * g.dh) - i32(g.ph);
    let iw = i32(ow * g.sw + j * g.dw) - i32(g.pw);
    if (ih < 0 || iw < 0 || ih >= i32(g.h) || iw >= i32(g.w)) {
        return 0.0;
    }
    return in0[((n * g.c + ch) * g.h + u32(ih)) * g.w + u32(iw)];
}

// Element (k = (c, i, j), col = (n, oh, ow)) of group grp's column matrix.
fn im2col(grp: u32, k: u32, col: u32) -> f32 {
    let kk = g.kh * g.kw;
    let r = k % kk;
    let q = col % (g.oh * g.ow);
    return x_at(col / (g.oh * g.ow), grp * g.cg + k / kk, q / g.ow, q % g.ow, r / g.kw, r % g.kw);
}

fn load_a(grp: u32, m: u32, k: u32) -> f32 {
    let kk = g.kh * g.kw;
    switch MODE {
        case 0u: {
            return in1[(grp * g.og + m) * g.cg * kk + k];
        }
        case 1u: {
            // W[grp*Og + o, c, i, j] with m = c, k = (o, i, j).
            return in1[((grp * g.og + k / kk) * g.cg + m) * kk + k % kk];
        }
        default: {
            // dy[n, grp*Og + m, q] with k = (n, q).
            let p_out = g.oh * g.ow;
            return in1[((k / p_out) * g.o + grp * g.og + m) * p_out + k % p_out];
        }
    }
}

fn load_b(grp: u32, k: u32, col: u32) -> f32 {
    switch MODE {
        case 0u: {
            return im2col(grp, k, col);
        }
        case 1u: {
            // dy[n, grp*Og + o, oh, ow] where oh*sh = ih + ph - i*dh (if it divides), k = (o, i, j).
            let kk = g.kh * g.kw;
            let r = k % kk;
            let hw = g.h * g.w;
            let n = col / hw;
            let q = col % hw;
            let th = i32(q / g.w + g.ph) - i32((r / g.kw) * g.dh);
            let tw = i32(q % g.w + g.pw) - i32((r % g.kw) * g.dw);
            if (th < 0 || tw < 0) {
                return 0.0;
            }
            let uh = u32(th);
            let uw = u32(tw);
            if (uh % g.sh != 0u || uw % g.sw != 0u || uh / g.sh >= g.oh || uw / g.sw >= g.ow) {
                return 0.0;
            }
            return in0[((n * g.o + grp * g.og + k / kk) * g.oh + uh / g.sh) * g.ow + uw / g.sw];
        }
        default: {
            // The transposed column matrix: k = (n, oh, ow), col = (c, i, j).
            return im2col(grp, col, k);
        }
    }
}

fn store_c(z: u32, grp: u32, m: u32, col: u32, v: f32) {
    switch MODE {
        case 0u: {
            let p_out = g.oh * g.ow;
            out[((col / p_out) * g.o + grp * g.og + m) * p_out + col % p_out] = v;
        }
        case 1u: {
            let hw = g.h * g.w;
            out[((col / hw) * g.c + grp * g.cg + m) * hw + col % hw] = v;
        }
        default: {
            out[(z * p[0] + m) * p[1] + col] = v;
        }
    }
}

// Direct kernels: no workgroup memory and no barriers, each invocation accumulating a block of 4
// channels in registers. On software adapters (SwiftShader, lavapipe) barriers are expensive
// and caches give the reuse, and small channel counts (LeNet's 6 and 16) waste most of a 64-row
// GEMM tile, so these win there. Params: [invocations, blocks per group, batch chunk, ...].

// y[n, o0..o0+4, oh, ow0..ow0+4]: blocks of 4 output channels within a group times 4 adjacent
// output columns, so each loaded input and weight feeds 4 multiply-adds. With p[3] = 1 the
// weight is read flipped and transposed: the stride-1 input gradient is this convolution of dy.
@compute @workgroup_size(256)
fn conv_forward_direct(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
    let t = flat_index(wid, nwg, lid);
    if (t >= p[0]) { return; }
    io_setup();
    let kk = g.kh * g.kw;
    let groups = g.o / g.og;
    let bpg = p[1];
    let ow_blocks = (g.ow + 3u) / 4u;
    let ow0 = (t % ow_blocks) * 4u;
    var rest = t / ow_blocks;
    let oh = rest % g.oh;
    rest = rest / g.oh;
    let blk = rest % (bpg * groups);
    let n = rest / (bpg * groups);
    let grp = blk / bpg;
    let ol = (blk % bpg) * 4u;
    let count = min(4u, g.og - ol);
    let flip = p[3] != 0u;
    // Weight offsets of the 4 channels (clamped in bounds; extra lanes are discarded), the
    // stride between input channels, and the kernel-position map.
    var wb = vec4<u32>(ol, ol + min(1u, count - 1u), ol + min(2u, count - 1u), ol + min(3u, count - 1u));
    var c_stride = kk;
    if (flip) {
        wb = grp * g.cg * g.og * kk + wb * kk;
        c_stride = g.og * kk;
    } else {
        wb = (grp * g.og + wb) * g.cg * kk;
    }
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    let iw_base = i32(ow0 * g.sw) - i32(g.pw);
    let wmax = i32(g.w) - 1;
    for (var c = 0u; c < g.cg; c = c + 1u) {
        let xc = (n * g.c + grp * g.cg + c) * g.h;
        let wc = c * c_stride;
        for (var i = 0u; i < g.kh; i = i + 1u) {
            let ih = i32(oh * g.sh + i * g.dh) - i32(g.ph);
            if (ih < 0 || ih >= i32(g.h)) { continue; }
            let xr = (xc + u32(ih)) * g.w;
            for (var j = 0u; j < g.kw; j = j + 1u) {
                var r = i * g.kw + j;
                if (flip) { r = kk - 1u - r; }
                let k = wc + r;
                let wv = vec4<f32>(in1[wb.x + k], in1[wb.y + k], in1[wb.z + k], in1[wb.w + k]);
                let iw = iw_base + i32(j * g.dw);
                let s = i32(g.sw);
                let x0 = select(0.0, in0[xr + u32(clamp(iw, 0, wmax))], iw >= 0 && iw <= wmax);
                let x1 = select(0.0, in0[xr + u32(clamp(iw + s, 0, wmax))], iw + s >= 0 && iw + s <= wmax);
                let x2 = select(0.0, in0[xr + u32(clamp(iw + 2 * s, 0, wmax))], iw + 2 * s >= 0 && iw + 2 * s <= wmax);
                let x3 = select(0.0, in0[xr + u32(clamp(iw + 3 * s, 0, wmax))], iw + 3 * s >= 0 && iw + 3 * s <= wmax);
                a0 = a0 + x0 * wv;
                a1 = a1 + x1 * wv;
                a2 = a2 + x2 * wv;
                a3 = a3 + x3 * wv;
            }
        }
    }
    let plane = g.oh * g.ow;
    let base = (n * g.o + grp * g.og + ol) * plane + oh * g.ow + ow0;
    let acc = array<vec4<f32>, 4>(a0, a1, a2, a3);
    for (var q = 0u; q < 4u; q = q + 1u) {
        if (ow0 + q >= g.ow) { break; }
        for (var b = 0u; b < count; b = b + 1u) {
            out[base + b * plane + q] = acc[q][b];
        }
    }
}

// dx[n, c0..c0+4, ih, iw] from dy and w, blocks of 4 input channels within a group.
@compute @workgroup_size(256)
fn conv_backward_input_direct(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                              @builtin(local_invocation_index) lid: u32) {
    let t = flat_index(wid, nwg, lid);
    if (t >= p[0]) { return; }
    io_setup();
    let kk = g.kh * g.kw;
    let groups = g.c / g.cg;
    let pix = t % (g.h * g.w);
    let rest = t / (g.h * g.w);
    let bpg = p[1];
    let blk = rest % (bpg * groups);
    let n = rest / (bpg * groups);
    let grp = blk / bpg;
    let cl = (blk % bpg) * 4u;
    let count = min(4u, g.cg - cl);
    let ih = pix / g.w;
    let iw = pix % g.w;
    let c1 = cl + min(1u, count - 1u);
    let c2 = cl + min(2u, count - 1u);
    let c3 = cl + min(3u, count - 1u);
    var acc = vec4<f32>(0.0);
    for (var i = 0u; i < g.kh; i = i + 1u) {
        let th = i32(ih + g.ph) - i32(i * g.dh);
        if (th < 0) { continue; }
        var oh = u32(th);
        if (g.sh != 1u) {
            if (oh % g.sh != 0u) { continue; }
            oh = oh / g.sh;
        }
        if (oh >= g.oh) { continue; }
        for (var j = 0u; j < g.kw; j = j + 1u) {
            let tw = i32(iw + g.pw) - i32(j * g.dw);
            if (tw < 0) { continue; }
            var ow = u32(tw);
            if (g.sw != 1u) {
                if (ow % g.sw != 0u) { continue; }
                ow = ow / g.sw;
            }
            if (ow >= g.ow) { continue; }
            let k = i * g.kw + j;
            for (var o = 0u; o < g.og; o = o + 1u) {
                let og = grp * g.og + o;
                let dy = in0[((n * g.o + og) * g.oh + oh) * g.ow + ow];
                let wr = og * g.cg;
                acc = acc + dy * vec4<f32>(in1[(wr + cl) * kk + k], in1[(wr + c1) * kk + k],
                                           in1[(wr + c2) * kk + k], in1[(wr + c3) * kk + k]);
            }
        }
    }
    let base = (n * g.c + grp * g.cg + cl) * g.h * g.w + pix;
    for (var b = 0u; b < count; b = b + 1u) {
        out[base + b * g.h * g.w] = acc[b];
    }
}

// Partial dw[s, o0..o0+4, c, r0..r0+4] over batch chunk s (p[2] images each), r = i*kw + j: 4
// output channels times 4 kernel positions per invocation, so each loaded dy and x value feeds
// 4 multiply-adds. The host sums the chunks with the reduce kernel.
@compute @workgroup_size(256)
fn conv_backward_weight_direct(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                               @builtin(local_invocation_index) lid: u32) {
    let t = flat_index(wid, nwg, lid);
    if (t >= p[0]) { return; }
    io_setup();
    let kk = g.kh * g.kw;
    let r_blocks = (kk + 3u) / 4u;
    let groups = g.o / g.og;
    let bpg = p[1];
    let per_split = groups * bpg * g.cg * r_blocks;
    let s = t / per_split;
    let e = t % per_split;
    let r0 = (e % r_blocks) * 4u;
    let c = (e / r_blocks) % g.cg;
    let blk = e / (r_blocks * g.cg);
    let grp = blk / bpg;
    let ol = (blk % bpg) * 4u;
    let count = min(4u, g.og - ol);
    let o0 = grp * g.og + ol;
    let plane = g.oh * g.ow;
    let d1 = min(1u, count - 1u) * plane;
    let d2 = min(2u, count - 1u) * plane;
    let d3 = min(3u, count - 1u) * plane;
    let r = min(vec4<u32>(r0, r0 + 1u, r0 + 2u, r0 + 3u), vec4<u32>(kk - 1u));
    let ki = vec4<i32>(r / g.kw);
    let kj = vec4<i32>(r % g.kw);
    let hmax = i32(g.h) - 1;
    let wmax = i32(g.w) - 1;
    let n_end = min(g.n, (s + 1u) * p[2]);
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    for (var n = s * p[2]; n < n_end; n = n + 1u) {
        let xc = i32((n * g.c + grp * g.cg + c) * g.h);
        let dyc = (n * g.o + o0) * plane;
        for (var oh = 0u; oh < g.oh; oh = oh + 1u) {
            let ih = vec4<i32>(i32(oh * g.sh) - i32(g.ph)) + ki * i32(g.dh);
            let row_ok = (ih >= vec4<i32>(0)) & (ih <= vec4<i32>(hmax));
            let xr = (vec4<i32>(xc) + clamp(ih, vec4<i32>(0), vec4<i32>(hmax))) * i32(g.w);
            let dyr = dyc + oh * g.ow;
            for (var ow = 0u; ow < g.ow; ow = ow + 1u) {
                let iw = vec4<i32>(i32(ow * g.sw) - i32(g.pw)) + kj * i32(g.dw);
                let ok = row_ok & (iw >= vec4<i32>(0)) & (iw <= vec4<i32>(wmax));
                let idx = vec4<u32>(xr + clamp(iw, vec4<i32>(0), vec4<i32>(wmax)));
                let xv = select(vec4<f32>(0.0), vec4<f32>(in0[idx.x], in0[idx.y], in0[idx.z], in0[idx.w]), ok);
                let q = dyr + ow;
                let dy = vec4<f32>(in1[q], in1[q + d1], in1[q + d2], in1[q + d3]);
                a0 = a0 + xv.x * dy;
                a1 = a1 + xv.y * dy;
                a2 = a2 + xv.z * dy;
                a3 = a3 + xv.w * dy;
            }
        }
    }
    // Layout [s, O, Cg, kh, kw] = [s][dw], the weight's own layout per chunk.
    let base = s * g.o * g.cg * kk + (o0 * g.cg + c) * kk;
    let acc = array<vec4<f32>, 4>(a0, a1, a2, a3);
    for (var q = 0u; q < 4u; q = q + 1u) {
        if (r0 + q >= kk) { break; }
        for (var b = 0u; b < count; b = b + 1u) {
            out[base + b * g.cg * kk + r0 + q] = acc[q][b];
        }
    }
}
