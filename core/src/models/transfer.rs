//! Transfer learning with a frozen backbone: its features do not change while the new head
//! trains, so they are computed once per image ([`cache_features`]) and the head trains on
//! them as batches of `[N, D, 1, 1]` ([`Features::batch`]), at the cost of a linear layer per
//! step instead of a whole backbone.

use crate::autograd::no_grad;
use crate::data::{Batch, DataLoader, Dataset, LoaderConfig, Pipeline};
use crate::device::Device;
use crate::error::Error;
use crate::nn::{parameters, Ctx, Module};
use crate::tensor::Tensor;
use crate::train::{batch_tensors, TrainError};

/// One feature vector per sample, with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// `[N, dim]` row-major.
    pub values: Vec<f32>,
    /// Length of one feature vector.
    pub dim: usize,
    pub labels: Vec<usize>,
}

impl Features {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The samples at `indices` as a training batch of shape `[n, dim, 1, 1]` (a head starts
    /// with a flatten, as after global pooling). Indices past the end are an error.
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
            shape: [indices.len(), self.dim, 1, 1],
            labels,
            soft_targets: None,
            indices: indices.to_vec(),
        })
    }
}

/// The output of the module at `path` (e.g. `pool`, MobileNetV2's pooled backbone features)
/// for every sample of `data` after the deterministic `preprocess` (resize, normalize), in
/// evaluation mode without gradients, on the model's device.
pub fn cache_features<D: Dataset + ?Sized>(
    model: &dyn Module,
    data: &D,
    preprocess: &Pipeline,
    path: &str,
    batch_size: usize,
) -> Result<Features, TrainError> {
    let device = parameters(model)
        .first()
        .map_or(Device::Cpu, |p| p.tensor.device());
    let config = LoaderConfig {
        batch_size: batch_size.max(1),
        shuffle: false,
        drop_last: false,
        augment: preprocess.clone(),
        mix: None,
    };
    let loader = DataLoader::new(data, config, 0)?;
    let mut out = Features {
        values: Vec::new(),
        dim: 0,
        labels: Vec::new(),
    };
    for batch in loader.epoch(0) {
        let batch = batch?;
        let (x, _) = batch_tensors(&batch, data.classes().len())?;
        let x = x.to_device(device)?;
        let mut ctx = Ctx::eval().recording_only(path);
        no_grad(|| model.forward(&x, &mut ctx))?;
        let feature: Tensor = ctx
            .take_records()
            .pop()
            .ok_or_else(|| Error::invalid("cache_features", format!("no module at `{path}`")))?
            .tensor;
        let n = batch.labels.len();
        let values = feature.to_vec_f32()?;
        out.dim = values.len() / n.max(1);
        out.values.extend(values);
        out.labels.extend(batch.labels);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Image, InMemoryDataset};
    use crate::models::{InputSpec, ModelSpec};

    #[test]
    fn features_are_the_pooled_backbone_output() {
        let model = ModelSpec::preset("mobilenet_v2_small")
            .expect("preset")
            .build(InputSpec::RGB32, 2, 0)
            .expect("builds");
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
        assert_eq!(b.shape, [2, 1280, 1, 1]);
        assert_eq!(b.images[..1280], f.values[4 * 1280..]);
        assert!(f.batch(&[5]).is_err());
        assert!(cache_features(&model, &data, &Pipeline::default(), "nope", 2).is_err());
    }
}
