//! pixelgrad: tensors and reverse-mode autograd that run every op as a WGSL compute shader on
//! WebGPU, with a CPU backend as the numerical reference and the fallback.
//!
//! The crate knows nothing of the DOM; the app talks to it through plain Rust types.

pub mod device;
