//! One component per file.

pub mod gpu_status;
