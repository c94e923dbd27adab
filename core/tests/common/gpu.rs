//! Opening the GPU in native tests: a test may skip only when no adapter exists and
//! `REQUIRE_GPU` is unset (`cargo xtask test` sets it, so CI never skips silently).

use pixelgrad::device::gpu::{Gpu, GpuError};

/// The GPU, or `None` (with the reason printed) when the test may skip.
pub fn gpu_or_skip(test: &str) -> Option<Gpu> {
    match pollster::block_on(Gpu::new()) {
        Ok(gpu) => Some(gpu),
        Err(GpuError::NoAdapter(reason)) if std::env::var_os("REQUIRE_GPU").is_none() => {
            println!("skipping {test}: no GPU adapter ({reason})");
            None
        }
        Err(e) => panic!("{test}: GPU required (REQUIRE_GPU is set) but unavailable: {e}"),
    }
}
