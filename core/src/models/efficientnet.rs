//! EfficientNet-B0-style (Tan & Le 2019) with torchvision's names: `features.0` stem,
//! `features.1..7` stages of MBConv blocks (`block.0` expand, `block.1` depthwise,
//! `block.2` squeeze-excitation, `block.3` project), `features.8` head conv, `classifier.1`.
//! Width and depth multipliers scale it down for the browser.

use super::blocks::{make_divisible, named, run, ConvBnAct};
use super::mobilenet::GlobalPool;
use crate::error::Result;
use crate::nn::{
    Activation, Ctx, Dropout, Linear, Module, NamedTensor, Sequential, SqueezeExcitation,
    StochasticDepth,
};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// B0's stages: expansion, kernel, stride, input channels, output channels, layers.
const STAGES: [[usize; 6]; 7] = [
    [1, 3, 1, 32, 16, 1],
    [6, 3, 2, 16, 24, 2],
    [6, 5, 2, 24, 40, 2],
    [6, 3, 2, 40, 80, 3],
    [6, 5, 1, 80, 112, 3],
    [6, 5, 2, 112, 192, 4],
    [6, 3, 1, 192, 320, 1],
];

struct MbConv {
    block: Sequential,
    stochastic_depth: StochasticDepth,
    residual: bool,
}

impl Module for MbConv {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let y = run(ctx, "block", &self.block, x)?;
        if self.residual {
            self.stochastic_depth.forward(&y, ctx)?.add(x)
        } else {
            Ok(y)
        }
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        named(&self.block, prefix, "block", out);
    }

    fn type_name(&self) -> &'static str {
        "MBConv"
    }
}

/// Builds the network; `small_input` makes the stem stride 1.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    in_c: usize,
    width_mult: f64,
    depth_mult: f64,
    dropout: f64,
    stochastic_depth: f64,
    classes: usize,
    small_input: bool,
    rng: &mut Rng,
) -> Result<Sequential> {
    let silu = Some(Activation::Silu);
    let ch = |c: usize| make_divisible(c as f64 * width_mult, 8);
    let depth = |n: usize| (n as f64 * depth_mult).ceil() as usize;
    let total: usize = STAGES.iter().map(|s| depth(s[5])).sum();
    let mut features = Sequential::new().push(ConvBnAct::new(
        in_c,
        ch(STAGES[0][3]),
        3,
        if small_input { 1 } else { 2 },
        1,
        silu,
        rng,
    )?);
    let mut block_id = 0;
    for &[t, k, s, cin, cout, n] in &STAGES {
        let mut stage = Sequential::new();
        for i in 0..depth(n) {
            let input = if i == 0 { ch(cin) } else { ch(cout) };
            let stride = if i == 0 { s } else { 1 };
            let expanded = make_divisible(input as f64 * t as f64, 8);
            let mut block = Sequential::new();
            if t != 1 {
                block = block.push(ConvBnAct::new(input, expanded, 1, 1, 1, silu, rng)?);
            }
            block = block
                .push(ConvBnAct::new(
                    expanded, expanded, k, stride, expanded, silu, rng,
                )?)
                .push(SqueezeExcitation::new(
                    expanded,
                    (input / 4).max(1),
                    Activation::Silu,
                    Activation::Sigmoid,
                    rng,
                )?)
                .push(ConvBnAct::new(expanded, ch(cout), 1, 1, 1, None, rng)?);
            let p = stochastic_depth * block_id as f64 / total as f64;
            stage = stage.push(MbConv {
                block,
                stochastic_depth: StochasticDepth { p },
                residual: stride == 1 && input == ch(cout),
            });
            block_id += 1;
        }
        features = features.push(stage);
    }
    let last_in = ch(STAGES[6][4]);
    features = features.push(ConvBnAct::new(last_in, 4 * last_in, 1, 1, 1, silu, rng)?);
    let mut fc = Linear::new(4 * last_in, classes, true, rng)?;
    let bound = 1.0 / (classes as f32).sqrt();
    fc.weight
        .set_data(&Tensor::uniform([classes, 4 * last_in], -bound, bound, rng))?;
    fc.bias = Some(crate::nn::param(Tensor::zeros([classes])));
    Ok(Sequential::new()
        .push_named("features", features)
        .push_named("avgpool", GlobalPool)
        .push_named(
            "classifier",
            Sequential::new().push(Dropout { p: dropout }).push(fc),
        ))
}
