//! `torch.nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)` for self-attention.

use super::{param, push_param, Ctx, Linear, Module, NamedTensor};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Self-attention over `[B, T, D]` with torch's packed input projection.
#[derive(Debug, Clone)]
pub struct MultiheadAttention {
    /// `[3D, D]`: query, key and value projections stacked (xavier-uniform init).
    pub in_proj_weight: Tensor,
    /// `[3D]`, zero init.
    pub in_proj_bias: Tensor,
    /// Output projection (`out_proj`), zero bias.
    pub out_proj: Linear,
    pub num_heads: usize,
}

impl MultiheadAttention {
    /// `embed_dim` split into `num_heads` heads (must divide).
    pub fn new(embed_dim: usize, num_heads: usize, rng: &mut Rng) -> Result<Self> {
        if num_heads == 0 || !embed_dim.is_multiple_of(num_heads) {
            return Err(Error::invalid(
                "MultiheadAttention",
                format!("embed_dim {embed_dim} not divisible by num_heads {num_heads}"),
            ));
        }
        let w = Tensor::xavier_uniform([3 * embed_dim, embed_dim], 1.0, rng)?;
        let mut out_proj = Linear::new(embed_dim, embed_dim, true, rng)?;
        out_proj.bias = Some(param(Tensor::zeros([embed_dim])));
        Ok(MultiheadAttention {
            in_proj_weight: param(w),
            in_proj_bias: param(Tensor::zeros([3 * embed_dim])),
            out_proj,
            num_heads,
        })
    }
}

impl Module for MultiheadAttention {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let d = self.in_proj_weight.dims()[1];
        if x.rank() != 3 || x.dims()[2] != d {
            return Err(Error::shapes(
                "MultiheadAttention",
                &[x.dims()],
                format!("expects [B, T, {d}]"),
            ));
        }
        let (b, t, h) = (x.dims()[0], x.dims()[1], self.num_heads);
        let dh = d / h;
        // The input projection and the two attention products; out_proj counts itself.
        ctx.count_macs((3 * t * d * d + 2 * t * t * d) as u64);
        let qkv = Tensor::matmul_raw(
            &x.reshape_to(&[1, b * t, d])?,
            &self.in_proj_weight.reshape_to(&[1, 3 * d, d])?,
            false,
            true,
        )?
        .add(&self.in_proj_bias)?
        .reshape_to(&[b, t, 3, h, dh])?
        .permute(&[2, 0, 3, 1, 4])?
        .reshape_to(&[3, b * h, t, dh])?;
        let q = qkv.narrow(0, 0, 1)?.reshape_to(&[b * h, t, dh])?;
        let k = qkv.narrow(0, 1, 1)?.reshape_to(&[b * h, t, dh])?;
        let v = qkv.narrow(0, 2, 1)?.reshape_to(&[b * h, t, dh])?;
        let scores =
            Tensor::matmul_raw(&q, &k, false, true)?.mul_scalar(1.0 / (dh as f64).sqrt())?;
        let attn = scores.softmax(-1)?;
        let y = Tensor::matmul_raw(&attn, &v, false, false)?
            .reshape_to(&[b, h, t, dh])?
            .permute(&[0, 2, 1, 3])?
            .reshape_to(&[b, t, d])?;
        ctx.child("out_proj", |c| self.out_proj.forward(&y, c))
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        push_param(out, prefix, "in_proj_weight", &self.in_proj_weight);
        push_param(out, prefix, "in_proj_bias", &self.in_proj_bias);
        self.out_proj
            .named_tensors(&format!("{prefix}out_proj."), out);
    }

    fn type_name(&self) -> &'static str {
        "MultiheadAttention"
    }
}
