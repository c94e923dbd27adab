//! Where tensors live and kernels run.
//!
//! [`Storage`] is an enum over devices and [`run`] is the single dispatch point from an
//! [`Op`] to a device's kernels: the CPU arm calls `cpu::run`; a GPU arm slots in beside it.

pub mod cpu;
pub mod gpu;
mod transfer;

pub(crate) use transfer::gpu_values;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::autograd::Op;
use crate::error::{Error, Result};
use crate::tensor::Shape;
pub use cpu::{CpuStorage, Float};
pub use gpu::{GpuId, GpuStorage};

/// Element type. f32 is the compute type everywhere; f64 exists so gradcheck on the CPU can
/// use central differences without drowning in rounding error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DType {
    F32,
    F64,
}

/// Which device holds a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Device {
    Cpu,
    /// An opened GPU (see [`gpu::Gpu`]); the id names it in the process-wide registry.
    Gpu(GpuId),
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            Device::Gpu(id) => write!(f, "gpu:{id}"),
        }
    }
}

/// A tensor's data on its device. Cloning is cheap (`Arc`); storage is never mutated in place
/// once shared, so a reshape view and its source can hold the same `Arc`.
#[derive(Debug, Clone)]
pub enum Storage {
    Cpu(Arc<CpuStorage>),
    /// f32 values in a pooled GPU buffer.
    Gpu(Arc<GpuStorage>),
}

impl Storage {
    /// The device this storage lives on.
    pub fn device(&self) -> Device {
        match self {
            Storage::Cpu(_) => Device::Cpu,
            Storage::Gpu(g) => Device::Gpu(g.gpu().id()),
        }
    }

    /// Element type of the data.
    pub fn dtype(&self) -> DType {
        match self {
            Storage::Cpu(c) => c.dtype(),
            Storage::Gpu(_) => DType::F32,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Storage::Cpu(c) => c.len(),
            Storage::Gpu(g) => g.len(),
        }
    }

    /// True when the storage holds no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Runs the forward kernel of `op` on `inputs` (one dtype; the caller has checked shapes) and
/// returns the output storage of shape `out`. When any input is on a GPU the op runs there, and
/// CPU inputs (constants that op code builds with `scalar_like`, `from_vec`, ...) are uploaded
/// first, as torch does for 0-dim CPU tensors; inputs on two different GPUs are an error.
pub fn run(op: &Op, inputs: &[(&Storage, &Shape)], out: &Shape) -> Result<Storage> {
    let gpu = inputs.iter().find_map(|(s, _)| match s {
        Storage::Gpu(g) => Some(g.gpu()),
        Storage::Cpu(_) => None,
    });
    let Some(gpu) = gpu else {
        let cpu: Vec<(&CpuStorage, &[usize])> = inputs
            .iter()
            .filter_map(|(s, shape)| match s {
                Storage::Cpu(c) => Some((c.as_ref(), shape.dims())),
                Storage::Gpu(_) => None,
            })
            .collect();
        return Ok(Storage::Cpu(Arc::new(cpu::run(op, &cpu, out.dims())?)));
    };
    let mut on_gpu: Vec<Arc<GpuStorage>> = Vec::with_capacity(inputs.len());
    for (s, _) in inputs {
        on_gpu.push(match s {
            Storage::Gpu(g) if g.gpu().id() == gpu.id() => g.clone(),
            Storage::Gpu(_) => return Err(Error::DeviceMismatch { op: op.name() }),
            Storage::Cpu(c) => transfer::upload(op.name(), &gpu, c)?,
        });
    }
    let args: Vec<(&Arc<GpuStorage>, &[usize])> = on_gpu
        .iter()
        .zip(inputs)
        .map(|(g, (_, shape))| (g, shape.dims()))
        .collect();
    gpu::run(op, &args, out.dims())
        .map(Storage::Gpu)
        .map_err(transfer::gpu_error(op.name()))
}
