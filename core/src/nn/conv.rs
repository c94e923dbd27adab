//! `torch.nn.Conv2d` with stride, padding, dilation and groups (depthwise when groups = in).

use super::linear::torch_default_init;
use super::{param, push_param, Ctx, Module, NamedTensor};
use crate::autograd::Conv2dParams;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// A 2-D convolution layer; weight `[out, in / groups, k, k]`.
#[derive(Debug, Clone)]
pub struct Conv2d {
    pub weight: Tensor,
    pub bias: Option<Tensor>,
    pub params: Conv2dParams,
}

impl Conv2d {
    /// Square kernel `k`, torch's default init.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        dilation: usize,
        groups: usize,
        bias: bool,
        rng: &mut Rng,
    ) -> Result<Conv2d> {
        if groups == 0
            || !in_channels.is_multiple_of(groups)
            || !out_channels.is_multiple_of(groups)
        {
            return Err(Error::invalid(
                "Conv2d",
                format!(
                    "channels {in_channels} -> {out_channels} not divisible by groups {groups}"
                ),
            ));
        }
        let (w, b) = torch_default_init(
            &[out_channels, in_channels / groups, kernel, kernel],
            bias,
            rng,
        )?;
        Ok(Conv2d {
            weight: param(w),
            bias: b.map(param),
            params: Conv2dParams {
                stride: [stride; 2],
                padding: [padding; 2],
                dilation: [dilation; 2],
                groups,
            },
        })
    }

    /// The common `k × k`, stride `s`, "same" padding `(k - 1) / 2`, no bias (before a norm).
    pub fn same(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        groups: usize,
        rng: &mut Rng,
    ) -> Result<Conv2d> {
        Conv2d::new(
            in_channels,
            out_channels,
            kernel,
            stride,
            (kernel - 1) / 2,
            1,
            groups,
            false,
            rng,
        )
    }

    /// Output channels.
    pub fn out_channels(&self) -> usize {
        self.weight.dims()[0]
    }
}

impl Module for Conv2d {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let y = x.conv2d(&self.weight, self.bias.as_ref(), self.params)?;
        let w = self.weight.dims();
        let spatial: usize = y.dims()[y.rank() - 2..].iter().product();
        ctx.count_macs((spatial * w.iter().product::<usize>()) as u64);
        Ok(y)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        push_param(out, prefix, "weight", &self.weight);
        if let Some(b) = &self.bias {
            push_param(out, prefix, "bias", b);
        }
    }

    fn type_name(&self) -> &'static str {
        "Conv2d"
    }
}
