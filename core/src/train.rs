//! The one training loop, shared by the app's worker, the tests and the benchmarks.
//!
//! [`Trainer::train_step`] is the unit the worker drives (one batch: forward, loss, backward,
//! clipping, optimizer, per-step schedule); [`Trainer::fit`] loops epochs over a data set,
//! evaluates, steps epoch schedules, and reports every step and evaluation to a callback that
//! may stop the run. The only read-back per step is the loss scalar.

use serde::{Deserialize, Serialize};

use crate::autograd::no_grad;
use crate::data::{Batch, DataError, DataLoader, Dataset, LoaderConfig};
use crate::error::Error;
use crate::metrics::{argmax_rows, expected_calibration_error, top_k_accuracy, ConfusionMatrix};
use crate::nn::{trainable_parameters, Ctx, Module};
use crate::ops::CrossEntropyOptions;
use crate::optim::{
    clip_grad_norm, EarlyStopping, Interval, Mode, OptimError, Optimizer, OptimizerSpec, Schedule,
    Scheduler,
};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// What can stop a run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Optim(#[from] OptimError),
    #[error(transparent)]
    Tensor(#[from] Error),
    /// The loss became NaN or infinite (learning rate too high, bad loss).
    #[error("the loss became {loss} at step {step}; try a lower learning rate")]
    NonFinite { step: usize, loss: f64 },
    /// The settings are inconsistent.
    #[error("invalid training settings: {0}")]
    Config(String),
}

/// Everything about how to train, as serde data (part of a run's spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub epochs: usize,
    /// Stop after this many optimizer steps in total, if set (quick lessons, tests).
    pub max_steps: Option<usize>,
    pub optimizer: OptimizerSpec,
    pub schedule: Schedule,
    pub loader: LoaderConfig,
    /// Cross-entropy label smoothing in `[0, 1]`.
    pub label_smoothing: f64,
    /// Clip the global gradient norm to this value, if set.
    pub clip_grad_norm: Option<f64>,
    /// Stop when validation accuracy has not improved for this many epochs, if set.
    pub early_stopping_patience: Option<usize>,
    /// Seed of shuffling, augmentation and dropout.
    pub seed: u64,
}

/// Reported after every optimizer step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub epoch: usize,
    /// Optimizer steps so far, this one included.
    pub step: usize,
    pub loss: f64,
    /// Learning rate used for this step.
    pub lr: f64,
    /// Global gradient norm before clipping (when clipping is on).
    pub grad_norm: Option<f64>,
}

/// Reported after every evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub epoch: usize,
    pub loss: f64,
    pub accuracy: f64,
    pub top5: f64,
    /// Expected calibration error, 15 bins.
    pub ece: f64,
    pub confusion: ConfusionMatrix,
}

/// Progress events for [`Trainer::fit`]'s callback.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    Step(&'a StepReport),
    Eval(&'a EvalReport),
}

/// The callback's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

/// Curves of a finished (or stopped) run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub steps: Vec<StepReport>,
    pub evals: Vec<EvalReport>,
    /// Why the run ended early, if it did (`"callback"`, `"early_stopping"`, `"max_steps"`).
    pub stopped: Option<String>,
}

/// Turns a batch into `(images [N, C, H, W], targets)`: class indices `[N]` as f32, or the
/// mixed soft targets `[N, classes]`.
pub fn batch_tensors(batch: &Batch, classes: usize) -> Result<(Tensor, Tensor), Error> {
    let x = Tensor::from_vec(batch.images.clone(), batch.shape.to_vec())?;
    let y = match &batch.soft_targets {
        Some(t) => Tensor::from_vec(t.clone(), [batch.labels.len(), classes])?,
        None => Tensor::from_vec(
            batch.labels.iter().map(|&l| l as f32).collect::<Vec<f32>>(),
            [batch.labels.len()],
        )?,
    };
    Ok((x, y))
}

/// A model being trained with its optimizer and schedule.
pub struct Trainer<'m> {
    model: &'m dyn Module,
    classes: usize,
    config: TrainConfig,
    optimizer: Box<dyn Optimizer>,
    scheduler: Scheduler,
    rng: Rng,
    step: usize,
}

