//! [`run`]: the GPU twin of `cpu::run`, matching every [`Op`] to its WGSL kernel. One file per
//! op family, mirroring `shaders/`.

mod conv;
mod elementwise;
mod gemm;
mod index;
mod pool;
mod reduce;

pub(crate) use self::elementwise::{BINARY_OPS, UNARY_OPS};

use std::sync::Arc;

use self::pool::PoolKernel;
use self::reduce::Reduction;
use super::pool::PooledBuffer;
use super::runtime::GpuDevice;
use super::shaders::Kernel;
use super::{GpuError, GpuStorage};
use crate::autograd::Op;

/// Number of elements of a shape.
pub(crate) fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Records one dispatch writing `out` from `inputs`.
pub(crate) fn launch(
    dev: &Arc<GpuDevice>,
    kernel: Kernel,
    params: &[u32],
    out: &GpuStorage,
    inputs: &[&GpuStorage],
    groups: [u32; 3],
) -> Result<(), GpuError> {
    let ins: Vec<&PooledBuffer> = inputs.iter().map(|s| s.buffer()).collect();
    dev.dispatch(kernel, params, out.buffer(), &ins, groups)
}

fn arity_ok(op: &Op, n: usize) -> bool {
    match op {
        Op::Unary(_)
        | Op::Sum { .. }
        | Op::Max { .. }
        | Op::MaxPool2d(_)
        | Op::AvgPool2d(_)
        | Op::AvgPool2dBackward(_)
        | Op::AdaptiveAvgPool2d
        | Op::AdaptiveAvgPool2dBackward
        | Op::Softmax { .. }
        | Op::LogSoftmax { .. }
        | Op::Reshape
        | Op::Permute { .. }
        | Op::Expand
        | Op::Narrow { .. } => n == 1,
        Op::Where => n == 3,
        Op::Cat { .. } => n >= 1,
        _ => n == 2,
    }
}

/// Runs `op` on GPU inputs `(storage, shape)` (all on one device), producing shape `out`. The
/// result is recorded, not waited for: reading it back submits the batch.
pub fn run(
    op: &Op,
    inputs: &[(&Arc<GpuStorage>, &[usize])],
    out: &[usize],
) -> Result<Arc<GpuStorage>, GpuError> {
    if !arity_ok(op, inputs.len()) {
        return Err(GpuError::InvalidArgument {
            op: op.name(),
            reason: format!("{} inputs", inputs.len()),
        });
    }
    let dev = inputs[0].0.runtime().clone();
    if inputs.iter().any(|(s, _)| !Arc::ptr_eq(s.runtime(), &dev)) {
        return Err(GpuError::InvalidArgument {
            op: op.name(),
            reason: "inputs live on different GPU devices".into(),
        });
    }
    let x = |i: usize| inputs[i].0.as_ref();
    let shape = |i: usize| inputs[i].1;
    let d = &dev;
    let result = match op {
        Op::Reshape => return Ok(inputs[0].0.clone()),
        Op::Unary(u) => elementwise::unary(d, *u, x(0))?,
        Op::Binary(b) => elementwise::binary(d, Ok(*b), (x(0), shape(0)), (x(1), shape(1)), out)?,
        Op::Compare(c) => elementwise::binary(d, Err(*c), (x(0), shape(0)), (x(1), shape(1)), out)?,
        Op::Where => elementwise::where_select(d, x(0), x(1), x(2))?,
        Op::Sum { axes, .. } => reduce::reduce(d, x(0), shape(0), axes, Reduction::Sum)?,
        Op::Max { axes, .. } => reduce::reduce(d, x(0), shape(0), axes, Reduction::Max)?,
        Op::Matmul {
            transpose_a,
            transpose_b,
        } => {
            let a = shape(0);
            let k = if *transpose_a { a[1] } else { a[2] };
            gemm::matmul(
                d,
                x(0),
                x(1),
                out[0],
                out[1],
                k,
                out[2],
                *transpose_a,
                *transpose_b,
            )?
        }
        Op::Conv2d(p) => conv::forward(
            d,
            x(0),
            x(1),
            &conv::ConvGeom::new(shape(0), shape(1), out, *p)?,
        )?,
        Op::Conv2dBackwardInput(p) => conv::backward_input(
            d,
            x(0),
            x(1),
            &conv::ConvGeom::new(out, shape(1), shape(0), *p)?,
        )?,
        Op::Conv2dBackwardWeight(p) => conv::backward_weight(
            d,
            x(0),
            x(1),
            &conv::ConvGeom::new(shape(0), out, shape(1), *p)?,
        )?,
        Op::MaxPool2d(p) => pool::pool(d, PoolKernel::MaxForward, &[x(0)], shape(0), out, p)?,
        Op::MaxPool2dScatter(p) => pool::pool(
            d,
            PoolKernel::MaxScatter,
            &[x(0), x(1)],
            shape(0),
            shape(1),
            p,
        )?,
        Op::MaxPool2dGather(p) => {
            pool::pool(d, PoolKernel::MaxGather, &[x(0), x(1)], shape(0), out, p)?
        }
        Op::AvgPool2d(p) => pool::pool(d, PoolKernel::AvgForward, &[x(0)], shape(0), out, p)?,
        Op::AvgPool2dBackward(p) => {
            pool::pool(d, PoolKernel::AvgBackward, &[x(0)], out, shape(0), p)?
        }
        Op::AdaptiveAvgPool2d => pool::pool(
            d,
            PoolKernel::AdaptiveForward,
            &[x(0)],
            shape(0),
            out,
            &unit_pool(),
        )?,
        Op::AdaptiveAvgPool2dBackward => pool::pool(
            d,
            PoolKernel::AdaptiveBackward,
            &[x(0)],
            out,
            shape(0),
            &unit_pool(),
        )?,
        Op::Softmax { dim } => reduce::softmax(d, x(0), shape(0), *dim, false)?,
        Op::LogSoftmax { dim } => reduce::softmax(d, x(0), shape(0), *dim, true)?,
        Op::Gather { dim } => index::gather(d, (x(0), shape(0)), (x(1), shape(1)), *dim)?,
        Op::ScatterAdd { dim } => index::scatter_add(d, (x(0), shape(0)), x(1), *dim, out)?,
        Op::Permute { perm } => index::permute(d, x(0), shape(0), perm)?,
        Op::Expand => index::expand(d, x(0), shape(0), out)?,
        Op::Narrow { dim, start } => index::narrow(d, x(0), shape(0), *dim, *start, out)?,
        Op::Cat { dim } => {
            let parts: Vec<(&GpuStorage, &[usize])> =
                inputs.iter().map(|(s, sh)| (s.as_ref(), *sh)).collect();
            index::cat(d, &parts, *dim, out)?
        }
    };
    Ok(Arc::new(result))
}

/// Adaptive pooling derives its windows from the sizes; these fields are unused.
fn unit_pool() -> crate::autograd::Pool2dParams {
    crate::autograd::Pool2dParams::square(1)
}
