//! Where the benchmark's tensors live, and how a result comes back to JavaScript. This is the
//! only file that changes when a device lands in core: everything else is device-agnostic
//! tensor code.

use pixelgrad::{Device, Error, Result, Tensor};

/// A benchmark backend as the page names it (`cpu` = pixelgrad's CPU kernels in wasm,
/// `webgpu` = `Device::Gpu` through wgpu on the browser's WebGPU).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Cpu,
    WebGpu,
}

impl Backend {
    /// Parses the page's backend name.
    pub fn parse(name: &str) -> std::result::Result<Backend, String> {
        match name {
            "cpu" | "wasm" => Ok(Backend::Cpu),
            "webgpu" => Ok(Backend::WebGpu),
            other => Err(format!("unknown pixelgrad backend `{other}` (cpu, webgpu)")),
        }
    }

    /// The core device, or why there is none: the benchmark reports that instead of a number.
    pub fn device(self) -> std::result::Result<Device, String> {
        match self {
            Backend::Cpu => Ok(Device::Cpu),
            Backend::WebGpu => {
                Err("not available yet: pixelgrad core has no Device::Gpu".to_string())
            }
        }
    }
}

/// A leaf tensor with `values` on `device`.
pub fn upload(values: Vec<f32>, shape: &[usize], device: Device) -> Result<Tensor> {
    let t = Tensor::from_vec(values, shape.to_vec())?;
    if device == Device::Cpu {
        Ok(t)
    } else {
        Err(Error::invalid(
            "bench upload",
            format!("no transfer to {device} yet"),
        ))
    }
}

/// Reads a tensor back to the host (the loss scalar, the matmul result). Async so a GPU
/// read-back can await `map_async` without blocking the page.
pub async fn read(t: &Tensor) -> Result<Vec<f32>> {
    t.to_vec_f32()
}
