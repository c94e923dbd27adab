//! Every WGSL module the GPU backend compiles passes naga's front end and validator, and
//! defines every entry point the runtime dispatches. Runs without a GPU.
#![cfg(not(target_arch = "wasm32"))]

use pixelgrad::device::gpu::ShaderId;

#[test]
fn every_shader_module_validates_with_naga() {
    for shader in ShaderId::ALL {
        let source = shader.source();
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}", shader.name(), e.emit_to_string(&source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{}: {}", shader.name(), e.emit_to_string(&source)));
        for entry in shader.entries() {
            assert!(
                module.entry_points.iter().any(|ep| ep.name == entry),
                "{} has no entry point `{entry}`",
                shader.name()
            );
        }
    }
}
