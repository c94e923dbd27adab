//! Host side of `elementwise.wgsl`: op codes, scalar parameters and broadcasting strides.

use std::sync::Arc;

use super::{launch, numel};
use crate::autograd::{BinaryOp, CmpOp, UnaryOp};
use crate::device::gpu::layout::{broadcast_strides, coalesce, grid_for, push_padded, word};
use crate::device::gpu::runtime::GpuDevice;
use crate::device::gpu::shaders::{Kernel, ShaderId};
use crate::device::gpu::{GpuError, GpuStorage};

const UNARY: Kernel = Kernel::new(ShaderId::Elementwise, "unary", 1);
const BINARY: Kernel = Kernel::new(ShaderId::Elementwise, "binary", 2);
const WHERE: Kernel = Kernel::new(ShaderId::Elementwise, "where_select", 3);

/// Elements per invocation (`PER` in the shader).
const PER: usize = 8;

/// Unary op codes (`U_*` in the shader), the values of the `unary` pipelines' `MODE`.
pub(crate) const UNARY_OPS: u32 = 18;
/// Binary and comparison op codes (`B_*`), the values of the `binary` pipelines' `MODE`.
pub(crate) const BINARY_OPS: u32 = 10;

/// Op code (matching the `U_*` constants of the shader), alpha, beta and clamp flags.
fn unary_code(op: UnaryOp) -> (u32, f32, f32, u32) {
    match op {
        UnaryOp::Neg => (0, 0.0, 0.0, 0),
        UnaryOp::Exp => (1, 0.0, 0.0, 0),
        UnaryOp::Log => (2, 0.0, 0.0, 0),
        UnaryOp::Sqrt => (3, 0.0, 0.0, 0),
        UnaryOp::Abs => (4, 0.0, 0.0, 0),
        UnaryOp::Sign => (5, 0.0, 0.0, 0),
        UnaryOp::Erf => (6, 0.0, 0.0, 0),
        UnaryOp::Relu => (7, 0.0, 0.0, 0),
        UnaryOp::LeakyRelu(s) => (8, s as f32, 0.0, 0),
        UnaryOp::Sigmoid => (9, 0.0, 0.0, 0),
        UnaryOp::Tanh => (10, 0.0, 0.0, 0),
        UnaryOp::Silu => (11, 0.0, 0.0, 0),
        UnaryOp::Gelu { tanh: false } => (12, 0.0, 0.0, 0),
        UnaryOp::Gelu { tanh: true } => (13, 0.0, 0.0, 0),
        UnaryOp::Hardswish => (14, 0.0, 0.0, 0),
        UnaryOp::Hardsigmoid => (15, 0.0, 0.0, 0),
        UnaryOp::PowScalar(p) => (16, p as f32, 0.0, 0),
        UnaryOp::Clamp { min, max } => (
            17,
            min.unwrap_or(0.0) as f32,
            max.unwrap_or(0.0) as f32,
            u32::from(min.is_some()) | (u32::from(max.is_some()) << 1),
        ),
    }
}

/// `op` applied to every element of `x`.
pub(crate) fn unary(
    dev: &Arc<GpuDevice>,
    op: UnaryOp,
    x: &GpuStorage,
) -> Result<GpuStorage, GpuError> {
    let n = x.len();
    let out = GpuStorage::uninit(dev, n)?;
    let (code, alpha, beta, flags) = unary_code(op);
    let params = [
        word("unary", n)?,
        code,
        alpha.to_bits(),
        beta.to_bits(),
        flags,
    ];
    let kernel = Kernel {
        mode: Some(code),
        ..UNARY
    };
    launch(dev, kernel, &params, &out, &[x], grid_for(n.div_ceil(PER)))?;
    Ok(out)
}

fn binary_code(op: BinaryOp) -> u32 {
    match op {
        BinaryOp::Add => 0,
        BinaryOp::Sub => 1,
        BinaryOp::Mul => 2,
        BinaryOp::Div => 3,
        BinaryOp::Pow => 4,
        BinaryOp::Maximum => 5,
        BinaryOp::Minimum => 6,
    }
}

fn compare_code(op: CmpOp) -> u32 {
    match op {
        CmpOp::Gt => 7,
        CmpOp::Ge => 8,
        CmpOp::Eq => 9,
    }
}

/// Arithmetic (`Ok(op)`) or a comparison (`Err(op)`) of two broadcast operands.
pub(crate) fn binary(
    dev: &Arc<GpuDevice>,
    op: Result<BinaryOp, CmpOp>,
    (a, sa): (&GpuStorage, &[usize]),
    (b, sb): (&GpuStorage, &[usize]),
    out_shape: &[usize],
) -> Result<GpuStorage, GpuError> {
    let n = numel(out_shape);
    let out = GpuStorage::uninit(dev, n)?;
    let code = op.map_or_else(compare_code, binary_code);
    let (dims, st) = coalesce(
        out_shape,
        &[
            broadcast_strides(sa, out_shape),
            broadcast_strides(sb, out_shape),
        ],
    );
    let mut params = vec![word("binary", n)?, code, word("binary", dims.len())?, 0];
    push_padded("binary", &mut params, &dims, 8)?;
    push_padded("binary", &mut params, &st[0], 8)?;
    push_padded("binary", &mut params, &st[1], 8)?;
    let kernel = Kernel {
        mode: Some(code),
        ..BINARY
    };
    launch(
        dev,
        kernel,
        &params,
        &out,
        &[a, b],
        grid_for(n.div_ceil(PER)),
    )?;
    Ok(out)
}

/// `cond != 0 ? a : b` on equal shapes.
pub(crate) fn where_select(
    dev: &Arc<GpuDevice>,
    cond: &GpuStorage,
    a: &GpuStorage,
    b: &GpuStorage,
) -> Result<GpuStorage, GpuError> {
    let n = cond.len();
    let out = GpuStorage::uninit(dev, n)?;
    launch(
        dev,
        WHERE,
        &[word("where", n)?],
        &out,
        &[cond, a, b],
        grid_for(n.div_ceil(PER)),
    )?;
    Ok(out)
}
