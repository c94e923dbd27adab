//! The worker's side of "looking inside" the current model: predictions on the run's held-out
//! split, example images, first-layer filters, one layer's activations for one example, and
//! saliency (the gradient of a class score with respect to the input pixels). Everything runs
//! on the model's own device; results are read back with awaited reads and turned into bytes.

use pixelgrad::autograd::no_grad;
use pixelgrad::data::{DataLoader, Dataset, Image, LoaderConfig, Subset};
use pixelgrad::device::Device;
use pixelgrad::io::RunSpec;
use pixelgrad::metrics::argmax_rows;
use pixelgrad::nn::{parameters, state_dict, Ctx, Module, TensorKind};
use pixelgrad::tensor::Tensor;
use pixelgrad::train::batch_tensors;

use super::datasets::{class_names, LoadedSet, SetData};
use super::inspect_protocol::{
    Activations, ExampleImage, Filters, HeldOutPredictions, InspectAnswer, InspectQuery, Picture,
    Saliency, MAX_ACTIVATION_CHANNELS, MAX_EXAMPLES, MAX_FILTERS,
};
use super::share::Trained;
use super::training::{check_data, splits};

/// Held-out examples predicted per forward pass.
const BATCH: usize = 250;

/// Answers `query` about `trained`, whose run's data set must be the loaded one (`data`).
pub async fn answer(
    query: InspectQuery,
    trained: &Trained,
    data: Option<&(String, std::rc::Rc<LoadedSet>)>,
) -> InspectAnswer {
    let kind = query.kind();
    let result = match query {
        InspectQuery::Filters => filters(trained).await.map(InspectAnswer::Filters),
        other => match data {
            None => Err("load the run's data set first".to_string()),
            Some((id, set)) => with_held_out(other, trained, id, set).await,
        },
    };
    result.unwrap_or_else(|message| InspectAnswer::Failed {
        query: kind.to_string(),
        message,
    })
}

async fn with_held_out(
    query: InspectQuery,
    trained: &Trained,
    id: &str,
    set: &LoadedSet,
) -> Result<InspectAnswer, String> {
    let spec = &trained.spec;
    check_data(spec, id, set)?;
    let (_, held_out) = splits(spec, set)?;
    if held_out.is_empty() {
        return Err("this run has no held-out examples to look at".into());
    }
    match query {
        InspectQuery::HeldOut => held_out_predictions(trained, set, &held_out)
            .await
            .map(InspectAnswer::HeldOut),
        InspectQuery::Examples { indices } => {
            examples(&held_out, &indices).map(|images| InspectAnswer::Examples { images })
        }
        InspectQuery::Activations { index, layer } => {
            activations(trained, &held_out, index, layer.as_deref())
                .await
                .map(InspectAnswer::Activations)
        }
        InspectQuery::Saliency { index, class } => saliency(trained, &held_out, index, class)
            .await
            .map(InspectAnswer::Saliency),
        InspectQuery::Filters => filters(trained).await.map(InspectAnswer::Filters),
    }
}

/// The device the model's parameters live on.
fn model_device(trained: &Trained) -> Option<Device> {
    parameters(&trained.model)
        .first()
        .map(|p| p.tensor.device())
}

/// The model's input for held-out examples `indices`, after the run's evaluation pipeline, on
/// the model's device.
fn inputs(
    spec: &RunSpec,
    held_out: &Subset<'_, SetData>,
    indices: Vec<usize>,
    device: Option<Device>,
) -> Result<(Tensor, Vec<usize>), String> {
    let n = indices.len();
    let subset = Subset::new(held_out, indices).map_err(|e| e.to_string())?;
    let config = LoaderConfig {
        batch_size: n.max(1),
        shuffle: false,
        drop_last: false,
        augment: spec.train.loader.augment.for_evaluation(),
        mix: None,
    };
    let loader = DataLoader::new(&subset, config, 0).map_err(|e| e.to_string())?;
    let batch = loader.batch(0, 0).map_err(|e| e.to_string())?;
    let (x, _) = batch_tensors(&batch, spec.data.classes).map_err(|e| e.to_string())?;
    let x = match device {
        Some(d) => x.to_device(d).map_err(|e| e.to_string())?,
        None => x,
    };
    Ok((x, batch.labels))
}

fn one_index(held_out: &Subset<'_, SetData>, index: usize) -> Result<usize, String> {
    if index < held_out.len() {
        Ok(index)
    } else {
        Err(format!(
            "there is no held-out example {index}: the run holds out {}",
            held_out.len()
        ))
    }
}

