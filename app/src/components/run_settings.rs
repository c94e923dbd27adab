//! The playground's run settings: the training panel's controls as signals, turned into a core
//! [`RunSpec`] when a run starts, and set back from a spec when a shared link or a saved run is
//! opened. Shared through context so the panel, the share dialog and the link opener agree.

use leptos::prelude::*;
use pixelgrad::data::LoaderConfig;
use pixelgrad::io::{DataSource, DataSpec, RunSpec, RUN_SPEC_VERSION};
use pixelgrad::models::{InputSpec, ModelSpec, PRESETS};
use pixelgrad::optim::{AdamConfig, OptimizerSpec, Schedule, SgdConfig};
use pixelgrad::train::TrainConfig;

use crate::components::loss_editor::LossChoice;
use crate::worker::protocol::{BackendChoice, DatasetSummary};

/// The value of the model control when the run's model is not one of the presets (it came
/// from a link or a saved run and is kept as it is).
pub const RESTORED_MODEL: &str = "";

/// The training panel's controls, plus the spec they were last set from: fields no control
/// shows (schedule, augmentations, weight decay, loss, ...) are taken from it, so opening a
/// link and pressing Train reproduces the shared run exactly.
#[derive(Clone, Copy)]
pub struct RunSettings {
    /// A preset name from `models::PRESETS`, or [`RESTORED_MODEL`].
    pub preset: RwSignal<String>,
    /// `sgd` (momentum 0.9 unless restored otherwise) or `adam`.
    pub optimizer: RwSignal<String>,
    /// Learning rate, as typed.
    pub lr: RwSignal<String>,
    /// Batch size, as typed.
    pub batch_size: RwSignal<String>,
    /// Epochs, as typed.
    pub epochs: RwSignal<String>,
    /// Optional step limit, as typed (empty for none).
    pub max_steps: RwSignal<String>,
    /// Seed, as typed.
    pub seed: RwSignal<String>,
    /// Train on the CPU even when WebGPU works.
    pub cpu_only: RwSignal<bool>,
    /// The spec the controls were last set from, if any.
    pub base: RwSignal<Option<RunSpec>>,
    /// The loss editor's choice (built-in or custom) and rare class.
    pub loss: LossChoice,
}

impl RunSettings {
    /// The defaults a new visitor sees: LeNet-5, SGD at 0.05, batches of 64, one epoch.
    pub fn new() -> RunSettings {
        RunSettings {
            preset: RwSignal::new("lenet5".into()),
            optimizer: RwSignal::new("sgd".into()),
            lr: RwSignal::new("0.05".into()),
            batch_size: RwSignal::new("64".into()),
            epochs: RwSignal::new("1".into()),
            max_steps: RwSignal::new(String::new()),
            seed: RwSignal::new("0".into()),
            cpu_only: RwSignal::new(false),
            base: RwSignal::new(None),
            loss: LossChoice::new(),
        }
    }

    /// Where training should run.
    pub fn backend(&self) -> BackendChoice {
        if self.cpu_only.get_untracked() {
            BackendChoice::Cpu
        } else {
            BackendChoice::Auto
        }
    }

    /// Sets every control from `spec` and keeps it as the base for the fields no control shows.
    pub fn apply(&self, spec: &RunSpec) {
        let preset = PRESETS
            .iter()
            .find(|(name, _)| ModelSpec::preset(name).as_ref() == Some(&spec.model))
            .map_or(RESTORED_MODEL, |(name, _)| name);
        self.preset.set(preset.to_string());
        let (kind, lr) = match &spec.train.optimizer {
            OptimizerSpec::Sgd(c) => ("sgd", c.lr),
            OptimizerSpec::Adam(c) => ("adam", c.lr),
        };
        self.optimizer.set(kind.into());
        self.lr.set(lr.to_string());
        self.batch_size
            .set(spec.train.loader.batch_size.to_string());
        self.epochs.set(spec.train.epochs.to_string());
        self.max_steps.set(
            spec.train
                .max_steps
                .map_or(String::new(), |m| m.to_string()),
        );
        self.seed.set(spec.train.seed.to_string());
        self.loss.restore(&spec.loss, spec.data.imbalance);
        self.base.set(Some(spec.clone()));
    }

