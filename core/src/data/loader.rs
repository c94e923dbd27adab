//! Batching: a seeded shuffle per epoch, per-sample augmentation, and optional mixup/cutmix,
//! producing plain `[N, C, H, W]` buffers that `train` turns into tensors on its device.

use serde::{Deserialize, Serialize};

use super::mix::{mix_batch, BatchMix};
use super::seeded::{permutation, stream, Stream};
use super::{DataError, Dataset, Pipeline, Sample};

/// A batch of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Planar images, `[N, C, H, W]` row-major.
    pub images: Vec<f32>,
    /// `[N, C, H, W]`.
    pub shape: [usize; 4],
    /// Hard labels (the first sample's label under mixup/cutmix).
    pub labels: Vec<usize>,
    /// Soft targets `[N, classes]` when mixup/cutmix mixed the batch; `None` otherwise.
    pub soft_targets: Option<Vec<f32>>,
    /// Indices into the data set, for showing the batch in the UI.
    pub indices: Vec<usize>,
}

/// How to cut a data set into batches; serde so it lives in a run's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoaderConfig {
    /// Samples per batch.
    pub batch_size: usize,
    /// Reshuffle every epoch (training) or keep order (evaluation).
    pub shuffle: bool,
    /// Drop the last incomplete batch (keeps batch norm statistics sane on tiny remainders).
    pub drop_last: bool,
    /// Per-sample augmentation (none when omitted from a spec).
    #[serde(default)]
    pub augment: Pipeline,
    /// Batch-level mixing (none when omitted from a spec).
    #[serde(default)]
    pub mix: Option<BatchMix>,
}

impl Default for LoaderConfig {
    fn default() -> Self {
        LoaderConfig {
            batch_size: 32,
            shuffle: true,
            drop_last: false,
            augment: Pipeline::default(),
            mix: None,
        }
    }
}

/// A data set with its batching rules and the run seed.
#[derive(Debug)]
pub struct DataLoader<'a, D: Dataset + ?Sized> {
    dataset: &'a D,
    config: LoaderConfig,
    seed: u64,
}

impl<'a, D: Dataset + ?Sized> DataLoader<'a, D> {
    /// Validates the config (batch size, transforms, mix) up front.
    pub fn new(dataset: &'a D, config: LoaderConfig, seed: u64) -> Result<Self, DataError> {
        if config.batch_size == 0 {
            return Err(DataError::invalid(
                "loader",
                "batch_size must be at least 1",
            ));
        }
        config.augment.validate()?;
        if let Some(m) = &config.mix {
            m.validate()?;
        }
        Ok(DataLoader {
            dataset,
            config,
            seed,
        })
    }

    /// Batches per epoch.
    pub fn num_batches(&self) -> usize {
        let (n, b) = (self.dataset.len(), self.config.batch_size);
        if self.config.drop_last {
            n / b
        } else {
            n.div_ceil(b)
        }
    }

    /// The sample order of `epoch`: identity, or a permutation that depends only on
    /// `(seed, epoch)`.
    pub fn order(&self, epoch: u64) -> Vec<usize> {
        if self.config.shuffle {
            permutation(
                &mut stream(self.seed, Stream::Shuffle, epoch, 0),
                self.dataset.len(),
            )
        } else {
            (0..self.dataset.len()).collect()
        }
    }

    /// Batch `b` of `epoch` (random access, so a paused run resumes mid-epoch).
    pub fn batch(&self, epoch: u64, b: usize) -> Result<Batch, DataError> {
        let n_batches = self.num_batches();
        if b >= n_batches {
            return Err(DataError::IndexOutOfRange {
                index: b,
                len: n_batches,
            });
        }
        let order = self.order(epoch);
        let bs = self.config.batch_size;
        let indices = order[b * bs..((b + 1) * bs).min(order.len())].to_vec();
        self.collate(epoch, indices)
    }

