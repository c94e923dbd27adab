//! Layers and the [`Module`] trait. A module owns its parameters as leaf [`Tensor`] handles;
//! every consumer (optimizer, checkpoint, UI) reaches them by their PyTorch `state_dict` name
//! through [`Module::named_tensors`], so names are the one contract with PyTorch.
//!
//! Forward passes take a [`Ctx`] instead of a module-wide train/eval flag: the mode, the
//! dropout generator, activation recording and MAC counting travel with the call.

mod activation;
mod attention;
mod container;
mod conv;
mod ctx;
mod linear;
mod norm;
mod patch;
mod pool;
mod se;
mod state;
mod summary;

pub use activation::{Activation, Dropout, StochasticDepth};
pub use attention::MultiheadAttention;
pub use container::{Residual, Sequential};
pub use conv::Conv2d;
pub use ctx::{Ctx, Record};
pub use linear::{Flatten, Identity, Linear};
pub use norm::{BatchNorm2d, LayerNorm, LayerNorm2d};
pub use patch::PatchEmbedding;
pub use pool::{AdaptiveAvgPool2d, AvgPool2d, MaxPool2d};
pub use se::SqueezeExcitation;
pub use state::{
    count_parameters, count_trainable, freeze, load_state_dict, macs_per_sample, move_to_device,
    parameters, state_dict, trainable_parameters, unfreeze, LoadReport,
};
pub use summary::{summary, LayerSummary};

use crate::error::Result;
use crate::tensor::Tensor;

/// A parameter (trained) or a buffer (running statistics: saved, not trained).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorKind {
    Parameter,
    Buffer,
}

/// A tensor of a module under its full `state_dict` name. The tensor is a handle: updating its
/// data (optimizer step, loading) updates the module.
#[derive(Debug, Clone)]
pub struct NamedTensor {
    pub name: String,
    pub tensor: Tensor,
    pub kind: TensorKind,
}

/// A layer or a whole network.
pub trait Module {
    /// The forward pass.
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor>;

    /// Appends this module's tensors, names prefixed with `prefix` (`""` at the root, else
    /// ending with a dot), in PyTorch's registration order.
    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>);

    /// PyTorch's class name, for summaries and graph drawings.
    fn type_name(&self) -> &'static str;
}

/// A borrowed module is a module, so [`crate::train::Trainer`] can own either a model or a
/// reference to one.
impl<T: Module + ?Sized> Module for &T {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        (**self).forward(x, ctx)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        (**self).named_tensors(prefix, out)
    }

    fn type_name(&self) -> &'static str {
        (**self).type_name()
    }
}

/// A boxed module is a module (models built at run time from a spec).
impl<T: Module + ?Sized> Module for Box<T> {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        (**self).forward(x, ctx)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        (**self).named_tensors(prefix, out)
    }

    fn type_name(&self) -> &'static str {
        (**self).type_name()
    }
}

/// Pushes a parameter named `prefix + name`.
pub(crate) fn push_param(out: &mut Vec<NamedTensor>, prefix: &str, name: &str, t: &Tensor) {
    out.push(NamedTensor {
        name: format!("{prefix}{name}"),
        tensor: t.clone(),
        kind: TensorKind::Parameter,
    });
}

/// Pushes a buffer named `prefix + name`.
pub(crate) fn push_buffer(out: &mut Vec<NamedTensor>, prefix: &str, name: &str, t: &Tensor) {
    out.push(NamedTensor {
        name: format!("{prefix}{name}"),
        tensor: t.clone(),
        kind: TensorKind::Buffer,
    });
}

/// A fresh trainable leaf.
pub(crate) fn param(t: Tensor) -> Tensor {
    t.set_requires_grad(true).expect("fresh tensors are leaves");
    t
}

#[cfg(test)]
mod tests;
