//! The tensor handle: a cheap-to-clone `Arc` to an immutable graph node holding shape, dtype,
//! storage, the [`Op`] that made it (with its inputs) and, for leaves, a gradient slot.
//!
//! Rule: every tensor is contiguous row-major. `reshape` shares storage; everything else that
//! moves data (permute, narrow, expand, cat) materializes a copy. Kernels on every device may
//! rely on it.

mod create;
mod display;
pub(crate) mod shape;

pub use create::{FanMode, Nonlinearity};
pub use shape::Shape;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::autograd::{grad_mode, Op};
use crate::device::{self, CpuStorage, DType, Device, Float, Storage};
use crate::error::{Error, Result};

/// How a non-leaf tensor was made: the op and its inputs (kept alive for backward).
#[derive(Debug)]
pub struct Node {
    pub op: Op,
    pub inputs: Vec<Tensor>,
}

#[derive(Debug)]
struct Inner {
    id: u64,
    shape: Shape,
    dtype: DType,
    storage: RwLock<Storage>,
    node: Option<Node>,
    requires_grad: AtomicBool,
    grad: Mutex<Option<Tensor>>,
}

/// A handle to a tensor; clones share the same node. See the module docs for the layout rule.
#[derive(Debug, Clone)]
pub struct Tensor(Arc<Inner>);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Tensor {
    /// A leaf from storage (no graph history).
    pub fn from_storage(storage: Storage, shape: impl Into<Shape>) -> Result<Tensor> {
        let shape = shape.into();
        if storage.len() != shape.numel() {
            return Err(Error::shapes(
                "from_storage",
                &[shape.dims(), &[storage.len()]],
                "element count does not match the shape",
            ));
        }
        Ok(Tensor::build(storage, shape, None, false))
    }

