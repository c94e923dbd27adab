//! [`RunSpec`]: everything needed to reproduce a training run (data source, model, training
//! settings, loss, seed, step count, and optionally weights), as versioned serde data. The
//! share link, the `.pixelgrad` file and the PyTorch export all carry this one type, and every
//! way in goes through [`RunSpec::validate`] so hostile input never reaches a model builder.

#![warn(missing_docs)]

use serde::{Deserialize, Serialize};

use super::link_weights::LinkWeights;
use super::spec_limits;
use crate::models::{InputSpec, Model, ModelSpec};
use crate::train::TrainConfig;

/// The format version this build writes and the newest it reads. Bump it when a change to
/// the spec (or to a type inside it) would make an old link decode differently.
pub const RUN_SPEC_VERSION: u32 = 1;

/// A whole run. The model is initialized from `train.seed` (see [`RunSpec::build_model`]), so
/// the same spec gives the same initial weights and the same loss curve everywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Format version ([`RUN_SPEC_VERSION`] when written by this build).
    pub version: u32,
    /// Where the images come from and what the model sees.
    pub data: DataSpec,
    /// The architecture.
    pub model: ModelSpec,
    /// Optimizer, schedule, batching, augmentations, mixing, clipping, seed, epochs.
    pub train: TrainConfig,
    /// The training loss.
    pub loss: LossSpec,
    /// Optimizer steps the run had taken when it was shared (0 for a run not yet started);
    /// the app replays up to this step to reproduce the shared curve.
    pub steps: u64,
    /// Parameter-name prefixes whose parameters do not train (`requires_grad = False`), as a
    /// pretrained backbone while a new head learns (`features.`). Absent from older links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub freeze: Vec<String>,
    /// Prefixes trained again after `freeze`: fine-tuning the last stage of a frozen backbone
    /// (`features.18.`). Absent from older links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unfreeze: Vec<String>,
    /// Trained weights, int8-quantized, when small enough for a link. Not part of the JSON:
    /// the link codec stores them in a compact binary section after it.
    #[serde(skip)]
    pub weights: Option<LinkWeights>,
}

/// The data a run trains on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// A bundled set or the user's own images.
    pub source: DataSource,
    /// The image size and channels the model is built for (after the augmentation pipeline).
    pub input: InputSpec,
    /// Number of classes (the model's output width).
    pub classes: usize,
    /// Train on the first `n` samples of the training split only (quick lessons); all when
    /// `None`.
    pub subset: Option<usize>,
    /// Fraction of the training samples held out for validation, in `[0, 0.5]`.
    pub val_fraction: f64,
    /// Make one class rare in the training samples (to study losses for imbalanced data);
    /// `None` keeps the set's own balance. Absent from older links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imbalance: Option<Imbalance>,
}

/// One class made rare: of its training samples (after `subset`), only the first
/// `ceil(keep × count)` are used; the held-out split is untouched, so its recall on that class
/// shows what the loss learned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imbalance {
    /// The class made rare.
    pub class: usize,
    /// Fraction of its samples kept, in `(0, 1]`.
    pub keep: f64,
}

impl Imbalance {
    /// `indices` in order, without the rare class's samples past the first
    /// `ceil(keep × count)` (at least one is kept); `label` gives a sample's class.
    pub fn apply(&self, indices: &[usize], label: impl Fn(usize) -> usize) -> Vec<usize> {
        let count = indices.iter().filter(|&&i| label(i) == self.class).count();
        let kept = ((count as f64 * self.keep).ceil() as usize).max(1);
        let mut seen = 0;
        indices
            .iter()
            .copied()
            .filter(|&i| {
                if label(i) != self.class {
                    return true;
                }
                seen += 1;
                seen <= kept
            })
            .collect()
    }
}

