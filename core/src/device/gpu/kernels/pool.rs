//! Host side of `pool.wgsl`: one parameter block per pooling geometry, one entry per op.

use std::sync::Arc;

use super::{launch, numel};
use crate::autograd::Pool2dParams;
use crate::device::gpu::layout::{grid_for, word};
use crate::device::gpu::runtime::GpuDevice;
use crate::device::gpu::shaders::{Kernel, ShaderId};
use crate::device::gpu::{GpuError, GpuStorage};

/// Which pooling kernel; the names are the shader's entry points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PoolKernel {
    MaxForward,
    MaxGather,
    MaxScatter,
    AvgForward,
    AvgBackward,
    AdaptiveForward,
    AdaptiveBackward,
}

impl PoolKernel {
    fn kernel(self) -> Kernel {
        let (entry, inputs) = match self {
            PoolKernel::MaxForward => ("max_forward", 1),
            PoolKernel::MaxGather => ("max_gather", 2),
            PoolKernel::MaxScatter => ("max_scatter", 2),
            PoolKernel::AvgForward => ("avg_forward", 1),
            PoolKernel::AvgBackward => ("avg_backward", 1),
            PoolKernel::AdaptiveForward => ("adaptive_forward", 1),
            PoolKernel::AdaptiveBackward => ("adaptive_backward", 1),
        };
        Kernel::new(ShaderId::Pool, entry, inputs)
    }

    /// True when one invocation runs per input-plane element (the adjoints), else per output.
    fn per_input(self) -> bool {
        matches!(
            self,
            PoolKernel::MaxScatter | PoolKernel::AvgBackward | PoolKernel::AdaptiveBackward
        )
    }
}

/// Runs `which` for the `[N,C,H,W]` input shape `x` and pooled shape `y`; the output has `y`'s
/// shape for forward kernels and `x`'s for adjoints. Adaptive kernels ignore `p`.
pub(crate) fn pool(
    dev: &Arc<GpuDevice>,
    which: PoolKernel,
    inputs: &[&GpuStorage],
    x: &[usize],
    y: &[usize],
    p: &Pool2dParams,
) -> Result<GpuStorage, GpuError> {
    if x.len() != 4 || y.len() != 4 {
        return Err(GpuError::InvalidArgument {
            op: "pool2d",
            reason: format!("expected [N,C,H,W] shapes, got {x:?} and {y:?}"),
        });
    }
    let n = if which.per_input() {
        numel(x)
    } else {
        numel(y)
    };
    let out = GpuStorage::uninit(dev, n)?;
    if n == 0 {
        return Ok(out);
    }
    // Max-pool adjoints whose windows tile the input run one invocation per window.
    let blocks = matches!(which, PoolKernel::MaxScatter)
        && p.padding == [0, 0]
        && p.stride == p.kernel
        && p.dilation == [1, 1]
        && p.kernel.iter().all(|&k| k > 0);
    let invocations = if blocks {
        x[0] * x[1] * x[2].div_ceil(p.kernel[0]) * x[3].div_ceil(p.kernel[1])
    } else {
        n
    };
    let kernel = if blocks {
        Kernel::new(ShaderId::Pool, "max_scatter_blocks", 2)
    } else {
        which.kernel()
    };
    let values = [
        invocations,
        x[0] * x[1],
        x[2],
        x[3],
        y[2],
        y[3],
        p.kernel[0],
        p.kernel[1],
        p.stride[0].max(1),
        p.stride[1].max(1),
        p.padding[0],
        p.padding[1],
        usize::from(p.count_include_pad),
        p.dilation[0].max(1),
        p.dilation[1].max(1),
        p.divisor_override.unwrap_or(0),
    ];
    let params = values
        .iter()
        .map(|&v| word("pool2d", v))
        .collect::<Result<Vec<_>, _>>()?;
    launch(dev, kernel, &params, &out, inputs, grid_for(invocations))?;
    Ok(out)
}
