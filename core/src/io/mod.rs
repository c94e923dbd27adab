//! Getting tensors in and out: safetensors checkpoints and int8 weight quantization.

mod checkpoint;
mod quantize;

pub use checkpoint::{
    load_model, read_safetensors, save_model, write_safetensors, CheckpointError,
};
pub use quantize::{dequantize_model, quantize_model, QuantizedModel, QuantizedTensor};
