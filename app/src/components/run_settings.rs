//! The playground's run settings: the training panel's controls as signals, turned into a core
//! [`RunSpec`] when a run starts, and set back from a spec when a shared link or a saved run is
//! opened. Shared through context so the panel, the share dialog and the link opener agree.

use leptos::prelude::*;
use pixelgrad::data::LoaderConfig;
use pixelgrad::data::Pipeline;
use pixelgrad::io::{DataSource, DataSpec, RunSpec, RUN_SPEC_VERSION};
use pixelgrad::models::{InputSpec, ModelSpec, PRESETS};
use pixelgrad::optim::{AdamConfig, OptimizerSpec, SgdConfig};
use pixelgrad::train::{PlateauConfig, TrainConfig};

use crate::components::loss_editor::LossChoice;
use crate::components::train_options::{
    model_dropout, with_dropout, AugmentToggles, ScheduleControls,
};
use crate::worker::protocol::{BackendChoice, DatasetSummary};

/// The value of the model control when the run's model is not one of the presets (it came
/// from a link or a saved run and is kept as it is).
pub const RESTORED_MODEL: &str = "";

/// The training panel's controls, plus the spec they were last set from: fields no control
/// shows (mixing, momentum, plateau threshold, ...) and the exact settings of a shared
/// schedule or augmentation the controls leave as they were are taken from it, so opening a
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
    /// Where to train: Auto (the faster, timed before the run), WebGPU or the CPU.
    pub backend_choice: RwSignal<BackendChoice>,
    /// Weight decay of the optimizer, as typed.
    pub weight_decay: RwSignal<String>,
    /// Dropout probability of models that have dropout, as typed.
    pub dropout: RwSignal<String>,
    /// Gradient-norm clipping threshold, as typed (empty for none).
    pub clip: RwSignal<String>,
    /// Early-stopping patience in epochs, as typed (empty for none).
    pub patience: RwSignal<String>,
    /// Label smoothing in `[0, 1]`, as typed.
    pub label_smoothing: RwSignal<String>,
    /// The learning-rate schedule and warm-up.
    pub schedule: RwSignal<ScheduleControls>,
    /// Reduce the rate when the validation loss stops falling.
    pub plateau: RwSignal<bool>,
    /// Reduce-on-plateau patience in epochs, as typed.
    pub plateau_patience: RwSignal<String>,
    /// Reduce-on-plateau factor, as typed.
    pub plateau_factor: RwSignal<String>,
    /// Which augmentations are on.
    pub augment: RwSignal<AugmentToggles>,
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
            backend_choice: RwSignal::new(BackendChoice::Auto),
            weight_decay: RwSignal::new("0".into()),
            dropout: RwSignal::new(String::new()),
            clip: RwSignal::new(String::new()),
            patience: RwSignal::new(String::new()),
            label_smoothing: RwSignal::new("0".into()),
            schedule: RwSignal::new(ScheduleControls::default()),
            plateau: RwSignal::new(false),
            plateau_patience: RwSignal::new("1".into()),
            plateau_factor: RwSignal::new("0.5".into()),
            augment: RwSignal::new(AugmentToggles::default()),
            base: RwSignal::new(None),
            loss: LossChoice::new(),
        }
    }

    /// Where training should run.
    pub fn backend(&self) -> BackendChoice {
        self.backend_choice.get_untracked()
    }

    /// Sets every control from `spec` and keeps it as the base for the fields no control shows.
    pub fn apply(&self, spec: &RunSpec) {
        let dropout = model_dropout(&spec.model);
        let preset = PRESETS
            .iter()
            .find(|(name, _)| {
                ModelSpec::preset(name)
                    .map(|p| dropout.map_or(p.clone(), |d| with_dropout(&p, d)))
                    .as_ref()
                    == Some(&spec.model)
            })
            .map_or(RESTORED_MODEL, |(name, _)| name);
        self.preset.set(preset.to_string());
        self.dropout
            .set(dropout.map_or(String::new(), |d| d.to_string()));
        let (kind, lr, decay) = match &spec.train.optimizer {
            OptimizerSpec::Sgd(c) => ("sgd", c.lr, c.weight_decay),
            OptimizerSpec::Adam(c) => ("adam", c.lr, c.weight_decay),
        };
        self.weight_decay.set(decay.to_string());
        let t = &spec.train;
        let optional = |v: Option<String>| v.unwrap_or_default();
        self.clip
            .set(optional(t.clip_grad_norm.map(|c| c.to_string())));
        self.patience
            .set(optional(t.early_stopping_patience.map(|p| p.to_string())));
        self.label_smoothing.set(t.label_smoothing.to_string());
        self.schedule.set(ScheduleControls::of(&t.schedule));
        self.plateau.set(t.reduce_on_plateau.is_some());
        if let Some(p) = t.reduce_on_plateau {
            self.plateau_patience.set(p.patience.to_string());
            self.plateau_factor.set(p.factor.to_string());
        }
        self.augment.set(AugmentToggles::of(&t.loader.augment));
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
        let dropout = self.dropout.get_untracked();
        let model = match model_dropout(&model) {
            Some(_) if !dropout.trim().is_empty() => {
                let p = number("dropout", &dropout)?;
                if !(0.0..1.0).contains(&p) {
                    return Err(format!("dropout must be at least 0 and below 1, not {p}"));
                }
                with_dropout(&model, p)
            }
            _ => model,
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
        let decay = number("weight decay", &self.weight_decay.get_untracked())?;
        match &mut train.optimizer {
            OptimizerSpec::Sgd(c) => c.weight_decay = decay,
            OptimizerSpec::Adam(c) => c.weight_decay = decay,
        }
        train.clip_grad_norm = optional_number("the clipping threshold", &self.clip)?;
        train.early_stopping_patience =
            optional_whole("the early-stopping patience", &self.patience)?;
        train.label_smoothing = number("label smoothing", &self.label_smoothing.get_untracked())?;
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
        let input = InputSpec {
            channels: 1,
            height: dataset.height,
            width: dataset.width,
        };
        train.loader.augment = self.pipeline(input);
        let steps = total_steps(&train, dataset, subset, val_fraction);
        let controls = self.schedule.get_untracked();
        let shared = base.as_ref().map(|b| &b.train.schedule);
        train.schedule = match shared {
            Some(s) if ScheduleControls::of(s) == controls => s.clone(),
            _ => controls.schedule(train.epochs, steps, lr, shared)?,
        };
        train.reduce_on_plateau = if self.plateau.get_untracked() {
            let kept = base.as_ref().and_then(|b| b.train.reduce_on_plateau);
            Some(PlateauConfig {
                factor: number("the plateau factor", &self.plateau_factor.get_untracked())?,
                patience: whole(
                    "the plateau patience",
                    &self.plateau_patience.get_untracked(),
                )?,
                ..kept.unwrap_or(PlateauConfig {
                    factor: 0.1,
                    patience: 10,
                    threshold: 1e-4,
                    cooldown: 0,
                    min_lr: 0.0,
                })
            })
        } else {
            None
        };
        let loss = self.loss.spec()?;
        let spec = RunSpec {
            version: RUN_SPEC_VERSION,
            data: DataSpec {
                source: DataSource::Bundled {
                    name: dataset.id.clone(),
                },
                input,
                classes: dataset.classes.len(),
                subset,
                val_fraction,
                imbalance: self.loss.imbalance(),
            },
            model,
            train,
            loss,
            steps: 0,
            freeze: Vec::new(),
            unfreeze: Vec::new(),
            weights: None,
        };
        spec.validate()
            .map_err(|e| format!("these settings cannot be trained: {e}"))?;
        Ok(spec)
    }
}

