//! Getting tensors in and out: safetensors checkpoints and int8 weight quantization.

mod checkpoint;
mod link;
mod link_weights;
mod quantize;
mod run_spec;
mod spec_limits;

pub use checkpoint::{
    load_model, read_safetensors, save_model, write_safetensors, CheckpointError,
};
pub use link::{decode_link, encode_link, LinkError, MAX_LINK_CHARS};
pub use link_weights::{LinkTensor, LinkWeights};
pub use quantize::{dequantize_model, quantize_model, QuantizedModel, QuantizedTensor};
pub use run_spec::{
    BuildError, DataSource, DataSpec, LossParam, LossSpec, RunSpec, RunSpecJsonError, SpecError,
    RUN_SPEC_VERSION,
};