async fn held_out_predictions(
    trained: &Trained,
    set: &LoadedSet,
    held_out: &Subset<'_, SetData>,
) -> Result<HeldOutPredictions, String> {
    let classes = trained.spec.data.classes;
    let device = model_device(trained);
    let mut out = HeldOutPredictions {
        steps: trained.spec.steps,
        classes: class_names(&trained.spec, Some(set)),
        labels: Vec::with_capacity(held_out.len()),
        predicted: Vec::with_capacity(held_out.len()),
        confidence: Vec::with_capacity(held_out.len()),
    };
    for start in (0..held_out.len()).step_by(BATCH) {
        let end = (start + BATCH).min(held_out.len());
        let (x, labels) = inputs(&trained.spec, held_out, (start..end).collect(), device)?;
        let probs = no_grad(|| {
            trained
                .model
                .forward(&x, &mut Ctx::eval())
                .and_then(|l| l.softmax(1))
        })
        .map_err(|e| format!("the model could not predict: {e}"))?;
        let probs = probs
            .to_vec_async::<f32>()
            .await
            .map_err(|e| e.to_string())?;
        let predicted = argmax_rows(&probs, classes);
        for (row, &p) in predicted.iter().enumerate() {
            out.confidence
                .push(probs.get(row * classes + p).copied().unwrap_or(0.0));
        }
        out.labels.extend(labels);
        out.predicted.extend(predicted);
    }
    Ok(out)
}

/// Bytes of an image in `[0, 1]`, grey or RGB.
fn picture_of(image: &Image) -> Picture {
    let image = if image.channels() == 1 || image.channels() == 3 {
        image.clone()
    } else {
        image.to_rgb()
    };
    Picture {
        channels: image.channels(),
        height: image.height(),
        width: image.width(),
        pixels: image
            .data()
            .iter()
            .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect(),
    }
}

fn examples(
    held_out: &Subset<'_, SetData>,
    indices: &[usize],
) -> Result<Vec<ExampleImage>, String> {
    indices
        .iter()
        .take(MAX_EXAMPLES)
        .map(|&index| {
            let sample = held_out
                .get(one_index(held_out, index)?)
                .map_err(|e| e.to_string())?;
            Ok(ExampleImage {
                index,
                label: sample.label,
                picture: picture_of(&sample.image),
            })
        })
        .collect()
}

/// The first layer's weights as pictures: a convolution's kernels, or a first linear layer's
/// rows seen as images (an MLP's templates). Mid-grey is zero.
async fn filters(trained: &Trained) -> Result<Filters, String> {
    let input = trained.spec.data.input;
    let pixels_in = input.channels * input.height * input.width;
    let entry = state_dict(&trained.model)
        .into_iter()
        .filter(|p| p.kind == TensorKind::Parameter && p.name.ends_with("weight"))
        .find(|p| match p.tensor.dims() {
            [_, c, _, _] => *c == input.channels,
            [_, n] => *n == pixels_in,
            _ => false,
        })
        .ok_or("this model's first layer has no image-shaped weights to draw")?;
    let dims = entry.tensor.dims().to_vec();
    let (total, shape) = match dims.as_slice() {
        [o, c, h, w] => (*o, (*c, *h, *w)),
        [o, _] => (*o, (input.channels, input.height, input.width)),
        _ => return Err("the first layer's weights are not image-shaped".into()),
    };
    let values = entry
        .tensor
        .to_vec_async::<f32>()
        .await
        .map_err(|e| format!("could not read {}: {e}", entry.name))?;
    let per = shape.0 * shape.1 * shape.2;
    let shown = total.min(MAX_FILTERS);
    let used = values.get(..shown * per).unwrap_or(&values);
    let scale = used.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-12);
    let pictures = used
        .chunks(per)
        .map(|w| {
            let grey_or_rgb = if shape.0 == 3 || shape.0 == 1 {
                w.to_vec()
            } else {
                mean_planes(w, shape.0, shape.1 * shape.2)
            };
            Picture {
                channels: grey_or_rgb.len() / (shape.1 * shape.2),
                height: shape.1,
                width: shape.2,
                pixels: grey_or_rgb
                    .iter()
                    .map(|v| (128.0 + 127.0 * v / scale).round().clamp(0.0, 255.0) as u8)
                    .collect(),
            }
        })
        .collect();
    Ok(Filters {
        name: entry.name,
        total,
        scale,
        pictures,
    })
}

/// The mean of `planes` planes of `area` values each.
fn mean_planes(values: &[f32], planes: usize, area: usize) -> Vec<f32> {
    (0..area)
        .map(|i| (0..planes).map(|c| values[c * area + i]).sum::<f32>() / planes as f32)
        .collect()
}

