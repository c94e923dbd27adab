//! The pixelgrad app: the Leptos page and the training worker, built as two wasm modules from
//! this one library (`main.rs` for the page, `worker_main.rs` for the worker).

pub mod app;
pub mod components;
pub mod lessons;
pub mod panic_panel;
pub mod routes;
pub mod storage;
pub mod worker;
