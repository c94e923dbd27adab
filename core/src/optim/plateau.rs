//! Metric-driven training control: PyTorch's `ReduceLROnPlateau` and early stopping.

use serde::{Deserialize, Serialize};

use super::OptimError;

/// Whether a lower (loss) or higher (accuracy) metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Min,
    Max,
}

/// How `threshold` compares a new value to the best (PyTorch's `threshold_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdMode {
    Rel,
    Abs,
}

/// Tracks the best value seen and the epochs without improvement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Tracker {
    mode: Mode,
    threshold: f64,
    threshold_mode: ThresholdMode,
    best: f64,
    bad_epochs: usize,
}

impl Tracker {
    fn new(mode: Mode, threshold: f64, threshold_mode: ThresholdMode) -> Tracker {
        let best = if mode == Mode::Min {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
        Tracker {
            mode,
            threshold,
            threshold_mode,
            best,
            bad_epochs: 0,
        }
    }

    /// PyTorch's `is_better`.
    fn is_better(&self, a: f64) -> bool {
        match (self.mode, self.threshold_mode) {
            (Mode::Min, ThresholdMode::Rel) => a < self.best * (1.0 - self.threshold),
            (Mode::Min, ThresholdMode::Abs) => a < self.best - self.threshold,
            (Mode::Max, ThresholdMode::Rel) => a > self.best * (self.threshold + 1.0),
            (Mode::Max, ThresholdMode::Abs) => a > self.best + self.threshold,
        }
    }

    /// Records `value`; true when it improved on the best.
    fn observe(&mut self, value: f64) -> bool {
        if self.is_better(value) {
            self.best = value;
            self.bad_epochs = 0;
            true
        } else {
            self.bad_epochs += 1;
            false
        }
    }
}

/// `torch.optim.lr_scheduler.ReduceLROnPlateau`, with its defaults from [`ReduceLrOnPlateau::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReduceLrOnPlateau {
    tracker: Tracker,
    factor: f64,
    patience: usize,
    cooldown: usize,
    cooldown_counter: usize,
    min_lr: f64,
    eps: f64,
    lr: f64,
}

impl ReduceLrOnPlateau {
    /// PyTorch defaults: factor 0.1, patience 10, threshold 1e-4 relative, cooldown 0,
    /// min_lr 0, eps 1e-8.
    pub fn new(lr: f64, mode: Mode) -> ReduceLrOnPlateau {
        ReduceLrOnPlateau {
            tracker: Tracker::new(mode, 1e-4, ThresholdMode::Rel),
            factor: 0.1,
            patience: 10,
            cooldown: 0,
            cooldown_counter: 0,
            min_lr: 0.0,
            eps: 1e-8,
            lr,
        }
    }

    /// Sets factor, patience, threshold, cooldown and min_lr; factor must be in (0, 1).
    pub fn with(
        mut self,
        factor: f64,
        patience: usize,
        threshold: f64,
        threshold_mode: ThresholdMode,
        cooldown: usize,
        min_lr: f64,
    ) -> Result<Self, OptimError> {
        if !(factor > 0.0 && factor < 1.0) {
            return Err(OptimError::InvalidArgument {
                what: "reduce_lr_on_plateau",
                reason: format!("factor {factor} must be in (0, 1)"),
            });
        }
        self.factor = factor;
        self.patience = patience;
        self.tracker = Tracker::new(self.tracker.mode, threshold, threshold_mode);
        self.cooldown = cooldown;
        self.min_lr = min_lr;
        Ok(self)
    }

    /// The current rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// PyTorch's `step(metric)`; returns the (possibly reduced) rate.
    pub fn step(&mut self, metric: f64) -> f64 {
        self.tracker.observe(metric);
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.tracker.bad_epochs = 0;
        }
        if self.tracker.bad_epochs > self.patience {
            let new = (self.lr * self.factor).max(self.min_lr);
            if self.lr - new > self.eps {
                self.lr = new;
            }
            self.cooldown_counter = self.cooldown;
            self.tracker.bad_epochs = 0;
        }
        self.lr
    }
}

/// Stops training when a validation metric has not improved for `patience` evaluations
/// (Keras/Lightning semantics: improvement means beating the best by `min_delta`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    tracker: Tracker,
    patience: usize,
    best_epoch: Option<usize>,
    evaluations: usize,
}

impl EarlyStopping {
    /// Watches a metric in `mode`, tolerating `patience` evaluations without an improvement
    /// larger than `min_delta`.
    pub fn new(mode: Mode, patience: usize, min_delta: f64) -> EarlyStopping {
        EarlyStopping {
            tracker: Tracker::new(mode, min_delta.abs(), ThresholdMode::Abs),
            patience,
            best_epoch: None,
            evaluations: 0,
        }
    }

    /// Records one evaluation; true when training should stop.
    pub fn observe(&mut self, metric: f64) -> bool {
        if self.tracker.observe(metric) {
            self.best_epoch = Some(self.evaluations);
        }
        self.evaluations += 1;
        self.tracker.bad_epochs >= self.patience
    }

    /// The best value so far (±infinity before any evaluation).
    pub fn best(&self) -> f64 {
        self.tracker.best
    }

    /// Index of the evaluation that gave the best value (to restore that checkpoint).
    pub fn best_epoch(&self) -> Option<usize> {
        self.best_epoch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn early_stopping_counts_evaluations_without_improvement() {
        let mut es = EarlyStopping::new(Mode::Max, 2, 0.01);
        assert!(!es.observe(0.5));
        assert!(!es.observe(0.505)); // not better by min_delta
        assert!(es.observe(0.4));
        assert_eq!((es.best(), es.best_epoch()), (0.5, Some(0)));
        let mut es = EarlyStopping::new(Mode::Min, 1, 0.0);
        assert!(!es.observe(1.0) && !es.observe(0.9));
        assert!(es.observe(0.95));
        assert_eq!(es.best_epoch(), Some(1));
    }
}
