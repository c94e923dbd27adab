//! Launching the tiled GEMM of `gemm.wgsl` for matmul and the three conv products: grid
//! chunking (65535 workgroups per dimension) and split-k for products with few output tiles
//! and a long k (the weight gradients), whose partial sums are added by the reduce kernel.

use std::sync::Arc;

use super::reduce::{reduce, Reduction};
use super::{launch, numel};
use crate::device::gpu::layout::word;
use crate::device::gpu::runtime::GpuDevice;
use crate::device::gpu::shaders::{Kernel, ShaderId};
use crate::device::gpu::{GpuError, GpuStorage};

const TILE: usize = 64;
const MAX_GROUPS: usize = 65535;

/// One GEMM problem: `batch` independent `[m x k] x [k x n]` products.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gemm {
    pub batch: usize,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    /// Whether the kernel's store writes `[z, m, n]` contiguously, so split-k can be used.
    pub splittable: bool,
}

impl Gemm {
    /// Number of k splits: enough workgroups to keep the device busy, chunks of >= 256.
    fn splits(&self) -> (usize, usize) {
        let tiles = self.batch * self.m.div_ceil(TILE) * self.n.div_ceil(TILE);
        if !self.splittable || tiles >= 16 || self.k < 1024 {
            return (1, self.k.max(1));
        }
        let want = (32 / tiles).clamp(1, self.k / 256);
        let chunk = self.k.div_ceil(want).div_ceil(16) * 16;
        (self.k.div_ceil(chunk), chunk)
    }
}

/// Runs the GEMM with `shader`/`mode` on `inputs`; `extra` are the operand parameters (from
/// word 8). Returns storage of `out_len` values (`batch * m * n` for splittable kernels).
pub(crate) fn run_gemm(
    dev: &Arc<GpuDevice>,
    shader: ShaderId,
    mode: Option<u32>,
    g: Gemm,
    inputs: &[&GpuStorage],
    extra: &[u32],
    out_len: usize,
) -> Result<GpuStorage, GpuError> {
    let (splits, chunk) = g.splits();
    let kernel = Kernel {
        shader,
        entry: "gemm",
        mode,
        inputs: inputs.len(),
    };
    let target_len = if splits > 1 {
        g.batch * splits * g.m * g.n
    } else {
        out_len
    };
    let target = GpuStorage::uninit(dev, target_len)?;
    if out_len == 0 {
        return Ok(target);
    }
    let op = "gemm";
    let rows = g.m.div_ceil(TILE);
    if rows > MAX_GROUPS {
        return Err(GpuError::InvalidArgument {
            op,
            reason: format!("{} rows exceed the grid limit", g.m),
        });
    }
    let col_tiles = g.n.div_ceil(TILE);
    let zs = g.batch * splits;
    for z0 in (0..zs).step_by(MAX_GROUPS) {
        for c0 in (0..col_tiles).step_by(MAX_GROUPS) {
            let mut params = vec![
                word(op, g.m)?,
                word(op, g.n)?,
                word(op, g.k)?,
                word(op, chunk)?,
                word(op, splits)?,
                word(op, z0)?,
                word(op, c0 * TILE)?,
                0,
            ];
            params.extend_from_slice(extra);
            let groups = [
                (col_tiles - c0).min(MAX_GROUPS) as u32,
                rows as u32,
                (zs - z0).min(MAX_GROUPS) as u32,
            ];
            launch(dev, kernel, &params, &target, inputs, groups)?;
        }
    }
    if splits == 1 {
        return Ok(target);
    }
    let shape = [g.batch, splits, g.m * g.n];
    debug_assert_eq!(numel(&shape), target.len());
    reduce(dev, &target, &shape, &[1], Reduction::Sum)
}

/// Batched matmul with operands read through strides (transposes cost nothing).
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
    dev: &Arc<GpuDevice>,
    a: &GpuStorage,
    b: &GpuStorage,
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
    transpose_a: bool,
    transpose_b: bool,
) -> Result<GpuStorage, GpuError> {
    let op = "matmul";
    let (a_m, a_k) = if transpose_a { (1, m) } else { (k, 1) };
    let (b_k, b_n) = if transpose_b { (1, k) } else { (n, 1) };
    let extra = [
        word(op, m * k)?,
        word(op, a_m)?,
        word(op, a_k)?,
        word(op, k * n)?,
        word(op, b_k)?,
        word(op, b_n)?,
    ];
    let g = Gemm {
        batch,
        m,
        n,
        k,
        splittable: true,
    };
    run_gemm(
        dev,
        ShaderId::Matmul,
        None,
        g,
        &[a, b],
        &extra,
        batch * m * n,
    )
}
