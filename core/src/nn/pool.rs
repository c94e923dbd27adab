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
    /// `MaxPool2d(kernel, stride, padding)`.
    pub fn new(kernel: usize, stride: usize, padding: usize) -> MaxPool2d {
        MaxPool2d(Pool2dParams {
            kernel: [kernel; 2],
            stride: [stride; 2],
            padding: [padding; 2],
            count_include_pad: true,
        })
    }
}

impl AvgPool2d {
    /// `AvgPool2d(kernel, stride, padding)` with torch's `count_include_pad=True`.
    pub fn new(kernel: usize, stride: usize, padding: usize) -> AvgPool2d {
        AvgPool2d(Pool2dParams {
            kernel: [kernel; 2],
            stride: [stride; 2],
            padding: [padding; 2],
            count_include_pad: true,
        })
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
