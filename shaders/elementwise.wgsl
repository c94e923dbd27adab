// Element-wise kernels: unary functions, broadcasting binary functions and comparisons, where.
// Formulas follow the CPU reference (core/src/device/cpu/elementwise.rs), which follows PyTorch.
// The op code is the pipeline constant MODE (one pipeline per op), not a parameter: software
// adapters (SwiftShader, lavapipe) run every case of a switch under a lane mask, so a switch
// on a parameter cost each element every op's formula (erf, tanh, pow...), 10x a plain add.
// The op code is still written to p[1] for readability of captures.

override MODE: u32 = 0u;

// Elements per invocation, PER apart by the grid's size (coalesced on GPUs): software adapters
// pay a fixed cost per invocation that exceeded the arithmetic of one element 10x over.
const PER: u32 = 8u;

fn grid_size(nwg: vec3<u32>) -> u32 {
    return nwg.x * nwg.y * WG;
}

// Unary params: [n, op, alpha bits, beta bits, flags]
const U_NEG: u32 = 0u;
const U_EXP: u32 = 1u;
const U_LOG: u32 = 2u;
const U_SQRT: u32 = 3u;
const U_ABS: u32 = 4u;
const U_SIGN: u32 = 5u;
const U_ERF: u32 = 6u;
const U_RELU: u32 = 7u;
const U_LEAKY_RELU: u32 = 8u;
const U_SIGMOID: u32 = 9u;
const U_TANH: u32 = 10u;
const U_SILU: u32 = 11u;
const U_GELU: u32 = 12u;
const U_GELU_TANH: u32 = 13u;
const U_HARDSWISH: u32 = 14u;
const U_HARDSIGMOID: u32 = 15u;
const U_POW_SCALAR: u32 = 16u;
const U_CLAMP: u32 = 17u;

// Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), enough for f32 parity with libm's erff.
fn erf_f(x: f32) -> f32 {
    let a = abs(x);
    let t = 1.0 / (1.0 + 0.3275911 * a);
    let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
    let y = 1.0 - poly * exp(-a * a);
    return select(-y, y, x >= 0.0);
}

// tanh without the overflow of exp(2x) that makes some drivers' builtin return NaN.
fn tanh_f(x: f32) -> f32 {
    let e = exp(-2.0 * abs(x));
    let t = (1.0 - e) / (1.0 + e);
    return select(-t, t, x >= 0.0);
}

fn sigmoid_f(x: f32) -> f32 {
    return 1.0 / (1.0 + exp(-x));
}

// powf with C semantics for negative bases and integer exponents (WGSL's pow is undefined there).
fn pow_f(x: f32, y: f32) -> f32 {
    if (y == 0.0) {
        return 1.0;
    }
    if (x == 0.0) {
        return select(1.0 / x, 0.0, y > 0.0);
    }
    if (x > 0.0) {
        return exp2(y * log2(x));
    }
    if (y != floor(y)) {
        return (x - x) / (x - x); // NaN
    }
    let r = exp2(y * log2(-x));
    let odd = (y * 0.5) != floor(y * 0.5);
    return select(r, -r, odd);
}

// alpha, beta and flags are p[2], p[3] and p[4], read once by the caller: a parameter read
// after a store to `out` must be repeated (the compiler cannot rule out aliasing).
fn unary_f(op: u32, v: f32, alpha: f32, hi: f32, flags: u32) -> f32 {
    switch op {
        case U_NEG: { return -v; }
        case U_EXP: { return exp(v); }
        case U_LOG: { return log(v); }
        case U_SQRT: { return sqrt(v); }
        case U_ABS: { return abs(v); }
        case U_SIGN: {
            if (v > 0.0) { return 1.0; }
            if (v < 0.0) { return -1.0; }
            return v;
        }
        case U_ERF: { return erf_f(v); }
        case U_RELU: { return select(0.0, v, v > 0.0); }
        case U_LEAKY_RELU: { return select(v * alpha, v, v > 0.0); }
        case U_SIGMOID: { return sigmoid_f(v); }
        case U_TANH: { return tanh_f(v); }
        case U_SILU: { return v * sigmoid_f(v); }
        case U_GELU: { return 0.5 * v * (1.0 + erf_f(v * 0.70710678118654752)); }
        case U_GELU_TANH: {
            return 0.5 * v * (1.0 + tanh_f(0.79788456080286536 * (v + 0.044715 * v * v * v)));
        }
        case U_HARDSWISH: { return v * clamp(v + 3.0, 0.0, 6.0) / 6.0; }
        case U_HARDSIGMOID: { return clamp(v + 3.0, 0.0, 6.0) / 6.0; }
        case U_POW_SCALAR: {
            if (alpha == 2.0) { return v * v; }
            if (alpha == 1.0) { return v; }
            if (alpha == 3.0) { return v * v * v; }
            if (alpha == 0.5) { return sqrt(v); }
            if (alpha == -1.0) { return 1.0 / v; }
            return pow_f(v, alpha);
        }
        case U_CLAMP: {
            var r = v;
            if ((flags & 1u) != 0u && r < alpha) { r = alpha; }
            if ((flags & 2u) != 0u && r > hi) { r = hi; }
            return r;
        }
        default: { return v; }
    }
}

