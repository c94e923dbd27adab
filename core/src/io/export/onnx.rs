//! `model.onnx`: the trained model for inference elsewhere (onnxruntime, TensorRT, browsers).
//! ONNX IR 8, opset 17, input `images` `[N, C, H, W]` (any N), output `logits` `[N, classes]`;
//! initializers carry the `state_dict` names. The graph is written per family, following the
//! same layer walk as `model.py`, with the protobuf encoded by hand (`protobuf.rs`). Families:
//! those of `model.py` (MLP, LeNet-5, VGG, ResNet/ResNeXt, MobileNetV2, DenseNet,
//! ensembles of them).

#![warn(missing_docs)]

use std::collections::HashSet;

use super::onnx_graph::{attr_ints, Graph, FLOAT};
use super::protobuf::Message;
use super::ExportError;
use crate::models::{BlockKind, Model, ModelSpec};
use crate::nn::state_dict;

const IR_VERSION: i64 = 8;
const OPSET: i64 = 17;

impl Graph {
    /// Appends the graph of `spec` (tensor names under `p`) applied to `x`.
    fn model(
        &mut self,
        spec: &ModelSpec,
        x: &str,
        p: &str,
        side: [usize; 2],
    ) -> Result<String, ExportError> {
        Ok(match spec {
            ModelSpec::Mlp {
                hidden,
                activation,
                dropout,
            } => {
                let mut h = self.flatten(x);
                let mut i = 1;
                for _ in hidden {
                    h = self.gemm(&h, &format!("{p}{i}."))?;
                    h = self.activation(*activation, &h);
                    i += if *dropout > 0.0 { 3 } else { 2 };
                }
                self.gemm(&h, &format!("{p}{i}."))?
            }
            ModelSpec::LeNet { batch_norm } => {
                let mut h = self.conv(x, &format!("{p}conv1."), 1, 2, 1)?;
                if *batch_norm {
                    h = self.bn(&h, &format!("{p}bn1."))?;
                }
                h = self.relu(&h);
                h = self.max_pool(&h, 2, 2, 0);
                h = self.conv(&h, &format!("{p}conv2."), 1, 0, 1)?;
                if *batch_norm {
                    h = self.bn(&h, &format!("{p}bn2."))?;
                }
                h = self.relu(&h);
                h = self.max_pool(&h, 2, 2, 0);
                h = self.flatten(&h);
                for fc in ["fc1", "fc2"] {
                    h = self.gemm(&h, &format!("{p}{fc}."))?;
                    h = self.relu(&h);
                }
                self.gemm(&h, &format!("{p}fc3."))?
            }
            ModelSpec::Vgg {
                stages,
                batch_norm,
                pool,
                ..
            } => {
                let (mut h, mut i, mut s) = (x.to_string(), 0, side);
                for stage in stages {
                    for _ in stage {
                        h = self.conv(&h, &format!("{p}features.{i}."), 1, 1, 1)?;
                        i += 1;
                        if *batch_norm {
                            h = self.bn(&h, &format!("{p}features.{i}."))?;
                            i += 1;
                        }
                        h = self.relu(&h);
                        i += 1;
                    }
                    h = self.max_pool(&h, 2, 2, 0);
                    i += 1;
                    s = [s[0] / 2, s[1] / 2];
                }
                h = if *pool == 1 {
                    self.node("GlobalAveragePool", &[&h], &[])
                } else if s[0] % pool == 0 && s[1] % pool == 0 {
                    let k = [(s[0] / pool) as i64, (s[1] / pool) as i64];
                    self.node(
                        "AveragePool",
                        &[&h],
                        &[attr_ints("kernel_shape", &k), attr_ints("strides", &k)],
                    )
                } else {
                    return Err(ExportError::UnsupportedModel(
                        "VGG with an adaptive pool that does not divide its input (ONNX)".into(),
                    ));
                };
                h = self.flatten(&h);
                for (j, layer) in [0, 3, 6].iter().enumerate() {
                    h = self.gemm(&h, &format!("{p}classifier.{layer}."))?;
                    if j < 2 {
                        h = self.relu(&h);
                    }
                }
                h
            }
            ModelSpec::ResNet(r) => {
                let (k, s) = if r.small_input { (3, 1) } else { (7, 2) };
                let mut h = self.conv(x, &format!("{p}conv1."), s, (k - 1) / 2, 1)?;
                h = self.bn(&h, &format!("{p}bn1."))?;
                h = self.relu(&h);
                if !r.small_input {
                    h = self.max_pool(&h, 3, 2, 1);
                }
                for (i, &n) in r.layers.iter().enumerate() {
                    for j in 0..n {
                        let b = format!("{p}layer{}.{j}.", i + 1);
                        let stride = if i > 0 && j == 0 { 2 } else { 1 };
                        let bottleneck = r.block == BlockKind::Bottleneck;
                        let mut y = if bottleneck {
                            let y = self.conv(&h, &format!("{b}conv1."), 1, 0, 1)?;
                            let y = self.bn(&y, &format!("{b}bn1."))?;
                            let y = self.relu(&y);
                            self.conv(&y, &format!("{b}conv2."), stride, 1, r.groups as i64)?
                        } else {
                            let y = self.conv(&h, &format!("{b}conv1."), stride, 1, 1)?;
                            let y = self.bn(&y, &format!("{b}bn1."))?;
                            let y = self.relu(&y);
                            self.conv(&y, &format!("{b}conv2."), 1, 1, 1)?
                        };
                        y = self.bn(&y, &format!("{b}bn2."))?;
                        if bottleneck {
                            y = self.relu(&y);
                            y = self.conv(&y, &format!("{b}conv3."), 1, 0, 1)?;
                            y = self.bn(&y, &format!("{b}bn3."))?;
                        }
                        let identity = if self
                            .weights
                            .contains_key(&format!("{b}downsample.0.weight"))
                        {
                            let d = self.conv(&h, &format!("{b}downsample.0."), stride, 0, 1)?;
                            self.bn(&d, &format!("{b}downsample.1."))?
                        } else {
                            h.clone()
                        };
                        let sum = self.node("Add", &[&y, &identity], &[]);
                        h = self.relu(&sum);
                    }
                }
                h = self.node("GlobalAveragePool", &[&h], &[]);
                h = self.flatten(&h);
                self.gemm(&h, &format!("{p}fc."))?
            }
            ModelSpec::MobileNetV2 {
                width_mult,
                small_input,
                ..
            } => self.mobilenet_v2(x, p, *width_mult, *small_input)?,
            ModelSpec::DenseNet(d) => self.densenet(x, p, d)?,
            ModelSpec::Ensemble { members } => {
                let outs = members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| self.model(m, x, &format!("{p}members.{i}."), side))
                    .collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&str> = outs.iter().map(String::as_str).collect();
                self.node("Mean", &refs, &[])
            }
            _ => {
                return Err(ExportError::UnsupportedModel(format!(
                    "{} (ONNX)",
                    model_family(spec)
                )))
            }
        })
    }
}

