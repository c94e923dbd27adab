//! Transfer runs (a frozen pretrained backbone with a new head: the webcam and upload
//! "transfer" runs, or any spec that freezes MobileNetV2's `features.`) train the head on
//! cached backbone features instead of running the backbone on every step and evaluation.
//!
//! Training images are cached by content ([`FeatureCache`]): with the flips those runs use,
//! a sample comes back as one of at most four images, each computed once, and whichever one
//! the epoch's seeded draw picks is looked up, so the loss curve is the uncached one (to float
//! noise). Continuous augmentation (crops, rotation, colour jitter, erasing) and mixing make
//! new images every epoch, which a cache would never see again: such runs keep running the
//! whole model on every step, as does a custom loss (it may read the input images). The
//! held-out set is always evaluated after the deterministic pipeline, so its features are
//! computed once, at the first evaluation. The run's model keeps backbone and head:
//! checkpoints, exports, share links and live predictions use it whole.

use pixelgrad::data::{Dataset, Pipeline, Subset};
use pixelgrad::io::{LossSpec, RunSpec};
use pixelgrad::models::{
    cache_features_async, features_repeat, FeatureCache, Features, Model, TransferHead,
};
use pixelgrad::nn::Module;
use pixelgrad::train::{evaluate_preprocessed_async, EvalReport, TrainError, Trainer};

use super::datasets::SetData;

/// Samples per backbone pass when the held-out features are computed (as in evaluation).
const EVAL_BATCH: usize = 250;
/// The most training features kept (MobileNetV2's 1280 values an image: about 26,000 images,
/// far more than a webcam or upload set with its flips); past it, new images run the backbone.
const TRAINING_CACHE_BYTES: usize = 128 << 20;

/// The head to train on cached features when the run allows it (see the module doc), `None`
/// when the whole model must run on every step.
pub(super) fn head_for(spec: &RunSpec, model: &Model) -> Option<TransferHead> {
    let cacheable =
        features_repeat(&spec.train.loader) && matches!(spec.loss, LossSpec::CrossEntropy);
    cacheable.then(|| TransferHead::of(model)).flatten()
}

/// The features of one run: training images by content, and the held-out set's once
/// computed. Made for one model and one held-out set.
pub(super) struct CachedFeatures<'a> {
    model: &'a Model,
    cut: &'static str,
    classes: usize,
    /// The held-out set's deterministic pipeline (resize, normalize), as evaluation uses.
    preprocess: Pipeline,
    held_out: &'a Subset<'a, SetData>,
    held_out_features: Option<Features>,
    training: FeatureCache,
}

impl<'a> CachedFeatures<'a> {
    /// A cache for `model` (whose head is `head`) trained per `spec`, evaluated on `held_out`.
    pub fn new(
        spec: &RunSpec,
        model: &'a Model,
        head: &TransferHead,
        held_out: &'a Subset<'a, SetData>,
    ) -> Self {
        CachedFeatures {
            model,
            cut: head.cut(),
            classes: spec.data.classes,
            preprocess: spec.train.loader.augment.for_evaluation(),
            held_out,
            held_out_features: None,
            training: FeatureCache::with_limit(TRAINING_CACHE_BYTES),
        }
    }

    /// A training batch of images as the batch of their features, the backbone running only
    /// on images not seen before.
    pub async fn train_batch(
        &mut self,
        batch: &pixelgrad::data::Batch,
    ) -> Result<pixelgrad::data::Batch, TrainError> {
        self.training
            .features_batch_async(self.model, self.cut, batch)
            .await
    }

    /// Evaluates `head` on the first `examples` samples of the held-out set (a quick
    /// evaluation, or all of them), from their features.
    async fn evaluate(
        &mut self,
        head: &dyn Module,
        examples: usize,
        epoch: usize,
    ) -> Result<EvalReport, TrainError> {
        if self.held_out_features.is_none() {
            let features = cache_features_async(
                self.model,
                self.held_out,
                &self.preprocess,
                self.cut,
                EVAL_BATCH,
            )
            .await?;
            self.held_out_features = Some(features);
        }
        let Some(features) = self.held_out_features.as_ref() else {
            return Err(TrainError::Config("no held-out features".into()));
        };
        let first = Subset::new(features, (0..examples.min(features.len())).collect())?;
        evaluate_preprocessed_async(
            head,
            &first,
            self.classes,
            EVAL_BATCH,
            epoch,
            &Pipeline::default(),
        )
        .await
    }
}

/// The trainer's evaluation on `data`, the held-out set or a prefix of it (the quick
/// evaluation's first examples): from cached features when the run has them.
pub(super) async fn evaluate<D: Dataset + ?Sized>(
    trainer: &Trainer<&dyn Module>,
    cached: Option<&mut CachedFeatures<'_>>,
    data: &D,
    epoch: usize,
) -> Result<EvalReport, TrainError> {
    match cached {
        Some(cached) => cached.evaluate(*trainer.model(), data.len(), epoch).await,
        None => trainer.evaluate_async(data, EVAL_BATCH, epoch).await,
    }
}
