//! Optimizers, learning-rate schedules, gradient clipping and early stopping, with PyTorch's
//! update rules and defaults.

mod adam;
mod clip;
mod plateau;
mod schedule;
mod sgd;
mod spec;

pub use adam::{Adam, AdamConfig};
pub use clip::{clip_grad_norm, clip_grad_value, l1_penalty, l2_penalty};
pub use plateau::{EarlyStopping, Mode, ReduceLrOnPlateau, ThresholdMode};
pub use schedule::{Anneal, Interval, Schedule, Scheduler};
pub use sgd::{Optimizer, Sgd, SgdConfig};
pub use spec::OptimizerSpec;

/// What can go wrong when configuring or running an optimizer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptimError {
    /// A hyper-parameter is out of its domain.
    #[error("{what}: {reason}")]
    InvalidArgument { what: &'static str, reason: String },
    /// A tensor operation failed during an update.
    #[error(transparent)]
    Tensor(#[from] crate::Error),
}

#[cfg(test)]
mod torch_parity;