@compute @workgroup_size(256)
fn unary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
    let first = flat_index(wid, nwg, lid);
    let stride = grid_size(nwg);
    let n = p[0];
    let alpha = pf(2u);
    let hi = pf(3u);
    let flags = p[4];
    for (var j = 0u; j < PER; j = j + 1u) {
        let i = first + j * stride;
        if (i >= n) {
            return;
        }
        out[i] = unary_f(MODE, in0[i], alpha, hi, flags);
    }
}

// Binary params: [n, op, rank, 0, dims[8], a_strides[8], b_strides[8]] (dims coalesced, row-major;
// a stride of 0 broadcasts).
const B_ADD: u32 = 0u;
const B_SUB: u32 = 1u;
const B_MUL: u32 = 2u;
const B_DIV: u32 = 3u;
const B_POW: u32 = 4u;
const B_MAXIMUM: u32 = 5u;
const B_MINIMUM: u32 = 6u;
const B_GT: u32 = 7u;
const B_GE: u32 = 8u;
const B_EQ: u32 = 9u;

fn binary_f(op: u32, x: f32, y: f32) -> f32 {
    switch op {
        case B_ADD: { return x + y; }
        case B_SUB: { return x - y; }
        case B_MUL: { return x * y; }
        case B_DIV: { return x / y; }
        case B_POW: { return pow_f(x, y); }
        case B_MAXIMUM: { return select(y, x, x != x || x >= y); }
        case B_MINIMUM: { return select(y, x, x != x || x <= y); }
        case B_GT: { return select(0.0, 1.0, x > y); }
        case B_GE: { return select(0.0, 1.0, x >= y); }
        case B_EQ: { return select(0.0, 1.0, x == y); }
        default: { return x; }
    }
}

@compute @workgroup_size(256)
fn binary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
    let first = flat_index(wid, nwg, lid);
    let stride = grid_size(nwg);
    let rank = p[2];
    let n = p[0];
    // Same shapes and scalar operands coalesce to one dim: no division on that path.
    if (rank <= 1u) {
        let sa = p[12];
        let sb = p[20];
        for (var j = 0u; j < PER; j = j + 1u) {
            let i = first + j * stride;
            if (i >= n) {
                return;
            }
            out[i] = binary_f(MODE, in0[i * sa], in1[i * sb]);
        }
        return;
    }
    for (var j = 0u; j < PER; j = j + 1u) {
        let i = first + j * stride;
        if (i >= n) {
            return;
        }
        var rest = i;
        var ia = 0u;
        var ib = 0u;
        for (var d = rank; d > 0u; d = d - 1u) {
            let size = p[3u + d];
            let c = rest % size;
            rest = rest / size;
            ia = ia + c * p[11u + d];
            ib = ib + c * p[19u + d];
        }
        out[i] = binary_f(MODE, in0[ia], in1[ib]);
    }
}

// where(cond, a, b) on equal shapes. Params: [n].
@compute @workgroup_size(256)
fn where_select(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let first = flat_index(wid, nwg, lid);
    let stride = grid_size(nwg);
    let n = p[0];
    for (var j = 0u; j < PER; j = j + 1u) {
        let i = first + j * stride;
        if (i >= n) {
            return;
        }
        out[i] = select(in2[i], in1[i], in0[i] != 0.0);
    }
}