    /// The spec the controls describe for `dataset`, validated; errors in words.
    pub fn to_spec(&self, dataset: &DatasetSummary) -> Result<RunSpec, String> {
        let base = self.base.get_untracked();
        let preset = self.preset.get_untracked();
        let model = match (&base, preset.as_str()) {
            (Some(b), RESTORED_MODEL) => b.model.clone(),
            (_, name) => ModelSpec::preset(name)
                .ok_or_else(|| format!("there is no model called \"{name}\""))?,
        };
        let lr = number("the learning rate", &self.lr.get_untracked())?;
        let mut train = base
            .as_ref()
            .map_or_else(|| default_train(lr), |b| b.train.clone());
        train.optimizer = match (self.optimizer.get_untracked().as_str(), train.optimizer) {
            ("adam", OptimizerSpec::Adam(c)) => OptimizerSpec::Adam(AdamConfig { lr, ..c }),
            ("adam", _) => OptimizerSpec::Adam(AdamConfig::new(lr)),
            (_, OptimizerSpec::Sgd(c)) => OptimizerSpec::Sgd(SgdConfig { lr, ..c }),
            (_, _) => sgd_momentum(lr),
        };
        train.loader.batch_size = whole("the batch size", &self.batch_size.get_untracked())?;
        train.epochs = whole("epochs", &self.epochs.get_untracked())?;
        let limit = self.max_steps.get_untracked();
        train.max_steps = if limit.trim().is_empty() {
            None
        } else {
            Some(whole("the step limit", &limit)?)
        };
        train.seed = whole("the seed", &self.seed.get_untracked())? as u64;
        let (subset, val_fraction) = base
            .as_ref()
            .map_or((None, 0.0), |b| (b.data.subset, b.data.val_fraction));
        let loss = self.loss.spec()?;
        let spec = RunSpec {
            version: RUN_SPEC_VERSION,
            data: DataSpec {
                source: DataSource::Bundled {
                    name: dataset.id.clone(),
                },
                input: InputSpec {
                    channels: 1,
                    height: dataset.height,
                    width: dataset.width,
                },
                classes: dataset.classes.len(),
                subset,
                val_fraction,
                imbalance: self.loss.imbalance(),
            },
            model,
            train,
            loss,
            steps: 0,
            weights: None,
        };
        spec.validate()
            .map_err(|e| format!("these settings cannot be trained: {e}"))?;
        Ok(spec)
    }
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings::new()
    }
}

/// SGD with momentum 0.9, the panel's default optimizer.
fn sgd_momentum(lr: f64) -> OptimizerSpec {
    OptimizerSpec::Sgd(SgdConfig {
        momentum: 0.9,
        ..SgdConfig::new(lr)
    })
}

/// The settings no control shows, for a run not restored from a spec: constant rate, shuffled
/// batches with the last incomplete one dropped, no augmentation, smoothing or clipping.
fn default_train(lr: f64) -> TrainConfig {
    TrainConfig {
        epochs: 1,
        max_steps: None,
        optimizer: sgd_momentum(lr),
        schedule: Schedule::Constant,
        loader: LoaderConfig {
            drop_last: true,
            ..LoaderConfig::default()
        },
        label_smoothing: 0.0,
        clip_grad_norm: None,
        early_stopping_patience: None,
        seed: 0,
        penalty: None,
        reduce_on_plateau: None,
    }
}

fn number(name: &str, text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| format!("{name} must be a number, not \"{}\"", text.trim()))
}

fn whole(name: &str, text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| format!("{name} must be a whole number, not \"{}\"", text.trim()))
}
