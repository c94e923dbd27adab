//! Normalization layers with torch's parameters, buffers and defaults.

use super::{param, push_buffer, push_param, Ctx, Module, NamedTensor};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// `torch.nn.BatchNorm2d` (also fine on `[N, C]`): affine weight/bias, running statistics as
/// buffers updated in training with `momentum` (torch 0.1), `eps` 1e-5. torch's
/// `num_batches_tracked` counter is not kept (it only matters for `momentum=None`).
///
/// A frozen batch norm (its weight does not require gradients, see [`super::freeze`]) runs
/// in evaluation mode even while the model trains, like torchvision's `FrozenBatchNorm2d`
/// and the `backbone.eval()` of PyTorch's transfer-learning recipes: a frozen backbone keeps
/// the statistics it was trained with, computes the same features in training and
/// evaluation, and its buffers stay bit-identical.
#[derive(Debug, Clone)]
pub struct BatchNorm2d {
    pub weight: Tensor,
    pub bias: Tensor,
    pub running_mean: Tensor,
    pub running_var: Tensor,
    pub momentum: f64,
    pub eps: f64,
}

impl BatchNorm2d {
    /// `channels` features, torch defaults (weight 1, bias 0, mean 0, var 1).
    pub fn new(channels: usize) -> BatchNorm2d {
        BatchNorm2d::with_eps(channels, 1e-5, 0.1)
    }

    /// Custom `eps` and `momentum` (EfficientNet uses 1e-3 / 0.01).
    pub fn with_eps(channels: usize, eps: f64, momentum: f64) -> BatchNorm2d {
        BatchNorm2d {
            weight: param(Tensor::ones([channels])),
            bias: param(Tensor::zeros([channels])),
            running_mean: Tensor::zeros([channels]),
            running_var: Tensor::ones([channels]),
            momentum,
            eps,
        }
    }
}

impl Module for BatchNorm2d {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        ctx.count_macs((x.numel() / x.dims().first().copied().unwrap_or(1).max(1)) as u64);
        x.batch_norm(
            Some(&self.running_mean),
            Some(&self.running_var),
            Some(&self.weight),
            Some(&self.bias),
            ctx.training && self.weight.requires_grad(),
            self.momentum,
            self.eps,
        )
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        push_param(out, prefix, "weight", &self.weight);
        push_param(out, prefix, "bias", &self.bias);
        push_buffer(out, prefix, "running_mean", &self.running_mean);
        push_buffer(out, prefix, "running_var", &self.running_var);
    }

    fn type_name(&self) -> &'static str {
        "BatchNorm2d"
    }
}

/// `torch.nn.LayerNorm(dim)` over the last dimension, elementwise affine.
#[derive(Debug, Clone)]
pub struct LayerNorm {
    pub weight: Tensor,
    pub bias: Tensor,
    pub eps: f64,
}

impl LayerNorm {
    /// Over a last dimension of size `dim` with `eps` (torch 1e-5; ViT and ConvNeXt use 1e-6).
    pub fn new(dim: usize, eps: f64) -> LayerNorm {
        LayerNorm {
            weight: param(Tensor::ones([dim])),
            bias: param(Tensor::zeros([dim])),
            eps,
        }
    }
}

impl Module for LayerNorm {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        ctx.count_macs((x.numel() / x.dims().first().copied().unwrap_or(1).max(1)) as u64);
        x.layer_norm(
            self.weight.dims(),
            Some(&self.weight),
            Some(&self.bias),
            self.eps,
        )
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        push_param(out, prefix, "weight", &self.weight);
        push_param(out, prefix, "bias", &self.bias);
    }

    fn type_name(&self) -> &'static str {
        "LayerNorm"
    }
}

/// Layer norm over the channels of `[N, C, H, W]` (torchvision ConvNeXt's `LayerNorm2d`):
/// permute to channels-last, normalize, permute back.
#[derive(Debug, Clone)]
pub struct LayerNorm2d(pub LayerNorm);

impl LayerNorm2d {
    /// `channels` features, `eps` (ConvNeXt: 1e-6).
    pub fn new(channels: usize, eps: f64) -> LayerNorm2d {
        LayerNorm2d(LayerNorm::new(channels, eps))
    }
}

impl Module for LayerNorm2d {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        if x.rank() != 4 {
            return Err(Error::shapes(
                "LayerNorm2d",
                &[x.dims()],
                "expects [N, C, H, W]",
            ));
        }
        self.0
            .forward(&x.permute(&[0, 2, 3, 1])?, ctx)?
            .permute(&[0, 3, 1, 2])
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        self.0.named_tensors(prefix, out);
    }

    fn type_name(&self) -> &'static str {
        "LayerNorm2d"
    }
}
