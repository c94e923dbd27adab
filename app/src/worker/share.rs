//! The worker's side of sharing and keeping runs: the model of the last run (or the one a link
//! or file brought), turned into a `pg1.` link, a `.pixelgrad` file or a checkpoint, and
//! predictions on test images. Weights are read off the GPU with awaited reads (a browser may
//! not block on the GPU), into a CPU copy that the core's encoders read synchronously.

use pixelgrad::autograd::no_grad;
use pixelgrad::data::{DataLoader, Dataset, LoaderConfig, Subset};
use pixelgrad::device::gpu::Gpu;
use pixelgrad::io::{decode_link, read_pixelgrad_file, share_link, write_pixelgrad_file, RunSpec};
use pixelgrad::metrics::argmax_rows;
use pixelgrad::models::Model;
use pixelgrad::nn::{move_to_device, parameters, state_dict, Ctx};
use pixelgrad::tensor::Tensor;
use pixelgrad::train::batch_tensors;

use super::protocol::Backend;

/// A model the worker can share, save or predict with, with the spec it was built from.
pub struct Trained {
    /// The run's spec; `steps` is the optimizer steps the model has had.
    pub spec: RunSpec,
    /// The model, on the GPU or the CPU.
    pub model: Model,
}

/// The model's weights copied into a CPU model of the same spec, awaiting each GPU read.
async fn cpu_copy(spec: &RunSpec, model: &Model) -> Result<Model, String> {
    let mut plain = spec.clone();
    plain.weights = None;
    let copy = plain
        .build_model()
        .map_err(|e| format!("the model could not be copied: {e}"))?;
    let (to, from) = (state_dict(&copy), state_dict(model));
    if to.len() != from.len() {
        return Err("the model does not match its spec".into());
    }
    for (dst, src) in to.iter().zip(from.iter()) {
        let values = src
            .tensor
            .to_vec_async::<f32>()
            .await
            .map_err(|e| format!("could not read {}: {e}", src.name))?;
        Tensor::from_vec(values, dst.tensor.dims().to_vec())
            .and_then(|v| dst.tensor.set_data(&v))
            .map_err(|e| format!("could not copy {}: {e}", src.name))?;
    }
    Ok(copy)
}

/// The share link of `trained`: with int8 weights when they fit, else the spec alone (the
/// bool says which).
pub async fn link(trained: &Trained) -> Result<(String, bool), String> {
    let copy = cpu_copy(&trained.spec, &trained.model).await?;
    share_link(&trained.spec, Some(&copy)).map_err(|e| e.to_string())
}

/// The `.pixelgrad` file of `spec` with `model`'s exact f32 weights.
pub async fn pixelgrad_file(spec: &RunSpec, model: &Model) -> Result<Vec<u8>, String> {
    let copy = cpu_copy(spec, model).await?;
    write_pixelgrad_file(spec, &copy).map_err(|e| e.to_string())
}

/// Whether the model's parameters live on the GPU.
pub fn is_on_gpu(model: &Model) -> bool {
    parameters(model)
        .first()
        .is_some_and(|p| p.tensor.device() != pixelgrad::device::Device::Cpu)
}

/// Moves a model read from a link or file to the GPU when there is one.
fn place(model: &Model, gpu: Option<&Gpu>) -> Result<Backend, String> {
    match gpu {
        Some(gpu) => {
            move_to_device(model, gpu.device())
                .map_err(|e| format!("could not move the model to the GPU: {e}"))?;
            Ok(Backend::WebGpu)
        }
        None => Ok(Backend::Cpu),
    }
}

/// A link's model with its weights, ready to predict (`None` when the link has no weights).
pub fn open_link(text: &str, gpu: Option<&Gpu>) -> Result<Option<Trained>, String> {
    let spec = decode_link(text).map_err(|e| e.to_string())?;
    if spec.weights.is_none() {
        return Ok(None);
    }
    let model = spec.build_model().map_err(|e| e.to_string())?;
    place(&model, gpu)?;
    let mut spec = spec;
    spec.weights = None;
    Ok(Some(Trained { spec, model }))
}

/// A `.pixelgrad` file's spec and model, ready to predict.
pub fn open_file(bytes: &[u8], gpu: Option<&Gpu>) -> Result<Trained, String> {
    let (spec, model) = read_pixelgrad_file(bytes).map_err(|e| e.to_string())?;
    place(&model, gpu)?;
    Ok(Trained { spec, model })
}

/// The predicted class of each test image in `indices`, after the spec's evaluation pipeline.
pub async fn predict<D: Dataset + ?Sized>(
    trained: &Trained,
    test: &D,
    indices: Vec<usize>,
) -> Result<Vec<usize>, String> {
    if indices.is_empty() {
        return Ok(Vec::new());
    }
    let n = indices.len();
    let subset = Subset::new(test, indices).map_err(|e| e.to_string())?;
    let config = LoaderConfig {
        batch_size: n,
        shuffle: false,
        drop_last: false,
        augment: trained.spec.train.loader.augment.for_evaluation(),
        mix: None,
    };
    let loader = DataLoader::new(&subset, config, 0).map_err(|e| e.to_string())?;
    let batch = loader.batch(0, 0).map_err(|e| e.to_string())?;
    let classes = trained.spec.data.classes;
    let (x, _) = batch_tensors(&batch, classes).map_err(|e| e.to_string())?;
    let device = parameters(&trained.model)
        .first()
        .map(|p| p.tensor.device());
    let x = match device {
        Some(d) => x.to_device(d).map_err(|e| e.to_string())?,
        None => x,
    };
    let logits = no_grad(|| pixelgrad::nn::Module::forward(&trained.model, &x, &mut Ctx::eval()))
        .map_err(|e| format!("the model could not predict: {e}"))?;
    let scores = logits
        .to_vec_async::<f32>()
        .await
        .map_err(|e| e.to_string())?;
    Ok(argmax_rows(&scores, classes))
}
