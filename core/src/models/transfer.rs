//! Transfer learning with a frozen backbone: its features do not change while the new head
//! trains, so they are computed once per image and the head trains on them, at the cost of a
//! linear layer per step instead of a whole backbone.
//!
//! - [`cache_features`] / [`cache_features_async`]: the features of a whole data set after a
//!   deterministic pipeline (held-out evaluation), as a [`Features`] data set.
//! - [`super::FeatureCache`]: the features of training batches keyed by image content, computed the
//!   first time an image is seen; with flips the same few images come back every epoch.
//! - [`TransferHead`]: the model's own head tensors as a module that trains on those features.

use super::{Model, ModelSpec};
use crate::autograd::no_grad;
use crate::data::{Batch, DataError, DataLoader, Dataset, Image, LoaderConfig, Pipeline, Sample};
use crate::device::Device;
use crate::error::Error;
use crate::nn::{
    parameters, trainable_parameters, Ctx, Dropout, Linear, Module, NamedTensor, Sequential,
};
use crate::tensor::Tensor;
use crate::train::{batch_tensors, TrainError};

/// One feature vector per sample, with its label: the backbone's output as a data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// `[N, dim]` row-major.
    pub values: Vec<f32>,
    /// Length of one feature vector.
    pub dim: usize,
    pub labels: Vec<usize>,
    /// The class names of the data set the features come from.
    pub classes: Vec<String>,
}

impl Features {
    /// No samples yet, for a data set with these classes.
    pub fn empty(classes: &[String]) -> Features {
        Features {
            values: Vec::new(),
            dim: 0,
            labels: Vec::new(),
            classes: classes.to_vec(),
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Appends one batch's features (`[labels.len(), dim]` row-major).
    fn push(&mut self, values: Vec<f32>, labels: Vec<usize>) -> Result<(), Error> {
        let dim = values.len() / labels.len().max(1);
        if dim * labels.len() != values.len() || (!self.is_empty() && dim != self.dim) {
            return Err(Error::invalid(
                "Features",
                format!(
                    "{} values for {} samples of {}",
                    values.len(),
                    labels.len(),
                    self.dim
                ),
            ));
        }
        self.dim = dim;
        self.values.extend(values);
        self.labels.extend(labels);
        Ok(())
    }

    /// The samples at `indices` as a training batch of shape `[n, 1, 1, dim]`, the shape the
    /// loader gives this data set (a [`TransferHead`] flattens it). Indices past the end are
    /// an error.
    pub fn batch(&self, indices: &[usize]) -> Result<Batch, Error> {
        let mut images = Vec::with_capacity(indices.len() * self.dim);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            if i >= self.len() {
                return Err(Error::invalid(
                    "Features::batch",
                    format!("index {i} past {} samples", self.len()),
                ));
            }
            images.extend_from_slice(&self.values[i * self.dim..(i + 1) * self.dim]);
            labels.push(self.labels[i]);
        }
        Ok(Batch {
            images,
            shape: [indices.len(), 1, 1, self.dim],
            labels,
            soft_targets: None,
            indices: indices.to_vec(),
        })
    }
}

/// Each feature vector is a one-channel `1 × dim` image (the form a [`Sample`] holds), so the
/// loader, evaluation and metrics work on features as on pictures.
impl Dataset for Features {
    fn len(&self) -> usize {
        self.labels.len()
    }

    fn get(&self, index: usize) -> Result<Sample, DataError> {
        let label = self.label(index)?;
        let values = self.values[index * self.dim..(index + 1) * self.dim].to_vec();
        Ok(Sample {
            image: Image::new(1, 1, self.dim, values)?,
            label,
        })
    }

    fn label(&self, index: usize) -> Result<usize, DataError> {
        self.labels
            .get(index)
            .copied()
            .ok_or(DataError::IndexOutOfRange {
                index,
                len: self.len(),
            })
    }

    fn classes(&self) -> &[String] {
        &self.classes
    }
}

/// Where `model`'s parameters live (the CPU for a model without any).
fn device_of(model: &dyn Module) -> Device {
    parameters(model)
        .first()
        .map_or(Device::Cpu, |p| p.tensor.device())
}

/// The output of the module at `cut` for `batch`'s images, in evaluation mode without
/// gradients, on the model's device (still to be read back).
pub(super) fn features_at(model: &dyn Module, batch: &Batch, cut: &str) -> Result<Tensor, Error> {
    let (x, _) = batch_tensors(batch, 1)?;
    let x = x.to_device(device_of(model))?;
    let mut ctx = Ctx::eval().recording_only(cut);
    no_grad(|| model.forward(&x, &mut ctx))?;
    ctx.take_records()
        .pop()
        .map(|r| r.tensor)
        .ok_or_else(|| Error::invalid("transfer", format!("no module at `{cut}`")))
}

/// The loader [`cache_features`] reads a data set with: in order, every sample once.
fn feature_loader<'a, D: Dataset + ?Sized>(
    data: &'a D,
    preprocess: &Pipeline,
    batch_size: usize,
) -> Result<DataLoader<'a, D>, DataError> {
    let config = LoaderConfig {
        batch_size: batch_size.max(1),
        shuffle: false,
        drop_last: false,
        augment: preprocess.clone(),
        mix: None,
    };
    DataLoader::new(data, config, 0)
}

