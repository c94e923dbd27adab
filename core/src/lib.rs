//! pixelgrad: tensors and reverse-mode autograd that run every op as a WGSL compute shader on
//! WebGPU, with a CPU backend as the numerical reference and the fallback.
//!
//! The crate knows nothing of the DOM; the app talks to it through plain Rust types.
//!
//! ```
//! use pixelgrad::{Tensor, Result};
//! # fn main() -> Result<()> {
//! let w = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], [3])?.requires_grad_()?;
//! let loss = w.square()?.sum_all()?;
//! loss.backward()?;
//! assert_eq!(w.grad().unwrap().to_vec_f32()?, vec![2.0, 4.0, 6.0]);
//! # Ok(()) }
//! ```

pub mod autograd;
pub mod data;
pub mod device;
pub mod error;
pub mod io;
pub mod loss;
pub mod metrics;
pub mod models;
pub mod nn;
pub mod ops;
pub mod optim;
pub mod rng;
pub mod tensor;
pub mod train;

pub use autograd::{grad, gradcheck, no_grad, Conv2dParams, Op, OpKind, Pool2dParams};
pub use device::{DType, Device};
pub use error::{Error, Result};
pub use ops::{CrossEntropyOptions, GeluApproximate, Reduction};
pub use rng::Rng;
pub use tensor::{FanMode, Nonlinearity, Shape, Tensor};
