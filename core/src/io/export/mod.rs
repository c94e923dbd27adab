//! "Continue in PyTorch": a run exported as files for users who outgrow the browser.
//! `model.safetensors` (the weights under PyTorch `state_dict` names), `model.onnx` (for
//! inference elsewhere), `model.py` (the same architecture in `torch.nn`), `train.py` (the
//! same data pipeline, optimizer, schedule and loss; runs on one device or under
//! `torchrun --nproc_per_node=N` with DistributedDataParallel), `run_spec.json`, `README.md`.
//!
//! Model families with a `model.py` today: MLP, LeNet-5, VGG, ResNet/ResNeXt, MobileNetV2,
//! DenseNet, ViT and ConvNeXt (these two without an ONNX graph yet) and ensembles of them; the others return [`ExportError::UnsupportedModel`].
//! `tests/export_check/` checks the files against PyTorch by hand (logits within 1e-4, two
//! `torchrun` steps on CPU, onnxruntime where installed).

#![warn(missing_docs)]

mod model_py;
mod onnx;
mod onnx_graph;
mod onnx_zoo;
mod protobuf;
mod train_py;

pub use model_py::model_py;
pub use onnx::onnx_model;
pub use train_py::train_py;

use std::collections::HashMap;

use super::checkpoint::save_model;
use super::run_spec::{RunSpec, SpecError};
use crate::models::Model;

/// Why a run could not be exported. Display gives a sentence for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExportError {
    /// The spec is invalid.
    #[error("invalid run settings: {0}")]
    Spec(#[from] SpecError),
    /// No `model.py` generator for this family yet.
    #[error("exporting {0} models to PyTorch is not supported yet")]
    UnsupportedModel(String),
    /// The custom loss could not be translated to PyTorch.
    #[error("the custom loss cannot be exported: {0}")]
    CustomLoss(String),
    /// The weights could not be written.
    #[error("the weights could not be written: {0}")]
    Weights(String),
}

/// One exported file.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    /// File name, no directories (`model.py`).
    pub name: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

/// The PyTorch function for a custom loss, from the loss language's own translation
/// (`loss::dsl`): `def loss_fn(logits, target, *, ..., <sliders>)`. The source is checked
/// as the editor checks it (for the model's logits and class targets) so a loss that would not
/// train here is not exported either.
pub(crate) fn custom_loss_python(source: &str) -> Result<String, ExportError> {
    let env = crate::loss::dsl::Env::default();
    crate::loss::dsl::compile(source, &env)
        .map(|loss| loss.to_python())
        .map_err(|e| ExportError::CustomLoss(e.to_string()))
}

/// Exports `spec` with `model`'s current weights (built from that spec, trained or not).
pub fn export_pytorch(spec: &RunSpec, model: &Model) -> Result<Vec<ExportFile>, ExportError> {
    spec.validate()?;
    let model_py = model_py(&spec.model, spec.data.input, spec.data.classes)?;
    let train_py = train_py(spec)?;
    let mut plain = spec.clone();
    plain.weights = None;
    let json = serde_json::to_string_pretty(&plain).expect("a RunSpec always serializes");
    let meta = HashMap::from([("run_spec".to_string(), plain.to_json())]);
    let weights = save_model(model, Some(meta)).map_err(|e| ExportError::Weights(e.to_string()))?;
    let file = |name: &str, bytes: Vec<u8>| ExportFile {
        name: name.into(),
        bytes,
    };
    let mut files = vec![file("model.safetensors", weights)];
    // The ONNX graph is a bonus: a setting it cannot express leaves it out, not the export.
    match onnx_model(model) {
        Ok(bytes) => files.push(file("model.onnx", bytes)),
        Err(ExportError::UnsupportedModel(_)) => {}
        Err(e) => return Err(e),
    }
    files.extend([
        file("model.py", model_py.into_bytes()),
        file("train.py", train_py.into_bytes()),
        file("run_spec.json", json.into_bytes()),
        file("README.md", readme(spec).into_bytes()),
    ]);
    Ok(files)
}

fn readme(spec: &RunSpec) -> String {
    let data = match &spec.data.source {
        super::DataSource::Bundled { name } => format!(
            "`{name}.safetensors`, the bundled set (download it from the app's `/data/` folder)"
        ),
        super::DataSource::User { .. } => {
            "your data set file, exported from the app's data panel".to_string()
        }
    };
    format!(
        "# A pixelgrad run, exported to PyTorch\n\n\
         - `model.py`: the architecture in `torch.nn`, same parameter names as pixelgrad.\n\
         - `model.safetensors`: the weights (`load_weights(build_model(), \"model.safetensors\")`).\n\
         - `train.py`: the same data pipeline, optimizer, schedule and loss.\n\
         - `run_spec.json`: the run's settings, as pixelgrad reads them.\n\n\
         Data: {data}.\n\n\
         ```sh\n\
         pip install torch\n\
         python train.py --data DATA.safetensors                      # one device\n\
         torchrun --nproc_per_node=4 train.py --data DATA.safetensors # 4 GPUs (or CPU processes)\n\
         ```\n\n\
         Shuffling, augmentation and dropout use torch's generators seeded with the run's seed:\n\
         the same distributions as in the browser, not the same random numbers.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::run_spec::tests::lenet_spec;
    use crate::io::LossSpec;

    #[test]
    fn lenet_export_has_every_file() {
        let spec = lenet_spec();
        let model = spec.build_model().expect("build");
        let files = export_pytorch(&spec, &model).expect("export");
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "model.safetensors",
                "model.onnx",
                "model.py",
                "train.py",
                "run_spec.json",
                "README.md"
            ]
        );
        let train = String::from_utf8(files[3].bytes.clone()).expect("utf-8");
        assert!(!train.contains("{{"), "unfilled placeholder");
        assert!(train.contains("torch.optim.SGD(params, lr=0.05, momentum=0.9"));
        assert!(train.contains("CosineAnnealingLR(opt, T_max=2, eta_min=0.0)"));
        let py = String::from_utf8(files[2].bytes.clone()).expect("utf-8");
        assert!(py.contains("return LeNet(1, 28, 28, False, 10)"), "{py}");
    }

    #[test]
    fn custom_loss_is_translated() {
        let mut spec = lenet_spec();
        spec.loss = LossSpec::Custom {
            source: "param gamma = 2.0 in 0..5\nlet pt = gather(probs, target)\n\
                     mean(-(1 - pt)^gamma * gather(log_probs, target))"
                .into(),
            params: vec![crate::io::LossParam {
                name: "gamma".into(),
                value: 1.5,
            }],
        };
        let model = spec.build_model().expect("build");
        let files = export_pytorch(&spec, &model).expect("export");
        let train = String::from_utf8(files[3].bytes.clone()).expect("utf-8");
        assert!(train.contains("def loss_fn(logits, target"), "{train}");
        assert!(train.contains("LOSS_PARAMS = {\"gamma\": 1.5}"), "{train}");
    }

    #[test]
    fn unsupported_parts_are_refused_with_reasons() {
        let mut spec = lenet_spec();
        spec.loss = LossSpec::Custom {
            source: "mean(logits +".into(),
            params: vec![],
        };
        let model = spec.build_model().expect("build");
        assert!(matches!(
            export_pytorch(&spec, &model),
            Err(ExportError::CustomLoss(_))
        ));
        let eff = crate::models::ModelSpec::preset("efficientnet_b0_small").expect("preset");
        let err = model_py(&eff, crate::models::InputSpec::RGB32, 10).expect_err("efficientnet");
        assert_eq!(err, ExportError::UnsupportedModel("efficient_net".into()));
    }
}
