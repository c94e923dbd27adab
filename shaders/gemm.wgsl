// The tiled GEMM core shared by matmul.wgsl and conv.wgsl (the runtime appends one of them,
// which defines io_setup, load_a, load_b and store_c for its operand layouts).
//
// C[z] = A[b] x B[b] over the k range of split s, with z = b * splits + s: each 16x16 workgroup
// computes a 64x64 tile of C, each invocation a 4x4 register block, stepping k by 16 through
// 8 KB of workgroup memory (WebGPU's default limit is 16 KB). Split-k writes partial products
// that the host sums with the deterministic reduce kernel.
//
// Core params: [M, N, K, k_chunk, splits, z_offset, col_offset, 0]; operand params from p[8].

const TILE: u32 = 64u;
const TK: u32 = 16u;

var<workgroup> tile_a: array<vec4<f32>, 256>; // [k][m / 4]
var<workgroup> tile_b: array<vec4<f32>, 256>; // [k][n / 4]

@compute @workgroup_size(16, 16, 1)
fn gemm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
    io_setup();
    let m_size = p[0];
    let n_size = p[1];
    let splits = p[4];
    let z = wid.z + p[5];
    let b = z / splits;
    let k_begin = (z % splits) * p[3];
    let k_end = min(p[2], k_begin + p[3]);
    let row0 = wid.y * TILE;
    let col0 = p[6] + wid.x * TILE;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var k0 = k_begin; k0 < k_end; k0 = k0 + TK) {
        for (var r = 0u; r < 4u; r = r + 1u) {
            let e = tid + r * 256u;
            // A is read along k by neighbouring invocations, B along n: both contiguous in the
            // usual row-major layouts.
            let am = e / TK;
            let ak = e % TK;
            var va = 0.0;
            if (row0 + am < m_size && k0 + ak < k_end) {
                va = load_a(b, row0 + am, k0 + ak);
            }
            tile_a[ak * 16u + am / 4u][am % 4u] = va;
            let bk = e / TILE;
            let bn = e % TILE;
            var vb = 0.0;
            if (col0 + bn < n_size && k0 + bk < k_end) {
                vb = load_b(b, k0 + bk, col0 + bn);
            }
            tile_b[bk * 16u + bn / 4u][bn % 4u] = vb;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TK; kk = kk + 1u) {
            let a = tile_a[kk * 16u + lid.y];
            let bv = tile_b[kk * 16u + lid.x];
            acc0 = acc0 + a.x * bv;
            acc1 = acc1 + a.y * bv;
            acc2 = acc2 + a.z * bv;
            acc3 = acc3 + a.w * bv;
        }
        workgroupBarrier();
    }
    let rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
    for (var i = 0u; i < 4u; i = i + 1u) {
        let m = row0 + lid.y * 4u + i;
        if (m >= m_size) { break; }
        for (var j = 0u; j < 4u; j = j + 1u) {
            let n = col0 + lid.x * 4u + j;
            if (n < n_size) {
                store_c(z, b, m, n, rows[i][j]);
            }
        }
    }
}
