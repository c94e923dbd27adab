//! The WebGPU backend: one wgpu device per context, shared by every GPU tensor.
//!
//! wgpu maps to WebGPU in the browser and to Vulkan, Metal or DX12 natively, so the same kernels
//! run in the page, in a worker and in native tests (Mesa lavapipe in CI).

mod context;
mod probe;
mod readback;

pub use context::{AdapterSummary, GpuContext, GpuError};
pub use probe::saxpy;
