//! Vision Transformer (Dosovitskiy et al. 2020), torchvision layout and names:
//! `conv_proj` patch embedding, `class_token`, `encoder.pos_embedding`,
//! `encoder.layers.encoder_layer_{i}` (`ln_1`, `self_attention`, `ln_2`, `mlp.0`, `mlp.3`),
//! `encoder.ln`, `heads.head`.

use serde::{Deserialize, Serialize};

use super::blocks::{named, run};
use crate::error::{Error, Result};
use crate::nn::{
    param, push_param, Activation, Ctx, Dropout, LayerNorm, Linear, Module, MultiheadAttention,
    NamedTensor, PatchEmbedding, Sequential,
};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// ViT settings (torchvision's `VisionTransformer` arguments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VitConfig {
    pub patch_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub hidden_dim: usize,
    pub mlp_dim: usize,
    pub dropout: f64,
}

struct EncoderBlock {
    ln_1: LayerNorm,
    self_attention: MultiheadAttention,
    dropout: Dropout,
    ln_2: LayerNorm,
    mlp: Sequential,
}

impl Module for EncoderBlock {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let h = run(ctx, "ln_1", &self.ln_1, x)?;
        let h = run(ctx, "self_attention", &self.self_attention, &h)?;
        let x = self.dropout.forward(&h, ctx)?.add(x)?;
        let h = run(ctx, "ln_2", &self.ln_2, &x)?;
        run(ctx, "mlp", &self.mlp, &h)?.add(&x)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        named(&self.ln_1, prefix, "ln_1", out);
        named(&self.self_attention, prefix, "self_attention", out);
        named(&self.ln_2, prefix, "ln_2", out);
        named(&self.mlp, prefix, "mlp", out);
    }

    fn type_name(&self) -> &'static str {
        "EncoderBlock"
    }
}

/// The network.
pub struct VisionTransformer {
    /// Holds torchvision's `class_token`, `conv_proj` and `encoder.pos_embedding`.
    embed: PatchEmbedding,
    layers: Sequential,
    ln: LayerNorm,
    dropout: Dropout,
    head: Linear,
}

impl VisionTransformer {
    /// For square `image_size` inputs with `in_c` channels; the size must be a multiple of the
    /// patch size.
    pub fn new(
        in_c: usize,
        image_size: usize,
        cfg: &VitConfig,
        classes: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        let (p, d) = (cfg.patch_size, cfg.hidden_dim);
        if p == 0 || !image_size.is_multiple_of(p) {
            return Err(Error::invalid(
                "ViT",
                format!("image size {image_size} is not a multiple of patch size {p}"),
            ));
        }
        let embed = PatchEmbedding::new(in_c, image_size, p, d, rng)?;
        let mut layers = Sequential::new();
        for i in 0..cfg.num_layers {
            let mut l1 = Linear::new(d, cfg.mlp_dim, true, rng)?;
            let mut l2 = Linear::new(cfg.mlp_dim, d, true, rng)?;
            for l in [&mut l1, &mut l2] {
                l.weight
                    .set_data(&Tensor::xavier_uniform(l.weight.dims().to_vec(), 1.0, rng)?)?;
                let n = l.weight.dims()[0];
                l.bias = Some(param(Tensor::normal([n], 0.0, 1e-6, rng)));
            }
            let mlp = Sequential::new()
                .push(l1)
                .push(Activation::Gelu)
                .push(Dropout { p: cfg.dropout })
                .push(l2)
                .push(Dropout { p: cfg.dropout });
            layers = layers.push_named(
                format!("encoder_layer_{i}"),
                EncoderBlock {
                    ln_1: LayerNorm::new(d, 1e-6),
                    self_attention: MultiheadAttention::new(d, cfg.num_heads, rng)?,
                    dropout: Dropout { p: cfg.dropout },
                    ln_2: LayerNorm::new(d, 1e-6),
                    mlp,
                },
            );
        }
        let mut head = Linear::new(d, classes, true, rng)?;
        head.weight.set_data(&Tensor::zeros([classes, d]))?;
        head.bias = Some(param(Tensor::zeros([classes])));
        Ok(VisionTransformer {
            embed,
            layers,
            ln: LayerNorm::new(d, 1e-6),
            dropout: Dropout { p: cfg.dropout },
            head,
        })
    }
}

impl Module for VisionTransformer {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let n = x.dims().first().copied().unwrap_or(0);
        let d = self.embed.dim();
        let h = ctx.child("conv_proj", |c| self.embed.forward(x, c))?;
        let h = ctx.child("encoder", |ctx| {
            let h = self.dropout.forward(&h, ctx)?;
            let h = run(ctx, "layers", &self.layers, &h)?;
            run(ctx, "ln", &self.ln, &h)
        })?;
        let cls = h.narrow(1, 0, 1)?.reshape_to(&[n, d])?;
        ctx.child("heads", |ctx| run(ctx, "head", &self.head, &cls))
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        push_param(out, prefix, "class_token", &self.embed.class_token);
        named(&self.embed.proj, prefix, "conv_proj", out);
        push_param(
            out,
            prefix,
            "encoder.pos_embedding",
            &self.embed.pos_embedding,
        );
        named(&self.layers, prefix, "encoder.layers", out);
        named(&self.ln, prefix, "encoder.ln", out);
        named(&self.head, prefix, "heads.head", out);
    }

    fn type_name(&self) -> &'static str {
        "VisionTransformer"
    }
}
