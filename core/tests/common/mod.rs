//! Helpers shared by the GPU test binaries (each binary uses a different subset).
#![allow(dead_code)]

#[cfg(not(target_arch = "wasm32"))]
pub mod gpu;
pub mod lenet;
pub mod op_cases;
pub mod spatial_cases;
