//! torch.nn.functional.conv2d (stride, padding, dilation, groups incl. depthwise, bias) and
//! the two backward ops it differentiates into.

use crate::autograd::{Conv2dParams, Op};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Output size of one spatial axis, or None when the kernel does not fit.
fn out_size(input: usize, k: usize, s: usize, p: usize, d: usize) -> Option<usize> {
    let span = d * (k - 1) + 1;
    (input + 2 * p).checked_sub(span).map(|r| r / s + 1)
}

impl Tensor {
    /// 2-D convolution of `[N, C, H, W]` (or unbatched `[C, H, W]`) with `weight`
    /// `[O, C/groups, kh, kw]` and optional `bias` `[O]`.
    pub fn conv2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        params: Conv2dParams,
    ) -> Result<Tensor> {
        if self.rank() == 3 {
            return self.unsqueeze(0)?.conv2d(weight, bias, params)?.squeeze(0);
        }
        let y = Tensor::conv2d_raw(self, weight, params)?;
        match bias {
            None => Ok(y),
            Some(b) => {
                if b.dims() != [weight.dims()[0]] {
                    return Err(Error::shapes(
                        "conv2d",
                        &[self.dims(), weight.dims(), b.dims()],
                        "bias must have shape [out_channels]",
                    ));
                }
                y.add(&b.reshape_to(&[1, b.dims()[0], 1, 1])?)
            }
        }
    }

    /// Validated convolution without bias (the primitive).
    pub(crate) fn conv2d_raw(x: &Tensor, w: &Tensor, p: Conv2dParams) -> Result<Tensor> {
        let (xd, wd) = (x.dims(), w.dims());
        let err = |reason: String| Error::shapes("conv2d", &[xd, wd], reason);
        if x.rank() != 4 || w.rank() != 4 {
            return Err(err(
                "expects input [N, C, H, W] and weight [O, C/groups, kh, kw]".into(),
            ));
        }
        if p.groups == 0 || p.stride.contains(&0) || p.dilation.contains(&0) {
            return Err(Error::invalid(
                "conv2d",
                format!("stride, dilation and groups must be positive: {p:?}"),
            ));
        }
        if xd[1] % p.groups != 0 || wd[0] % p.groups != 0 {
            return Err(err(format!(
                "channels {} and {} must be divisible by groups {}",
                xd[1], wd[0], p.groups
            )));
        }
        if wd[1] * p.groups != xd[1] {
            return Err(err(format!(
                "weight expects {} input channels, input has {}",
                wd[1] * p.groups,
                xd[1]
            )));
        }
        if wd[2] == 0 || wd[3] == 0 {
            return Err(err("kernel size must be positive".into()));
        }
        let oh = out_size(xd[2], wd[2], p.stride[0], p.padding[0], p.dilation[0]);
        let ow = out_size(xd[3], wd[3], p.stride[1], p.padding[1], p.dilation[1]);
        let (Some(oh), Some(ow)) = (oh, ow) else {
            return Err(err(
                "kernel (with dilation) is larger than the padded input".into(),
            ));
        };
        Tensor::from_op(
            Op::Conv2d(p),
            vec![x.clone(), w.clone()],
            vec![xd[0], wd[0], oh, ow],
        )
    }

    /// Gradient of conv2d w.r.t. its input, for an input of shape `x_shape`.
    pub(crate) fn conv2d_backward_input(
        g: &Tensor,
        w: &Tensor,
        p: Conv2dParams,
        x_shape: &[usize],
    ) -> Result<Tensor> {
        Tensor::from_op(
            Op::Conv2dBackwardInput(p),
            vec![g.clone(), w.clone()],
            x_shape.to_vec(),
        )
    }

    /// Gradient of conv2d w.r.t. its weight, for a weight of shape `w_shape`.
    pub(crate) fn conv2d_backward_weight(
        x: &Tensor,
        g: &Tensor,
        p: Conv2dParams,
        w_shape: &[usize],
    ) -> Result<Tensor> {
        Tensor::from_op(
            Op::Conv2dBackwardWeight(p),
            vec![x.clone(), g.clone()],
            w_shape.to_vec(),
        )
    }
}