    /// Iterates the batches of `epoch`.
    pub fn epoch(&self, epoch: u64) -> impl Iterator<Item = Result<Batch, DataError>> + '_ {
        let order = self.order(epoch);
        let bs = self.config.batch_size;
        (0..self.num_batches()).map(move |b| {
            self.collate(
                epoch,
                order[b * bs..((b + 1) * bs).min(order.len())].to_vec(),
            )
        })
    }

    /// Sample `index` as the batches of `epoch` contain it: augmented with the same seeded
    /// stream, so a preview of the augmentation shows exactly what training sees (before
    /// batch-level mixing).
    pub fn sample(&self, epoch: u64, index: usize) -> Result<Sample, DataError> {
        let s = self.dataset.get(index)?;
        let image = self.config.augment.apply(
            s.image,
            &mut stream(self.seed, Stream::Augment, epoch, index as u64),
        )?;
        Ok(Sample {
            image,
            label: s.label,
        })
    }

    fn collate(&self, epoch: u64, indices: Vec<usize>) -> Result<Batch, DataError> {
        let mut images = Vec::new();
        let mut labels = Vec::with_capacity(indices.len());
        let mut chw: Option<[usize; 3]> = None;
        for &i in &indices {
            let Sample { image: img, label } = self.sample(epoch, i)?;
            match chw {
                None => chw = Some(img.shape()),
                Some(c) if c != img.shape() => {
                    return Err(DataError::invalid(
                        "loader",
                        format!(
                        "sample {i} has shape {:?} but the batch has {c:?}; add a Resize transform",
                        img.shape()
                    ),
                    ))
                }
                Some(_) => {}
            }
            images.extend_from_slice(img.data());
            labels.push(label);
        }
        let [c, h, w] = chw.ok_or_else(|| DataError::invalid("loader", "empty batch"))?;
        let mut batch = Batch {
            images,
            shape: [indices.len(), c, h, w],
            labels,
            soft_targets: None,
            indices,
        };
        if let Some(m) = &self.config.mix {
            let first = batch.indices[0] as u64;
            mix_batch(
                &mut batch,
                m,
                self.dataset.classes().len(),
                &mut stream(self.seed, Stream::Mix, epoch, first),
            )?;
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Image, InMemoryDataset, Transform};

    fn set(n: usize) -> InMemoryDataset {
        let mut ds = InMemoryDataset::new(vec!["a".into(), "b".into()]);
        for i in 0..n {
            ds.push(Image::filled(1, 2, 2, i as f32).expect("valid"), i % 2)
                .expect("valid");
        }
        ds
    }

    #[test]
    fn epochs_cover_every_sample_once_in_seeded_order() {
        let ds = set(10);
        let cfg = LoaderConfig {
            batch_size: 4,
            ..LoaderConfig::default()
        };
        let loader = DataLoader::new(&ds, cfg.clone(), 9).expect("valid");
        assert_eq!(loader.num_batches(), 3);
        let batches: Vec<Batch> = loader.epoch(0).collect::<Result<_, _>>().expect("batches");
        assert_eq!(batches[2].shape, [2, 1, 2, 2]);
        let mut seen: Vec<usize> = batches.iter().flat_map(|b| b.indices.clone()).collect();
        assert_ne!(seen, (0..10).collect::<Vec<_>>(), "shuffled");
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert_eq!(batches[0].images[0], batches[0].indices[0] as f32);
        assert_eq!(batches[0].labels[1], batches[0].indices[1] % 2);
        assert_eq!(loader.batch(0, 1).expect("exists"), batches[1]);
        assert_ne!(loader.order(1), loader.order(0));
        let again = DataLoader::new(&ds, cfg.clone(), 9).expect("valid");
        assert_eq!(again.order(0), loader.order(0));
        let parsed: LoaderConfig =
            serde_json::from_str(r#"{"batch_size":4,"shuffle":true,"drop_last":false}"#)
                .expect("parses");
        assert_eq!(parsed, cfg);
        let fixed = DataLoader::new(
            &ds,
            LoaderConfig {
                shuffle: false,
                drop_last: true,
                ..cfg
            },
            9,
        )
        .expect("valid");
        assert_eq!(
            (fixed.num_batches(), fixed.order(3)),
            (2, (0..10).collect::<Vec<_>>())
        );
        assert!(fixed.batch(0, 2).is_err());
    }

    #[test]
    fn bad_configs_and_mixed_shapes_fail() {
        let ds = set(4);
        assert!(DataLoader::new(
            &ds,
            LoaderConfig {
                batch_size: 0,
                ..LoaderConfig::default()
            },
            0
        )
        .is_err());
        let bad = Pipeline::new(vec![Transform::RandomVerticalFlip { p: 2.0 }]);
        assert!(DataLoader::new(
            &ds,
            LoaderConfig {
                augment: bad,
                ..LoaderConfig::default()
            },
            0
        )
        .is_err());
        let crop = Pipeline::new(vec![Transform::random_resized_crop(1, 1)]);
        let ok = DataLoader::new(
            &ds,
            LoaderConfig {
                augment: crop,
                ..LoaderConfig::default()
            },
            0,
        )
        .expect("valid");
        assert_eq!(ok.batch(0, 0).expect("batch").shape, [4, 1, 1, 1]);
    }

    #[test]
    fn a_sample_is_what_its_batch_holds() {
        let mut ds = InMemoryDataset::new(vec!["a".into(), "b".into()]);
        for i in 0..6 {
            let pixels = (0..16)
                .map(|p| ((p * 7 + i * 3) % 16) as f32 / 16.0)
                .collect();
            ds.push(Image::new(1, 4, 4, pixels).expect("valid"), i % 2)
                .expect("valid");
        }
        let augment = Pipeline::new(vec![
            Transform::RandomHorizontalFlip { p: 0.5 },
            Transform::RandomRotation { degrees: 30.0 },
        ]);
        let loader = DataLoader::new(
            &ds,
            LoaderConfig {
                batch_size: 3,
                augment,
                ..LoaderConfig::default()
            },
            4,
        )
        .expect("valid");
        for epoch in 0..2 {
            let batch = loader.batch(epoch, 1).expect("batch");
            for (k, &i) in batch.indices.iter().enumerate() {
                let sample = loader.sample(epoch, i).expect("sample");
                assert_eq!(sample.image.data(), &batch.images[k * 16..(k + 1) * 16]);
                assert_eq!(sample.label, batch.labels[k]);
            }
        }
        let a = loader.sample(0, 2).expect("sample");
        let b = loader.sample(1, 2).expect("sample");
        assert_ne!(a.image, b.image, "each epoch draws new augmentations");
        assert!(loader.sample(0, 6).is_err());
    }
}
