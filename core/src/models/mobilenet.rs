//! MobileNetV2 (Sandler et al. 2018) with torchvision's exact names (`features.0.0.weight`,
//! `features.1.conv.0.0.weight`, ..., `classifier.1.weight`), so the bundled ImageNet weights
//! (`public/weights/mobilenet_v2.safetensors`) load into `width_mult = 1`.

use super::blocks::{global_pool, make_divisible, named, run, ConvBnAct};
use crate::error::Result;
use crate::nn::{
    param, Activation, BatchNorm2d, Ctx, Dropout, Linear, Module, NamedTensor, Sequential,
};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// torchvision's `inverted_residual_setting`: expansion t, channels c, repeats n, stride s.
const SETTING: [[usize; 4]; 7] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
];

/// Expand (1×1) → depthwise 3×3 → project (1×1, linear), residual when shapes allow; the
/// children live in `conv` as in torchvision.
struct InvertedResidual {
    conv: Sequential,
    residual: bool,
}

impl Module for InvertedResidual {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let y = run(ctx, "conv", &self.conv, x)?;
        if self.residual {
            x.add(&y)
        } else {
            Ok(y)
        }
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        named(&self.conv, prefix, "conv", out);
    }

    fn type_name(&self) -> &'static str {
        "InvertedResidual"
    }
}

/// Builds MobileNetV2. `small_input` makes the stem stride 1 (for 32–96 px images); names and
/// shapes are unchanged, so pretrained weights still load.
pub(crate) fn build(
    in_c: usize,
    width_mult: f64,
    dropout: f64,
    classes: usize,
    small_input: bool,
    rng: &mut Rng,
) -> Result<Sequential> {
    let relu6 = Some(Activation::Relu6);
    let mut input = make_divisible(32.0 * width_mult, 8);
    let last = make_divisible(1280.0 * width_mult.max(1.0), 8);
    let mut features = Sequential::new().push(ConvBnAct::new(
        in_c,
        input,
        3,
        if small_input { 1 } else { 2 },
        1,
        relu6,
        rng,
    )?);
    for &[t, c, n, s] in &SETTING {
        let out = make_divisible(c as f64 * width_mult, 8);
        for i in 0..n {
            let stride = if i == 0 { s } else { 1 };
            let hidden = (input as f64 * t as f64).round() as usize;
            let mut conv = Sequential::new();
            if t != 1 {
                conv = conv.push(ConvBnAct::new(input, hidden, 1, 1, 1, relu6, rng)?);
            }
            conv = conv.push(ConvBnAct::new(
                hidden, hidden, 3, stride, hidden, relu6, rng,
            )?);
            conv = conv
                .push(super::blocks::conv(hidden, out, 1, 1, 1, rng)?)
                .push(BatchNorm2d::new(out));
            features = features.push(InvertedResidual {
                conv,
                residual: stride == 1 && input == out,
            });
            input = out;
        }
    }
    features = features.push(ConvBnAct::new(input, last, 1, 1, 1, relu6, rng)?);
    let mut fc = Linear::new(last, classes, true, rng)?;
    fc.weight
        .set_data(&Tensor::normal([classes, last], 0.0, 0.01, rng))?;
    fc.bias = Some(param(Tensor::zeros([classes])));
    Ok(Sequential::new()
        .push_named("features", features)
        .push_named("pool", GlobalPool)
        .push_named(
            "classifier",
            Sequential::new().push(Dropout { p: dropout }).push(fc),
        ))
}

/// Global average pooling + flatten as a parameter-free module.
pub(crate) struct GlobalPool;

impl Module for GlobalPool {
    fn forward(&self, x: &Tensor, _ctx: &mut Ctx) -> Result<Tensor> {
        global_pool(x)
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        "AdaptiveAvgPool2d"
    }
}
