//! The training worker: models, data and the GPU device live in a dedicated Web Worker so the
//! page never freezes. The worker runs this same wasm module; `main` starts the host side there.
//! Messages are the [`protocol`] types as JSON, the only bridge between page and worker.

mod augment;
mod auto_backend;
pub mod client;
mod cpu_helper;
pub mod datasets;
mod fetch;
pub mod host;
mod inspect;
pub mod inspect_protocol;
pub mod inspect_signals;
mod kernel_times;
pub mod probe;
pub mod protocol;
mod share;
mod train_loop;
mod training;
mod transfer_cache;
