//! Optimizers, learning-rate schedules, gradient clipping and early stopping, with PyTorch's
//! update rules and defaults.

mod plateau;
mod schedule;

pub use plateau::{EarlyStopping, Mode, ReduceLrOnPlateau, ThresholdMode};
pub use schedule::{Anneal, Interval, Schedule, Scheduler};

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
