//! Host side of `conv.wgsl`: conv2d and its input and weight gradients, either as implicit GEMMs
//! (one per group; wide layers) or as direct kernels (few channels per group, where a 64-row
//! GEMM tile would be mostly empty), geometry passed as parameters.

use std::sync::Arc;

use super::gemm::{run_gemm, Gemm};
use super::launch;
use super::reduce::{reduce, Reduction};
use crate::autograd::Conv2dParams;
use crate::device::gpu::layout::{grid_for, word};
use crate::device::gpu::runtime::GpuDevice;
use crate::device::gpu::shaders::{Kernel, ShaderId};
use crate::device::gpu::{GpuError, GpuStorage};

/// Sizes of one convolution from `x: [N,C,H,W]`, `w: [O,C/g,kh,kw]`, `y: [N,O,OH,OW]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConvGeom {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    o: usize,
    kh: usize,
    kw: usize,
    oh: usize,
    ow: usize,
    p: Conv2dParams,
}

impl ConvGeom {
    /// Reads the sizes; the op layer has checked that the shapes fit together.
    pub fn new(
        x: &[usize],
        w: &[usize],
        y: &[usize],
        p: Conv2dParams,
    ) -> Result<ConvGeom, GpuError> {
        if x.len() != 4
            || w.len() != 4
            || y.len() != 4
            || p.groups == 0
            || !x[1].is_multiple_of(p.groups)
            || !w[0].is_multiple_of(p.groups)
        {
            return Err(GpuError::InvalidArgument {
                op: "conv2d",
                reason: format!("shapes x {x:?}, w {w:?}, y {y:?} with {} groups", p.groups),
            });
        }
        Ok(ConvGeom {
            n: x[0],
            c: x[1],
            h: x[2],
            w: x[3],
            o: w[0],
            kh: w[2],
            kw: w[3],
            oh: y[2],
            ow: y[3],
            p,
        })
    }

    /// For stride 1, the input gradient is a convolution of dy (channels O -> C) with the
    /// weight flipped in space and transposed per group, padded by `d*(k-1) - p`: returns that
    /// convolution's geometry, or None when the stride or padding does not allow it.
    fn input_gradient_as_conv(&self) -> Option<ConvGeom> {
        let p = self.p;
        let pad = |k: usize, d: usize, pad: usize| (d * (k - 1)).checked_sub(pad);
        if p.stride != [1, 1] {
            return None;
        }
        Some(ConvGeom {
            n: self.n,
            c: self.o,
            h: self.oh,
            w: self.ow,
            o: self.c,
            kh: self.kh,
            kw: self.kw,
            oh: self.h,
            ow: self.w,
            p: Conv2dParams {
                stride: [1, 1],
                padding: [
                    pad(self.kh, p.dilation[0], p.padding[0])?,
                    pad(self.kw, p.dilation[1], p.padding[1])?,
                ],
                dilation: p.dilation,
                groups: p.groups,
            },
        })
    }

    fn cg(&self) -> usize {
        self.c / self.p.groups
    }

    fn og(&self) -> usize {
        self.o / self.p.groups
    }

    fn params(&self) -> Result<Vec<u32>, GpuError> {
        let p = self.p;
        [
            self.n,
            self.c,
            self.h,
            self.w,
            self.o,
            self.kh,
            self.kw,
            self.oh,
            self.ow,
            p.stride[0],
            p.stride[1],
            p.padding[0],
            p.padding[1],
            p.dilation[0],
            p.dilation[1],
            self.cg(),
            self.og(),
        ]
        .iter()
        .map(|&v| word("conv2d", v))
        .collect()
    }
}

/// Channels per group from which the implicit GEMM fills its 64-row tiles well enough.
const GEMM_MIN_CHANNELS: usize = 64;
/// Invocations the direct weight-gradient kernel aims for when splitting the batch.
const TARGET_INVOCATIONS: usize = 8192;

/// Launches a direct kernel with `[invocations, blocks, chunk, flip, 0...]` then the geometry.
fn direct(
    dev: &Arc<GpuDevice>,
    entry: &'static str,
    inputs: [&GpuStorage; 2],
    g: &ConvGeom,
    head: [usize; 4],
    out_len: usize,
) -> Result<GpuStorage, GpuError> {
    let out = GpuStorage::uninit(dev, out_len)?;
    if head[0] == 0 {
        return Ok(out);
    }
    let mut params = head
        .iter()
        .map(|&v| word(entry, v))
        .collect::<Result<Vec<_>, _>>()?;
    params.resize(8, 0);
    params.extend(g.params()?);
    let kernel = Kernel::new(ShaderId::Conv, entry, 2);
    launch(dev, kernel, &params, &out, &inputs, grid_for(head[0]))?;
    Ok(out)
}