fn model_family(spec: &ModelSpec) -> String {
    serde_json::to_value(spec)
        .ok()
        .and_then(|v| v.get("family").and_then(|f| f.as_str().map(String::from)))
        .unwrap_or_else(|| "this".into())
}

fn value_info(name: &str, dims: &[Option<usize>]) -> Message {
    let mut shape = Message::default();
    for d in dims {
        let mut dim = Message::default();
        match d {
            Some(v) => dim.int(1, *v as i64),
            None => dim.string(2, "N"),
        };
        shape.message(1, &dim);
    }
    let mut tensor = Message::default();
    tensor.int(1, FLOAT).message(2, &shape);
    let mut ty = Message::default();
    ty.message(1, &tensor);
    let mut v = Message::default();
    v.string(1, name).message(2, &ty);
    v
}

/// The ONNX model bytes of `model` (built from its spec, with its current weights).
pub fn onnx_model(model: &Model) -> Result<Vec<u8>, ExportError> {
    let mut g = Graph {
        weights: state_dict(model)
            .into_iter()
            .map(|t| (t.name, t.tensor))
            .collect(),
        used: HashSet::new(),
        nodes: Vec::new(),
        inits: Vec::new(),
        next: 0,
    };
    let side = [model.input.height, model.input.width];
    let out = g.model(&model.spec, "images", "", side)?;
    g.node_to("Identity", &[&out], &[], "logits".into());
    let mut graph = Message::default();
    for n in &g.nodes {
        graph.message(1, n);
    }
    graph.string(2, "pixelgrad");
    for t in &g.inits {
        graph.message(5, t);
    }
    let [c, h, w] = model.input.dims();
    graph.message(
        11,
        &value_info("images", &[None, Some(c), Some(h), Some(w)]),
    );
    graph.message(12, &value_info("logits", &[None, Some(model.classes)]));
    let mut opset = Message::default();
    opset.string(1, "").int(2, OPSET);
    let mut m = Message::default();
    m.int(1, IR_VERSION)
        .string(2, "pixelgrad")
        .string(3, env!("CARGO_PKG_VERSION"))
        .message(8, &opset)
        .message(7, &graph);
    Ok(m.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::InputSpec;

    #[test]
    fn every_supported_preset_exports_and_others_are_refused() {
        for name in [
            "mlp",
            "lenet5_bn",
            "vgg_small",
            "resnext_small",
            "ensemble_mlp_lenet",
        ] {
            let spec = ModelSpec::preset(name).expect("preset");
            let model = spec.build(InputSpec::GREY28, 10, 0).expect("build");
            let bytes = onnx_model(&model).unwrap_or_else(|e| panic!("{name}: {e}"));
            // ir_version first, then the weights inside: at least 4 bytes per parameter.
            assert_eq!(bytes[..2], [0x08, IR_VERSION as u8], "{name}");
            assert!(
                bytes.len() > 4 * crate::nn::count_parameters(&model),
                "{name}"
            );
        }
        let vit = ModelSpec::preset("vit_tiny").expect("preset");
        let model = vit.build(InputSpec::RGB32, 10, 0).expect("build");
        assert!(matches!(
            onnx_model(&model),
            Err(ExportError::UnsupportedModel(_))
        ));
    }
}
