//! ResNet (He et al. 2015) and ResNeXt (Xie et al. 2016) in torchvision's layout and names
//! (`conv1`, `bn1`, `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`), at any base width. A
//! small-input stem (3×3 stride-1 `conv1`, no max pool) suits 28–64 px images.

use serde::{Deserialize, Serialize};

use super::blocks::{conv, global_pool, named, run};
use crate::error::Result;
use crate::nn::{BatchNorm2d, Conv2d, Ctx, Linear, MaxPool2d, Module, NamedTensor, Sequential};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Residual block type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// Two 3×3 convs (ResNet-18/34).
    Basic,
    /// 1×1 → 3×3 (grouped for ResNeXt) → 1×1 with 4× expansion (ResNet-50+, ResNeXt).
    Bottleneck,
}

/// A residual block with torchvision's child names.
struct Block {
    conv1: Conv2d,
    bn1: BatchNorm2d,
    conv2: Conv2d,
    bn2: BatchNorm2d,
    third: Option<(Conv2d, BatchNorm2d)>,
    downsample: Option<Sequential>,
}

impl Module for Block {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let h = run(ctx, "conv1", &self.conv1, x)?;
        let h = run(ctx, "bn1", &self.bn1, &h)?.relu()?;
        let h = run(ctx, "conv2", &self.conv2, &h)?;
        let mut h = run(ctx, "bn2", &self.bn2, &h)?;
        if let Some((c3, b3)) = &self.third {
            h = run(ctx, "conv3", c3, &h.relu()?)?;
            h = run(ctx, "bn3", b3, &h)?;
        }
        let identity = match &self.downsample {
            Some(d) => run(ctx, "downsample", d, x)?,
            None => x.clone(),
        };
        h.add(&identity)?.relu()
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        named(&self.conv1, prefix, "conv1", out);
        named(&self.bn1, prefix, "bn1", out);
        named(&self.conv2, prefix, "conv2", out);
        named(&self.bn2, prefix, "bn2", out);
        if let Some((c3, b3)) = &self.third {
            named(c3, prefix, "conv3", out);
            named(b3, prefix, "bn3", out);
        }
        if let Some(d) = &self.downsample {
            named(d, prefix, "downsample", out);
        }
    }

    fn type_name(&self) -> &'static str {
        if self.third.is_some() {
            "Bottleneck"
        } else {
            "BasicBlock"
        }
    }
}

/// The network.
pub struct ResNet {
    conv1: Conv2d,
    bn1: BatchNorm2d,
    maxpool: Option<MaxPool2d>,
    layers: Vec<Sequential>,
    fc: Linear,
}

/// ResNet settings (torchvision's `ResNet(block, layers, groups, width_per_group)` plus a base
/// width, 64 in torchvision).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResNetConfig {
    pub block: BlockKind,
    /// Blocks per stage, e.g. `[2, 2, 2, 2]` for ResNet-18.
    pub layers: Vec<usize>,
    /// Planes of the first stage; later stages double it.
    pub base_width: usize,
    /// Groups of the 3×3 conv in bottlenecks (ResNeXt cardinality).
    pub groups: usize,
    /// torchvision's `width_per_group` (64 for ResNet; 4 for ResNeXt-32x4d).
    pub width_per_group: usize,
    /// 3×3 stride-1 stem without max pool, for small images.
    pub small_input: bool,
}

impl ResNet {
    /// Builds from `config` for `in_c` input channels.
    pub fn new(
        in_c: usize,
        config: &ResNetConfig,
        classes: usize,
        rng: &mut Rng,
    ) -> Result<ResNet> {
        let expansion = if config.block == BlockKind::Bottleneck {
            4
        } else {
            1
        };
        let base = config.base_width;
        let (stem_k, stem_s) = if config.small_input { (3, 1) } else { (7, 2) };
        let conv1 = conv(in_c, base, stem_k, stem_s, 1, rng)?;
        let mut inplanes = base;
        let mut layers = Vec::new();
        for (i, &n) in config.layers.iter().enumerate() {
            let planes = base << i;
            let mut stage = Sequential::new();
            for j in 0..n {
                let stride = if i > 0 && j == 0 { 2 } else { 1 };
                let downsample = if stride != 1 || inplanes != planes * expansion {
                    Some(
                        Sequential::new()
                            .push(conv(inplanes, planes * expansion, 1, stride, 1, rng)?)
                            .push(BatchNorm2d::new(planes * expansion)),
                    )
                } else {
                    None
                };
                let block = match config.block {
                    BlockKind::Basic => Block {
                        conv1: conv(inplanes, planes, 3, stride, 1, rng)?,
                        bn1: BatchNorm2d::new(planes),
                        conv2: conv(planes, planes, 3, 1, 1, rng)?,
                        bn2: BatchNorm2d::new(planes),
                        third: None,
                        downsample,
                    },
                    BlockKind::Bottleneck => {
                        let width = planes * config.width_per_group / 64 * config.groups;
                        Block {
                            conv1: conv(inplanes, width, 1, 1, 1, rng)?,
                            bn1: BatchNorm2d::new(width),
                            conv2: conv(width, width, 3, stride, config.groups, rng)?,
                            bn2: BatchNorm2d::new(width),
                            third: Some((
                                conv(width, planes * 4, 1, 1, 1, rng)?,
                                BatchNorm2d::new(planes * 4),
                            )),
                            downsample,
                        }
                    }
                };
                stage = stage.push(block);
                inplanes = planes * expansion;
            }
            layers.push(stage);
        }
        Ok(ResNet {
            conv1,
            bn1: BatchNorm2d::new(base),
            maxpool: (!config.small_input).then(|| MaxPool2d::new(3, 2, 1)),
            layers,
            fc: Linear::new(inplanes, classes, true, rng)?,
        })
    }
}

impl Module for ResNet {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let h = run(ctx, "conv1", &self.conv1, x)?;
        let mut h = run(ctx, "bn1", &self.bn1, &h)?.relu()?;
        if let Some(p) = &self.maxpool {
            h = run(ctx, "maxpool", p, &h)?;
        }
        for (i, l) in self.layers.iter().enumerate() {
            h = run(ctx, &format!("layer{}", i + 1), l, &h)?;
        }
        run(ctx, "fc", &self.fc, &global_pool(&h)?)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        named(&self.conv1, prefix, "conv1", out);
        named(&self.bn1, prefix, "bn1", out);
        for (i, l) in self.layers.iter().enumerate() {
            named(l, prefix, &format!("layer{}", i + 1), out);
        }
        named(&self.fc, prefix, "fc", out);
    }

    fn type_name(&self) -> &'static str {
        "ResNet"
    }
}
