// Capability probe: y = alpha * x + y over a flat array.
// Small and exact in f32, so the app and the tests can check that a real kernel ran on the adapter.

struct Params {
    len: u32,
    alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn saxpy(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if (i < params.len) {
        y[i] = params.alpha * x[i] + y[i];
    }
}
