// Deterministic reductions (sum, amax) over any set of axes: no atomics, a fixed order of
// combination for given shapes, so a seed reproduces a run bit for bit on one adapter.
//
// The host splits the input's dims into kept and reduced lists, each coalesced to at most 6
// dims. Params: [n_out, r_count, n_kept, n_red, kept_dims[6], kept_strides[6], red_dims[6],
// red_strides[6], op] with op 0 = sum, 1 = max (NaN propagates). The op is also the pipeline
// constant MODE, which the kernels branch on (a constant branch costs software adapters
// nothing; a parameter branch runs both sides).

override MODE: u32 = 0u;
const OP_MAX: u32 = 1u;

fn kept_offset(o: u32) -> u32 {
    if (p[2] == 1u) {
        return o * p[10];
    }
    var rest = o;
    var off = 0u;
    for (var d = p[2]; d > 0u; d = d - 1u) {
        let size = p[3u + d];
        off = off + (rest % size) * p[9u + d];
        rest = rest / size;
    }
    return off;
}

fn red_offset(r: u32) -> u32 {
    if (p[3] == 1u) {
        return r * p[22];
    }
    var rest = r;
    var off = 0u;
    for (var d = p[3]; d > 0u; d = d - 1u) {
        let size = p[15u + d];
        off = off + (rest % size) * p[21u + d];
        rest = rest / size;
    }
    return off;
}

fn identity() -> f32 {
    return select(0.0, neg_inf(), MODE == OP_MAX);
}

fn combine(acc: f32, v: f32) -> f32 {
    if (MODE == OP_MAX) {
        return select(v, acc, acc != acc || acc >= v);
    }
    return acc + v;
}

// One invocation per output: best when there are many outputs or few values per output.
@compute @workgroup_size(256)
fn reduce_serial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let o = flat_index(wid, nwg, lid);
    if (o >= p[0]) {
        return;
    }
    let base = kept_offset(o);
    var acc = identity();
    for (var r = 0u; r < p[1]; r = r + 1u) {
        acc = combine(acc, in0[base + red_offset(r)]);
    }
    out[o] = acc;
}

var<workgroup> partial: array<f32, 256>;

// One workgroup per output: strided partial results, then a fixed tree in workgroup memory.
@compute @workgroup_size(256)
fn reduce_tree(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let o = wid.y * nwg.x + wid.x;
    let in_range = o < p[0];
    var acc = identity();
    if (in_range) {
        let base = kept_offset(o);
        for (var r = lid; r < p[1]; r = r + WG) {
            acc = combine(acc, in0[base + red_offset(r)]);
        }
    }
    partial[lid] = acc;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s / 2u) {
        if (lid < s) {
            partial[lid] = combine(partial[lid], partial[lid + s]);
        }
        workgroupBarrier();
    }
    if (in_range && lid == 0u) {
        out[o] = partial[0];
    }
}
