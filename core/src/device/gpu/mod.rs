//! The WebGPU backend: every op as a WGSL compute shader, dispatched through a per-device runtime
//! (buffer pool, pipeline and bind group caches, one open command encoder).
//!
//! wgpu maps to WebGPU in the browser and to Vulkan, Metal or DX12 natively, so the same kernels
//! run in the page, in a worker and in native tests (Mesa lavapipe in CI). Only f32 lives on the
//! GPU; moving an f64 tensor there is an error.

mod context;
mod fault;
mod kernels;
mod layout;
mod pool;
mod probe;
mod profiler;
mod readback;
mod registry;
mod runtime;
mod shaders;
mod storage;

pub use context::{AdapterSummary, GpuContext, GpuError};
pub use fault::{GpuFault, InjectedFault};
pub use kernels::run;
pub use pool::PoolStats;
pub use probe::saxpy;
pub use profiler::{KernelProfile, KernelTime, ProfileError};
pub use registry::GpuId;
pub use runtime::GpuStats;
pub use shaders::ShaderId;
pub use storage::{Gpu, GpuStorage};