impl<'m> Trainer<'m> {
    /// Prepares training of `model`'s trainable parameters (frozen ones stay as they are).
    pub fn new(
        model: &'m dyn Module,
        classes: usize,
        config: TrainConfig,
    ) -> Result<Trainer<'m>, TrainError> {
        if !(0.0..=1.0).contains(&config.label_smoothing) {
            return Err(TrainError::Config(format!(
                "label_smoothing {} is outside [0, 1]",
                config.label_smoothing
            )));
        }
        let params: Vec<Tensor> = trainable_parameters(model)
            .into_iter()
            .map(|p| p.tensor)
            .collect();
        if params.is_empty() {
            return Err(TrainError::Config(
                "no trainable parameters (everything is frozen)".into(),
            ));
        }
        let optimizer = config.optimizer.build(params)?;
        let scheduler = Scheduler::new(config.schedule.clone(), config.optimizer.lr())?;
        let rng = Rng::new(config.seed ^ 0x5EED_D80F);
        Ok(Trainer {
            model,
            classes,
            optimizer,
            scheduler,
            rng,
            step: 0,
            config,
        })
    }

    /// Optimizer steps taken.
    pub fn steps(&self) -> usize {
        self.step
    }

    /// The learning rate the next step will use.
    pub fn lr(&self) -> f64 {
        self.optimizer.lr()
    }

    /// One optimizer step on `batch`.
    pub fn train_step(&mut self, batch: &Batch, epoch: usize) -> Result<StepReport, TrainError> {
        let lr = self.scheduler.lr();
        self.optimizer.set_lr(lr);
        let (x, y) = batch_tensors(batch, self.classes)?;
        self.optimizer.zero_grad();
        let mut ctx = Ctx::train(Rng::new(self.rng.seed()));
        // Each step gets its own dropout stream.
        ctx.rng.advance(self.step as u64 * (1 << 32));
        let logits = self.model.forward(&x, &mut ctx)?;
        let opts = CrossEntropyOptions {
            label_smoothing: self.config.label_smoothing,
            ..Default::default()
        };
        let loss = logits.cross_entropy(&y, &opts)?;
        let value = loss.item()?;
        if !value.is_finite() {
            return Err(TrainError::NonFinite {
                step: self.step,
                loss: value,
            });
        }
        loss.backward()?;
        let grad_norm = match self.config.clip_grad_norm {
            Some(max) => Some(clip_grad_norm(self.optimizer.params(), max)?),
            None => None,
        };
        self.optimizer.step()?;
        self.step += 1;
        if self.scheduler.schedule().interval() == Interval::Step {
            self.scheduler.step();
        }
        Ok(StepReport {
            epoch,
            step: self.step,
            loss: value,
            lr,
            grad_norm,
        })
    }

    /// Loss, accuracy, top-5, calibration and the confusion matrix on `data` (evaluation
    /// mode, no augmentation, no gradients).
    pub fn evaluate<D: Dataset + ?Sized>(
        &self,
        data: &D,
        batch_size: usize,
        epoch: usize,
    ) -> Result<EvalReport, TrainError> {
        evaluate(self.model, data, self.classes, batch_size, epoch)
    }

    /// Trains for the configured epochs (or until `max_steps`, early stopping or the callback
    /// says stop), evaluating on `val` after each epoch when given.
    pub fn fit<D: Dataset + ?Sized, V: Dataset + ?Sized>(
        &mut self,
        train: &D,
        val: Option<&V>,
        mut callback: impl FnMut(Event) -> Control,
    ) -> Result<History, TrainError> {
        let loader = DataLoader::new(train, self.config.loader.clone(), self.config.seed)?;
        let mut early = self
            .config
            .early_stopping_patience
            .map(|p| EarlyStopping::new(Mode::Max, p, 0.0));
        let mut history = History::default();
        for epoch in 0..self.config.epochs {
            for batch in loader.epoch(epoch as u64) {
                let report = self.train_step(&batch?, epoch)?;
                let control = callback(Event::Step(&report));
                history.steps.push(report);
                if control == Control::Stop {
                    history.stopped = Some("callback".into());
                    return Ok(history);
                }
                if self.config.max_steps.is_some_and(|m| self.step >= m) {
                    history.stopped = Some("max_steps".into());
                    return Ok(history);
                }
            }
            if self.scheduler.schedule().interval() == Interval::Epoch {
                self.scheduler.step();
            }
            if let Some(v) = val {
                let report = self.evaluate(v, self.config.loader.batch_size.max(64), epoch)?;
                let control = callback(Event::Eval(&report));
                let stop_early = early.as_mut().is_some_and(|e| e.observe(report.accuracy));
                history.evals.push(report);
                if control == Control::Stop {
                    history.stopped = Some("callback".into());
                    return Ok(history);
                }
                if stop_early {
                    history.stopped = Some("early_stopping".into());
                    return Ok(history);
                }
            }
        }
        Ok(history)
    }
}

/// Evaluates any model on a data set (see [`Trainer::evaluate`]).
pub fn evaluate<D: Dataset + ?Sized>(
    model: &dyn Module,
    data: &D,
    classes: usize,
    batch_size: usize,
    epoch: usize,
) -> Result<EvalReport, TrainError> {
    let loader = DataLoader::new(
        data,
        LoaderConfig {
            batch_size: batch_size.max(1),
            shuffle: false,
            drop_last: false,
            ..LoaderConfig::default()
        },
        0,
    )?;
    let mut confusion = ConfusionMatrix::new(classes);
    let (mut loss_sum, mut n, mut top5) = (0.0, 0usize, 0.0);
    let mut probs_all = Vec::new();
    let mut targets = Vec::new();
    for batch in loader.epoch(0) {
        let batch = batch?;
        let (x, y) = batch_tensors(&batch, classes)?;
        let logits = no_grad(|| model.forward(&x, &mut Ctx::eval()))?;
        let sum = CrossEntropyOptions {
            reduction: crate::ops::Reduction::Sum,
            ..Default::default()
        };
        loss_sum += no_grad(|| logits.cross_entropy(&y, &sum))?.item()?;
        let scores = logits.to_vec_f32()?;
        confusion.update(&argmax_rows(&scores, classes), &batch.labels);
        top5 += top_k_accuracy(&scores, classes, &batch.labels, 5.min(classes))
            * batch.labels.len() as f64;
        probs_all.extend(no_grad(|| logits.softmax(1))?.to_vec_f32()?);
        targets.extend_from_slice(&batch.labels);
        n += batch.labels.len();
    }
    let n_f = n.max(1) as f64;
    Ok(EvalReport {
        epoch,
        loss: loss_sum / n_f,
        accuracy: confusion.report().accuracy,
        top5: top5 / n_f,
        ece: expected_calibration_error(&probs_all, classes, &targets, 15),
        confusion,
    })
}
