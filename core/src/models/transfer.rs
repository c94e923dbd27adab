//! Transfer learning with a frozen backbone: its features do not change while the new head
//! trains, so they are computed once per image and the head trains on them, at the cost of a
//! linear layer per step instead of a whole backbone.
//!
//! - [`cache_features`] / [`cache_features_async`]: the features of a whole data set after a
//!   deterministic pipeline (held-out evaluation), as a [`Features`] data set.
//! - [`FeatureCache`]: the features of training batches keyed by image content, computed the
//!   first time an image is seen; with flips the same few images come back every epoch.
//! - [`TransferHead`]: the model's own head tensors as a module that trains on those features.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::Hasher;

use super::{Model, ModelSpec};
use crate::autograd::no_grad;
use crate::data::{
    Batch, DataError, DataLoader, Dataset, Image, LoaderConfig, Pipeline, Sample, Transform,
};
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
fn features_at(model: &dyn Module, batch: &Batch, cut: &str) -> Result<Tensor, Error> {
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

/// Whether the images a loader makes of one sample come from a small finite set, so that
/// their backbone features come back epoch after epoch and a [`FeatureCache`] pays: true for
/// deterministic transforms and flips (at most four images per sample), false with
/// continuous augmentation (crops, rotation, colour jitter, erasing) or mixing, whose images
/// are new every epoch, so that a cache would only grow: those runs keep running the
/// backbone on every step.
pub fn features_repeat(loader: &LoaderConfig) -> bool {
    loader.mix.is_none()
        && loader.augment.transforms.iter().all(|t| {
            matches!(
                t,
                Transform::Resize { .. }
                    | Transform::CenterCrop { .. }
                    | Transform::Grayscale
                    | Transform::ToRgb
                    | Transform::Normalize { .. }
                    | Transform::RandomHorizontalFlip { .. }
                    | Transform::RandomVerticalFlip { .. }
            )
        })
}

/// Backbone features of training images keyed by the image's content, computed the first
/// time an image is seen. Keying by content (not by sample index) keeps the cache exact under
/// flips: a sample's flipped and unflipped images are two entries, and whichever the epoch's
/// seeded draw picks is looked up, so the head sees what the full model would have seen.
#[derive(Debug, Default)]
pub struct FeatureCache {
    by_image: HashMap<u64, Vec<f32>>,
    dim: usize,
    computed: usize,
    reused: usize,
}

/// A batch's keys, and the images among them not cached yet as one batch.
struct Pending {
    keys: Vec<u64>,
    missing_keys: Vec<u64>,
    missing: Option<Batch>,
}

impl FeatureCache {
    /// An empty cache.
    pub fn new() -> FeatureCache {
        FeatureCache::default()
    }

    /// Images whose features the backbone computed.
    pub fn computed(&self) -> usize {
        self.computed
    }

    /// Images whose features came from the cache.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// `batch` with every image replaced by its features at `cut` of `model` (shape
    /// `[n, 1, 1, dim]`; labels, soft targets and indices kept), the missing ones computed in
    /// one backbone pass.
    pub fn features_batch(
        &mut self,
        model: &dyn Module,
        cut: &str,
        batch: &Batch,
    ) -> Result<Batch, TrainError> {
        let pending = self.pending(batch)?;
        if let Some(missing) = &pending.missing {
            let values = features_at(model, missing, cut)?.to_vec_f32()?;
            self.store(&pending.missing_keys, values)?;
        }
        self.assemble(batch, &pending.keys)
    }

    /// [`FeatureCache::features_batch`] with an asynchronous read-back (the browser).
    pub async fn features_batch_async(
        &mut self,
        model: &dyn Module,
        cut: &str,
        batch: &Batch,
    ) -> Result<Batch, TrainError> {
        let pending = self.pending(batch)?;
        if let Some(missing) = &pending.missing {
            let values = features_at(model, missing, cut)?
                .to_vec_async::<f32>()
                .await?;
            self.store(&pending.missing_keys, values)?;
        }
        self.assemble(batch, &pending.keys)
    }

    fn pending(&mut self, batch: &Batch) -> Result<Pending, Error> {
        let [n, c, h, w] = batch.shape;
        let size = c * h * w;
        if batch.images.len() != n * size {
            return Err(Error::invalid(
                "FeatureCache",
                "batch shape and data disagree",
            ));
        }
        let mut pending = Pending {
            keys: Vec::with_capacity(n),
            missing_keys: Vec::new(),
            missing: None,
        };
        let mut images = Vec::new();
        for image in batch.images.chunks(size.max(1)).take(n) {
            let key = content_key(&batch.shape[1..], image);
            if self.by_image.contains_key(&key) {
                self.reused += 1;
            } else if !pending.missing_keys.contains(&key) {
                pending.missing_keys.push(key);
                images.extend_from_slice(image);
            }
            pending.keys.push(key);
        }
        let m = pending.missing_keys.len();
        if m > 0 {
            pending.missing = Some(Batch {
                images,
                shape: [m, c, h, w],
                labels: vec![0; m],
                soft_targets: None,
                indices: Vec::new(),
            });
        }
        Ok(pending)
    }

    fn store(&mut self, keys: &[u64], values: Vec<f32>) -> Result<(), Error> {
        let dim = values.len() / keys.len().max(1);
        if dim == 0 || dim * keys.len() != values.len() || (self.dim != 0 && dim != self.dim) {
            return Err(Error::invalid(
                "FeatureCache",
                format!("{} feature values for {} images", values.len(), keys.len()),
            ));
        }
        self.dim = dim;
        for (key, chunk) in keys.iter().zip(values.chunks(dim)) {
            self.by_image.insert(*key, chunk.to_vec());
        }
        self.computed += keys.len();
        Ok(())
    }

    fn assemble(&self, batch: &Batch, keys: &[u64]) -> Result<Batch, TrainError> {
        let mut images = Vec::with_capacity(keys.len() * self.dim);
        for key in keys {
            let features = self
                .by_image
                .get(key)
                .ok_or_else(|| Error::invalid("FeatureCache", "an image's features are missing"))?;
            images.extend_from_slice(features);
        }
        Ok(Batch {
            images,
            shape: [keys.len(), 1, 1, self.dim],
            labels: batch.labels.clone(),
            soft_targets: batch.soft_targets.clone(),
            indices: batch.indices.clone(),
        })
    }
}

/// A 64-bit hash of an image's shape and exact values (equal images, equal keys).
fn content_key(shape: &[usize], image: &[f32]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for &d in shape {
        hasher.write_usize(d);
    }
    for v in image {
        hasher.write_u32(v.to_bits());
    }
    hasher.finish()
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
    /// Features `[N, ...]` (as [`FeatureCache`] and [`Features`] batch them) to logits.
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
