//! What training reports as it goes: a [`StepReport`] per optimizer step, an [`EvalReport`] per
//! evaluation, the [`History`] of a whole run, and the callback's [`Event`]s and [`Control`].

use serde::{Deserialize, Serialize};

use crate::metrics::ConfusionMatrix;

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

/// Progress events for [`Trainer::fit`](super::Trainer::fit)'s callback.
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
