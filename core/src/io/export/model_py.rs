//! `model.py` of the PyTorch export: the architecture of a [`ModelSpec`] as plain `torch.nn`
//! code with the same `state_dict` names as pixelgrad (torchvision's names), a `build_model()`
//! with the spec's settings, and a dependency-free safetensors reader and writer, so
//! `model.safetensors` loads without any package beyond `torch`. The Python lives in `py/`, one
//! file per family, and only the families a model uses are written out.

#![warn(missing_docs)]

use std::fmt::Write;

use super::ExportError;
use crate::models::{BlockKind, InputSpec, ModelSpec};
use crate::nn::Activation;

const HEADER: &str = include_str!("py/header.py");

const LENET: &str = include_str!("py/lenet.py");

const VGG: &str = include_str!("py/vgg.py");

const RESNET: &str = include_str!("py/resnet.py");

const MOBILENET_V2: &str = include_str!("py/mobilenet_v2.py");

const DENSENET: &str = include_str!("py/densenet.py");
const VIT: &str = include_str!("py/vit.py");
const CONVNEXT: &str = include_str!("py/convnext.py");
const ENSEMBLE: &str = include_str!("py/ensemble.py");

/// A Python float literal that reads back as the same f64.
pub(crate) fn py_float(v: f64) -> String {
    let s = format!("{v:?}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

fn activation(a: Activation) -> String {
    match a {
        Activation::Relu => "nn.ReLU()".into(),
        Activation::Relu6 => "nn.ReLU6()".into(),
        Activation::LeakyRelu(s) => format!("nn.LeakyReLU({})", py_float(s)),
        Activation::Gelu => "nn.GELU()".into(),
        Activation::Silu => "nn.SiLU()".into(),
        Activation::Hardswish => "nn.Hardswish()".into(),
        Activation::Sigmoid => "nn.Sigmoid()".into(),
        Activation::Tanh => "nn.Tanh()".into(),
    }
}

/// Which class definitions an expression needs.
#[derive(Default)]
struct Needs {
    lenet: bool,
    vgg: bool,
    resnet: bool,
    mobilenet: bool,
    densenet: bool,
    vit: bool,
    convnext: bool,
    ensemble: bool,
}

/// The Python expression that builds `spec`, noting the definitions it uses.
fn expr(
    spec: &ModelSpec,
    input: InputSpec,
    classes: usize,
    needs: &mut Needs,
) -> Result<String, ExportError> {
    let c = input.channels;
    Ok(match spec {
        ModelSpec::Mlp {
            hidden,
            activation: act,
            dropout,
        } => {
            let mut parts = vec!["nn.Flatten()".to_string()];
            let mut width = c * input.height * input.width;
            for &h in hidden {
                parts.push(format!("nn.Linear({width}, {h})"));
                parts.push(activation(*act));
                if *dropout > 0.0 {
                    parts.push(format!("nn.Dropout({})", py_float(*dropout)));
                }
                width = h;
            }
            parts.push(format!("nn.Linear({width}, {classes})"));
            format!("nn.Sequential({})", parts.join(", "))
        }
        ModelSpec::LeNet { batch_norm } => {
            needs.lenet = true;
            format!(
                "LeNet({c}, {}, {}, {}, {classes})",
                input.height,
                input.width,
                py_bool(*batch_norm)
            )
        }
        ModelSpec::Vgg {
            stages,
            batch_norm,
            pool,
            hidden,
            dropout,
        } => {
            needs.vgg = true;
            format!(
                "vgg({c}, {stages:?}, {}, {pool}, {hidden}, {}, {classes})",
                py_bool(*batch_norm),
                py_float(*dropout)
            )
        }
        ModelSpec::ResNet(r) => {
            needs.resnet = true;
            let block = match r.block {
                BlockKind::Basic => "BasicBlock",
                BlockKind::Bottleneck => "Bottleneck",
            };
            format!(
                "ResNet({c}, {block}, {:?}, {}, {}, {}, {}, {classes})",
                r.layers,
                r.base_width,
                r.groups,
                r.width_per_group,
                py_bool(r.small_input)
            )
        }
        ModelSpec::MobileNetV2 {
            width_mult,
            dropout,
            small_input,
        } => {
            needs.mobilenet = true;
            format!(
                "mobilenet_v2({c}, {}, {}, {}, {classes})",
                py_float(*width_mult),
                py_float(*dropout),
                py_bool(*small_input)
            )
        }
        ModelSpec::DenseNet(d) => {
            needs.densenet = true;
            format!(
                "DenseNet({c}, {}, {:?}, {}, {}, {}, {classes})",
                d.growth_rate,
                d.block_config,
                d.num_init_features,
                d.bn_size,
                py_bool(d.small_input)
            )
        }
        ModelSpec::Vit(v) => {
            needs.vit = true;
            format!(
                "VisionTransformer({c}, {}, {}, {}, {}, {}, {}, {}, {classes})",
                input.height,
                v.patch_size,
                v.num_layers,
                v.num_heads,
                v.hidden_dim,
                v.mlp_dim,
                py_float(v.dropout)
            )
        }
        ModelSpec::ConvNext(x) => {
            needs.convnext = true;
            format!(
                "convnext({c}, {:?}, {:?}, {}, {}, {}, {classes})",
                x.dims,
                x.depths,
                x.stem,
                py_float(x.stochastic_depth),
                py_float(x.layer_scale)
            )
        }
        ModelSpec::Ensemble { members } => {
            needs.ensemble = true;
            let inner = members
                .iter()
                .map(|m| expr(m, input, classes, needs))
                .collect::<Result<Vec<_>, _>>()?;
            format!("Ensemble([{}])", inner.join(", "))
        }
        other => {
            let family = serde_json::to_value(other)
                .ok()
                .and_then(|v| v.get("family").and_then(|f| f.as_str().map(String::from)))
                .unwrap_or_else(|| "this".into());
            return Err(ExportError::UnsupportedModel(family));
        }
    })
}

/// The whole `model.py` for `spec` on `input` with `classes` outputs.
pub fn model_py(spec: &ModelSpec, input: InputSpec, classes: usize) -> Result<String, ExportError> {
    let mut needs = Needs::default();
    let build = expr(spec, input, classes, &mut needs)?;
    let mut out = String::from(HEADER);
    for (need, code) in [
        (needs.lenet, LENET),
        (needs.vgg, VGG),
        (needs.resnet, RESNET),
        (needs.mobilenet, MOBILENET_V2),
        (needs.densenet, DENSENET),
        (needs.vit, VIT),
        (needs.convnext, CONVNEXT),
        (needs.ensemble, ENSEMBLE),
    ] {
        if need {
            out.push_str(code);
        }
    }
    let _ = write!(
        out,
        r#"

INPUT = ({c}, {h}, {w})  # channels, height, width
CLASSES = {classes}


def build_model():
    """The exported architecture, freshly initialized (load_weights fills it)."""
    return {build}
"#,
        c = input.channels,
        h = input.height,
        w = input.width,
    );
    Ok(out)
}
