//! Attention maps of a trained Vision Transformer on one picture of the learner's: for every
//! encoder layer and head, how much the class token attends to each patch, drawn over the
//! picture. Runs in the worker on the current model: one evaluation-mode forward pass records
//! the input of every `self_attention` (the `ln_1` output), and the class token's attention
//! row is recomputed from the layer's packed query/key projection, exactly as
//! `nn.MultiheadAttention` computes it: softmax(q·kᵀ / √d_head).

use pixelgrad::autograd::no_grad;
use pixelgrad::data::{base64_bytes, DataLoader, Image, InMemoryDataset, LoaderConfig};
use pixelgrad::models::ModelSpec;
use pixelgrad::nn::{parameters, Ctx, Module};
use pixelgrad::tensor::Tensor;
use pixelgrad::train::batch_tensors;
use serde::{Deserialize, Serialize};

use pixelgrad::io::RunSpec;
use pixelgrad::models::Model;

/// Side of the pictures sent back: the model's input scaled up so that patches are visible.
const SCALE: usize = 4;

/// The picture to look at, as the page read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionImage {
    /// The file's name, for messages.
    pub name: String,
    /// The encoded image (PNG, JPEG, ...), decoded here under the app's limits.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
    /// Turn dark-on-light into light-on-dark first (MNIST digits are white on black).
    pub invert: bool,
}

/// One head's map: the picture with each patch tinted by its share of the class token's
/// attention (the most-attended patch fully tinted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadMap {
    /// Encoder layer, from 0.
    pub layer: usize,
    /// Head, from 0.
    pub head: usize,
    /// Share of the class token's attention on itself (the rest is on the patches).
    pub on_class_token: f32,
    /// Row-major RGBA, `side × side`.
    #[serde(with = "base64_bytes")]
    pub rgba: Vec<u8>,
}

/// Every head's map, and what the model predicts for the picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionMaps {
    /// Side of the pictures in pixels.
    pub side: usize,
    /// Patches per side.
    pub grid: usize,
    /// The picture as the model sees it, RGBA.
    #[serde(with = "base64_bytes")]
    pub input: Vec<u8>,
    /// The maps, layer by layer, head by head.
    pub heads: Vec<HeadMap>,
    /// The predicted class and its probability.
    pub predicted: usize,
    pub probability: f32,
}

/// The current model: its run's spec and the trained network.
pub struct Trained<'a> {
    pub spec: &'a RunSpec,
    pub model: &'a Model,
}

/// Computes the maps of `trained` (which must be a ViT) for `image`.
pub async fn attention_maps(
    trained: Trained<'_>,
    image: &AttentionImage,
) -> Result<AttentionMaps, String> {
    let ModelSpec::Vit(vit) = &trained.spec.model else {
        return Err(
            "the current model is not a Vision Transformer: train this lesson's ViT first".into(),
        );
    };
    let input = trained.spec.data.input;
    if input.height != input.width {
        return Err("attention maps need square images".into());
    }
    // As MNIST's digits: scaled into the central 20/28 of the frame, on the background.
    let inner = (input.height * 20).div_ceil(28);
    let picture = pixelgrad::data::decode_image(&image.bytes, Default::default())
        .map_err(|e| format!("{}: {e}", image.name))?
        .fit(input.channels, inner, inner)
        .map_err(|e| e.to_string())?;
    let picture = if image.invert {
        invert(picture)?
    } else {
        picture
    };
    let picture = centred(&picture, input.height)?;
    let x = model_input(&trained, &picture)?;
    let mut ctx = Ctx::eval().recording();
    let logits = no_grad(|| trained.model.forward(&x, &mut ctx))
        .map_err(|e| format!("the model could not run: {e}"))?;
    let probs = logits
        .softmax(1)
        .map_err(|e| e.to_string())?
        .to_vec_async::<f32>()
        .await
        .map_err(|e| e.to_string())?;
    let (predicted, probability) =
        probs
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |best, (i, p)| if p > best.1 { (i, p) } else { best },
            );
    let records = ctx.take_records();
    let params = parameters(trained.model);
    let grid = input.height / vit.patch_size;
    let side = input.height * SCALE;
    let grey = upscaled_grey(&picture, side);
    let mut heads = Vec::new();
    for layer in 0..vit.num_layers {
        let prefix = format!("encoder_layer_{layer}.");
        let tokens = records
            .iter()
            .find(|r| r.name.ends_with(&format!("{prefix}ln_1")))
            .ok_or_else(|| format!("layer {layer}'s attention input was not recorded"))?;
        let weight = params
            .iter()
            .find(|p| {
                p.name
                    .ends_with(&format!("{prefix}self_attention.in_proj_weight"))
            })
            .ok_or("the model has no attention weights")?;
        let bias = params
            .iter()
            .find(|p| {
                p.name
                    .ends_with(&format!("{prefix}self_attention.in_proj_bias"))
            })
            .ok_or("the model has no attention biases")?;
        let x = read(&tokens.tensor).await?;
        let w = read(&weight.tensor).await?;
        let b = read(&bias.tensor).await?;
        let rows = class_token_attention(&x, &w, &b, vit.hidden_dim, vit.num_heads)?;
        for (head, row) in rows.into_iter().enumerate() {
            if row.len() != grid * grid + 1 {
                return Err(format!(
                    "layer {layer} has {} tokens, expected {}",
                    row.len(),
                    grid * grid + 1
                ));
            }
            heads.push(HeadMap {
                layer,
                head,
                on_class_token: row[0],
                rgba: overlay(&grey, side, grid, &row[1..]),
            });
        }
    }
    Ok(AttentionMaps {
        side,
        grid,
        input: overlay(&grey, side, grid, &vec![0.0; grid * grid]),
        heads,
        predicted,
        probability,
    })
}

