//! Helpers shared by the GPU test binaries (each binary uses a different subset).
#![allow(dead_code)]

pub mod op_cases;
