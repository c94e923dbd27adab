//! Where tensors live and kernels run.

pub mod gpu;
