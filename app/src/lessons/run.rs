//! The `model` and `run` blocks of a lesson: a bundled data set, a model (a preset name or a
//! full `ModelSpec`), and training settings with lesson-friendly defaults, turned into the
//! core's [`RunSpec`], the same type a share link and the worker carry.
//!
//! Block syntax: one `key: value` per line; a value that starts with `{`, `[`, `-`, `true`,
//! `false` or `null` is JSON, a number is a number, anything else a string (`1x32x32` too).

use pixelgrad::data::{LoaderConfig, Pipeline};
use pixelgrad::io::{LossSpec, RunSpec};
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::optim::{AdamConfig, OptimizerSpec, Schedule, SgdConfig};
use pixelgrad::train::{Penalty, PlateauConfig, TrainConfig};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::LessonError;

/// The bundled sets a lesson may train on: id, input, classes (ids as in the worker's list).
pub const LESSON_DATA: &[(&str, InputSpec, usize)] = &[
    ("mnist", InputSpec::GREY28, 10),
    ("fashion-mnist", InputSpec::GREY28, 10),
    (
        "digits",
        InputSpec {
            channels: 1,
            height: 8,
            width: 8,
        },
        10,
    ),
];

/// How long a lesson's runs train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Budget {
    /// As the lesson file says (`max_steps`).
    #[default]
    Full,
    /// Every run capped at this many steps (`?budget=N`, for slow machines).
    Steps(usize),
    /// Every run's own declared `quick_steps` (`?budget=quick`): the shortest run with which
    /// the step's checks still hold, walked by the end-to-end test on the CPU.
    Quick,
}

impl Budget {
    /// The budget named by the page's `budget` query value.
    pub fn from_query(value: Option<&str>) -> Budget {
        match value.map(str::trim) {
            Some("quick") => Budget::Quick,
            Some(v) => v.parse().map_or(Budget::Full, Budget::Steps),
            None => Budget::Full,
        }
    }

    /// The query value that asks for this budget (`None` for the full one).
    pub fn query(self) -> Option<String> {
        match self {
            Budget::Full => None,
            Budget::Steps(n) => Some(n.to_string()),
            Budget::Quick => Some("quick".into()),
        }
    }
}

/// A preset by name, or a whole spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ModelChoice {
    /// A name from `pixelgrad::models::PRESETS`.
    Preset(String),
    /// Any model the zoo can build.
    Spec(ModelSpec),
}

/// A `model` block: what to draw as a block diagram.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonModel {
    /// A bundled set, for the input size and class count.
    pub data: String,
    /// The model.
    pub model: ModelChoice,
}

/// A `run` block: a whole training run with defaults a lesson rarely changes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonRun {
    /// A bundled set (`mnist`, `fashion-mnist`, `digits`).
    pub data: String,
    /// The model.
    pub model: ModelChoice,
    /// `sgd` (momentum from `momentum`), `adam` or `adamw`.
    #[serde(default = "default_optimizer")]
    pub optimizer: String,
    /// Base learning rate.
    #[serde(default = "default_lr")]
    pub lr: f64,
    /// SGD momentum.
    #[serde(default = "default_momentum")]
    pub momentum: f64,
    /// L2 (SGD, Adam) or decoupled (AdamW) weight decay.
    #[serde(default)]
    pub weight_decay: f64,
    /// Examples per step.
    #[serde(default = "default_batch")]
    pub batch_size: usize,
    /// Passes over the (subset of the) training split.
    #[serde(default = "default_epochs")]
    pub epochs: usize,
    /// Step budget: the lesson's promise that the target is reached within it.
    #[serde(default)]
    pub max_steps: Option<usize>,
    /// The quick budget (`?budget=quick`): fewer steps with which the step's checks are still
    /// met for real; the end-to-end test walks the course with it.
    #[serde(default)]
    pub quick_steps: Option<usize>,
    /// Train on the first `n` training images only.
    #[serde(default)]
    pub subset: Option<usize>,
    /// Hold out this fraction of those images for validation (else the test split is used).
    #[serde(default)]
    pub val_fraction: f64,
    /// Evaluate every this many steps (curves in the page).
    #[serde(default = "default_eval_every")]
    pub eval_every: usize,
    /// Seed of initialization, shuffling, dropout and augmentation.
    #[serde(default)]
    pub seed: u64,
    /// Learning-rate schedule (PyTorch closed forms).
    #[serde(default = "default_schedule")]
    pub schedule: Schedule,
    /// Cross-entropy label smoothing.
    #[serde(default)]
    pub label_smoothing: f64,
    /// Global gradient-norm clipping.
    #[serde(default)]
    pub clip_grad_norm: Option<f64>,
    /// L1 or L2 penalty added to the loss.
    #[serde(default)]
    pub penalty: Option<Penalty>,
    /// Augmentation pipeline.
    #[serde(default)]
    pub augment: Pipeline,
    /// Early stopping patience in epochs.
    #[serde(default)]
    pub early_stopping_patience: Option<usize>,
    /// ReduceLROnPlateau.
    #[serde(default)]
    pub reduce_on_plateau: Option<PlateauConfig>,
    /// The loss (cross-entropy unless a custom program is given).
    #[serde(default = "default_loss")]
    pub loss: LossSpec,
    /// `imagenet`: start a width-1 MobileNetV2 from the bundled ImageNet weights, its
    /// `features` frozen unless `freeze` says otherwise (transfer learning).
    #[serde(default)]
    pub pretrained: Option<String>,
    /// Parameter-name prefixes that do not train.
    #[serde(default)]
    pub freeze: Vec<String>,
    /// Prefixes trained again after `freeze` (fine-tuning a backbone's last stage).
    #[serde(default)]
    pub unfreeze: Vec<String>,
    /// The model's input when the augmentation changes the images' size (`1x32x32`).
    #[serde(default)]
    pub input: Option<String>,
    /// Train with the loss written in the step's loss editor (shown above the Train button).
    #[serde(default)]
    pub loss_editor: bool,
}

