//! Host side of `conv.wgsl`: conv2d and its input and weight gradients as implicit GEMMs, one
//! GEMM per group, geometry passed as parameters.

use std::sync::Arc;

use super::gemm::{run_gemm, Gemm};
use crate::autograd::Conv2dParams;
use crate::device::gpu::layout::word;
use crate::device::gpu::runtime::GpuDevice;
use crate::device::gpu::shaders::ShaderId;
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

/// y = conv2d(x, w).
pub(crate) fn forward(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    w: &GpuStorage,
    g: &ConvGeom,
) -> Result<GpuStorage, GpuError> {
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
        g.n * g.o * g.oh * g.ow,
    )
}

/// dx from dy and w.
pub(crate) fn backward_input(
    dev: &Arc<GpuDevice>,
    dy: &GpuStorage,
    w: &GpuStorage,
    g: &ConvGeom,
) -> Result<GpuStorage, GpuError> {
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
        g.n * g.c * g.h * g.w,
    )
}

/// dw from x and dy (split-k over the batch and pixels when few output tiles exist).
pub(crate) fn backward_weight(
    dev: &Arc<GpuDevice>,
    x: &GpuStorage,
    dy: &GpuStorage,
    g: &ConvGeom,
) -> Result<GpuStorage, GpuError> {
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
        g.o * g.cg() * g.kh * g.kw,
    )
}
