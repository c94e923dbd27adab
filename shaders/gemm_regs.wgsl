// The register-blocked GEMM core of the batched matmul (matmul.wgsl, appended, defines
// io_setup, a_row, a_k, b_col, b_k and store_c for its operand layouts).
//
// C[z] = A[b] x B[b] over the k range of split s, with z = b * splits + s. Each 8x8 workgroup
// computes a 64x64 tile of C, each invocation an 8x8 block in 16 vec4 registers, reading A and
// B straight from storage: no workgroup memory and no barriers. On software adapters
// (SwiftShader under Chromium's WebGPU, lavapipe) a barrier switches every SIMD group of the
// workgroup, which made the shared-memory tiling 3.5x slower than this; on GPUs the operands'
// reuse is served by the caches. 8 A and 8 B values per k feed 64 multiply-adds. Everything is
// unrolled by hand (k by 2): a private array indexed in a loop is spilled to memory by
// SwiftShader's compilers. Rows and columns past the edge are clamped for the loads and skipped
// at the store, so no load is out of bounds.
//
// Core params: [M, N, K, k_chunk, splits, z_offset, col_offset, 0]; operand params from p[8].

const TILE_M: u32 = 64u;
const TILE_N: u32 = 64u;

@compute @workgroup_size(8, 8, 1)
fn gemm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    io_setup();
    let m_size = p[0];
    let n_size = p[1];
    let splits = p[4];
    let z = wid.z + p[5];
    let b = z / splits;
    let k_begin = (z % splits) * p[3];
    let k_end = min(p[2], k_begin + p[3]);
    let row0 = wid.y * TILE_M + lid.y * 8u;
    let col0 = p[6] + wid.x * TILE_N + lid.x * 8u;
    let ra0 = a_row(b, min(row0 + 0u, m_size - 1u));
    let ra1 = a_row(b, min(row0 + 1u, m_size - 1u));
    let ra2 = a_row(b, min(row0 + 2u, m_size - 1u));
    let ra3 = a_row(b, min(row0 + 3u, m_size - 1u));
    let ra4 = a_row(b, min(row0 + 4u, m_size - 1u));
    let ra5 = a_row(b, min(row0 + 5u, m_size - 1u));
    let ra6 = a_row(b, min(row0 + 6u, m_size - 1u));
    let ra7 = a_row(b, min(row0 + 7u, m_size - 1u));
    let cb0 = b_col(b, min(col0 + 0u, n_size - 1u));
    let cb1 = b_col(b, min(col0 + 1u, n_size - 1u));
    let cb2 = b_col(b, min(col0 + 2u, n_size - 1u));
    let cb3 = b_col(b, min(col0 + 3u, n_size - 1u));
    let cb4 = b_col(b, min(col0 + 4u, n_size - 1u));
    let cb5 = b_col(b, min(col0 + 5u, n_size - 1u));
    let cb6 = b_col(b, min(col0 + 6u, n_size - 1u));
    let cb7 = b_col(b, min(col0 + 7u, n_size - 1u));
    var acc0_0 = vec4<f32>(0.0);
    var acc0_1 = vec4<f32>(0.0);
    var acc1_0 = vec4<f32>(0.0);
    var acc1_1 = vec4<f32>(0.0);
    var acc2_0 = vec4<f32>(0.0);
    var acc2_1 = vec4<f32>(0.0);
    var acc3_0 = vec4<f32>(0.0);
    var acc3_1 = vec4<f32>(0.0);
    var acc4_0 = vec4<f32>(0.0);
    var acc4_1 = vec4<f32>(0.0);
    var acc5_0 = vec4<f32>(0.0);
    var acc5_1 = vec4<f32>(0.0);
    var acc6_0 = vec4<f32>(0.0);
    var acc6_1 = vec4<f32>(0.0);
    var acc7_0 = vec4<f32>(0.0);
    var acc7_1 = vec4<f32>(0.0);
    var k = k_begin;
    for (; k + 1u < k_end; k = k + 2u) {
        {
            let ka = a_k(k + 0u);
            let kb = b_k(k + 0u);
            let bv0 = vec4<f32>(in1[cb0 + kb], in1[cb1 + kb], in1[cb2 + kb], in1[cb3 + kb]);
            let bv1 = vec4<f32>(in1[cb4 + kb], in1[cb5 + kb], in1[cb6 + kb], in1[cb7 + kb]);
            let a0 = vec4<f32>(in0[ra0 + ka]);
            acc0_0 = fma(a0, bv0, acc0_0);
            acc0_1 = fma(a0, bv1, acc0_1);
            let a1 = vec4<f32>(in0[ra1 + ka]);
            acc1_0 = fma(a1, bv0, acc1_0);
            acc1_1 = fma(a1, bv1, acc1_1);
            let a2 = vec4<f32>(in0[ra2 + ka]);
            acc2_0 = fma(a2, bv0, acc2_0);
            acc2_1 = fma(a2, bv1, acc2_1);
            let a3 = vec4<f32>(in0[ra3 + ka]);
            acc3_0 = fma(a3, bv0, acc3_0);
            acc3_1 = fma(a3, bv1, acc3_1);
            let a4 = vec4<f32>(in0[ra4 + ka]);
            acc4_0 = fma(a4, bv0, acc4_0);
            acc4_1 = fma(a4, bv1, acc4_1);
            let a5 = vec4<f32>(in0[ra5 + ka]);
            acc5_0 = fma(a5, bv0, acc5_0);
            acc5_1 = fma(a5, bv1, acc5_1);
            let a6 = vec4<f32>(in0[ra6 + ka]);
            acc6_0 = fma(a6, bv0, acc6_0);
            acc6_1 = fma(a6, bv1, acc6_1);
            let a7 = vec4<f32>(in0[ra7 + ka]);
            acc7_0 = fma(a7, bv0, acc7_0);
            acc7_1 = fma(a7, bv1, acc7_1);
        }
        {
            let ka = a_k(k + 1u);
            let kb = b_k(k + 1u);
            let bv0 = vec4<f32>(in1[cb0 + kb], in1[cb1 + kb], in1[cb2 + kb], in1[cb3 + kb]);
            let bv1 = vec4<f32>(in1[cb4 + kb], in1[cb5 + kb], in1[cb6 + kb], in1[cb7 + kb]);
            let a0 = vec4<f32>(in0[ra0 + ka]);
            acc0_0 = fma(a0, bv0, acc0_0);
            acc0_1 = fma(a0, bv1, acc0_1);
            let a1 = vec4<f32>(in0[ra1 + ka]);
            acc1_0 = fma(a1, bv0, acc1_0);
            acc1_1 = fma(a1, bv1, acc1_1);
            let a2 = vec4<f32>(in0[ra2 + ka]);
            acc2_0 = fma(a2, bv0, acc2_0);
            acc2_1 = fma(a2, bv1, acc2_1);
            let a3 = vec4<f32>(in0[ra3 + ka]);
            acc3_0 = fma(a3, bv0, acc3_0);
            acc3_1 = fma(a3, bv1, acc3_1);
            let a4 = vec4<f32>(in0[ra4 + ka]);
            acc4_0 = fma(a4, bv0, acc4_0);
            acc4_1 = fma(a4, bv1, acc4_1);
            let a5 = vec4<f32>(in0[ra5 + ka]);
            acc5_0 = fma(a5, bv0, acc5_0);
            acc5_1 = fma(a5, bv1, acc5_1);
            let a6 = vec4<f32>(in0[ra6 + ka]);
            acc6_0 = fma(a6, bv0, acc6_0);
            acc6_1 = fma(a6, bv1, acc6_1);
            let a7 = vec4<f32>(in0[ra7 + ka]);
            acc7_0 = fma(a7, bv0, acc7_0);
            acc7_1 = fma(a7, bv1, acc7_1);
        }
    }
    for (; k < k_end; k = k + 1u) {
        let ka = a_k(k);
        let kb = b_k(k);
        let bv0 = vec4<f32>(in1[cb0 + kb], in1[cb1 + kb], in1[cb2 + kb], in1[cb3 + kb]);
        let bv1 = vec4<f32>(in1[cb4 + kb], in1[cb5 + kb], in1[cb6 + kb], in1[cb7 + kb]);
        let a0 = vec4<f32>(in0[ra0 + ka]);
        acc0_0 = fma(a0, bv0, acc0_0);
        acc0_1 = fma(a0, bv1, acc0_1);
        let a1 = vec4<f32>(in0[ra1 + ka]);
        acc1_0 = fma(a1, bv0, acc1_0);
        acc1_1 = fma(a1, bv1, acc1_1);
        let a2 = vec4<f32>(in0[ra2 + ka]);
        acc2_0 = fma(a2, bv0, acc2_0);
        acc2_1 = fma(a2, bv1, acc2_1);
        let a3 = vec4<f32>(in0[ra3 + ka]);
        acc3_0 = fma(a3, bv0, acc3_0);
        acc3_1 = fma(a3, bv1, acc3_1);
        let a4 = vec4<f32>(in0[ra4 + ka]);
        acc4_0 = fma(a4, bv0, acc4_0);
        acc4_1 = fma(a4, bv1, acc4_1);
        let a5 = vec4<f32>(in0[ra5 + ka]);
        acc5_0 = fma(a5, bv0, acc5_0);
        acc5_1 = fma(a5, bv1, acc5_1);
        let a6 = vec4<f32>(in0[ra6 + ka]);
        acc6_0 = fma(a6, bv0, acc6_0);
        acc6_1 = fma(a6, bv1, acc6_1);
        let a7 = vec4<f32>(in0[ra7 + ka]);
        acc7_0 = fma(a7, bv0, acc7_0);
        acc7_1 = fma(a7, bv1, acc7_1);
    }
    if (row0 + 0u < m_size) {
        if (col0 + 0u < n_size) { store_c(z, b, row0 + 0u, col0 + 0u, acc0_0[0]); }
        if (col0 + 1u < n_size) { store_c(z, b, row0 + 0u, col0 + 1u, acc0_0[1]); }
        if (col0 + 2u < n_size) { store_c(z, b, row0 + 0u, col0 + 2u, acc0_0[2]); }
        if (col0 + 3u < n_size) { store_c(z, b, row0 + 0u, col0 + 3u, acc0_0[3]); }
        if (col0 + 4u < n_size) { store_c(z, b, row0 + 0u, col0 + 4u, acc0_1[0]); }
        if (col0 + 5u < n_size) { store_c(z, b, row0 + 0u, col0 + 5u, acc0_1[1]); }
        if (col0 + 6u < n_size) { store_c(z, b, row0 + 0u, col0 + 6u, acc0_1[2]); }
        if (col0 + 7u < n_size) { store_c(z, b, row0 + 0u, col0 + 7u, acc0_1[3]); }
    }
    if (row0 + 1u < m_size) {
        if (col0 + 0u < n_size) { store_c(z, b, row0 + 1u, col0 + 0u, acc1_0[0]); }
        if (col0 + 1u < n_size) { store_c(z, b, row0 + 1u, col0 + 1u, acc1_0[1]); }
        if (col0 + 2u < n_size) { store_c(z, b, row0 + 1u, col0 + 2u, acc1_0[2]); }
        if (col0 + 3u < n_size) { store_c(z, b, row0 + 1u, col0 + 3u, acc1_0[3]); }
        if (col0 + 4u < n_size) { store_c(z, b, row0 + 1u, col0 + 4u, acc1_1[0]); }
        if (col0 + 5u < n_size) { store_c(z, b, row0 + 1u, col0 + 5u, acc1_1[1]); }
        if (col0 + 6u < n_size) { store_c(z, b, row0 + 1u, col0 + 6u, acc1_1[2]); }
        if (col0 + 7u < n_size) { store_c(z, b, row0 + 1u, col0 + 7u, acc1_1[3]); }
    }
    if (row0 + 2u < m_size) {
        if (col0 + 0u < n_size) { store_c(z, b, row0 + 2u, col0 + 0u, acc2_0[0]); }
        if (col0 + 1u < n_size) { store_c(z, b, row0 + 2u, col0 + 1u, acc2_0[1]); }
        if (col0 + 2u < n_size) { store_c(z, b, row0 + 2u, col0 + 2u, acc2_0[2]); }
        if (col0 + 3u < n_size) { store_c(z, b, row0 + 2u, col0 + 3u, acc2_0[3]); }
        if (col0 + 4u < n_size) { store_c(z, b, row0 + 2u, col0 + 4u, acc2_1[0]); }
        if (col0 + 5u < n_size) { store_c(z, b, row0 + 2u, col0 + 5u, acc2_1[1]); }
        if (col0 + 6u < n_size) { store_c(z, b, row0 + 2u, col0 + 6u, acc2_1[2]); }
        if (col0 + 7u < n_size) { store_c(z, b, row0 + 2u, col0 + 7u, acc2_1[3]); }
    }
    if (row0 + 3u < m_size) {
        if (col0 + 0u < n_size) { store_c(z, b, row0 + 3u, col0 + 0u, acc3_0[0]); }
        if (col0 + 1u < n_size) { store_c(z, b, row0 + 3u, col0 + 1u, acc3_0[1]); }
        if (col0 + 2u < n_size) { store_c(z, b, row0 + 3u, col0 + 2u, acc3_0[2]); }
        if (col0 + 3u < n_size) { store_c(z, b, row0 + 3u, col0 + 3u, acc3_0[3]); }
        if (col0 + 4u < n_size) { store_c(z, b, row0 + 3u, col0 + 4u, acc3_1[0]); }
        if (col0 + 5u < n_size) { store_c(z, b, row0 + 3u, col0 + 5u, acc3_1[1]); }
        if (col0 + 6u < n_size) { store_c(z, b, row0 + 3u, col0 + 6u, acc3_1[2]); }
        if (col0 + 7u < n_size) { store_c(z, b, row0 + 3u, col0 + 7u, acc3_1[3]); }
    }
    if (row0 + 4u < m_size) {
        if (col0 + 0u < n_size) { store_c(z, b, row0 + 4u, col0 + 0u, acc4_0[0]); }
        if (col0 + 1u < n_size) { store_c(z, b, row0 + 4u, col0 + 1u, acc4_0[1]); }
        if (col0 + 2u < n_size) { store_c(z, b, row0 + 4u, col0 + 2u, acc4_0[2]); }
        if (col0 + 3u < n_size) { store_c(z, b, row0 + 4u, col0 + 3u, acc4_0[3]); }
        if (col0 + 4u < n_size) { store_c(z, b, row0 + 4u, col0 + 4u, acc4_1[0]); }
        if (col0 + 5u < n_size) { store_c(z, b, row0 + 4u, col0 + 5u, acc4_1[1]); }
        if (col0 + 6u < n_size) { store_c(z, b, row0 + 4u, col0 + 6u, acc4_1[2]); }
        if (col0 + 7u < n_size) { store_c(z, b, row0 + 4u, col0 + 7u, acc4_1[3]); }
    }
    if (row0 + 5u < m_size) {
        if (col0 + 0u < n_size) { store_c(z, b, row0 + 5u, col0 + 0u, acc5_0[0]); }
        if (col0 + 1u < n_size) { store_c(z, b, row0 + 5u, col0 + 1u, acc5_0[1]); }
        if (col0 + 2u < n_size) { store_c(z, b, row0 + 5u, col0 + 2u, acc5_0[2]); }
        if (col0 + 3u < n_size) { store_c(z, b, row0 + 5u, col0 + 3u, acc5_0[3]); }
        if (col0 + 4u < n_size) { store_c(z, b, row0 + 5u, col0 + 4u, acc5_1[0]); }
        if (col0 + 5u < n_size) { store_c(z, b, row0 + 5u, col0 + 5u, acc5_1[1]); }
        if (col0 + 6u < n_size) { store_c(z, b, row0 + 5u, col0 + 6u, acc5_1[2]); }
        if (col0 + 7u < n_size) { store_c(z, b, row0 + 5u, col0 + 7u, acc5_1[3]); }
    }
    if (row0 + 6u < m_size) {
        if (col0 + 0u < n_size) { store_c(z, b, row0 + 6u, col0 + 0u, acc6_0[0]); }
        if (col0 + 1u < n_size) { store_c(z, b, row0 + 6u, col0 + 1u, acc6_0[1]); }
        if (col0 + 2u < n_size) { store_c(z, b, row0 + 6u, col0 + 2u, acc6_0[2]); }
        if (col0 + 3u < n_size) { store_c(z, b, row0 + 6u, col0 + 3u, acc6_0[3]); }
        if (col0 + 4u < n_size) { store_c(z, b, row0 + 6u, col0 + 4u, acc6_1[0]); }
        if (col0 + 5u < n_size) { store_c(z, b, row0 + 6u, col0 + 5u, acc6_1[1]); }
        if (col0 + 6u < n_size) { store_c(z, b, row0 + 6u, col0 + 6u, acc6_1[2]); }
        if (col0 + 7u < n_size) { store_c(z, b, row0 + 6u, col0 + 7u, acc6_1[3]); }
    }
    if (row0 + 7u < m_size) {
        if (col0 + 0u < n_size) { store_c(z, b, row0 + 7u, col0 + 0u, acc7_0[0]); }
        if (col0 + 1u < n_size) { store_c(z, b, row0 + 7u, col0 + 1u, acc7_0[1]); }
        if (col0 + 2u < n_size) { store_c(z, b, row0 + 7u, col0 + 2u, acc7_0[2]); }
        if (col0 + 3u < n_size) { store_c(z, b, row0 + 7u, col0 + 3u, acc7_0[3]); }
        if (col0 + 4u < n_size) { store_c(z, b, row0 + 7u, col0 + 4u, acc7_1[0]); }
        if (col0 + 5u < n_size) { store_c(z, b, row0 + 7u, col0 + 5u, acc7_1[1]); }
        if (col0 + 6u < n_size) { store_c(z, b, row0 + 7u, col0 + 6u, acc7_1[2]); }
        if (col0 + 7u < n_size) { store_c(z, b, row0 + 7u, col0 + 7u, acc7_1[3]); }
    }
}
