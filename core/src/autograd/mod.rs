//! Reverse-mode automatic differentiation: the closed [`Op`] set, one table of backward rules
//! written with tensor ops (so gradients of gradients work), the engine that walks the graph,
//! the grad-mode switch and a finite-difference gradient checker.

mod backward;
mod engine;
pub mod grad_mode;
pub mod gradcheck;
mod op;

pub use engine::grad;
pub use grad_mode::{enable_grad, is_enabled as is_grad_enabled, no_grad};
pub use gradcheck::{gradcheck, GradcheckReport};
pub use op::{BinaryOp, CmpOp, Conv2dParams, Op, OpKind, Pool2dParams, UnaryOp};
