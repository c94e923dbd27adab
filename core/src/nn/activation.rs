//! Parameter-free modules: activations, dropout and stochastic depth.

use serde::{Deserialize, Serialize};

use super::{Ctx, Module, NamedTensor};
use crate::error::{Error, Result};
use crate::ops::GeluApproximate;
use crate::tensor::Tensor;

/// An activation function as a module (and as serde data in model specs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Relu,
    /// `min(max(x, 0), 6)` (MobileNet).
    Relu6,
    LeakyRelu(f64),
    Gelu,
    Silu,
    Hardswish,
    Sigmoid,
    Tanh,
}

impl Activation {
    /// Applies the function.
    pub fn apply(self, x: &Tensor) -> Result<Tensor> {
        match self {
            Activation::Relu => x.relu(),
            Activation::Relu6 => x.clamp(Some(0.0), Some(6.0)),
            Activation::LeakyRelu(s) => x.leaky_relu(s),
            Activation::Gelu => x.gelu(GeluApproximate::None),
            Activation::Silu => x.silu(),
            Activation::Hardswish => x.hardswish(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
        }
    }
}

impl Module for Activation {
    fn forward(&self, x: &Tensor, _ctx: &mut Ctx) -> Result<Tensor> {
        self.apply(x)
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::Relu6 => "ReLU6",
            Activation::LeakyRelu(_) => "LeakyReLU",
            Activation::Gelu => "GELU",
            Activation::Silu => "SiLU",
            Activation::Hardswish => "Hardswish",
            Activation::Sigmoid => "Sigmoid",
            Activation::Tanh => "Tanh",
        }
    }
}

/// `torch.nn.Dropout(p)`: active only in training, seeded by the context's generator.
#[derive(Debug, Clone, Copy)]
pub struct Dropout {
    pub p: f64,
}

impl Module for Dropout {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        x.dropout(self.p, ctx.training, &mut ctx.rng)
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        "Dropout"
    }
}

/// torchvision `StochasticDepth(p, "row")`: in training, drops the whole residual branch of
/// each sample with probability `p` and scales survivors by `1 / (1 - p)`.
#[derive(Debug, Clone, Copy)]
pub struct StochasticDepth {
    pub p: f64,
}

impl Module for StochasticDepth {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        if !(0.0..=1.0).contains(&self.p) {
            return Err(Error::invalid(
                "StochasticDepth",
                format!("p {} outside [0, 1]", self.p),
            ));
        }
        if !ctx.training || self.p == 0.0 {
            return Ok(x.clone());
        }
        let n = x.dims().first().copied().unwrap_or(1);
        let keep = 1.0 - self.p;
        let mask: Vec<f32> = ctx
            .rng
            .uniform(n, 0.0, 1.0)
            .into_iter()
            .map(|u| {
                if f64::from(u) < keep {
                    (1.0 / keep) as f32
                } else {
                    0.0
                }
            })
            .collect();
        let mut shape = vec![1; x.rank()];
        shape[0] = n;
        x.mul(&Tensor::from_vec(mask, shape)?.to_dtype(x.dtype())?)
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        "StochasticDepth"
    }
}
