// Softmax and log-softmax along one dimension, numerically stable (row maximum subtracted),
// one invocation per row. A tensor is seen as [outer, n, inner]; row r = (r / inner, r % inner).
// Params: [rows, n, inner, log].

@compute @workgroup_size(256)
fn softmax(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
    let r = flat_index(wid, nwg, lid);
    if (r >= p[0]) {
        return;
    }
    let n = p[1];
    let inner = p[2];
    let base = (r / inner) * n * inner + r % inner;
    var m = neg_inf();
    for (var k = 0u; k < n; k = k + 1u) {
        let v = in0[base + k * inner];
        m = select(v, m, m != m || m >= v);
    }
    if (m == neg_inf()) {
        m = 0.0;
    }
    var s = 0.0;
    for (var k = 0u; k < n; k = k + 1u) {
        s = s + exp(in0[base + k * inner] - m);
    }
    if (p[3] != 0u) {
        let ls = log(s);
        for (var k = 0u; k < n; k = k + 1u) {
            let i = base + k * inner;
            out[i] = in0[i] - m - ls;
        }
    } else {
        let inv = 1.0 / s;
        for (var k = 0u; k < n; k = k + 1u) {
            let i = base + k * inner;
            out[i] = exp(in0[i] - m) * inv;
        }
    }
}
