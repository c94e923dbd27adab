//! ConvNeXt (Liu et al. 2022), torchvision layout and names: `features.0` patchify stem
//! (conv + `LayerNorm2d`), stages of CNBlocks (`layer_scale`, `block.0` depthwise 7×7,
//! `block.2` channels-last LayerNorm, `block.3`/`block.5` pointwise MLP), downsampling
//! layers between stages, and `classifier` (`LayerNorm2d`, flatten, linear).

use serde::{Deserialize, Serialize};

use super::blocks::{named, run};
use super::mobilenet::GlobalPool;
use crate::error::Result;
use crate::nn::{
    param, push_param, Conv2d, Ctx, Flatten, LayerNorm, LayerNorm2d, Linear, Module, NamedTensor,
    Sequential, StochasticDepth,
};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// ConvNeXt settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvNextConfig {
    /// Channels per stage (tiny: 96, 192, 384, 768).
    pub dims: Vec<usize>,
    /// Blocks per stage (tiny: 3, 3, 9, 3).
    pub depths: Vec<usize>,
    /// Stem patch size (4 in the paper; 2 suits 28–32 px inputs).
    pub stem: usize,
    pub stochastic_depth: f64,
    pub layer_scale: f64,
}

/// Conv/linear init of torchvision's ConvNeXt: normal(0, 0.02) (truncation at ±2σ does not
/// matter at this scale), zero bias.
fn init_normal(w: &Tensor, b: Option<&Tensor>, rng: &mut Rng) -> Result<()> {
    w.set_data(&Tensor::normal(w.dims().to_vec(), 0.0, 0.02, rng).clamp(Some(-0.04), Some(0.04))?)?;
    if let Some(b) = b {
        b.set_data(&Tensor::zeros(b.dims().to_vec()))?;
    }
    Ok(())
}

struct CnBlock {
    layer_scale: Tensor,
    dwconv: Conv2d,
    norm: LayerNorm,
    pw1: Linear,
    pw2: Linear,
    stochastic_depth: StochasticDepth,
}

impl Module for CnBlock {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let h = ctx.child("block", |ctx| {
            let h = run(ctx, "0", &self.dwconv, x)?.permute(&[0, 2, 3, 1])?;
            let h = run(ctx, "2", &self.norm, &h)?;
            let h = run(ctx, "3", &self.pw1, &h)?.gelu(crate::ops::GeluApproximate::None)?;
            run(ctx, "5", &self.pw2, &h)?.permute(&[0, 3, 1, 2])
        })?;
        self.stochastic_depth
            .forward(&h.mul(&self.layer_scale)?, ctx)?
            .add(x)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        push_param(out, prefix, "layer_scale", &self.layer_scale);
        named(&self.dwconv, prefix, "block.0", out);
        named(&self.norm, prefix, "block.2", out);
        named(&self.pw1, prefix, "block.3", out);
        named(&self.pw2, prefix, "block.5", out);
    }

    fn type_name(&self) -> &'static str {
        "CNBlock"
    }
}

/// Builds the network.
pub(crate) fn build(
    in_c: usize,
    cfg: &ConvNextConfig,
    classes: usize,
    rng: &mut Rng,
) -> Result<Sequential> {
    let stem_conv = Conv2d::new(in_c, cfg.dims[0], cfg.stem, cfg.stem, 0, 1, 1, true, rng)?;
    init_normal(&stem_conv.weight, stem_conv.bias.as_ref(), rng)?;
    let mut features = Sequential::new().push(
        Sequential::new()
            .push(stem_conv)
            .push(LayerNorm2d::new(cfg.dims[0], 1e-6)),
    );
    let total: usize = cfg.depths.iter().sum();
    let mut id = 0;
    for (i, (&dim, &depth)) in cfg.dims.iter().zip(&cfg.depths).enumerate() {
        let mut stage = Sequential::new();
        for _ in 0..depth {
            let dwconv = Conv2d::new(dim, dim, 7, 1, 3, 1, dim, true, rng)?;
            init_normal(&dwconv.weight, dwconv.bias.as_ref(), rng)?;
            let pw1 = Linear::new(dim, 4 * dim, true, rng)?;
            let pw2 = Linear::new(4 * dim, dim, true, rng)?;
            init_normal(&pw1.weight, pw1.bias.as_ref(), rng)?;
            init_normal(&pw2.weight, pw2.bias.as_ref(), rng)?;
            let p = cfg.stochastic_depth * id as f64 / (total.max(2) - 1) as f64;
            stage = stage.push(CnBlock {
                layer_scale: param(Tensor::full([dim, 1, 1], cfg.layer_scale as f32)),
                dwconv,
                norm: LayerNorm::new(dim, 1e-6),
                pw1,
                pw2,
                stochastic_depth: StochasticDepth { p },
            });
            id += 1;
        }
        features = features.push(stage);
        if let Some(&next) = cfg.dims.get(i + 1) {
            let down = Conv2d::new(dim, next, 2, 2, 0, 1, 1, true, rng)?;
            init_normal(&down.weight, down.bias.as_ref(), rng)?;
            features = features.push(
                Sequential::new()
                    .push(LayerNorm2d::new(dim, 1e-6))
                    .push(down),
            );
        }
    }
    let last = *cfg.dims.last().unwrap_or(&1);
    let fc = Linear::new(last, classes, true, rng)?;
    init_normal(&fc.weight, fc.bias.as_ref(), rng)?;
    Ok(Sequential::new()
        .push_named("features", features)
        .push_named("avgpool", GlobalPool)
        .push_named(
            "classifier",
            Sequential::new()
                .push(FlatNorm(LayerNorm::new(last, 1e-6)))
                .push(Flatten)
                .push(fc),
        ))
}

/// torchvision applies `LayerNorm2d` to the pooled `[N, C, 1, 1]` map; after the flatten
/// of [`GlobalPool`] that is a plain LayerNorm over `[N, C]`, named like `LayerNorm2d`.
struct FlatNorm(LayerNorm);

impl Module for FlatNorm {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        self.0.forward(x, ctx)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        self.0.named_tensors(prefix, out);
    }

    fn type_name(&self) -> &'static str {
        "LayerNorm2d"
    }
}
