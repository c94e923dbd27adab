//! Moving data between devices: uploads, read-backs (blocking natively, async everywhere) and
//! the tensor methods built on them.

use std::sync::Arc;

use super::gpu::{Gpu, GpuError, GpuStorage};
use super::{CpuStorage, DType, Device, Float, Storage};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Turns a backend error into the crate's error, naming the operation.
pub(crate) fn gpu_error(op: &'static str) -> impl Fn(GpuError) -> Error {
    move |e| Error::Device {
        op,
        reason: e.to_string(),
    }
}

/// Copies CPU data to `gpu`; only f32 lives on the GPU.
pub(crate) fn upload(op: &'static str, gpu: &Gpu, c: &CpuStorage) -> Result<Arc<GpuStorage>> {
    match c {
        CpuStorage::F32(v) => Ok(Arc::new(gpu.upload(v).map_err(gpu_error(op))?)),
        CpuStorage::F64(_) => Err(Error::DTypeMismatch {
            op,
            expected: DType::F32,
            got: DType::F64,
        }),
    }
}

fn open_gpu(op: &'static str, device: Device) -> Result<Option<Gpu>> {
    match device {
        Device::Cpu => Ok(None),
        Device::Gpu(id) => Gpu::get(id).map(Some).ok_or_else(|| Error::Device {
            op,
            reason: format!("GPU device {id} is not open"),
        }),
    }
}

/// Values of GPU storage as `T`, blocking until the GPU is done. In the browser a thread may
/// not block, so there this is an error pointing at the async read.
pub(crate) fn gpu_values<T: Float>(g: &GpuStorage) -> Result<Vec<T>> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let v = g.read_blocking().map_err(gpu_error("to_vec"))?;
        Ok(v.into_iter().map(|x| T::from_f64(f64::from(x))).collect())
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = g;
        Err(Error::Unsupported {
            op: "to_vec",
            device: "gpu without blocking (use to_vec_async in the browser)".into(),
        })
    }
}

impl Storage {
    /// The same values on `device` (shared, not copied, when already there).
    pub fn to_device(&self, device: Device) -> Result<Storage> {
        if self.device() == device {
            return Ok(self.clone());
        }
        let op = "to_device";
        match (self, open_gpu(op, device)?) {
            (Storage::Cpu(c), Some(gpu)) => Ok(Storage::Gpu(upload(op, &gpu, c)?)),
            (Storage::Gpu(g), None) => Ok(Storage::Cpu(Arc::new(CpuStorage::F32(gpu_values(g)?)))),
            (Storage::Gpu(g), Some(gpu)) => {
                let v = gpu_values::<f32>(g)?;
                Ok(Storage::Gpu(Arc::new(
                    gpu.upload(&v).map_err(gpu_error(op))?,
                )))
            }
            (Storage::Cpu(_), None) => Ok(self.clone()),
        }
    }
}

impl Tensor {
    /// This tensor's values on `device`, as a new leaf without history (moves happen once,
    /// for data and parameters, before a graph is built); `requires_grad` carries over from a
    /// leaf. Returns `self` when already there.
    pub fn to_device(&self, device: Device) -> Result<Tensor> {
        if self.device() == device {
            return Ok(self.clone());
        }
        let t = Tensor::from_storage(self.storage().to_device(device)?, self.shape().clone())?;
        if self.is_leaf() && self.requires_grad() {
            t.set_requires_grad(true)?;
        }
        Ok(t)
    }

    /// Moves to the given opened GPU.
    pub fn to_gpu(&self, gpu: &Gpu) -> Result<Tensor> {
        self.to_device(gpu.device())
    }

    /// The values as `T`, awaiting the GPU without blocking: the read to use in the browser.
    pub async fn to_vec_async<T: Float>(&self) -> Result<Vec<T>> {
        match self.storage() {
            Storage::Gpu(g) => {
                let v = g.read().await.map_err(gpu_error("to_vec_async"))?;
                Ok(v.into_iter().map(|x| T::from_f64(f64::from(x))).collect())
            }
            Storage::Cpu(_) => self.to_vec(),
        }
    }

    /// The value of a one-element tensor (the loss), awaited without blocking.
    pub async fn item_async(&self) -> Result<f64> {
        if self.numel() != 1 {
            return Err(Error::NotScalar {
                op: "item",
                shape: self.dims().to_vec(),
            });
        }
        Ok(self.to_vec_async::<f64>().await?[0])
    }
}
