//! Host side of `reduce.wgsl` and `softmax.wgsl`: splitting dims into kept and reduced lists and
//! choosing between one invocation and one workgroup per output.

use std::sync::Arc;

use super::{launch, numel};
use crate::device::gpu::layout::{coalesce, contiguous_strides, grid, grid_for, push_padded, word};
use crate::device::gpu::runtime::GpuDevice;
use crate::device::gpu::shaders::{Kernel, ShaderId};
use crate::device::gpu::{GpuError, GpuStorage};

const SERIAL: Kernel = Kernel::new(ShaderId::Reduce, "reduce_serial", 1);
const TREE: Kernel = Kernel::new(ShaderId::Reduce, "reduce_tree", 1);
const SOFTMAX: Kernel = Kernel::new(ShaderId::Softmax, "softmax", 1);

/// Which reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reduction {
    Sum = 0,
    Max = 1,
}

/// Reduces `x` of `shape` over `axes`; the result is laid out row-major over the kept dims.
pub(crate) fn reduce(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    shape: &[usize],
    axes: &[usize],
    how: Reduction,
) -> Result<GpuStorage, GpuError> {
    let strides = contiguous_strides(shape);
    let split = |keep: bool| {
        let (d, s): (Vec<usize>, Vec<usize>) = (0..shape.len())
            .filter(|d| axes.contains(d) != keep)
            .map(|d| (shape[d], strides[d]))
            .unzip();
        let (d, mut s) = coalesce(&d, &[s]);
        (d, s.pop().expect("one stride list"))
    };
    let (kept, kept_strides) = split(true);
    let (red, red_strides) = split(false);
    let n_out = numel(&kept);
    let r = numel(&red);
    let out = GpuStorage::uninit(dev, n_out)?;
    if n_out == 0 {
        return Ok(out);
    }
    let op = "reduce";
    let mut params = vec![
        word(op, n_out)?,
        word(op, r)?,
        word(op, kept.len())?,
        word(op, red.len())?,
    ];
    push_padded(op, &mut params, &kept, 6)?;
    push_padded(op, &mut params, &kept_strides, 6)?;
    push_padded(op, &mut params, &red, 6)?;
    push_padded(op, &mut params, &red_strides, 6)?;
    params.push(how as u32);
    // A workgroup per output only pays for few outputs of long rows: its barriers are cheap on
    // GPUs but switch every SIMD group on software adapters, where a bias gradient (256 sums of
    // 128) took 170 ms as 256 trees and a few ms as one serial pass.
    let tree = r >= 4096 || (r >= 256 && n_out < 128);
    let mode = Some(how as u32);
    if tree {
        let kernel = Kernel { mode, ..TREE };
        launch(dev, kernel, &params, &out, &[x], grid(n_out as u64))?;
    } else {
        let kernel = Kernel { mode, ..SERIAL };
        launch(dev, kernel, &params, &out, &[x], grid_for(n_out))?;
    }
    Ok(out)
}

/// Softmax or log-softmax along `dim`.
pub(crate) fn softmax(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    shape: &[usize],
    dim: usize,
    log: bool,
) -> Result<GpuStorage, GpuError> {
    let out = GpuStorage::uninit(dev, x.len())?;
    let n = shape[dim];
    let inner = numel(&shape[dim + 1..]);
    if n == 0 || x.is_empty() {
        return Ok(out);
    }
    let rows = x.len() / n;
    let op = "softmax";
    let params = [
        word(op, rows)?,
        word(op, n)?,
        word(op, inner)?,
        u32::from(log),
    ];
    launch(dev, SOFTMAX, &params, &out, &[x], grid_for(rows))?;
    Ok(out)
}
