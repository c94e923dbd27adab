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
