//! Fully connected layer and the shape-only modules around it.

use super::{param, push_param, Ctx, Module, NamedTensor};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{FanMode, Nonlinearity, Tensor};

/// `torch.nn.Linear`: `y = x W^T + b` over the last dimension.
#[derive(Debug, Clone)]
pub struct Linear {
    pub weight: Tensor,
    pub bias: Option<Tensor>,
}

/// torch's default layer init: `kaiming_uniform(a = sqrt(5))` for the weight (a bound of
/// `1/sqrt(fan_in)`) and `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` for the bias.
pub(crate) fn torch_default_init(
    shape: &[usize],
    bias: bool,
    rng: &mut Rng,
) -> Result<(Tensor, Option<Tensor>)> {
    let w = Tensor::kaiming_uniform(
        shape.to_vec(),
        FanMode::FanIn,
        Nonlinearity::LeakyRelu(5f64.sqrt()),
        rng,
    )?;
    let fan_in: usize = shape[1..].iter().product();
    let bound = if fan_in > 0 {
        1.0 / (fan_in as f32).sqrt()
    } else {
        0.0
    };
    let b = bias.then(|| Tensor::uniform([shape[0]], -bound, bound, rng));
    Ok((w, b))
}

impl Linear {
    /// `in_features → out_features`, torch's default init.
    pub fn new(
        in_features: usize,
        out_features: usize,
        bias: bool,
        rng: &mut Rng,
    ) -> Result<Linear> {
        let (w, b) = torch_default_init(&[out_features, in_features], bias, rng)?;
        Ok(Linear {
            weight: param(w),
            bias: b.map(param),
        })
    }

    /// `(in_features, out_features)`.
    pub fn features(&self) -> (usize, usize) {
        (self.weight.dims()[1], self.weight.dims()[0])
    }
}

impl Module for Linear {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let (i, o) = self.features();
        if x.rank() == 0 || x.dims()[x.rank() - 1] != i {
            return Err(Error::shapes(
                "linear",
                &[x.dims(), self.weight.dims()],
                "last dimension must equal in_features",
            ));
        }
        let lead: Vec<usize> = x.dims()[..x.rank() - 1].to_vec();
        let rows: usize = lead.iter().product();
        let per_sample = if x.rank() > 1 {
            rows / x.dims()[0].max(1)
        } else {
            1
        };
        ctx.count_macs((per_sample * i * o) as u64);
        let x3 = x.reshape_to(&[1, rows, i])?;
        let y = Tensor::matmul_raw(&x3, &self.weight.reshape_to(&[1, o, i])?, false, true)?;
        let y = match &self.bias {
            Some(b) => y.add(b)?,
            None => y,
        };
        let mut shape = lead;
        shape.push(o);
        y.reshape_to(&shape)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        push_param(out, prefix, "weight", &self.weight);
        if let Some(b) = &self.bias {
            push_param(out, prefix, "bias", b);
        }
    }

    fn type_name(&self) -> &'static str {
        "Linear"
    }
}

/// `torch.nn.Flatten()`: merges every dimension after the batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flatten;

impl Module for Flatten {
    fn forward(&self, x: &Tensor, _ctx: &mut Ctx) -> Result<Tensor> {
        x.flatten(1, -1)
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        "Flatten"
    }
}

/// `torch.nn.Identity`: a placeholder that keeps indices (and so names) aligned with PyTorch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity;

impl Module for Identity {
    fn forward(&self, x: &Tensor, _ctx: &mut Ctx) -> Result<Tensor> {
        Ok(x.clone())
    }

    fn named_tensors(&self, _prefix: &str, _out: &mut Vec<NamedTensor>) {}

    fn type_name(&self) -> &'static str {
        "Identity"
    }
}
