//! Host side of `index.wgsl`: permute, expand, narrow and cat as strided copies; gather and
//! scatter-add.

use std::sync::Arc;

use super::{launch, numel};
use crate::device::gpu::layout::{
    broadcast_strides, coalesce, contiguous_strides, grid_for, push_padded, word,
};
use crate::device::gpu::runtime::GpuDevice;
use crate::device::gpu::shaders::{Kernel, ShaderId};
use crate::device::gpu::{GpuError, GpuStorage};

const COPY_STRIDED: Kernel = Kernel::new(ShaderId::Index, "copy_strided", 1);
const COPY_INTO: Kernel = Kernel::new(ShaderId::Index, "copy_into", 1);
const GATHER: Kernel = Kernel::new(ShaderId::Index, "gather", 2);
const SCATTER_ADD: Kernel = Kernel::new(ShaderId::Index, "scatter_add", 2);

fn strided_params(
    op: &'static str,
    n: usize,
    offset: usize,
    dims: &[usize],
    strides: &[usize],
) -> Result<Vec<u32>, GpuError> {
    let (dims, mut st) = coalesce(dims, &[strides.to_vec()]);
    let st = st.pop().expect("one stride list");
    let mut params = vec![word(op, n)?, word(op, dims.len())?, word(op, offset)?, 0];
    push_padded(op, &mut params, &dims, 8)?;
    push_padded(op, &mut params, &st, 8)?;
    Ok(params)
}

/// `out[i] = x[offset + sum(coord_d * strides_d)]` over `dims` (row-major).
fn gather_strided(
    dev: &Arc<GpuDevice>,
    op: &'static str,
    x: &GpuStorage,
    dims: &[usize],
    strides: &[usize],
    offset: usize,
) -> Result<GpuStorage, GpuError> {
    let n = numel(dims);
    let out = GpuStorage::uninit(dev, n)?;
    if n > 0 {
        let params = strided_params(op, n, offset, dims, strides)?;
        launch(dev, COPY_STRIDED, &params, &out, &[x], grid_for(n))?;
    }
    Ok(out)
}

/// Output dim `d` is input dim `perm[d]`.
pub(crate) fn permute(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    shape: &[usize],
    perm: &[usize],
) -> Result<GpuStorage, GpuError> {
    let own = contiguous_strides(shape);
    let dims: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let st: Vec<usize> = perm.iter().map(|&p| own[p]).collect();
    gather_strided(dev, "permute", x, &dims, &st, 0)
}

/// Broadcast copy of `x` (shape `shape`) to `out`.
pub(crate) fn expand(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    shape: &[usize],
    out: &[usize],
) -> Result<GpuStorage, GpuError> {
    gather_strided(dev, "expand", x, out, &broadcast_strides(shape, out), 0)
}

/// Elements `start..start + out[dim]` along `dim`.
pub(crate) fn narrow(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    shape: &[usize],
    dim: usize,
    start: usize,
    out: &[usize],
) -> Result<GpuStorage, GpuError> {
    let st = contiguous_strides(shape);
    gather_strided(dev, "narrow", x, out, &st, start * st[dim])
}

/// Concatenation along `dim`: one strided write per non-empty part.
pub(crate) fn cat(
    dev: &Arc<GpuDevice>,
    parts: &[(&GpuStorage, &[usize])],
    dim: usize,
    out: &[usize],
) -> Result<GpuStorage, GpuError> {
    let result = GpuStorage::uninit(dev, numel(out))?;
    let st = contiguous_strides(out);
    let mut at = 0;
    for (x, shape) in parts {
        let n = numel(shape);
        if n > 0 {
            let params = strided_params("cat", n, at * st[dim], shape, &st)?;
            launch(dev, COPY_INTO, &params, &result, &[x], grid_for(n))?;
        }
        at += shape[dim];
    }
    Ok(result)
}

/// torch.gather along `dim`.
pub(crate) fn gather(
    dev: &Arc<GpuDevice>,
    (x, xs): (&GpuStorage, &[usize]),
    (index, is): (&GpuStorage, &[usize]),
    dim: usize,
) -> Result<GpuStorage, GpuError> {
    let n = numel(is);
    let out = GpuStorage::uninit(dev, n)?;
    if n > 0 {
        let op = "gather";
        let mut params = vec![
            word(op, n)?,
            word(op, is.len())?,
            word(op, dim)?,
            word(op, xs[dim])?,
        ];
        push_padded(op, &mut params, is, 8)?;
        push_padded(op, &mut params, &contiguous_strides(xs), 8)?;
        launch(dev, GATHER, &params, &out, &[x, index], grid_for(n))?;
    }
    Ok(out)
}

/// Zeros of `out` with `src` added at `index` along `dim`.
pub(crate) fn scatter_add(
    dev: &Arc<GpuDevice>,
    (index, is): (&GpuStorage, &[usize]),
    src: &GpuStorage,
    dim: usize,
    out: &[usize],
) -> Result<GpuStorage, GpuError> {
    let n = numel(out);
    let result = GpuStorage::uninit(dev, n)?;
    if n > 0 {
        let op = "scatter_add";
        let mut params = vec![word(op, n)?, word(op, out.len())?, word(op, dim)?, 0];
        push_padded(op, &mut params, out, 8)?;
        push_padded(op, &mut params, is, 8)?;
        launch(
            dev,
            SCATTER_ADD,
            &params,
            &result,
            &[index, src],
            grid_for(n),
        )?;
    }
    Ok(result)
}
