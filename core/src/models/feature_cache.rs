//! [`FeatureCache`]: a frozen backbone's features of training images, keyed by image content
//! and computed the first time an image is seen, so a head trains on them epoch after epoch
//! (see [`super::transfer`]), and [`features_repeat`], which says when that pays.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::Hasher;

use super::transfer::features_at;
use crate::data::{Batch, LoaderConfig, Transform};
use crate::error::Error;
use crate::nn::Module;
use crate::train::TrainError;

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
/// Past its size limit the cache keeps what it has and computes new images' features
/// each time (as without a cache), so a large data set cannot exhaust memory.
#[derive(Debug)]
pub struct FeatureCache {
    by_image: HashMap<u64, Vec<f32>>,
    dim: usize,
    /// The most feature values kept.
    limit: usize,
    computed: usize,
    reused: usize,
}

/// A batch's keys, and the images among them not cached yet as one batch.
struct Pending {
    keys: Vec<u64>,
    missing_keys: Vec<u64>,
    missing: Option<Batch>,
}

impl Default for FeatureCache {
    fn default() -> Self {
        FeatureCache::with_limit(usize::MAX)
    }
}

impl FeatureCache {
    /// An empty cache without a size limit.
    pub fn new() -> FeatureCache {
        FeatureCache::default()
    }

    /// An empty cache that keeps at most `bytes` of features.
    pub fn with_limit(bytes: usize) -> FeatureCache {
        FeatureCache {
            by_image: HashMap::new(),
            dim: 0,
            limit: bytes / std::mem::size_of::<f32>(),
            computed: 0,
            reused: 0,
        }
    }

    /// Images whose features the backbone computed.
    pub fn computed(&self) -> usize {
        self.computed
    }

    /// Images whose features came from the cache.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// Images whose features are kept.
    pub fn len(&self) -> usize {
        self.by_image.len()
    }

    /// Whether no features are kept.
    pub fn is_empty(&self) -> bool {
        self.by_image.is_empty()
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
        let fresh = match &pending.missing {
            Some(missing) => features_at(model, missing, cut)?.to_vec_f32()?,
            None => Vec::new(),
        };
        Ok(self.finish(batch, &pending, fresh)?)
    }

    /// [`FeatureCache::features_batch`] with an asynchronous read-back (the browser).
    pub async fn features_batch_async(
        &mut self,
        model: &dyn Module,
        cut: &str,
        batch: &Batch,
    ) -> Result<Batch, TrainError> {
        let pending = self.pending(batch)?;
        let fresh = match &pending.missing {
            Some(missing) => {
                features_at(model, missing, cut)?
                    .to_vec_async::<f32>()
                    .await?
            }
            None => Vec::new(),
        };
        Ok(self.finish(batch, &pending, fresh)?)
    }

    fn pending(&mut self, batch: &Batch) -> Result<Pending, Error> {
        let [n, c, h, w] = batch.shape;
        let size = c * h * w;
        if size == 0 || batch.images.len() != n * size {
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
        for image in batch.images.chunks(size) {
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

    /// The batch of features from the cache and the `fresh` ones (of the missing images, in
    /// order), which are kept while the limit allows.
    fn finish(
        &mut self,
        batch: &Batch,
        pending: &Pending,
        fresh: Vec<f32>,
    ) -> Result<Batch, Error> {
        let missing = pending.missing_keys.len();
        if let Some(dim) = fresh.len().checked_div(missing) {
            if dim == 0 || dim * missing != fresh.len() || (self.dim != 0 && dim != self.dim) {
                return Err(Error::invalid(
                    "FeatureCache",
                    format!("{} feature values for {missing} images", fresh.len()),
                ));
            }
            self.dim = dim;
            self.computed += missing;
        }
        let dim = self.dim;
        let fresh_of = |key: &u64| {
            let i = pending.missing_keys.iter().position(|k| k == key)?;
            fresh.get(i * dim..(i + 1) * dim)
        };
        let mut images = Vec::with_capacity(pending.keys.len() * dim);
        for key in &pending.keys {
            let features = self
                .by_image
                .get(key)
                .map(Vec::as_slice)
                .or_else(|| fresh_of(key))
                .ok_or_else(|| Error::invalid("FeatureCache", "an image's features are missing"))?;
            images.extend_from_slice(features);
        }
        for (key, features) in pending.missing_keys.iter().zip(fresh.chunks(dim.max(1))) {
            if (self.by_image.len() + 1) * dim > self.limit {
                break;
            }
            self.by_image.insert(*key, features.to_vec());
        }
        Ok(Batch {
            images,
            shape: [pending.keys.len(), 1, 1, dim],
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
