//! 2-D pooling with torch.nn.functional's semantics (no ceil_mode, no dilation).

use crate::autograd::{Op, Pool2dParams};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

impl Tensor {
    fn pool_shape(&self, op: &'static str, p: &Pool2dParams) -> Result<Vec<usize>> {
        let d = self.dims();
        if self.rank() != 4 {
            return Err(Error::shapes(op, &[d], "expects input [N, C, H, W]"));
        }
        if p.kernel.contains(&0) || p.stride.contains(&0) {
            return Err(Error::invalid(
                op,
                format!("kernel and stride must be positive: {p:?}"),
            ));
        }
        if p.padding[0] * 2 > p.kernel[0] || p.padding[1] * 2 > p.kernel[1] {
            return Err(Error::invalid(
                op,
                format!(
                    "padding {:?} must be at most half the kernel {:?}",
                    p.padding, p.kernel
                ),
            ));
        }
        let mut out = d[..2].to_vec();
        for a in 0..2 {
            let padded = d[2 + a] + 2 * p.padding[a];
            if padded < p.kernel[a] {
                return Err(Error::shapes(
                    op,
                    &[d],
                    format!("kernel {:?} larger than the padded input", p.kernel),
                ));
            }
            out.push((padded - p.kernel[a]) / p.stride[a] + 1);
        }
        Ok(out)
    }

    /// Unbatched `[C, H, W]` inputs run as a batch of one.
    fn pool3(&self, f: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
        f(&self.unsqueeze(0)?)?.squeeze(0)
    }

    /// torch.nn.functional.max_pool2d (padding counts as -inf).
    pub fn max_pool2d(&self, params: Pool2dParams) -> Result<Tensor> {
        if self.rank() == 3 {
            return self.pool3(|x| x.max_pool2d(params));
        }
        let out = self.pool_shape("max_pool2d", &params)?;
        Tensor::from_op(Op::MaxPool2d(params), vec![self.clone()], out)
    }

    /// torch.nn.functional.avg_pool2d (`count_include_pad` as in the params, torch default true).
    pub fn avg_pool2d(&self, params: Pool2dParams) -> Result<Tensor> {
        if self.rank() == 3 {
            return self.pool3(|x| x.avg_pool2d(params));
        }
        let out = self.pool_shape("avg_pool2d", &params)?;
        Tensor::from_op(Op::AvgPool2d(params), vec![self.clone()], out)
    }

    /// torch.nn.functional.adaptive_avg_pool2d to `output_size` (oh, ow).
    pub fn adaptive_avg_pool2d(&self, output_size: [usize; 2]) -> Result<Tensor> {
        if self.rank() == 3 {
            return self.pool3(|x| x.adaptive_avg_pool2d(output_size));
        }
        let d = self.dims();
        if self.rank() != 4 {
            return Err(Error::shapes(
                "adaptive_avg_pool2d",
                &[d],
                "expects input [N, C, H, W]",
            ));
        }
        if output_size.contains(&0) || d[2] == 0 || d[3] == 0 {
            return Err(Error::shapes(
                "adaptive_avg_pool2d",
                &[d, &output_size],
                "sizes must be positive",
            ));
        }
        Tensor::from_op(
            Op::AdaptiveAvgPool2d,
            vec![self.clone()],
            vec![d[0], d[1], output_size[0], output_size[1]],
        )
    }
}
