//! How to train, as serde data: the part of a run's spec that the [`Trainer`](super::Trainer)
//! reads (epochs, optimizer, schedule, loader, regularization, stopping rules).

use serde::{Deserialize, Serialize};

use crate::data::LoaderConfig;
use crate::optim::{l1_penalty, l2_penalty, OptimError, OptimizerSpec, Schedule};
use crate::tensor::Tensor;

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
    /// An L1 or L2 penalty on all trainable parameters, added to the loss.
    #[serde(default)]
    pub penalty: Option<Penalty>,
    /// Reduce the learning rate when the validation loss plateaus (PyTorch's
    /// `ReduceLROnPlateau` in `min` mode); multiplies whatever `schedule` gives.
    #[serde(default)]
    pub reduce_on_plateau: Option<PlateauConfig>,
}

impl TrainConfig {
    /// Plain training for `epochs` with `optimizer`: a constant rate, the default loader
    /// (shuffled batches of 32, no augmentation or mixing), no step limit, label smoothing,
    /// clipping, early stopping, penalty or plateau, seed 0. The one starting point for a
    /// config written in code: change what differs with struct update syntax
    /// (`TrainConfig { seed: 7, ..TrainConfig::new(1, optimizer) }`).
    pub fn new(epochs: usize, optimizer: OptimizerSpec) -> TrainConfig {
        TrainConfig {
            epochs,
            max_steps: None,
            optimizer,
            schedule: Schedule::Constant,
            loader: LoaderConfig::default(),
            label_smoothing: 0.0,
            clip_grad_norm: None,
            early_stopping_patience: None,
            seed: 0,
            penalty: None,
            reduce_on_plateau: None,
        }
    }
}

/// A weight penalty with its strength `lambda`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "lambda", rename_all = "snake_case")]
pub enum Penalty {
    L1(f64),
    L2(f64),
}

impl Penalty {
    /// The penalty's term on `params` (`lambda` times the sum of absolute values or squares),
    /// to add to a step's loss; `None` when there is nothing to add.
    pub fn term(self, params: &[Tensor]) -> Result<Option<Tensor>, OptimError> {
        match self {
            Penalty::L1(lambda) => l1_penalty(params, lambda),
            Penalty::L2(lambda) => l2_penalty(params, lambda),
        }
    }
}

/// `ReduceLROnPlateau` settings (PyTorch defaults: 0.1, 10, 1e-4 relative, 0, 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlateauConfig {
    pub factor: f64,
    pub patience: usize,
    pub threshold: f64,
    pub cooldown: usize,
    pub min_lr: f64,
}