/// Where the images come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DataSource {
    /// A set shipped with the app (`public/data/<name>.safetensors`): `mnist`,
    /// `fashion-mnist`, `digits`, ...
    Bundled {
        /// The file name without extension: lower-case letters, digits, `-` and `_`.
        name: String,
    },
    /// The user's own images, which never leave their browser: the link only names them by
    /// content hash (lower-case hex SHA-256 of the data set file) so the app can check that the
    /// right files were loaded, plus the class names to show.
    User {
        /// Lower-case hex SHA-256 of the data set file.
        sha256: String,
        /// One display name per class, in label order.
        class_names: Vec<String>,
    },
}

/// The training loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LossSpec {
    /// Cross-entropy with `train.label_smoothing` (soft targets under mixup/cutmix).
    CrossEntropy,
    /// A loss written in the loss language (`loss::dsl`), with the values of its sliders.
    Custom {
        /// The program text as the user wrote it.
        source: String,
        /// Slider values at the time of sharing (defaults apply to sliders not listed).
        params: Vec<LossParam>,
    },
}

/// One named slider of a custom loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossParam {
    /// The slider's name in the program (`param <name> = ...`).
    pub name: String,
    /// Its value.
    pub value: f64,
}

/// A field of a spec that is out of its domain: `field` is a dotted path into the spec
/// (`train.loader.batch_size`), `reason` says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct SpecError {
    /// Dotted path of the field.
    pub field: String,
    /// What is wrong and what is allowed.
    pub reason: String,
}

impl SpecError {
    /// Shorthand constructor.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> SpecError {
        SpecError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// What can go wrong turning a valid spec into a model with its weights.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// The spec itself is invalid.
    #[error("invalid run settings: {0}")]
    Spec(#[from] SpecError),
    /// The model could not be built or the weights do not fit it.
    #[error("the model could not be built: {0}")]
    Model(#[from] crate::Error),
    /// The weights carried by the spec do not match the model it describes.
    #[error("the shared weights do not fit this model: {0}")]
    Weights(String),
}

impl RunSpec {
    /// A fresh run of `model` on a bundled set with `train` settings and cross-entropy.
    pub fn bundled(
        name: &str,
        input: InputSpec,
        classes: usize,
        model: ModelSpec,
        train: TrainConfig,
    ) -> RunSpec {
        RunSpec {
            version: RUN_SPEC_VERSION,
            data: DataSpec {
                source: DataSource::Bundled { name: name.into() },
                input,
                classes,
                subset: None,
                val_fraction: 0.0,
                imbalance: None,
            },
            model,
            train,
            loss: LossSpec::CrossEntropy,
            steps: 0,
            freeze: Vec::new(),
            unfreeze: Vec::new(),
            weights: None,
        }
    }

    /// Checks every field against its domain and against the size limits that keep a hostile
    /// spec from allocating a huge model (see `spec_limits`). Decoders call this; the app may
    /// call it again after letting a user edit a spec.
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.version == 0 || self.version > RUN_SPEC_VERSION {
            return Err(SpecError::new(
                "version",
                format!("{} is not a known format version", self.version),
            ));
        }
        spec_limits::check_data(&self.data)?;
        spec_limits::check_model(&self.model, self.data.input)?;
        spec_limits::check_train(&self.train)?;
        spec_limits::check_loss(&self.loss)?;
        spec_limits::check_prefixes("freeze", &self.freeze)?;
        spec_limits::check_prefixes("unfreeze", &self.unfreeze)?;
        if self.steps > spec_limits::MAX_STEPS {
            return Err(SpecError::new(
                "steps",
                format!("{} exceeds {}", self.steps, spec_limits::MAX_STEPS),
            ));
        }
        if let Some(w) = &self.weights {
            w.check_structure()?;
        }
        Ok(())
    }

    /// Builds the model with initial weights from `train.seed`, then loads the spec's link
    /// weights (dequantized) if it carries any, checking every tensor's size.
    pub fn build_model(&self) -> Result<Model, BuildError> {
        self.validate()?;
        let model = self
            .model
            .build(self.data.input, self.data.classes, self.train.seed)?;
        if let Some(w) = &self.weights {
            w.load_into(&model).map_err(BuildError::Weights)?;
        }
        Ok(model)
    }

    /// The spec as compact JSON (without weights), the form stored in links and files.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a RunSpec always serializes to JSON")
    }

