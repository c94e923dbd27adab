//! DenseNet (Huang et al. 2016), torchvision layout: `features` = stem (`conv0`, `norm0`,
//! `relu0`, `pool0`), `denseblock{i}` of `denselayer{j}` (`norm1`, `conv1` 1×1 bottleneck,
//! `norm2`, `conv2` 3×3), `transition{i}` (`norm`, `conv`, 2×2 average pool), `norm5`; then
//! `classifier`.

use serde::{Deserialize, Serialize};

use super::blocks::{conv, global_pool, named, run};
use crate::error::Result;
use crate::nn::{AvgPool2d, BatchNorm2d, Conv2d, Ctx, Linear, MaxPool2d, Module, NamedTensor};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// DenseNet settings (torchvision's `growth_rate`, `block_config`, `num_init_features`,
/// `bn_size`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseNetConfig {
    pub growth_rate: usize,
    pub block_config: Vec<usize>,
    pub num_init_features: usize,
    pub bn_size: usize,
    /// 3×3 stride-1 stem without max pool, for small images.
    pub small_input: bool,
}

struct DenseLayer {
    norm1: BatchNorm2d,
    conv1: Conv2d,
    norm2: BatchNorm2d,
    conv2: Conv2d,
}

impl Module for DenseLayer {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let h = run(ctx, "norm1", &self.norm1, x)?.relu()?;
        let h = run(ctx, "conv1", &self.conv1, &h)?;
        let h = run(ctx, "norm2", &self.norm2, &h)?.relu()?;
        run(ctx, "conv2", &self.conv2, &h)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        named(&self.norm1, prefix, "norm1", out);
        named(&self.conv1, prefix, "conv1", out);
        named(&self.norm2, prefix, "norm2", out);
        named(&self.conv2, prefix, "conv2", out);
    }

    fn type_name(&self) -> &'static str {
        "_DenseLayer"
    }
}

/// Each layer sees the concatenation of the block input and all earlier layers' outputs.
struct DenseBlock(Vec<DenseLayer>);

impl Module for DenseBlock {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let mut features = vec![x.clone()];
        for (j, l) in self.0.iter().enumerate() {
            let input = Tensor::cat(&features, 1)?;
            features.push(run(ctx, &format!("denselayer{}", j + 1), l, &input)?);
        }
        Tensor::cat(&features, 1)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        for (j, l) in self.0.iter().enumerate() {
            named(l, prefix, &format!("denselayer{}", j + 1), out);
        }
    }

    fn type_name(&self) -> &'static str {
        "_DenseBlock"
    }
}

struct Transition {
    norm: BatchNorm2d,
    conv: Conv2d,
}

impl Module for Transition {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let h = run(ctx, "norm", &self.norm, x)?.relu()?;
        let h = run(ctx, "conv", &self.conv, &h)?;
        AvgPool2d::new(2, 2, 0).forward(&h, ctx)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        named(&self.norm, prefix, "norm", out);
        named(&self.conv, prefix, "conv", out);
    }

    fn type_name(&self) -> &'static str {
        "_Transition"
    }
}

/// The network.
pub struct DenseNet {
    conv0: Conv2d,
    norm0: BatchNorm2d,
    pool0: Option<MaxPool2d>,
    blocks: Vec<(DenseBlock, Option<Transition>)>,
    norm5: BatchNorm2d,
    classifier: Linear,
}

impl DenseNet {
    /// Builds from `config` for `in_c` input channels.
    pub fn new(
        in_c: usize,
        cfg: &DenseNetConfig,
        classes: usize,
        rng: &mut Rng,
    ) -> Result<DenseNet> {
        let (k, s) = if cfg.small_input { (3, 1) } else { (7, 2) };
        let conv0 = conv(in_c, cfg.num_init_features, k, s, 1, rng)?;
        let mut c = cfg.num_init_features;
        let mut blocks = Vec::new();
        for (i, &n) in cfg.block_config.iter().enumerate() {
            let mut layers = Vec::new();
            for j in 0..n {
                let cin = c + j * cfg.growth_rate;
                layers.push(DenseLayer {
                    norm1: BatchNorm2d::new(cin),
                    conv1: conv(cin, cfg.bn_size * cfg.growth_rate, 1, 1, 1, rng)?,
                    norm2: BatchNorm2d::new(cfg.bn_size * cfg.growth_rate),
                    conv2: conv(cfg.bn_size * cfg.growth_rate, cfg.growth_rate, 3, 1, 1, rng)?,
                });
            }
            c += n * cfg.growth_rate;
            let transition = if i + 1 < cfg.block_config.len() {
                let t = Transition {
                    norm: BatchNorm2d::new(c),
                    conv: conv(c, c / 2, 1, 1, 1, rng)?,
                };
                c /= 2;
                Some(t)
            } else {
                None
            };
            blocks.push((DenseBlock(layers), transition));
        }
        let mut classifier = Linear::new(c, classes, true, rng)?;
        classifier.bias = Some(crate::nn::param(Tensor::zeros([classes])));
        Ok(DenseNet {
            conv0,
            norm0: BatchNorm2d::new(cfg.num_init_features),
            pool0: (!cfg.small_input).then(|| MaxPool2d::new(3, 2, 1)),
            blocks,
            norm5: BatchNorm2d::new(c),
            classifier,
        })
    }
}

impl Module for DenseNet {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let h = ctx.child("features", |ctx| {
            let h = run(ctx, "conv0", &self.conv0, x)?;
            let mut h = run(ctx, "norm0", &self.norm0, &h)?.relu()?;
            if let Some(p) = &self.pool0 {
                h = run(ctx, "pool0", p, &h)?;
            }
            for (i, (b, t)) in self.blocks.iter().enumerate() {
                h = run(ctx, &format!("denseblock{}", i + 1), b, &h)?;
                if let Some(t) = t {
                    h = run(ctx, &format!("transition{}", i + 1), t, &h)?;
                }
            }
            run(ctx, "norm5", &self.norm5, &h)
        })?;
        run(
            ctx,
            "classifier",
            &self.classifier,
            &global_pool(&h.relu()?)?,
        )
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        let f = format!("{prefix}features.");
        named(&self.conv0, &f, "conv0", out);
        named(&self.norm0, &f, "norm0", out);
        for (i, (b, t)) in self.blocks.iter().enumerate() {
            named(b, &f, &format!("denseblock{}", i + 1), out);
            if let Some(t) = t {
                named(t, &f, &format!("transition{}", i + 1), out);
            }
        }
        named(&self.norm5, &f, "norm5", out);
        named(&self.classifier, prefix, "classifier", out);
    }

    fn type_name(&self) -> &'static str {
        "DenseNet"
    }
}
