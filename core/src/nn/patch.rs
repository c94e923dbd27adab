//! Patch embedding for vision transformers: a strided convolution cuts the image into
//! `patch × patch` tiles and projects each to a token, a learned class token is prepended and
//! learned position embeddings are added.

use super::{param, push_param, Conv2d, Ctx, Module, NamedTensor};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// `[N, C, H, W]` → `[N, 1 + (H/p)(W/p), D]` tokens.
#[derive(Debug, Clone)]
pub struct PatchEmbedding {
    /// Conv with kernel = stride = patch size (torchvision's `conv_proj`).
    pub proj: Conv2d,
    /// `[1, 1, D]`, zero init.
    pub class_token: Tensor,
    /// `[1, 1 + patches, D]`, normal(0, 0.02) init.
    pub pos_embedding: Tensor,
}

impl PatchEmbedding {
    /// For square `image_size` inputs with `in_c` channels (the size must be a multiple of
    /// `patch`); torchvision's init (`conv_proj` normal with std `sqrt(1 / fan_in)`).
    pub fn new(
        in_c: usize,
        image_size: usize,
        patch: usize,
        dim: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        if patch == 0 || !image_size.is_multiple_of(patch) {
            return Err(Error::invalid(
                "PatchEmbedding",
                format!("image size {image_size} is not a multiple of patch size {patch}"),
            ));
        }
        let proj = Conv2d::new(in_c, dim, patch, patch, 0, 1, 1, true, rng)?;
        let fan_in = (in_c * patch * patch) as f32;
        proj.weight.set_data(&Tensor::normal(
            proj.weight.dims().to_vec(),
            0.0,
            (1.0 / fan_in).sqrt(),
            rng,
        ))?;
        let seq = (image_size / patch).pow(2) + 1;
        Ok(PatchEmbedding {
            proj,
            class_token: param(Tensor::zeros([1, 1, dim])),
            pos_embedding: param(Tensor::normal([1, seq, dim], 0.0, 0.02, rng)),
        })
    }

    /// Token dimension `D`.
    pub fn dim(&self) -> usize {
        self.class_token.dims()[2]
    }
}

impl Module for PatchEmbedding {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let n = x.dims().first().copied().unwrap_or(0);
        let d = self.dim();
        let h = ctx.child("proj", |c| self.proj.forward(x, c))?;
        let tokens = h.flatten(2, -1)?.permute(&[0, 2, 1])?;
        let tokens = Tensor::cat(&[self.class_token.expand_to(&[n, 1, d])?, tokens], 1)?;
        if tokens.dims()[1] != self.pos_embedding.dims()[1] {
            return Err(Error::shapes(
                "PatchEmbedding",
                &[x.dims(), self.pos_embedding.dims()],
                "input size differs from the configured image size",
            ));
        }
        tokens.add(&self.pos_embedding)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        push_param(out, prefix, "class_token", &self.class_token);
        self.proj.named_tensors(&format!("{prefix}proj."), out);
        push_param(out, prefix, "pos_embedding", &self.pos_embedding);
    }

    fn type_name(&self) -> &'static str {
        "PatchEmbedding"
    }
}