impl RunSettings {
    /// The augmentation pipeline the toggles describe for images of `input`'s shape (a
    /// restored run's own settings kept for the kinds still on). Tracks the toggles, so the
    /// preview redraws when one changes.
    pub fn pipeline(&self, input: InputSpec) -> Pipeline {
        let toggles = self.augment.get();
        self.base.with_untracked(|b| {
            toggles.pipeline(
                b.as_ref().map(|b| &b.train.loader.augment),
                input.channels,
                input.height,
                input.width,
            )
        })
    }

    /// The seed as typed, or 0 while it is not a number (for the preview).
    pub fn seed_or_zero(&self) -> u64 {
        self.seed.get().trim().parse().unwrap_or(0)
    }
}

/// Optimizer steps of a run of `train` on `dataset` (its subset, less the validation share):
/// one-cycle's length.
fn total_steps(
    train: &TrainConfig,
    dataset: &DatasetSummary,
    subset: Option<usize>,
    val_fraction: f64,
) -> usize {
    let n = subset.map_or(dataset.train_len, |s| s.min(dataset.train_len));
    let held_out = (n as f64 * val_fraction).round() as usize;
    let n = n.saturating_sub(held_out);
    let bs = train.loader.batch_size.max(1);
    let per_epoch = if train.loader.drop_last {
        n / bs
    } else {
        n.div_ceil(bs)
    };
    let all = per_epoch * train.epochs;
    train.max_steps.map_or(all, |m| m.min(all))
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings::new()
    }
}

/// SGD with momentum 0.9, the panel's default optimizer (and the example runs').
pub fn sgd_momentum(lr: f64) -> OptimizerSpec {
    OptimizerSpec::Sgd(SgdConfig {
        momentum: 0.9,
        ..SgdConfig::new(lr)
    })
}

/// The settings no control shows, for a run not restored from a spec: constant rate, shuffled
/// batches with the last incomplete one dropped, no augmentation, smoothing or clipping.
fn default_train(lr: f64) -> TrainConfig {
    TrainConfig {
        loader: LoaderConfig {
            drop_last: true,
            ..LoaderConfig::default()
        },
        ..TrainConfig::new(1, sgd_momentum(lr))
    }
}

fn number(name: &str, text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| format!("{name} must be a number, not \"{}\"", text.trim()))
}

/// `None` for an empty field, else the number in it.
fn optional_number(name: &str, field: &RwSignal<String>) -> Result<Option<f64>, String> {
    let text = field.get_untracked();
    if text.trim().is_empty() {
        Ok(None)
    } else {
        number(name, &text).map(Some)
    }
}

/// `None` for an empty field, else the whole number in it.
fn optional_whole(name: &str, field: &RwSignal<String>) -> Result<Option<usize>, String> {
    let text = field.get_untracked();
    if text.trim().is_empty() {
        Ok(None)
    } else {
        whole(name, &text).map(Some)
    }
}

fn whole(name: &str, text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| format!("{name} must be a whole number, not \"{}\"", text.trim()))
}
