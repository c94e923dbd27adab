//! The one training loop, shared by the app's worker, the tests and the benchmarks.
//!
//! [`Trainer::train_step`] is the unit the worker drives (one batch: forward, loss, backward,
//! clipping, optimizer, per-step schedule); [`Trainer::fit`] loops epochs over a data set,
//! evaluates, steps epoch schedules, and reports every step and evaluation to a callback that
//! may stop the run. The only read-back per step is the loss scalar.

mod config;
mod evaluate;
mod objective;
mod report;

pub use config::{Penalty, PlateauConfig, TrainConfig};
pub use evaluate::{evaluate, evaluate_async, evaluate_preprocessed, evaluate_preprocessed_async};
pub use report::{Control, EvalReport, Event, History, StepReport};

use crate::data::{Batch, DataError, DataLoader, Dataset};
use crate::device::Device;
use crate::error::Error;
use crate::loss::dsl::LossError;
use crate::loss::Objective;
use crate::nn::{trainable_parameters, Ctx, Module};
use crate::optim::{
    clip_grad_norm, EarlyStopping, Interval, Mode, OptimError, Optimizer, ReduceLrOnPlateau,
    Scheduler, ThresholdMode,
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
    /// The custom loss was rejected or failed on a batch (see [`Trainer::with_loss`]).
    #[error("the custom loss: {0}")]
    Loss(#[from] LossError),
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

/// A model being trained with its optimizer and schedule. It owns `M`: pass `&model` to keep
/// the model yourself (tests, benches), or the model itself when the trainer must live on its
/// own between steps (the app's worker).
pub struct Trainer<M: Module> {
    model: M,
    /// Where the model's parameters live; batches are moved there.
    device: Device,
    classes: usize,
    config: TrainConfig,
    optimizer: Box<dyn Optimizer>,
    scheduler: Scheduler,
    rng: Rng,
    step: usize,
    /// Present when `reduce_on_plateau` is set; its rate is a factor on the schedule's.
    plateau: Option<ReduceLrOnPlateau>,
    /// Present when `early_stopping_patience` is set: watches validation accuracy.
    early: Option<EarlyStopping>,
    /// What each step minimizes: cross-entropy unless [`Trainer::with_loss`] chose another.
    objective: Objective,
}

impl<M: Module> Trainer<M> {
    /// Prepares training of `model`'s trainable parameters (frozen ones stay as they are), on
    /// the device those parameters live on.
    pub fn new(model: M, classes: usize, config: TrainConfig) -> Result<Trainer<M>, TrainError> {
        if !(0.0..=1.0).contains(&config.label_smoothing) {
            return Err(TrainError::Config(format!(
                "label_smoothing {} is outside [0, 1]",
                config.label_smoothing
            )));
        }
        let params: Vec<Tensor> = trainable_parameters(&model)
            .into_iter()
            .map(|p| p.tensor)
            .collect();
        let device = params.first().map_or(Device::Cpu, Tensor::device);
        if params.is_empty() {
            return Err(TrainError::Config(
                "no trainable parameters (everything is frozen)".into(),
            ));
        }
        let optimizer = config.optimizer.build(params)?;
        let scheduler = Scheduler::new(config.schedule.clone(), config.optimizer.lr())?;
        let rng = Rng::new(config.seed ^ 0x5EED_D80F);
        let plateau = match config.reduce_on_plateau {
            Some(p) => Some(ReduceLrOnPlateau::new(1.0, Mode::Min).with(
                p.factor,
                p.patience,
                p.threshold,
                ThresholdMode::Rel,
                p.cooldown,
                p.min_lr,
            )?),
            None => None,
        };
        let early = config
            .early_stopping_patience
            .map(|p| EarlyStopping::new(Mode::Max, p, 0.0));
        Ok(Trainer {
            model,
            device,
            classes,
            optimizer,
            scheduler,
            rng,
            step: 0,
            plateau,
            early,
            objective: Objective::CrossEntropy {
                label_smoothing: config.label_smoothing,
            },
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

    /// The model being trained.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// One optimizer step on `batch`, reading the loss back synchronously (native code; in
    /// the browser a GPU read must be awaited: use [`Trainer::train_step_async`]).
    pub fn train_step(&mut self, batch: &Batch, epoch: usize) -> Result<StepReport, TrainError> {
        let (loss, lr) = self.forward_loss(batch)?;
        let value = loss.item()?;
        self.finish_step(&loss, value, lr, epoch)
    }

    /// [`Trainer::train_step`] with the loss read back asynchronously, the only read-back of
    /// a step: the form the browser worker uses on WebGPU.
    pub async fn train_step_async(
        &mut self,
        batch: &Batch,
        epoch: usize,
    ) -> Result<StepReport, TrainError> {
        let (loss, lr) = self.forward_loss(batch)?;
        let value = loss.item_async().await?;
        self.finish_step(&loss, value, lr, epoch)
    }

    /// Forward pass and loss of a step, at the scheduled learning rate.
    fn forward_loss(&mut self, batch: &Batch) -> Result<(Tensor, f64), TrainError> {
        let lr = self.scheduler.lr() * self.plateau.as_ref().map_or(1.0, |p| p.lr());
        self.optimizer.set_lr(lr);
        let (x, y) = batch_tensors(batch, self.classes)?;
        // Class indices stay on the host: the loss validates them there, and reading them
        // back from a GPU would need a blocking read the browser does not allow.
        let x = x.to_device(self.device)?;
        let y = if batch.soft_targets.is_some() {
            y.to_device(self.device)?
        } else {
            y
        };
        self.optimizer.zero_grad();
        let mut ctx = Ctx::train(Rng::new(self.rng.seed()));
        // Each step gets its own dropout stream.
        ctx.rng.advance(self.step as u64 * (1 << 32));
        let x = if self.objective.needs_input_grad() {
            x.requires_grad_()?
        } else {
            x
        };
        let logits = self.model.forward(&x, &mut ctx)?;
        let mut loss = self.objective.loss(&logits, &y, &x)?;
        let penalty = match self.config.penalty {
            Some(p) => p.term(self.optimizer.params())?,
            None => None,
        };
        if let Some(p) = penalty {
            loss = loss.add(&p)?;
        }
        Ok((loss, lr))
    }

    /// Backward pass and update, unless the loss is not finite: then the parameters stay as
    /// they were (the last good state) and the run stops with [`TrainError::NonFinite`].
    fn finish_step(
        &mut self,
        loss: &Tensor,
        value: f64,
        lr: f64,
        epoch: usize,
    ) -> Result<StepReport, TrainError> {
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

    /// Continues a run from a checkpoint taken after `step` optimizer steps and `epochs_done`
    /// finished epochs (the model already holds the checkpoint's weights): the step count,
    /// the learning-rate schedule and the dropout streams carry on where they were. Optimizer
    /// state (momentum, Adam moments) starts afresh, as after PyTorch's `load_state_dict` of
    /// the model alone.
    pub fn resume_at(&mut self, step: usize, epochs_done: usize) {
        self.step = step;
        self.scheduler
            .seek(match self.scheduler.schedule().interval() {
                Interval::Step => step,
                Interval::Epoch => epochs_done,
            });
    }

    /// Steps the schedule at the end of an epoch (epoch-interval schedules only); callers that
    /// drive [`Trainer::train_step`] themselves call this after each epoch.
    pub fn end_epoch(&mut self) {
        if self.scheduler.schedule().interval() == Interval::Epoch {
            self.scheduler.step();
        }
    }

    /// Feeds the end-of-epoch validation `report` to reduce-on-plateau (its loss) and early
    /// stopping (its accuracy), as [`Trainer::fit`] does after each epoch; returns `true` when
    /// early stopping says the run should end. Callers that drive the steps themselves (the
    /// browser worker) call this after each epoch's full evaluation, so both honour the spec.
    pub fn observe_epoch_eval(&mut self, report: &EvalReport) -> bool {
        if let Some(p) = self.plateau.as_mut() {
            p.step(report.loss);
        }
        self.early
            .as_mut()
            .is_some_and(|e| e.observe(report.accuracy))
    }

    /// Loss, accuracy, top-5, calibration and the confusion matrix on `data` (evaluation
    /// mode, no gradients), after the deterministic part of the training pipeline
    /// ([`Pipeline::for_evaluation`]: resizes and normalization, no random augmentation).
    pub fn evaluate<D: Dataset + ?Sized>(
        &self,
        data: &D,
        batch_size: usize,
        epoch: usize,
    ) -> Result<EvalReport, TrainError> {
        let pre = self.config.loader.augment.for_evaluation();
        evaluate_preprocessed(&self.model, data, self.classes, batch_size, epoch, &pre)
    }

    /// [`Trainer::evaluate`] with asynchronous read-backs, for the browser.
    pub async fn evaluate_async<D: Dataset + ?Sized>(
        &self,
        data: &D,
        batch_size: usize,
        epoch: usize,
    ) -> Result<EvalReport, TrainError> {
        let pre = self.config.loader.augment.for_evaluation();
        evaluate_preprocessed_async(&self.model, data, self.classes, batch_size, epoch, &pre).await
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
            self.end_epoch();
            if let Some(v) = val {
                let report = self.evaluate(v, self.config.loader.batch_size.max(64), epoch)?;
                let stop_early = self.observe_epoch_eval(&report);
                let control = callback(Event::Eval(&report));
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
