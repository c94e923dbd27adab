//! torchvision's `SqueezeExcitation`: channel attention from globally pooled features.

use super::{Activation, Conv2d, Ctx, Module, NamedTensor};
use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// `x * scale_act(fc2(act(fc1(avgpool(x)))))` with 1×1 convolutions `fc1`, `fc2` (biased).
#[derive(Debug, Clone)]
pub struct SqueezeExcitation {
    pub fc1: Conv2d,
    pub fc2: Conv2d,
    pub activation: Activation,
    pub scale_activation: Activation,
}

impl SqueezeExcitation {
    /// `channels → squeeze → channels`.
    pub fn new(
        channels: usize,
        squeeze: usize,
        activation: Activation,
        scale_activation: Activation,
        rng: &mut Rng,
    ) -> Result<Self> {
        Ok(SqueezeExcitation {
            fc1: Conv2d::new(channels, squeeze, 1, 1, 0, 1, 1, true, rng)?,
            fc2: Conv2d::new(squeeze, channels, 1, 1, 0, 1, 1, true, rng)?,
            activation,
            scale_activation,
        })
    }
}

impl Module for SqueezeExcitation {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let s = x.adaptive_avg_pool2d([1, 1])?;
        let s = self
            .activation
            .apply(&ctx.child("fc1", |c| self.fc1.forward(&s, c))?)?;
        let s = self
            .scale_activation
            .apply(&ctx.child("fc2", |c| self.fc2.forward(&s, c))?)?;
        x.mul(&s)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        self.fc1.named_tensors(&format!("{prefix}fc1."), out);
        self.fc2.named_tensors(&format!("{prefix}fc2."), out);
    }

    fn type_name(&self) -> &'static str {
        "SqueezeExcitation"
    }
}