async fn read(t: &Tensor) -> Result<Vec<f32>, String> {
    t.to_vec_async::<f32>().await.map_err(|e| e.to_string())
}

/// The class token's attention over all tokens, one row per head: `x` is `[T, d]` (one image),
/// `w` `[3d, d]` and `b` `[3d]` the packed query/key/value projection.
pub fn class_token_attention(
    x: &[f32],
    w: &[f32],
    b: &[f32],
    d: usize,
    heads: usize,
) -> Result<Vec<Vec<f32>>, String> {
    if d == 0
        || heads == 0
        || !d.is_multiple_of(heads)
        || !x.len().is_multiple_of(d)
        || w.len() != 3 * d * d
    {
        return Err("the attention weights do not match the model's width".into());
    }
    if b.len() != 3 * d {
        return Err("the attention biases do not match the model's width".into());
    }
    let t = x.len() / d;
    let project = |token: usize, row: usize| -> f32 {
        let xs = &x[token * d..(token + 1) * d];
        let ws = &w[row * d..(row + 1) * d];
        xs.iter().zip(ws).map(|(a, b)| a * b).sum::<f32>() + b[row]
    };
    let dh = d / heads;
    let scale = 1.0 / (dh as f32).sqrt();
    Ok((0..heads)
        .map(|h| {
            let q: Vec<f32> = (0..dh).map(|i| project(0, h * dh + i)).collect();
            let scores: Vec<f32> = (0..t)
                .map(|token| {
                    let k = (0..dh).map(|i| project(token, d + h * dh + i));
                    q.iter().zip(k).map(|(a, b)| a * b).sum::<f32>() * scale
                })
                .collect();
            let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let exp: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
            let sum: f32 = exp.iter().sum();
            exp.iter().map(|e| e / sum).collect()
        })
        .collect())
}

/// The picture through the run's evaluation pipeline, as a batch of one on the model's device.
fn model_input(trained: &Trained<'_>, picture: &Image) -> Result<Tensor, String> {
    let classes = trained.spec.data.classes.max(1);
    let mut one = InMemoryDataset::new(vec![String::new(); classes]);
    one.push(picture.clone(), 0).map_err(|e| e.to_string())?;
    let config = LoaderConfig {
        batch_size: 1,
        shuffle: false,
        drop_last: false,
        augment: trained.spec.train.loader.augment.for_evaluation(),
        mix: None,
    };
    let loader = DataLoader::new(&one, config, 0).map_err(|e| e.to_string())?;
    let batch = loader.batch(0, 0).map_err(|e| e.to_string())?;
    let (x, _) = batch_tensors(&batch, classes).map_err(|e| e.to_string())?;
    match parameters(trained.model).first().map(|p| p.tensor.device()) {
        Some(device) => x.to_device(device).map_err(|e| e.to_string()),
        None => Ok(x),
    }
}

