//! Pooling layers.

use super::{Ctx, Module, NamedTensor};
use crate::autograd::Pool2dParams;
use crate::error::Result;
use crate::tensor::Tensor;

/// `torch.nn.MaxPool2d`.
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2d(pub Pool2dParams);

/// `torch.nn.AvgPool2d`.
#[derive(Debug, Clone, Copy)]
pub struct AvgPool2d(pub Pool2dParams);

/// `torch.nn.AdaptiveAvgPool2d(size)`; `[1, 1]` is global average pooling.
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveAvgPool2d(pub [usize; 2]);

impl MaxPool2d {
    /// `MaxPool2d(kernel, stride, padding)` (dilation 1, `ceil_mode=False`).
    pub fn new(kernel: usize, stride: usize, padding: usize) -> MaxPool2d {
        MaxPool2d(Pool2dParams {
            kernel: [kernel; 2],
            stride: [stride; 2],
            padding: [padding; 2],
            ..Pool2dParams::square(kernel)
        })
    }

    /// torch's `dilation=d`: taps `d` apart within each window.
    pub fn dilation(mut self, d: usize) -> MaxPool2d {
        self.0.dilation = [d; 2];
        self
    }

    /// torch's `ceil_mode`: round the output size up (PyTorch-exported GoogLeNet/SqueezeNet).
    pub fn ceil_mode(mut self, on: bool) -> MaxPool2d {
        self.0.ceil_mode = on;
        self
    }
}

impl AvgPool2d {
    /// `AvgPool2d(kernel, stride, padding)` with torch's `count_include_pad=True`.
    pub fn new(kernel: usize, stride: usize, padding: usize) -> AvgPool2d {
        AvgPool2d(Pool2dParams {
            kernel: [kernel; 2],
            stride: [stride; 2],
            padding: [padding; 2],
            ..Pool2dParams::square(kernel)
        })
    }

    /// torch's `ceil_mode`: round the output size up.
    pub fn ceil_mode(mut self, on: bool) -> AvgPool2d {
        self.0.ceil_mode = on;
        self
    }

    /// torch's `count_include_pad`: whether padded zeros count in the divisor.
    pub fn count_include_pad(mut self, on: bool) -> AvgPool2d {
        self.0.count_include_pad = on;
        self
    }

    /// torch's `divisor_override`: divide every window's sum by `d`.
    pub fn divisor_override(mut self, d: Option<usize>) -> AvgPool2d {
        self.0.divisor_override = d;
        self
    }
}

impl Module for MaxPool2d {
    fn forward(&self, x: &Tensor, _ctx: &mut Ctx) -> Result<Tensor> {
        x.max_pool2d(self.0)
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        "MaxPool2d"
    }
}

impl Module for AvgPool2d {
    fn forward(&self, x: &Tensor, _ctx: &mut Ctx) -> Result<Tensor> {
        x.avg_pool2d(self.0)
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        "AvgPool2d"
    }
}

impl Module for AdaptiveAvgPool2d {
    fn forward(&self, x: &Tensor, _ctx: &mut Ctx) -> Result<Tensor> {
        x.adaptive_avg_pool2d(self.0)
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        "AdaptiveAvgPool2d"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builder settings reach the op; expected values are torch.nn's.
    #[test]
    fn pool_builders_set_ceil_mode_dilation_and_divisor() -> Result<()> {
        let googlenet = MaxPool2d::new(3, 2, 0).ceil_mode(true);
        let y = Tensor::zeros(&[1, 1, 112, 112][..]).max_pool2d(googlenet.0)?;
        assert_eq!(y.dims(), &[1, 1, 56, 56]);
        let dilated = MaxPool2d::new(3, 2, 1).dilation(2);
        let y = Tensor::zeros(&[1, 1, 9, 9][..]).max_pool2d(dilated.0)?;
        assert_eq!(y.dims(), &[1, 1, 4, 4]);
        let ones = Tensor::ones(&[1, 1, 3, 3][..]);
        let avg = AvgPool2d::new(2, 2, 0).ceil_mode(true);
        assert_eq!(ones.avg_pool2d(avg.0)?.to_vec::<f32>()?, vec![1.0; 4]);
        let fixed = avg.count_include_pad(false).divisor_override(Some(4));
        assert_eq!(
            ones.avg_pool2d(fixed.0)?.to_vec::<f32>()?,
            vec![1.0, 0.5, 0.5, 0.25]
        );
        Ok(())
    }
}
