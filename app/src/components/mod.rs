//! One component per file.

pub mod data_panel;
pub mod gpu_status;
pub mod thumbnail;