/// The blocked direct forward kernel (4 channels x 4 columns per invocation); with `flip`, the
/// weight is read flipped and transposed (see [`ConvGeom::input_gradient_as_conv`]).
fn forward_direct(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    w: &GpuStorage,
    g: &ConvGeom,
    flip: bool,
) -> Result<GpuStorage, GpuError> {
    let blocks = g.og().div_ceil(4);
    let n = g.n * g.p.groups * blocks * g.oh * g.ow.div_ceil(4);
    let head = [n, blocks, 0, usize::from(flip)];
    let out_len = g.n * g.o * g.oh * g.ow;
    direct(dev, "conv_forward_direct", [x, w], g, head, out_len)
}

/// y = conv2d(x, w).
pub(crate) fn forward(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    w: &GpuStorage,
    g: &ConvGeom,
) -> Result<GpuStorage, GpuError> {
    let out_len = g.n * g.o * g.oh * g.ow;
    if g.og() < GEMM_MIN_CHANNELS {
        return forward_direct(dev, x, w, g, false);
    }
    let gemm = Gemm {
        batch: g.p.groups,
        m: g.og(),
        n: g.n * g.oh * g.ow,
        k: g.cg() * g.kh * g.kw,
        splittable: false,
    };
    run_gemm(
        dev,
        ShaderId::Conv,
        Some(0),
        gemm,
        &[x, w],
        &g.params()?,
        out_len,
    )
}

/// dx from dy and w.
pub(crate) fn backward_input(
    dev: &Arc<GpuDevice>,
    dy: &GpuStorage,
    w: &GpuStorage,
    g: &ConvGeom,
) -> Result<GpuStorage, GpuError> {
    let out_len = g.n * g.c * g.h * g.w;
    if g.cg() < GEMM_MIN_CHANNELS {
        if let Some(flipped) = g.input_gradient_as_conv() {
            return forward_direct(dev, dy, w, &flipped, true);
        }
        let blocks = g.cg().div_ceil(4);
        let n = g.n * g.p.groups * blocks * g.h * g.w;
        return direct(
            dev,
            "conv_backward_input_direct",
            [dy, w],
            g,
            [n, blocks, 0, 0],
            out_len,
        );
    }
    let gemm = Gemm {
        batch: g.p.groups,
        m: g.cg(),
        n: g.n * g.h * g.w,
        k: g.og() * g.kh * g.kw,
        splittable: false,
    };
    run_gemm(
        dev,
        ShaderId::Conv,
        Some(1),
        gemm,
        &[dy, w],
        &g.params()?,
        out_len,
    )
}

/// dw from x and dy (split-k over the batch and pixels when few output tiles exist).
pub(crate) fn backward_weight(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    dy: &GpuStorage,
    g: &ConvGeom,
) -> Result<GpuStorage, GpuError> {
    let w_len = g.o * g.cg() * g.kh * g.kw;
    if g.og() < GEMM_MIN_CHANNELS {
        let blocks = g.og().div_ceil(4);
        let per_split = g.p.groups * blocks * g.cg() * (g.kh * g.kw).div_ceil(4);
        let images = g.n.max(1);
        let want = TARGET_INVOCATIONS
            .div_ceil(per_split.max(1))
            .clamp(1, images);
        let chunk = images.div_ceil(want);
        let splits = images.div_ceil(chunk);
        let head = [splits * per_split, blocks, chunk, 0];
        let partial = direct(
            dev,
            "conv_backward_weight_direct",
            [x, dy],
            g,
            head,
            splits * w_len,
        )?;
        if splits == 1 {
            return Ok(partial);
        }
        return reduce(dev, &partial, &[splits, w_len], &[0], Reduction::Sum);
    }
    let gemm = Gemm {
        batch: g.p.groups,
        m: g.og(),
        n: g.cg() * g.kh * g.kw,
        k: g.n * g.oh * g.ow,
        splittable: true,
    };
    run_gemm(
        dev,
        ShaderId::Conv,
        Some(2),
        gemm,
        &[x, dy],
        &g.params()?,
        w_len,
    )
}