fn default_optimizer() -> String {
    "sgd".into()
}
fn default_lr() -> f64 {
    0.05
}
fn default_momentum() -> f64 {
    0.9
}
fn default_batch() -> usize {
    64
}
fn default_epochs() -> usize {
    1
}
fn default_eval_every() -> usize {
    50
}
fn default_schedule() -> Schedule {
    Schedule::Constant
}
fn default_loss() -> LossSpec {
    LossSpec::CrossEntropy
}

/// Reads `key: value` lines into a JSON object (see the module docs).
fn block_to_json(widget: &'static str, text: &str) -> Result<Value, LessonError> {
    let mut map = Map::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| LessonError::widget(widget, format!("`{line}` is not `key: value`")))?;
        let value = value.trim();
        let json =
            if value.starts_with(['{', '[', '-']) || ["true", "false", "null"].contains(&value) {
                serde_json::from_str(value)
                    .map_err(|e| LessonError::widget(widget, format!("{}: {e}", key.trim())))?
            } else if value.starts_with(|c: char| c.is_ascii_digit()) {
                // A number, or text that starts with one (`input: 1x32x32`).
                serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()))
            } else {
                Value::String(value.to_string())
            };
        if map.insert(key.trim().to_string(), json).is_some() {
            return Err(LessonError::widget(
                widget,
                format!("`{}` is given twice", key.trim()),
            ));
        }
    }
    Ok(Value::Object(map))
}

fn data_info(widget: &'static str, name: &str) -> Result<(InputSpec, usize), LessonError> {
    LESSON_DATA
        .iter()
        .find(|(id, _, _)| *id == name)
        .map(|(_, input, classes)| (*input, *classes))
        .ok_or_else(|| LessonError::widget(widget, format!("no bundled data set called `{name}`")))
}

impl ModelChoice {
    /// The spec, resolving a preset name.
    pub fn spec(&self) -> Result<ModelSpec, String> {
        match self {
            ModelChoice::Spec(spec) => Ok(spec.clone()),
            ModelChoice::Preset(name) => {
                ModelSpec::preset(name).ok_or_else(|| format!("no model preset called `{name}`"))
            }
        }
    }

    /// A short name for the page.
    pub fn label(&self) -> String {
        match self {
            ModelChoice::Preset(name) => name.clone(),
            ModelChoice::Spec(spec) => serde_json::to_value(spec)
                .ok()
                .and_then(|v| v.get("family").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| "model".into()),
        }
    }
}

impl LessonModel {
    /// Parses a `model` block.
    pub fn parse(text: &str) -> Result<LessonModel, LessonError> {
        let m: LessonModel = serde_json::from_value(block_to_json("model", text)?)
            .map_err(|e| LessonError::widget("model", e.to_string()))?;
        data_info("model", &m.data)?;
        m.model
            .spec()
            .map_err(|e| LessonError::widget("model", e))?;
        Ok(m)
    }

