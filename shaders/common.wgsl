// Shared prelude of every pixelgrad kernel module (prepended by the runtime before compiling).
//
// Binding scheme, identical for all kernels so that bind group layouts are created once:
//   0: per-dispatch parameters (u32 words; floats as bit patterns), bound with a dynamic offset
//   1: the output buffer
//   2, 3, 4: the inputs, in the order of the op's inputs
// 1-D kernels run 256 invocations per workgroup; grids larger than 65535 workgroups are split
// over y by the host, so the flat index is rebuilt from the workgroup id and the grid size.

@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> in0: array<f32>;
@group(0) @binding(3) var<storage, read> in1: array<f32>;
@group(0) @binding(4) var<storage, read> in2: array<f32>;

const WG: u32 = 256u;

fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * WG + lid;
}

fn pf(i: u32) -> f32 {
    return bitcast<f32>(p[i]);
}

// -inf built at run time: an infinite constant expression is a shader-creation error in WGSL.
fn neg_inf() -> f32 {
    return bitcast<f32>(0xff800000u | (p[0] & 0u));
}
