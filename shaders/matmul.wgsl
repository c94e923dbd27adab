// Operand layouts of the batched matmul (appended to gemm_regs.wgsl): A and B are read through
// strides, so transposed operands cost no copy. C is [z, M, N], contiguous.
// Params from p[8]: [a_batch, a_m, a_k, b_batch, b_k, b_n] strides in elements.

var<private> sa: vec3<u32>;
var<private> sb: vec3<u32>;

fn io_setup() {
    sa = vec3<u32>(p[8], p[9], p[10]);
    sb = vec3<u32>(p[11], p[12], p[13]);
}

// Index of A[b, m, 0] in in0; a_k(k) is added for column k.
fn a_row(b: u32, m: u32) -> u32 {
    return b * sa.x + m * sa.y;
}

fn a_k(k: u32) -> u32 {
    return k * sa.z;
}

// Index of B[b, 0, n] in in1; b_k(k) is added for row k.
fn b_col(b: u32, n: u32) -> u32 {
    return b * sb.x + n * sb.z;
}

fn b_k(k: u32) -> u32 {
    return k * sb.y;
}

fn store_c(z: u32, b: u32, m: u32, n: u32, v: f32) {
    out[(z * p[0] + m) * p[1] + n] = v;
}
