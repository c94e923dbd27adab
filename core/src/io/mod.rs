//! Getting tensors and runs in and out: safetensors checkpoints, int8 weight quantization, the
//! run spec with its share link and `.pixelgrad` file, and the export to PyTorch.

mod checkpoint;
mod export;
mod link;
mod link_weights;
mod model_limits;
mod pixelgrad_file;
mod quantize;
mod run_spec;
mod spec_limits;

pub use checkpoint::{
    load_model, read_safetensors, save_model, write_safetensors, CheckpointError,
};
pub use export::{export_pytorch, model_py, train_py, ExportError, ExportFile};
pub use link::{
    decode_link, encode_link, share_link, LinkError, LINK_FRAGMENT_KEY, MAX_LINK_CHARS,
};
pub use link_weights::{LinkTensor, LinkWeights};
pub use pixelgrad_file::{
    read_pixelgrad_file, write_pixelgrad_file, FileError, MAX_PIXELGRAD_FILE_BYTES,
};
pub use quantize::{dequantize_model, quantize_model, QuantizedModel, QuantizedTensor};
pub use run_spec::{
    BuildError, DataSource, DataSpec, Imbalance, LossParam, LossSpec, RunSpec, RunSpecJsonError,
    SpecError, RUN_SPEC_VERSION,
};
