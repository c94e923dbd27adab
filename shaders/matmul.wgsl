// Operand layouts of the batched matmul (appended to gemm.wgsl): A and B are read through
// strides, so transposed operands cost no copy. C is [z, M, N], contiguous.
// Params from p[8]: [a_batch, a_m, a_k, b_batch, b_k, b_n] strides in elements.

var<private> sa: vec3<u32>;
var<private> sb: vec3<u32>;

fn io_setup() {
    sa = vec3<u32>(p[8], p[9], p[10]);
    sb = vec3<u32>(p[11], p[12], p[13]);
}

fn load_a(b: u32, m: u32, k: u32) -> f32 {
    return in0[b * sa.x + m * sa.y + k * sa.z];
}

fn load_b(b: u32, k: u32, n: u32) -> f32 {
    return in1[b * sb.x + k * sb.y + n * sb.z];
}

fn store_c(z: u32, b: u32, m: u32, n: u32, v: f32) {
    out[(z * p[0] + m) * p[1] + n] = v;
}
