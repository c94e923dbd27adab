//! LeNet-5 (LeCun et al. 1998) in its modern form: ReLU and max pooling, optional batch norm
//! after each convolution. Names `conv1`, `bn1`, `conv2`, `bn2`, `fc1..3`.

use super::blocks::{named, run};
use crate::error::{Error, Result};
use crate::nn::{BatchNorm2d, Conv2d, Ctx, Linear, MaxPool2d, Module, NamedTensor};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// The network.
pub struct LeNet {
    conv1: Conv2d,
    bn1: Option<BatchNorm2d>,
    conv2: Conv2d,
    bn2: Option<BatchNorm2d>,
    fc1: Linear,
    fc2: Linear,
    fc3: Linear,
}

impl LeNet {
    /// For `[channels, h, w]` inputs; `conv1` pads by 2 so 28×28 digits get the classic
    /// 5×5×16 feature map before `fc1`.
    pub fn new(
        channels: usize,
        h: usize,
        w: usize,
        batch_norm: bool,
        classes: usize,
        rng: &mut Rng,
    ) -> Result<LeNet> {
        let side = |s: usize| (s / 2).checked_sub(4).map(|v| v / 2).filter(|&v| v > 0);
        let (Some(fh), Some(fw)) = (side(h), side(w)) else {
            return Err(Error::invalid(
                "LeNet",
                format!("input {h}x{w} is too small (at least 12x12)"),
            ));
        };
        Ok(LeNet {
            conv1: Conv2d::new(channels, 6, 5, 1, 2, 1, 1, true, rng)?,
            bn1: batch_norm.then(|| BatchNorm2d::new(6)),
            conv2: Conv2d::new(6, 16, 5, 1, 0, 1, 1, true, rng)?,
            bn2: batch_norm.then(|| BatchNorm2d::new(16)),
            fc1: Linear::new(16 * fh * fw, 120, true, rng)?,
            fc2: Linear::new(120, 84, true, rng)?,
            fc3: Linear::new(84, classes, true, rng)?,
        })
    }
}

impl Module for LeNet {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let pool = MaxPool2d::new(2, 2, 0);
        let mut h = run(ctx, "conv1", &self.conv1, x)?;
        if let Some(bn) = &self.bn1 {
            h = run(ctx, "bn1", bn, &h)?;
        }
        h = pool.forward(&h.relu()?, ctx)?;
        h = run(ctx, "conv2", &self.conv2, &h)?;
        if let Some(bn) = &self.bn2 {
            h = run(ctx, "bn2", bn, &h)?;
        }
        h = pool.forward(&h.relu()?, ctx)?.flatten(1, -1)?;
        h = run(ctx, "fc1", &self.fc1, &h)?.relu()?;
        h = run(ctx, "fc2", &self.fc2, &h)?.relu()?;
        run(ctx, "fc3", &self.fc3, &h)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        named(&self.conv1, prefix, "conv1", out);
        if let Some(bn) = &self.bn1 {
            named(bn, prefix, "bn1", out);
        }
        named(&self.conv2, prefix, "conv2", out);
        if let Some(bn) = &self.bn2 {
            named(bn, prefix, "bn2", out);
        }
        named(&self.fc1, prefix, "fc1", out);
        named(&self.fc2, prefix, "fc2", out);
        named(&self.fc3, prefix, "fc3", out);
    }

    fn type_name(&self) -> &'static str {
        "LeNet"
    }
}