    fn build(storage: Storage, shape: Shape, node: Option<Node>, requires_grad: bool) -> Tensor {
        Tensor(Arc::new(Inner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            dtype: storage.dtype(),
            shape,
            storage: RwLock::new(storage),
            node,
            requires_grad: AtomicBool::new(requires_grad),
            grad: Mutex::new(None),
        }))
    }

    /// Records `op` applied to `inputs` with output shape `shape`: runs the device kernel and,
    /// when gradients are needed, keeps the node. Callers (the ops layer) validate shapes first.
    pub(crate) fn from_op(op: Op, inputs: Vec<Tensor>, shape: Vec<usize>) -> Result<Tensor> {
        if let Some(first) = inputs.first() {
            for t in &inputs[1..] {
                if t.dtype() != first.dtype() {
                    return Err(Error::DTypeMismatch {
                        op: op.name(),
                        expected: first.dtype(),
                        got: t.dtype(),
                    });
                }
            }
        }
        let shape = Shape::new(shape);
        let storage = if op == Op::Reshape {
            inputs[0].storage()
        } else {
            let st: Vec<Storage> = inputs.iter().map(Tensor::storage).collect();
            let args: Vec<(&Storage, &Shape)> = st
                .iter()
                .zip(&inputs)
                .map(|(s, t)| (s, t.shape()))
                .collect();
            device::run(&op, &args, &shape)?
        };
        let requires_grad = grad_mode::is_enabled()
            && op.is_differentiable()
            && inputs.iter().any(Tensor::requires_grad);
        let node = requires_grad.then_some(Node { op, inputs });
        Ok(Tensor::build(storage, shape, node, requires_grad))
    }

    /// Unique id of this node (stable for the tensor's lifetime; used by autograd maps).
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// The shape.
    pub fn shape(&self) -> &Shape {
        &self.0.shape
    }

    /// The dimensions, as a slice.
    pub fn dims(&self) -> &[usize] {
        self.0.shape.dims()
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.0.shape.rank()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.0.shape.numel()
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// Device holding the data.
    pub fn device(&self) -> Device {
        self.storage().device()
    }

    /// The storage (a cheap `Arc` clone of the current data).
    pub fn storage(&self) -> Storage {
        self.0
            .storage
            .read()
            .expect("storage lock poisoned")
            .clone()
    }

    /// The graph node, if this tensor was computed with gradients enabled.
    pub fn node(&self) -> Option<&Node> {
        self.0.node.as_ref()
    }

    /// The op that made this tensor (None for leaves and for results computed without grad).
    pub fn op(&self) -> Option<&Op> {
        self.0.node.as_ref().map(|n| &n.op)
    }

    /// Whether gradients flow to or through this tensor.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.load(Ordering::Relaxed)
    }

    /// True for tensors without graph history (parameters, data, constants).
    pub fn is_leaf(&self) -> bool {
        self.0.node.is_none()
    }

    /// Marks a leaf as a parameter whose gradient `backward` should accumulate. Errors on
    /// non-leaves, whose flag follows from their inputs.
    pub fn set_requires_grad(&self, on: bool) -> Result<&Tensor> {
        if !self.is_leaf() {
            return Err(Error::invalid(
                "set_requires_grad",
                "only leaf tensors can change requires_grad; use detach()",
            ));
        }
        self.0.requires_grad.store(on, Ordering::Relaxed);
        Ok(self)
    }

    /// Builder form of [`Tensor::set_requires_grad`] for freshly created leaves.
    pub fn requires_grad_(self) -> Result<Tensor> {
        self.set_requires_grad(true)?;
        Ok(self)
    }

    /// The accumulated gradient of a leaf after `backward`.
    pub fn grad(&self) -> Option<Tensor> {
        self.0.grad.lock().expect("grad lock poisoned").clone()
    }

    /// Replaces the gradient slot (the engine and optimizers use this).
    pub fn set_grad(&self, g: Option<Tensor>) {
        *self.0.grad.lock().expect("grad lock poisoned") = g;
    }

    /// Clears the gradient (PyTorch's `set_to_none=True`).
    pub fn zero_grad(&self) {
        self.set_grad(None);
    }

    /// Same data, no history, no gradient: cuts the graph.
    pub fn detach(&self) -> Tensor {
        Tensor::build(self.storage(), self.shape().clone(), None, false)
    }

    /// Replaces a leaf's data in place (optimizer steps, running statistics). The new data
    /// must have the same shape and dtype; tensors computed earlier keep the old values.
    pub fn set_data(&self, data: &Tensor) -> Result<()> {
        if data.dims() != self.dims() {
            return Err(Error::shapes(
                "set_data",
                &[self.dims(), data.dims()],
                "shapes differ",
            ));
        }
        if data.dtype() != self.dtype() {
            return Err(Error::DTypeMismatch {
                op: "set_data",
                expected: self.dtype(),
                got: data.dtype(),
            });
        }
        if !self.is_leaf() {
            return Err(Error::invalid(
                "set_data",
                "only leaf tensors can be overwritten",
            ));
        }
        *self.0.storage.write().expect("storage lock poisoned") = data.storage();
        Ok(())
    }

    /// The values as `T` (converted if the dtype differs), read back from the device.
    pub fn to_vec<T: Float>(&self) -> Result<Vec<T>> {
        match self.storage() {
            Storage::Cpu(c) => Ok(match T::slice(&c) {
                Some(s) => s.to_vec(),
                None => c.to_f64_vec().into_iter().map(T::from_f64).collect(),
            }),
            Storage::Gpu(g) => device::gpu_values(&g),
        }
    }

    /// The values as f32.
    pub fn to_vec_f32(&self) -> Result<Vec<f32>> {
        self.to_vec::<f32>()
    }

    /// The value of a one-element tensor (the loss), as f64.
    pub fn item(&self) -> Result<f64> {
        if self.numel() != 1 {
            return Err(Error::NotScalar {
                op: "item",
                shape: self.dims().to_vec(),
            });
        }
        Ok(self.to_vec::<f64>()?[0])
    }

    /// A new leaf with the values converted to `dtype` (no graph history).
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        let v = self.to_vec::<f64>()?;
        let storage = match dtype {
            DType::F32 => CpuStorage::F32(v.into_iter().map(|x| x as f32).collect()),
            DType::F64 => CpuStorage::F64(v),
        };
        Tensor::from_storage(Storage::Cpu(Arc::new(storage)), self.shape().clone())
    }
}