    /// A run of this model with the lesson defaults (for "open in the playground").
    pub fn as_run(&self) -> Result<LessonRun, String> {
        let json = serde_json::json!({ "data": self.data, "model": self.model });
        serde_json::from_value(json).map_err(|e| e.to_string())
    }

    /// Input and class count of the data set.
    pub fn input(&self) -> (InputSpec, usize) {
        data_info("model", &self.data).unwrap_or((InputSpec::GREY28, 10))
    }
}

impl LessonRun {
    /// Parses a `run` block and builds its spec once, so a block that cannot become a run
    /// fails here (and in `cargo test`), not in the learner's page.
    pub fn parse(text: &str) -> Result<LessonRun, LessonError> {
        let run: LessonRun = serde_json::from_value(block_to_json("run", text)?)
            .map_err(|e| LessonError::widget("run", e.to_string()))?;
        run.run_spec(Budget::Full)
            .map_err(|e| LessonError::widget("run", e))?;
        if let (Some(quick), Some(full)) = (run.quick_steps, run.max_steps) {
            if quick == 0 || quick > full {
                return Err(LessonError::widget(
                    "run",
                    format!("quick_steps {quick} must be between 1 and max_steps {full}"),
                ));
            }
        }
        Ok(run)
    }

    /// The step budget this run trains for under `budget`.
    pub fn steps_under(&self, budget: Budget) -> Option<usize> {
        match budget {
            Budget::Full => self.max_steps,
            Budget::Steps(b) => Some(self.max_steps.map_or(b, |a| a.min(b))),
            Budget::Quick => self.quick_steps.or(self.max_steps),
        }
    }

    /// The core spec for this run under `budget` (`?budget=N` caps every run of a lesson,
    /// `?budget=quick` uses each run's `quick_steps`).
    pub fn run_spec(&self, budget: Budget) -> Result<RunSpec, String> {
        let (input, classes) = data_info("run", &self.data).map_err(|e| e.to_string())?;
        let optimizer = match self.optimizer.as_str() {
            "sgd" => OptimizerSpec::Sgd(SgdConfig {
                momentum: self.momentum,
                weight_decay: self.weight_decay,
                ..SgdConfig::new(self.lr)
            }),
            "adam" | "adamw" => OptimizerSpec::Adam(AdamConfig {
                weight_decay: self.weight_decay,
                decoupled: self.optimizer == "adamw",
                ..AdamConfig::new(self.lr)
            }),
            other => return Err(format!("unknown optimizer `{other}` (sgd, adam, adamw)")),
        };
        let max_steps = self.steps_under(budget);
        let train = TrainConfig {
            epochs: self.epochs,
            max_steps,
            optimizer,
            schedule: self.schedule.clone(),
            loader: LoaderConfig {
                batch_size: self.batch_size,
                shuffle: true,
                drop_last: true,
                augment: self.augment.clone(),
                mix: None,
            },
            label_smoothing: self.label_smoothing,
            clip_grad_norm: self.clip_grad_norm,
            early_stopping_patience: self.early_stopping_patience,
            seed: self.seed,
            penalty: self.penalty,
            reduce_on_plateau: self.reduce_on_plateau,
        };
        let input = match &self.input {
            Some(text) => parse_input(text)?,
            None => input,
        };
        if self.pretrained.as_deref().is_some_and(|p| p != "imagenet") {
            return Err("`pretrained` can only be `imagenet`".into());
        }
        let mut spec = RunSpec::bundled(&self.data, input, classes, self.model.spec()?, train);
        spec.data.subset = self.subset;
        spec.data.val_fraction = self.val_fraction;
        spec.loss = self.loss.clone();
        spec.freeze = self.freeze.clone();
        spec.unfreeze = self.unfreeze.clone();
        spec.validate().map_err(|e| e.to_string())?;
        Ok(spec)
    }
}
/// `CxHxW` (`1x32x32`).
fn parse_input(text: &str) -> Result<InputSpec, String> {
    let dims: Vec<usize> = text
        .split('x')
        .map(|d| d.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("input `{text}` is not CxHxW"))?;
    match dims[..] {
        [channels, height, width] => Ok(InputSpec {
            channels,
            height,
            width,
        }),
        _ => Err(format!("input `{text}` is not CxHxW")),
    }
}

#[cfg(test)]
mod tests;
