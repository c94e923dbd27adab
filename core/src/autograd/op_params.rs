//! The geometry parameters of the spatial ops (conv2d and pooling), with PyTorch's defaults
//! and output-size rules: kept beside [`super::op::Op`], which records them in the graph.

use serde::{Deserialize, Serialize};

/// Geometry shared by conv2d and its two backward ops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conv2dParams {
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
    pub groups: usize,
}

impl Default for Conv2dParams {
    /// torch.nn.functional.conv2d defaults.
    fn default() -> Self {
        Conv2dParams {
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
            groups: 1,
        }
    }
}

/// Geometry of max/avg pooling (torch defaults: stride = kernel, padding 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool2dParams {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    /// Only for average pooling: count padded zeros in the divisor (torch default true).
    pub count_include_pad: bool,
    /// Only for max pooling: spacing between window taps (torch default 1; absent in specs
    /// saved before it existed).
    #[serde(default = "unit_dilation")]
    pub dilation: [usize; 2],
    /// Round the output size up instead of down (torch's `ceil_mode`); the last window must
    /// still start inside the input or its left padding.
    #[serde(default)]
    pub ceil_mode: bool,
    /// Only for average pooling: divide every window by this instead (torch's
    /// `divisor_override`).
    #[serde(default)]
    pub divisor_override: Option<usize>,
}

/// Serde default of [`Pool2dParams::dilation`].
fn unit_dilation() -> [usize; 2] {
    [1, 1]
}

impl Pool2dParams {
    /// Kernel `k`, stride `k`, no padding: the usual `max_pool2d(x, k)`.
    pub fn square(k: usize) -> Self {
        Pool2dParams {
            kernel: [k, k],
            stride: [k, k],
            padding: [0, 0],
            count_include_pad: true,
            dilation: [1, 1],
            ceil_mode: false,
            divisor_override: None,
        }
    }

    /// Taps one window spans along `axis`: `dilation * (kernel - 1) + 1`.
    pub fn effective_kernel(&self, axis: usize) -> usize {
        self.dilation[axis] * (self.kernel[axis].saturating_sub(1)) + 1
    }

    /// Pooled size along `axis` for an input of `size`, torch's `pooling_output_shape`
    /// (`None` when no window fits).
    pub fn output_size(&self, axis: usize, size: usize) -> Option<usize> {
        let (pad, stride) = (self.padding[axis], self.stride[axis]);
        let span = (size + 2 * pad).checked_sub(self.effective_kernel(axis))?;
        let round = if self.ceil_mode { stride - 1 } else { 0 };
        let mut out = (span + round) / stride + 1;
        // torch: the last window must start inside the input or the left padding.
        if self.ceil_mode && (out - 1) * stride >= size + pad {
            out -= 1;
        }
        Some(out)
    }
}
