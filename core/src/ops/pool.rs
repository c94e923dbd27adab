//! 2-D pooling with torch.nn.functional's semantics, `ceil_mode` and max pooling's `dilation`
//! included.

use crate::autograd::{Op, Pool2dParams};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

impl Tensor {
    fn pool_shape(&self, op: &'static str, p: &Pool2dParams) -> Result<Vec<usize>> {
        let d = self.dims();
        if self.rank() != 4 {
            return Err(Error::shapes(op, &[d], "expects input [N, C, H, W]"));
        }
        if p.kernel.contains(&0) || p.stride.contains(&0) || p.dilation.contains(&0) {
            return Err(Error::invalid(
                op,
                format!("kernel, stride and dilation must be positive: {p:?}"),
            ));
        }
        if p.divisor_override == Some(0) {
            return Err(Error::invalid(op, "divisor_override must be positive"));
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
            match p.output_size(a, d[2 + a]) {
                Some(o) if o > 0 => out.push(o),
                _ => {
                    return Err(Error::shapes(
                        op,
                        &[d],
                        format!(
                            "kernel {:?} with dilation {:?} larger than the padded input",
                            p.kernel, p.dilation
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }

    /// Unbatched `[C, H, W]` inputs run as a batch of one.
    fn pool3(&self, f: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
        f(&self.unsqueeze(0)?)?.squeeze(0)
    }

    /// torch.nn.functional.max_pool2d (padding counts as -inf; `dilation` and `ceil_mode` as
    /// in the params, `count_include_pad` and `divisor_override` unused).
    pub fn max_pool2d(&self, params: Pool2dParams) -> Result<Tensor> {
        if self.rank() == 3 {
            return self.pool3(|x| x.max_pool2d(params));
        }
        let out = self.pool_shape("max_pool2d", &params)?;
        Tensor::from_op(Op::MaxPool2d(params), vec![self.clone()], out)
    }

    /// torch.nn.functional.avg_pool2d (`count_include_pad`, `ceil_mode` and `divisor_override`
    /// as in the params; torch's avg_pool2d has no dilation, so it must be 1).
    pub fn avg_pool2d(&self, params: Pool2dParams) -> Result<Tensor> {
        if self.rank() == 3 {
            return self.pool3(|x| x.avg_pool2d(params));
        }
        if params.dilation != [1, 1] {
            return Err(Error::invalid(
                "avg_pool2d",
                format!("average pooling has no dilation, got {:?}", params.dilation),
            ));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Params saved before dilation/ceil_mode/divisor_override existed still load, as torch's
    /// defaults.
    #[test]
    fn pool_params_saved_without_new_fields_load_with_torch_defaults() {
        let old = r#"{"kernel":[3,3],"stride":[2,2],"padding":[1,1],"count_include_pad":false}"#;
        let p: Pool2dParams = serde_json::from_str(old).expect("old params load");
        assert_eq!(p.dilation, [1, 1]);
        assert!(!p.ceil_mode);
        assert_eq!(p.divisor_override, None);
        let back: Pool2dParams =
            serde_json::from_str(&serde_json::to_string(&p).expect("serializes")).expect("loads");
        assert_eq!(back, p);
    }

    /// torch's pooling_output_shape; the expected sizes are what torch returns.
    #[test]
    fn pool_output_size_follows_torch_ceil_and_dilation_rules() {
        let p = |k, s, pad, d, ceil| Pool2dParams {
            kernel: [k, k],
            stride: [s, s],
            padding: [pad, pad],
            dilation: [d, d],
            ceil_mode: ceil,
            ..Pool2dParams::square(k)
        };
        // GoogLeNet's MaxPool2d(3, 2, ceil_mode=True) on 112: 56 (floor gives 55).
        assert_eq!(p(3, 2, 0, 1, true).output_size(0, 112), Some(56));
        assert_eq!(p(3, 2, 0, 1, false).output_size(0, 112), Some(55));
        // The rounded-up window would start in the right padding: dropped (4 -> 3).
        assert_eq!(p(2, 2, 1, 1, true).output_size(0, 5), Some(3));
        // Dilation 2 spans 5 taps: (7 + 2 - 5) / 1 + 1.
        assert_eq!(p(3, 1, 1, 2, false).output_size(0, 7), Some(5));
        assert_eq!(p(3, 1, 0, 2, false).output_size(0, 4), None);
    }

    /// torch: `max_pool2d(x [1,1,2,2], 2, 1, 1, dilation=3)` is `[[-inf]]` (the one window's
    /// taps are (-1, 2) per axis, all outside) and its gradient is zero.
    #[test]
    fn max_pool_window_without_taps_is_neg_inf_with_zero_gradient() -> Result<()> {
        let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[1, 1, 2, 2][..])?;
        x.set_requires_grad(true)?;
        let p = Pool2dParams {
            kernel: [2, 2],
            stride: [1, 1],
            padding: [1, 1],
            dilation: [3, 3],
            ..Pool2dParams::square(2)
        };
        let y = x.max_pool2d(p)?;
        assert_eq!(y.dims(), &[1, 1, 1, 1]);
        assert_eq!(y.to_vec::<f32>()?, vec![f32::NEG_INFINITY]);
        let g = crate::grad(&[y.sum_all()?], &[x], false)?;
        assert_eq!(g[0].to_vec::<f32>()?, vec![0.0; 4]);
        Ok(())
    }

    #[test]
    fn pool_shapes_with_ceil_mode_and_dilation() -> Result<()> {
        let x = Tensor::zeros(&[1, 2, 5, 7][..]);
        let ceil = Pool2dParams {
            ceil_mode: true,
            ..Pool2dParams::square(2)
        };
        assert_eq!(x.max_pool2d(ceil)?.dims(), &[1, 2, 3, 4]);
        assert_eq!(x.avg_pool2d(ceil)?.dims(), &[1, 2, 3, 4]);
        let dilated = Pool2dParams {
            dilation: [2, 3],
            ..Pool2dParams::square(2)
        };
        assert_eq!(x.max_pool2d(dilated)?.dims(), &[1, 2, 2, 2]);
        assert!(x.avg_pool2d(dilated).is_err(), "avg_pool2d has no dilation");
        let zero = Pool2dParams {
            dilation: [0, 1],
            ..Pool2dParams::square(2)
        };
        assert!(x.max_pool2d(zero).is_err());
        let no_divisor = Pool2dParams {
            divisor_override: Some(0),
            ..Pool2dParams::square(2)
        };
        assert!(x.avg_pool2d(no_divisor).is_err());
        Ok(())
    }
}
