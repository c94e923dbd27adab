//! The public operations, as methods on [`Tensor`](crate::Tensor), one file per family. Each
//! validates shapes and arguments (typed errors naming the op and the shapes), computes the
//! output shape and records a primitive [`Op`](crate::autograd::Op) or composes several.

mod activation;
mod conv;
mod dropout;
mod elementwise;
mod index;
mod loss;
mod matmul;
mod norm;
mod pool;
mod reduce;
mod shape_ops;

pub use activation::GeluApproximate;
pub use loss::{CrossEntropyOptions, Reduction};