/// `picture` in the middle of a `side × side` frame filled with its corner's value (the
/// background).
fn centred(picture: &Image, side: usize) -> Result<Image, String> {
    let [c, h, w] = picture.shape();
    let (top, left) = (side.saturating_sub(h) / 2, side.saturating_sub(w) / 2);
    let mut data = Vec::with_capacity(c * side * side);
    for ch in 0..c {
        let background = picture.at(ch, 0, 0);
        for y in 0..side {
            for x in 0..side {
                let inside = (top..top + h).contains(&y) && (left..left + w).contains(&x);
                data.push(if inside {
                    picture.at(ch, y - top, x - left)
                } else {
                    background
                });
            }
        }
    }
    Image::new(c, side, side, data).map_err(|e| e.to_string())
}

fn invert(picture: Image) -> Result<Image, String> {
    let [c, h, w] = picture.shape();
    let data = picture.into_data().into_iter().map(|v| 1.0 - v).collect();
    Image::new(c, h, w, data).map_err(|e| e.to_string())
}

/// The picture in grey, `side × side`, nearest-neighbour (patch edges stay sharp).
fn upscaled_grey(picture: &Image, side: usize) -> Vec<u8> {
    let grey = picture.to_grey();
    let (h, w) = (grey.height(), grey.width());
    (0..side * side)
        .map(|i| {
            let (y, x) = (i / side * h / side, i % side * w / side);
            (grey.at(0, y, x).clamp(0.0, 1.0) * 255.0).round() as u8
        })
        .collect()
}

/// RGBA of the grey picture with patch `p` tinted orange in proportion to `weights[p]` over
/// the largest weight.
fn overlay(grey: &[u8], side: usize, grid: usize, weights: &[f32]) -> Vec<u8> {
    let top = weights.iter().copied().fold(0.0f32, f32::max);
    let mut rgba = Vec::with_capacity(side * side * 4);
    for (i, &g) in grey.iter().enumerate() {
        let (y, x) = (i / side, i % side);
        let patch = (y * grid / side) * grid + x * grid / side;
        let a = if top > 0.0 {
            weights.get(patch).copied().unwrap_or(0.0) / top
        } else {
            0.0
        };
        let g = f32::from(g) * (1.0 - 0.6 * a);
        let tint = [255.0, 140.0, 0.0];
        for t in tint {
            rgba.push((g + 0.6 * a * t).round().clamp(0.0, 255.0) as u8);
        }
        rgba.push(255);
    }
    rgba
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_token_rows_are_distributions_that_follow_the_keys() {
        // d = 2, one head; q = k = v = x (identity projections, zero bias).
        let w = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
        let x = [1.0, 0.0, 3.0, 0.0, 0.0, 3.0];
        let rows = class_token_attention(&x, &w, &[0.0; 6], 2, 1).expect("computes");
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // Scores q·k/√2 with q = [1, 0]: 1/√2, 3/√2, 0; the softmax of those.
        let s = [1.0f32, 3.0, 0.0].map(|v| (v / 2f32.sqrt()).exp());
        let total: f32 = s.iter().sum();
        for (got, want) in row.iter().zip(s) {
            assert!((got - want / total).abs() < 1e-6, "{row:?}");
        }
        assert!(class_token_attention(&x, &w[..8], &[0.0; 6], 2, 1).is_err());
    }

    #[test]
    fn the_overlay_tints_the_most_attended_patch() {
        let grey = vec![100u8; 4 * 4];
        let rgba = overlay(&grey, 4, 2, &[0.0, 1.0, 0.0, 0.0]);
        // Pixel (0, 3) is in patch 1 (top right), pixel (0, 0) in patch 0.
        assert_eq!(&rgba[0..4], &[100, 100, 100, 255]);
        let tinted = &rgba[3 * 4..3 * 4 + 4];
        assert!(tinted[0] > 100 && tinted[2] < 100);
    }
}
