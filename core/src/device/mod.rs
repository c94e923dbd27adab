//! Where tensors live and kernels run.
//!
//! [`Storage`] is an enum over devices and [`run`] is the single dispatch point from an
//! [`Op`] to a device's kernels: the CPU arm calls `cpu::run`; a GPU arm slots in beside it.

pub mod cpu;
pub mod gpu;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::autograd::Op;
use crate::error::{Error, Result};
use crate::tensor::Shape;
pub use cpu::{CpuStorage, Float};

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
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
        }
    }
}

/// A tensor's data on its device. Cloning is cheap (`Arc`); storage is never mutated in place
/// once shared, so a reshape view and its source can hold the same `Arc`.
#[derive(Debug, Clone)]
pub enum Storage {
    Cpu(Arc<CpuStorage>),
}

impl Storage {
    /// The device this storage lives on.
    pub fn device(&self) -> Device {
        match self {
            Storage::Cpu(_) => Device::Cpu,
        }
    }

    /// Element type of the data.
    pub fn dtype(&self) -> DType {
        match self {
            Storage::Cpu(c) => c.dtype(),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Storage::Cpu(c) => c.len(),
        }
    }

    /// True when the storage holds no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Runs the forward kernel of `op` on `inputs` (all on one device, one dtype; the caller has
/// checked shapes) and returns the output storage of shape `out`.
pub fn run(op: &Op, inputs: &[(&Storage, &Shape)], out: &Shape) -> Result<Storage> {
    let device = inputs
        .first()
        .map(|(s, _)| s.device())
        .unwrap_or(Device::Cpu);
    if inputs.iter().any(|(s, _)| s.device() != device) {
        return Err(Error::DeviceMismatch { op: op.name() });
    }
    match device {
        Device::Cpu => {
            let cpu: Vec<(&CpuStorage, &[usize])> = inputs
                .iter()
                .map(|(s, shape)| match s {
                    Storage::Cpu(c) => (c.as_ref(), shape.dims()),
                })
                .collect();
            Ok(Storage::Cpu(Arc::new(cpu::run(op, &cpu, out.dims())?)))
        }
    }
}
