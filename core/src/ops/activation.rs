//! Activation functions and softmax, with PyTorch's names and defaults.

use crate::autograd::{Op, UnaryOp};
use crate::error::Result;
use crate::tensor::shape::normalize_dim;
use crate::tensor::Tensor;

/// torch's `approximate` argument of GELU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GeluApproximate {
    /// Exact: `x * Phi(x)` with erf.
    #[default]
    None,
    /// `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
    Tanh,
}

impl Tensor {
    /// max(x, 0).
    pub fn relu(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Relu)
    }

    /// x for x > 0, else `negative_slope * x` (torch default slope 0.01).
    pub fn leaky_relu(&self, negative_slope: f64) -> Result<Tensor> {
        self.unary(UnaryOp::LeakyRelu(negative_slope))
    }

    /// 1 / (1 + e^-x).
    pub fn sigmoid(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Sigmoid)
    }

    /// Hyperbolic tangent.
    pub fn tanh(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Tanh)
    }

    /// x * sigmoid(x) (a.k.a. swish).
    pub fn silu(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Silu)
    }

    /// GELU, exact or tanh-approximated.
    pub fn gelu(&self, approximate: GeluApproximate) -> Result<Tensor> {
        self.unary(UnaryOp::Gelu {
            tanh: approximate == GeluApproximate::Tanh,
        })
    }

    /// x * relu6(x + 3) / 6 (MobileNetV3).
    pub fn hardswish(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Hardswish)
    }

    /// relu6(x + 3) / 6.
    pub fn hardsigmoid(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Hardsigmoid)
    }

    /// Softmax along `dim` (negative counts from the end).
    pub fn softmax(&self, dim: isize) -> Result<Tensor> {
        let d = normalize_dim("softmax", dim, self.rank())?;
        if self.rank() == 0 {
            return Ok(self.ones_like());
        }
        Tensor::from_op(
            Op::Softmax { dim: d },
            vec![self.clone()],
            self.dims().to_vec(),
        )
    }

    /// Log of softmax along `dim`, computed stably in one pass.
    pub fn log_softmax(&self, dim: isize) -> Result<Tensor> {
        let d = normalize_dim("log_softmax", dim, self.rank())?;
        if self.rank() == 0 {
            return Ok(self.zeros_like());
        }
        Tensor::from_op(
            Op::LogSoftmax { dim: d },
            vec![self.clone()],
            self.dims().to_vec(),
        )
    }
}
