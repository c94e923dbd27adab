// Data movement: strided copies (permute, expand, narrow, and cat one part at a time), gather and
// its adjoint scatter-add. Index tensors hold integral f32 values; an index outside its dimension
// reads as 0 and scatters nothing (the CPU backend reports it as an error).
//
// Strided params: [n, rank, offset, 0, dims[8], strides[8]].

fn strided_offset(i: u32) -> u32 {
    if (p[1] == 1u) {
        return p[2] + i * p[12];
    }
    var rest = i;
    var off = p[2];
    for (var d = p[1]; d > 0u; d = d - 1u) {
        let size = p[3u + d];
        off = off + (rest % size) * p[11u + d];
        rest = rest / size;
    }
    return off;
}

// out[i] = in0[offset + sum(coord * stride)]: permute, expand (stride 0), narrow (offset).
@compute @workgroup_size(256)
fn copy_strided(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let i = flat_index(wid, nwg, lid);
    if (i >= p[0]) { return; }
    out[i] = in0[strided_offset(i)];
}

// out[offset + sum(coord * stride)] = in0[i]: writes one part of a concatenation.
@compute @workgroup_size(256)
fn copy_into(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let i = flat_index(wid, nwg, lid);
    if (i >= p[0]) { return; }
    out[strided_offset(i)] = in0[i];
}

// Converts an index value to a position in 0..size, or size when it is invalid.
fn to_index(v: f32, size: u32) -> u32 {
    if (v < 0.0 || v >= f32(size) || v != floor(v)) {
        return size;
    }
    return u32(v);
}

// torch.gather, inputs (x, index). Params: [n, rank, dim, x_dim_size, index_dims[8], x_strides[8]].
@compute @workgroup_size(256)
fn gather(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
    let i = flat_index(wid, nwg, lid);
    if (i >= p[0]) { return; }
    let dim = p[2];
    var rest = i;
    var off = 0u;
    for (var d = p[1]; d > 0u; d = d - 1u) {
        let size = p[3u + d];
        if (d - 1u != dim) {
            off = off + (rest % size) * p[11u + d];
        }
        rest = rest / size;
    }
    let k = to_index(in1[i], p[3]);
    if (k == p[3]) {
        out[i] = 0.0;
    } else {
        out[i] = in0[off + k * p[12u + dim]];
    }
}

// Scatter-add in gather form, inputs (index, src): each output element sums the src values whose
// index points at it, so no atomics are needed and the order is fixed.
// Params: [n, rank, dim, 0, out_dims[8], index_dims[8]].
@compute @workgroup_size(256)
fn scatter_add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let i = flat_index(wid, nwg, lid);
    if (i >= p[0]) { return; }
    let dim = p[2];
    let rank = p[1];
    var rest = i;
    var target_pos = 0u;
    var base = 0u;
    var stride = 1u;
    var dim_stride = 1u;
    var inside = true;
    for (var d = rank; d > 0u; d = d - 1u) {
        let size = p[3u + d];
        let isize = p[11u + d];
        let c = rest % size;
        rest = rest / size;
        if (d - 1u == dim) {
            target_pos = c;
            dim_stride = stride;
        } else {
            if (c >= isize) { inside = false; }
            base = base + c * stride;
        }
        stride = stride * isize;
    }
    var acc = 0.0;
    if (inside) {
        let count = p[12u + dim];
        for (var j = 0u; j < count; j = j + 1u) {
            let q = base + j * dim_stride;
            if (to_index(in0[q], p[4u + dim]) == target_pos) {
                acc = acc + in1[q];
            }
        }
    }
    out[i] = acc;
}
