//! The CPU backend: the numerical reference for every op and the fallback when WebGPU is
//! missing. Kernels are plain loops generic over [`Float`] (f32, f64), one file per op family;
//! [`run`] is the only entry point and matches an [`Op`] to its kernel.

mod alloc;
mod conv;
mod conv_wide;
mod dot;
mod elementwise;
mod float;
// Used by the f32 matmul in wasm SIMD128 only; natively matrixmultiply is faster.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)]
mod gemm;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod helper;
mod index;
mod layout;
mod matmul;
mod parallel;
mod pool;
mod reduce;
mod simd;
mod tile;

pub use float::Float;
/// A helper Web Worker for large f32 products in the browser (wasm SIMD128 builds).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use helper::{attach as share_products_with, serve as serve_products};

use crate::autograd::Op;
use crate::device::DType;
use crate::error::{Error, Result};

/// Host memory of one tensor, row-major and contiguous.
#[derive(Debug, Clone, PartialEq)]
pub enum CpuStorage {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Drop for CpuStorage {
    /// Hands big buffers back to the per-thread cache for the next kernel's output.
    fn drop(&mut self) {
        match self {
            CpuStorage::F32(v) => alloc::give(std::mem::take(v)),
            CpuStorage::F64(v) => alloc::give(std::mem::take(v)),
        }
    }
}

impl CpuStorage {
    /// Element type.
    pub fn dtype(&self) -> DType {
        match self {
            CpuStorage::F32(_) => DType::F32,
            CpuStorage::F64(_) => DType::F64,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            CpuStorage::F32(v) => v.len(),
            CpuStorage::F64(v) => v.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One element as f64 (cheap read-back of a single value, e.g. a benchmark's checksum).
    pub fn get(&self, i: usize) -> Option<f64> {
        match self {
            CpuStorage::F32(v) => v.get(i).map(|&x| f64::from(x)),
            CpuStorage::F64(v) => v.get(i).copied(),
        }
    }

    /// Values converted to f64 (for reading back and for tests).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match self {
            CpuStorage::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            CpuStorage::F64(v) => v.clone(),
        }
    }
}

/// Runs `op` on CPU inputs `(data, shape)` producing an output of shape `out`.
pub fn run(op: &Op, inputs: &[(&CpuStorage, &[usize])], out: &[usize]) -> Result<CpuStorage> {
    match inputs.first().map(|(s, _)| s.dtype()).unwrap_or(DType::F32) {
        DType::F32 => run_typed::<f32>(op, inputs, out).map(CpuStorage::F32),
        DType::F64 => run_typed::<f64>(op, inputs, out).map(CpuStorage::F64),
    }
}

fn run_typed<T: Float>(
    op: &Op,
    inputs: &[(&CpuStorage, &[usize])],
    out: &[usize],
) -> Result<Vec<T>> {
    let mut xs: Vec<&[T]> = Vec::with_capacity(inputs.len());
    for (s, _) in inputs {
        xs.push(T::slice(s).ok_or(Error::DTypeMismatch {
            op: op.name(),
            expected: inputs[0].0.dtype(),
            got: s.dtype(),
        })?);
    }
    let shape = |i: usize| inputs[i].1;
    let arity_ok = match op {
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
        | Op::Narrow { .. } => xs.len() == 1,
        Op::Where => xs.len() == 3,
        Op::Cat { .. } => !xs.is_empty(),
        _ => xs.len() == 2,
    };
    if !arity_ok {
        return Err(Error::invalid(op.name(), format!("{} inputs", xs.len())));
    }
    Ok(match op {
        Op::Unary(u) => elementwise::unary(*u, xs[0]),
        Op::Binary(b) => elementwise::binary(*b, xs[0], shape(0), xs[1], shape(1), out),
        Op::Compare(c) => elementwise::compare(*c, xs[0], shape(0), xs[1], shape(1), out),
        Op::Where => elementwise::where_select(xs[0], xs[1], xs[2]),
        Op::Sum { axes, .. } => reduce::sum(xs[0], shape(0), axes),
        Op::Max { axes, .. } => reduce::max(xs[0], shape(0), axes),
        Op::Matmul {
            transpose_a,
            transpose_b,
        } => {
            let a = shape(0);
            let k = if *transpose_a { a[1] } else { a[2] };
            matmul::batched(
                xs[0],
                xs[1],
                out[0],
                out[1],
                k,
                out[2],
                *transpose_a,
                *transpose_b,
            )
        }
        Op::Conv2d(p) => conv::forward(
            xs[0],
            xs[1],
            &conv::ConvGeom::new(shape(0), shape(1), out, *p),
        ),
        Op::Conv2dBackwardInput(p) => conv::backward_input(
            xs[0],
            xs[1],
            &conv::ConvGeom::new(out, shape(1), shape(0), *p),
        ),
        Op::Conv2dBackwardWeight(p) => conv::backward_weight(
            xs[0],
            xs[1],
            &conv::ConvGeom::new(shape(0), out, shape(1), *p),
        ),
        Op::MaxPool2d(p) => pool::max_forward(xs[0], &pool::PoolGeom::new(shape(0), out), p),
        Op::MaxPool2dScatter(p) => {
            pool::max_scatter(xs[0], xs[1], &pool::PoolGeom::new(shape(0), shape(1)), p)
        }
        Op::MaxPool2dGather(p) => {
            pool::max_gather(xs[0], xs[1], &pool::PoolGeom::new(shape(0), out), p)
        }
        Op::AvgPool2d(p) => pool::avg_forward(xs[0], &pool::PoolGeom::new(shape(0), out), p),
        Op::AvgPool2dBackward(p) => {
            pool::avg_backward(xs[0], &pool::PoolGeom::new(out, shape(0)), p)
        }
        Op::AdaptiveAvgPool2d => {
            pool::adaptive_avg_forward(xs[0], &pool::PoolGeom::new(shape(0), out))
        }
        Op::AdaptiveAvgPool2dBackward => {
            pool::adaptive_avg_backward(xs[0], &pool::PoolGeom::new(out, shape(0)))
        }
        Op::Softmax { dim } => reduce::softmax(xs[0], shape(0), *dim, false),
        Op::LogSoftmax { dim } => reduce::softmax(xs[0], shape(0), *dim, true),
        Op::Gather { dim } => index::gather(xs[0], shape(0), xs[1], shape(1), *dim)?,
        Op::ScatterAdd { dim } => index::scatter_add(xs[0], shape(0), xs[1], *dim, out)?,
        Op::Reshape => alloc::CollectPooled::pooled(xs[0].iter().copied()),
        Op::Permute { perm } => layout::permute(xs[0], shape(0), perm),
        Op::Expand => layout::expand(xs[0], shape(0), out),
        Op::Narrow { dim, start } => layout::narrow(xs[0], shape(0), *dim, *start, out),
        Op::Cat { dim } => {
            let parts: Vec<(&[T], &[usize])> =
                xs.iter().zip(inputs).map(|(x, (_, s))| (*x, *s)).collect();
            layout::cat(&parts, *dim, out)
        }
    })
}
