//! Building blocks shared by the model families, named as in torchvision.

use crate::error::Result;
use crate::nn::{Activation, BatchNorm2d, Conv2d, Ctx, Module, NamedTensor};
use crate::rng::Rng;
use crate::tensor::{FanMode, Nonlinearity, Tensor};

/// A bias-free convolution with torchvision's CNN init, `kaiming_normal(fan_out, relu)`.
pub(crate) fn conv(
    in_c: usize,
    out_c: usize,
    k: usize,
    stride: usize,
    groups: usize,
    rng: &mut Rng,
) -> Result<Conv2d> {
    let c = Conv2d::same(in_c, out_c, k, stride, groups, rng)?;
    let w = Tensor::kaiming_normal(
        c.weight.dims().to_vec(),
        FanMode::FanOut,
        Nonlinearity::Relu,
        rng,
    )?;
    c.weight.set_data(&w)?;
    Ok(c)
}

/// torchvision's `Conv2dNormActivation`: children `0` conv, `1` batch norm, `2` activation.
pub(crate) struct ConvBnAct {
    pub conv: Conv2d,
    pub bn: BatchNorm2d,
    pub act: Option<Activation>,
}

impl ConvBnAct {
    /// `k × k` conv with "same" padding, stride, groups, then BN and an optional activation.
    pub fn new(
        in_c: usize,
        out_c: usize,
        k: usize,
        stride: usize,
        groups: usize,
        act: Option<Activation>,
        rng: &mut Rng,
    ) -> Result<Self> {
        Ok(ConvBnAct {
            conv: conv(in_c, out_c, k, stride, groups, rng)?,
            bn: BatchNorm2d::new(out_c),
            act,
        })
    }
}

impl Module for ConvBnAct {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let y = ctx.child("0", |c| self.conv.forward(x, c))?;
        let y = ctx.child("1", |c| self.bn.forward(&y, c))?;
        match self.act {
            Some(a) => ctx.child("2", |_| a.apply(&y)),
            None => Ok(y),
        }
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        self.conv.named_tensors(&format!("{prefix}0."), out);
        self.bn.named_tensors(&format!("{prefix}1."), out);
    }

    fn type_name(&self) -> &'static str {
        "Conv2dNormActivation"
    }
}

/// torchvision's `_make_divisible`: rounds channels to a multiple of `divisor`, never below
/// 90% of `v`.
pub(crate) fn make_divisible(v: f64, divisor: usize) -> usize {
    let d = divisor as f64;
    let mut new_v = (divisor).max(((v + d / 2.0) as usize) / divisor * divisor);
    if (new_v as f64) < 0.9 * v {
        new_v += divisor;
    }
    new_v
}

/// Global average pool then flatten: `[N, C, H, W] → [N, C]`.
pub(crate) fn global_pool(x: &Tensor) -> Result<Tensor> {
    x.adaptive_avg_pool2d([1, 1])?.flatten(1, -1)
}

/// Runs `m` as child `name` and returns its output.
pub(crate) fn run(ctx: &mut Ctx, name: &str, m: &dyn Module, x: &Tensor) -> Result<Tensor> {
    ctx.child(name, |c| m.forward(x, c))
}

/// Appends `m`'s tensors under `prefix + name + "."`.
pub(crate) fn named(m: &dyn Module, prefix: &str, name: &str, out: &mut Vec<NamedTensor>) {
    m.named_tensors(&format!("{prefix}{name}."), out);
}

#[cfg(test)]
mod tests {
    #[test]
    fn make_divisible_matches_torchvision() {
        use super::make_divisible;
        assert_eq!(make_divisible(32.0 * 0.5, 8), 16);
        assert_eq!(make_divisible(24.0 * 0.35, 8), 8);
        assert_eq!(make_divisible(1280.0, 8), 1280);
        assert_eq!(make_divisible(96.0 * 0.75, 8), 72);
        assert_eq!(make_divisible(20.0, 8), 24);
    }
}
