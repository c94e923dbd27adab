//! pixelgrad's side of `cargo xtask bench browser`: the peers' three workloads (LeNet-5 and MLP
//! training steps, a 1024³ matmul) on pixelgrad tensors, exported to the benchmark page, which
//! times them exactly as it times TensorFlow.js and jax-js.
//!
//! Data and weights come from the peers' seeded mulberry32 generator, so the initial losses must
//! equal theirs (lenet 2.3265, mlp 2.3054); the driver checks that.

pub mod backend;
pub mod data;
pub mod rng;
pub mod workloads;

#[cfg(target_arch = "wasm32")]
mod entry;
