//! Where the benchmark's tensors live, and how a result comes back to JavaScript: the only file
//! that knows about devices; the workloads are device-agnostic tensor code.

use std::cell::RefCell;

use pixelgrad::device::gpu::Gpu;
use pixelgrad::{Device, Result, Tensor};

/// A benchmark backend as the page names it (`cpu` = pixelgrad's CPU kernels in wasm, with a
/// helper worker where the page is cross-origin isolated; `cpu1` = the same on one core;
/// `webgpu` = `Device::Gpu` through wgpu on the browser's WebGPU).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Cpu,
    WebGpu,
}

thread_local! {
    /// The opened GPU. Core's registry holds devices weakly, so the page keeps the handle for
    /// its lifetime; one device serves every workload, like one tfjs or jax-js backend does.
    static GPU: RefCell<Option<Gpu>> = const { RefCell::new(None) };
}

impl Backend {
    /// Parses the page's backend name.
    pub fn parse(name: &str) -> std::result::Result<Backend, String> {
        match name {
            "cpu" | "cpu1" | "wasm" => Ok(Backend::Cpu),
            "webgpu" => Ok(Backend::WebGpu),
            other => Err(format!(
                "unknown pixelgrad backend `{other}` (cpu, cpu1, webgpu)"
            )),
        }
    }

    /// The core device, opening the GPU (and compiling its pipelines) on first use; the error
    /// says why there is none, and the benchmark reports it instead of a number.
    pub async fn device(self) -> std::result::Result<Device, String> {
        match self {
            Backend::Cpu => Ok(Device::Cpu),
            Backend::WebGpu => {
                if let Some(gpu) = opened_gpu() {
                    return Ok(gpu.device());
                }
                let gpu = Gpu::new()
                    .await
                    .map_err(|e| format!("WebGPU unavailable: {e}"))?;
                gpu.warm_up()
                    .await
                    .map_err(|e| format!("WebGPU rejected a kernel: {e}"))?;
                let device = gpu.device();
                GPU.with(|g| *g.borrow_mut() = Some(gpu));
                Ok(device)
            }
        }
    }
}

fn opened_gpu() -> Option<Gpu> {
    GPU.with(|g| g.borrow().clone())
}

/// A leaf tensor with `values` on `device`.
pub fn upload(values: Vec<f32>, shape: &[usize], device: Device) -> Result<Tensor> {
    Tensor::from_vec(values, shape.to_vec())?.to_device(device)
}

/// Submits the step's recorded kernels, then reads `t` back without blocking the page.
pub async fn read(t: &Tensor) -> Result<Vec<f32>> {
    if let Some(gpu) = opened_gpu() {
        gpu.flush();
    }
    t.to_vec_async::<f32>().await
}

/// The GPU's counters: buffers created so far, bytes idle in the pool's free lists, and
/// dispatches and submits so far. Flat `created` over steps means steady-state steps allocate
/// nothing; the other two, differenced per step, are the step's dispatch and submit counts.
pub fn gpu_pool() -> Option<[u64; 4]> {
    opened_gpu().map(|g| {
        let s = g.stats();
        [s.pool.created, s.pool.free_bytes, s.dispatches, s.submits]
    })
}
