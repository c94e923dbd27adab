//! The one error type of the crate: every fallible operation returns [`Result`], and every
//! variant carries enough context (operation name, shapes, values) for the app to explain the
//! problem to a user without a debugger.

use crate::device::DType;

/// Everything that can go wrong in a tensor operation. Shapes are reported as plain
/// `Vec<usize>` so that messages read like PyTorch's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The operands' shapes do not fit together (broadcasting, matmul inner sizes, conv channels...).
    #[error("{op}: incompatible shapes {shapes:?}: {reason}")]
    ShapeMismatch {
        op: &'static str,
        shapes: Vec<Vec<usize>>,
        reason: String,
    },
    /// A dimension argument does not exist in the tensor.
    #[error("{op}: dimension {dim} out of range for a tensor of rank {rank}")]
    DimOutOfRange {
        op: &'static str,
        dim: isize,
        rank: usize,
    },
    /// An index value (gather index, class target, narrow range) is outside its dimension.
    #[error("{op}: index {index} out of range for a dimension of size {size}")]
    IndexOutOfRange {
        op: &'static str,
        index: i64,
        size: usize,
    },
    /// A scalar argument is out of its domain (negative stride, p outside [0, 1), ...).
    #[error("{op}: invalid argument: {reason}")]
    InvalidArgument { op: &'static str, reason: String },
    /// Operands have different element types.
    #[error("{op}: dtype mismatch, expected {expected:?}, got {got:?}")]
    DTypeMismatch {
        op: &'static str,
        expected: DType,
        got: DType,
    },
    /// Operands live on different devices.
    #[error("{op}: operands live on different devices")]
    DeviceMismatch { op: &'static str },
    /// The operation is not available on the tensor's device (yet).
    #[error("{op}: not supported on the {device} device")]
    Unsupported { op: &'static str, device: String },
    /// `backward` or `item` needs a one-element tensor.
    #[error("{op}: expected a scalar (one element), got shape {shape:?}")]
    NotScalar { op: &'static str, shape: Vec<usize> },
    /// Gradients were asked for a tensor that is not part of a differentiable graph.
    #[error("{op}: tensor does not require grad")]
    NoGrad { op: &'static str },
    /// A kernel on an accelerator failed (buffer mapping, device lost).
    #[error("{op}: device error: {reason}")]
    Device { op: &'static str, reason: String },
}

/// Result alias used by every fallible function in the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::ShapeMismatch`] from shape slices.
    pub fn shapes(op: &'static str, shapes: &[&[usize]], reason: impl Into<String>) -> Self {
        Error::ShapeMismatch {
            op,
            shapes: shapes.iter().map(|s| s.to_vec()).collect(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(op: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            op,
            reason: reason.into(),
        }
    }
}