async fn activations(
    trained: &Trained,
    held_out: &Subset<'_, SetData>,
    index: usize,
    layer: Option<&str>,
) -> Result<Activations, String> {
    let index = one_index(held_out, index)?;
    let (x, _) = inputs(&trained.spec, held_out, vec![index], model_device(trained))?;
    let mut ctx = Ctx::eval().recording();
    no_grad(|| trained.model.forward(&x, &mut ctx))
        .map_err(|e| format!("the model could not run: {e}"))?;
    let spatial: Vec<_> = ctx
        .take_records()
        .into_iter()
        .filter(|r| matches!(r.tensor.dims(), [1, _, h, w] if h * w > 1))
        .collect();
    let layers: Vec<(String, Vec<usize>)> = spatial
        .iter()
        .map(|r| (r.name.clone(), r.tensor.dims()[1..].to_vec()))
        .collect();
    // A layer of an earlier model that this one lacks falls back to the first (the answer
    // names the layer shown).
    let chosen = layer
        .and_then(|name| spatial.iter().find(|r| r.name == name))
        .or_else(|| spatial.first())
        .ok_or("this model has no layer with feature maps (an MLP flattens its input)")?;
    let (channels, h, w) = match chosen.tensor.dims() {
        [1, c, h, w] => (*c, *h, *w),
        _ => return Err("the layer's output is not a feature map".into()),
    };
    let values = chosen
        .tensor
        .to_vec_async::<f32>()
        .await
        .map_err(|e| format!("could not read {}: {e}", chosen.name))?;
    let shown = channels.min(MAX_ACTIVATION_CHANNELS);
    let used = values.get(..shown * h * w).unwrap_or(&values);
    let (lo, hi) = used
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let span = (hi - lo).max(1e-12);
    let pictures = used
        .chunks(h * w)
        .map(|plane| Picture {
            channels: 1,
            height: h,
            width: w,
            pixels: plane
                .iter()
                .map(|v| (255.0 * (v - lo) / span).round().clamp(0.0, 255.0) as u8)
                .collect(),
        })
        .collect();
    Ok(Activations {
        index,
        layer: chosen.name.clone(),
        layers,
        channels,
        range: (lo, hi),
        pictures,
    })
}

async fn saliency(
    trained: &Trained,
    held_out: &Subset<'_, SetData>,
    index: usize,
    class: Option<usize>,
) -> Result<Saliency, String> {
    let index = one_index(held_out, index)?;
    let classes = trained.spec.data.classes;
    let sample = held_out.get(index).map_err(|e| e.to_string())?;
    let (x, _) = inputs(&trained.spec, held_out, vec![index], model_device(trained))?;
    let failed = |e: pixelgrad::Error| format!("the gradient could not be computed: {e}");
    let x = x.detach().requires_grad_().map_err(failed)?;
    let logits = trained
        .model
        .forward(&x, &mut Ctx::eval())
        .map_err(failed)?;
    let probabilities = no_grad(|| logits.detach().softmax(1))
        .map_err(failed)?
        .to_vec_async::<f32>()
        .await
        .map_err(|e| e.to_string())?;
    let class = match class {
        Some(c) if c < classes => c,
        Some(c) => return Err(format!("there is no class {c}: the model has {classes}")),
        None => argmax_rows(&probabilities, classes)
            .first()
            .copied()
            .unwrap_or(0),
    };
    let score = logits
        .narrow(1, class, 1)
        .and_then(|s| s.sum_all())
        .map_err(failed)?;
    let grads = pixelgrad::grad(&[score], std::slice::from_ref(&x), false).map_err(failed)?;
    let gradient = grads
        .first()
        .ok_or("the gradient could not be computed")?
        .to_vec_async::<f32>()
        .await
        .map_err(|e| e.to_string())?;
    let (c, h, w) = match x.dims() {
        [1, c, h, w] => (*c, *h, *w),
        _ => return Err("saliency needs an image input".into()),
    };
    let heat: Vec<f32> = (0..h * w)
        .map(|i| {
            (0..c)
                .map(|ch| gradient.get(ch * h * w + i).map_or(0.0, |g| g.abs()))
                .fold(0.0, f32::max)
        })
        .collect();
    let peak = heat.iter().copied().fold(0.0f32, f32::max).max(1e-12);
    Ok(Saliency {
        index,
        class,
        label: sample.label,
        probabilities,
        image: picture_of(&sample.image),
        heat: Picture {
            channels: 1,
            height: h,
            width: w,
            pixels: heat
                .iter()
                .map(|v| (255.0 * v / peak).round() as u8)
                .collect(),
        },
    })
}
