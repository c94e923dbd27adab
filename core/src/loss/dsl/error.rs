//! The typed failures of compiling and evaluating a loss, for the app to put into words.

use super::diagnostic::{Diagnostic, Span};

/// Why a loss could not be compiled or evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LossError {
    /// The source has errors; the diagnostics (errors and warnings) say where and why.
    #[error("the loss has {} error(s); the first: {}", count_errors(.0), first_error(.0))]
    Invalid(Vec<Diagnostic>),
    /// The loss names an input the caller did not pass (`features`, a head, the `grad_norm`
    /// input).
    #[error("the loss needs `{name}`, which was not provided")]
    MissingInput {
        /// The input, e.g. `features`.
        name: String,
    },
    /// An input tensor's shape does not fit the others (`expected` is symbolic, e.g. `[B, C]`).
    #[error("`{name}` should have shape {expected} but has {got:?}")]
    BadInput {
        /// The input.
        name: String,
        /// Its symbolic shape.
        expected: String,
        /// The shape it had.
        got: Vec<usize>,
    },
    /// A slider value the loss does not declare.
    #[error("the loss has no slider `{name}`")]
    UnknownParam {
        /// The name given.
        name: String,
    },
    /// A slider value outside its declared range (or not finite).
    #[error("slider `{name}` = {value} is outside its range {lo}..{hi}")]
    ParamOutOfRange {
        /// The slider.
        name: String,
        /// The value given.
        value: f64,
        /// Lower end of its range.
        lo: f64,
        /// Upper end of its range.
        hi: f64,
    },
    /// Evaluating on this batch would cost more than the bound (element operations).
    #[error("the loss would take {cost} element operations on this batch, over the limit {limit}")]
    TooCostly {
        /// Estimated element operations.
        cost: u64,
        /// The bound, [`MAX_COST`](super::limits::MAX_COST).
        limit: u64,
    },
    /// A tensor operation failed at `span` (e.g. a class index out of range).
    #[error("at bytes {}..{}: {source}", .span.start, .span.end)]
    Tensor {
        /// The expression whose operation failed.
        span: Span,
        /// The core's error.
        #[source]
        source: crate::Error,
    },
}

fn count_errors(d: &[Diagnostic]) -> usize {
    d.iter().filter(|d| d.is_error()).count()
}

fn first_error(d: &[Diagnostic]) -> String {
    d.iter()
        .find(|d| d.is_error())
        .map_or_else(String::new, |d| d.message.clone())
}

/// Attaches a span to tensor errors.
pub(super) trait AtSpan<T> {
    fn at(self, span: Span) -> Result<T, LossError>;
}

impl<T> AtSpan<T> for crate::Result<T> {
    fn at(self, span: Span) -> Result<T, LossError> {
        self.map_err(|source| LossError::Tensor { span, source })
    }
}
