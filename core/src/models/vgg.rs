//! VGG (Simonyan & Zisserman 2014) at small width, torchvision layout: `features` (3×3 convs,
//! optional BN, ReLU, max pool per stage), `avgpool`, and a three-layer `classifier`.

use super::blocks::conv;
use crate::error::Result;
use crate::nn::{
    Activation, AdaptiveAvgPool2d, BatchNorm2d, Dropout, Flatten, Linear, MaxPool2d, Sequential,
};
use crate::rng::Rng;

/// `stages[i]` lists the conv widths of stage `i`; each stage ends with a 2×2 max pool.
/// The classifier is `Linear(c·p·p, hidden) → ReLU → Dropout → Linear(hidden, hidden) → ReLU
/// → Dropout → Linear(hidden, classes)` after an adaptive pool to `p × p`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    in_c: usize,
    stages: &[Vec<usize>],
    batch_norm: bool,
    pool: usize,
    hidden: usize,
    dropout: f64,
    classes: usize,
    rng: &mut Rng,
) -> Result<Sequential> {
    let mut features = Sequential::new();
    let mut c = in_c;
    for stage in stages {
        for &w in stage {
            let mut cv = conv(c, w, 3, 1, 1, rng)?;
            cv.bias = Some(crate::nn::param(crate::tensor::Tensor::zeros([w])));
            features = features.push(cv);
            if batch_norm {
                features = features.push(BatchNorm2d::new(w));
            }
            features = features.push(Activation::Relu);
            c = w;
        }
        features = features.push(MaxPool2d::new(2, 2, 0));
    }
    let classifier = Sequential::new()
        .push(Linear::new(c * pool * pool, hidden, true, rng)?)
        .push(Activation::Relu)
        .push(Dropout { p: dropout })
        .push(Linear::new(hidden, hidden, true, rng)?)
        .push(Activation::Relu)
        .push(Dropout { p: dropout })
        .push(Linear::new(hidden, classes, true, rng)?);
    Ok(Sequential::new()
        .push_named("features", features)
        .push_named("avgpool", AdaptiveAvgPool2d([pool, pool]))
        .push_named("flatten", Flatten)
        .push_named("classifier", classifier))
}