    /// Parses and validates JSON written by [`RunSpec::to_json`]. Errors name the position.
    pub fn from_json(text: &str) -> Result<RunSpec, RunSpecJsonError> {
        let spec: RunSpec =
            serde_json::from_str(text).map_err(|e| RunSpecJsonError::Syntax(e.to_string()))?;
        spec.validate()?;
        Ok(spec)
    }
}

/// Why spec JSON was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunSpecJsonError {
    /// Not JSON of a run spec (wrong field, type or syntax).
    #[error("malformed run settings: {0}")]
    Syntax(String),
    /// Well-formed but a value is out of range.
    #[error("invalid run settings: {0}")]
    Invalid(#[from] SpecError),
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The LeNet-5 MNIST run of the first lesson: SGD with momentum, cosine schedule.
    pub(crate) fn lenet_spec() -> RunSpec {
        // Built from JSON so fields added later with serde defaults need no change here.
        let train: TrainConfig = serde_json::from_value(serde_json::json!({
            "epochs": 2,
            "max_steps": null,
            "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.9, "dampening": 0.0,
                          "nesterov": false, "weight_decay": 0.0},
            "schedule": {"kind": "cosine", "t_max": 2, "eta_min": 0.0},
            "loader": {"batch_size": 64, "shuffle": true, "drop_last": false,
                       "augment": {"transforms": []}, "mix": null},
            "label_smoothing": 0.0,
            "clip_grad_norm": null,
            "early_stopping_patience": null,
            "seed": 42
        }))
        .expect("a valid TrainConfig");
        let model = ModelSpec::preset("lenet5").expect("preset exists");
        RunSpec::bundled("mnist", InputSpec::GREY28, 10, model, train)
    }

    #[test]
    fn json_round_trip_and_strictness() {
        let spec = lenet_spec();
        spec.validate().expect("valid");
        let back = RunSpec::from_json(&spec.to_json()).expect("parses");
        assert_eq!(back, spec);
        let extra = spec.to_json().replacen('{', "{\"evil\":1,", 1);
        assert!(matches!(
            RunSpec::from_json(&extra),
            Err(RunSpecJsonError::Syntax(_))
        ));
        let mut bad = spec.clone();
        bad.train.loader.batch_size = 0;
        let err = bad.validate().expect_err("batch size 0");
        assert_eq!(err.field, "train.loader.batch_size");
    }

    #[test]
    fn imbalance_keeps_the_first_share_of_one_class() {
        let labels = [0, 1, 1, 0, 1, 1, 2, 1];
        let rare = Imbalance {
            class: 1,
            keep: 0.4,
        };
        let all: Vec<usize> = (0..labels.len()).collect();
        assert_eq!(rare.apply(&all, |i| labels[i]), vec![0, 1, 2, 3, 6]);
        let mut spec = lenet_spec();
        let plain = spec.to_json();
        assert!(!plain.contains("imbalance"), "old links stay the same");
        spec.data.imbalance = Some(rare);
        assert_eq!(RunSpec::from_json(&spec.to_json()).expect("parses"), spec);
        spec.data.imbalance = Some(Imbalance {
            class: 10,
            keep: 0.5,
        });
        assert_eq!(
            spec.validate().expect_err("class 10 of 10").field,
            "data.imbalance.class"
        );
    }

    #[test]
    fn builds_the_model_from_the_seed() {
        let spec = lenet_spec();
        let a = spec.build_model().expect("builds");
        let b = spec.build_model().expect("builds");
        let wa = crate::nn::state_dict(&a)[0]
            .tensor
            .to_vec_f32()
            .expect("read");
        let wb = crate::nn::state_dict(&b)[0]
            .tensor
            .to_vec_f32()
            .expect("read");
        assert_eq!(wa, wb);
    }
}