/// The output of the module at `cut` (e.g. `pool`, MobileNetV2's pooled backbone features)
/// for every sample of `data` after the deterministic `preprocess` (resize, normalize), in
/// evaluation mode without gradients, on the model's device.
pub fn cache_features<D: Dataset + ?Sized>(
    model: &dyn Module,
    data: &D,
    preprocess: &Pipeline,
    cut: &str,
    batch_size: usize,
) -> Result<Features, TrainError> {
    let mut out = Features::empty(data.classes());
    for batch in feature_loader(data, preprocess, batch_size)?.epoch(0) {
        let batch = batch?;
        let values = features_at(model, &batch, cut)?.to_vec_f32()?;
        out.push(values, batch.labels)?;
    }
    Ok(out)
}

/// [`cache_features`] with asynchronous read-backs (the browser, where a GPU read is awaited).
pub async fn cache_features_async<D: Dataset + ?Sized>(
    model: &dyn Module,
    data: &D,
    preprocess: &Pipeline,
    cut: &str,
    batch_size: usize,
) -> Result<Features, TrainError> {
    let mut out = Features::empty(data.classes());
    for batch in feature_loader(data, preprocess, batch_size)?.epoch(0) {
        let batch = batch?;
        let values = features_at(model, &batch, cut)?
            .to_vec_async::<f32>()
            .await?;
        out.push(values, batch.labels)?;
    }
    Ok(out)
}

/// The trainable head of a model whose backbone (everything before [`TransferHead::cut`]) is
/// frozen and runs the same in training as in evaluation (frozen batch norm uses its running
/// statistics; MobileNetV2's backbone has no dropout), so the head can train on cached
/// features. It holds the model's own head tensors: training it trains the model, whose
/// checkpoints and predictions stay whole (backbone + head). Parameter names are the model's
/// (`classifier.1.weight`), and a training step draws the same dropout as the whole model's.
pub struct TransferHead {
    cut: &'static str,
    head: Sequential,
}

impl TransferHead {
    /// The head of `model` when only its head trains: MobileNetV2 whose trainable parameters
    /// all lie in `classifier` (a pretrained backbone, or a spec freezing `features.`); `None`
    /// for other families or when any backbone parameter trains.
    pub fn of(model: &Model) -> Option<TransferHead> {
        let ModelSpec::MobileNetV2 { dropout, .. } = model.spec else {
            return None;
        };
        let trainable = trainable_parameters(model);
        if trainable.is_empty() || trainable.iter().any(|p| !p.name.starts_with("classifier.")) {
            return None;
        }
        let all = parameters(model);
        let find = |name: &str| {
            all.iter()
                .find(|p| p.name == name)
                .map(|p| p.tensor.clone())
        };
        let linear = Linear {
            weight: find("classifier.1.weight")?,
            bias: find("classifier.1.bias"),
        };
        let classifier = Sequential::new().push(Dropout { p: dropout }).push(linear);
        Some(TransferHead {
            cut: "pool",
            head: Sequential::new().push_named("classifier", classifier),
        })
    }

    /// The module whose output the head takes (`pool`: the pooled backbone features).
    pub fn cut(&self) -> &'static str {
        self.cut
    }
}

impl Module for TransferHead {
    /// Features `[N, ...]` (as [`super::FeatureCache`] and [`Features`] batch them) to logits.
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor, Error> {
        self.head.forward(&x.flatten(1, -1)?, ctx)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        self.head.named_tensors(prefix, out);
    }

    fn type_name(&self) -> &'static str {
        "TransferHead"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Image, InMemoryDataset};
    use crate::models::{InputSpec, ModelSpec};

    fn model() -> Model {
        ModelSpec::preset("mobilenet_v2_small")
            .expect("preset")
            .build(InputSpec::RGB32, 2, 0)
            .expect("builds")
    }

    #[test]
    fn features_are_the_pooled_backbone_output() {
        let model = model();
        let mut data = InMemoryDataset::new(vec!["a".into(), "b".into()]);
        for i in 0..5 {
            data.push(
                Image::filled(3, 32, 32, i as f32 / 5.0).expect("image"),
                i % 2,
            )
            .expect("push");
        }
        let f = cache_features(&model, &data, &Pipeline::default(), "pool", 2).expect("runs");
        assert_eq!((f.len(), f.dim), (5, 1280));
        assert_eq!(f.labels, vec![0, 1, 0, 1, 0]);
        let b = f.batch(&[4, 1]).expect("in range");
        assert_eq!(b.shape, [2, 1, 1, 1280]);
        assert_eq!(b.images[..1280], f.values[4 * 1280..]);
        assert!(f.batch(&[5]).is_err());
        assert_eq!(f.get(1).expect("in range").image.shape(), [1, 1, 1280]);
        assert!(f.get(5).is_err());
        assert!(cache_features(&model, &data, &Pipeline::default(), "nope", 2).is_err());
    }
}
