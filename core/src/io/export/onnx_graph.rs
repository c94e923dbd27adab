//! The primitive layer of the ONNX export: a graph under construction with one method per
//! ONNX operator the model walk uses, initializers from the `state_dict` by name (each added
//! once), and the attribute and tensor messages.

#![warn(missing_docs)]

use std::collections::{HashMap, HashSet};

use super::protobuf::Message;
use super::ExportError;
use crate::nn::Activation;
use crate::tensor::Tensor;

/// ONNX's FLOAT element type.
pub(super) const FLOAT: i64 = 1;

/// A graph under construction.
pub(super) struct Graph {
    pub(super) weights: HashMap<String, Tensor>,
    pub(super) used: HashSet<String>,
    pub(super) nodes: Vec<Message>,
    pub(super) inits: Vec<Message>,
    pub(super) next: usize,
}

pub(super) fn attr_int(name: &str, v: i64) -> Message {
    let mut a = Message::default();
    a.string(1, name).int(3, v).int(20, 2);
    a
}

pub(super) fn attr_ints(name: &str, v: &[i64]) -> Message {
    let mut a = Message::default();
    a.string(1, name);
    for &x in v {
        a.int(8, x);
    }
    a.int(20, 7);
    a
}

pub(super) fn attr_float(name: &str, v: f32) -> Message {
    let mut a = Message::default();
    a.string(1, name).float(2, v).int(20, 1);
    a
}

pub(super) fn tensor_proto(name: &str, dims: &[usize], values: &[f32]) -> Message {
    let mut t = Message::default();
    for &d in dims {
        t.int(1, d as i64);
    }
    t.int(2, FLOAT).string(8, name);
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    t.bytes(9, &raw);
    t
}

impl Graph {
    pub(super) fn node(&mut self, op: &str, inputs: &[&str], attrs: &[Message]) -> String {
        self.next += 1;
        let out = format!("{}_{}", op.to_lowercase(), self.next);
        self.node_to(op, inputs, attrs, out)
    }

    pub(super) fn node_to(
        &mut self,
        op: &str,
        inputs: &[&str],
        attrs: &[Message],
        out: String,
    ) -> String {
        let mut n = Message::default();
        for i in inputs {
            n.string(1, i);
        }
        n.string(2, &out).string(3, &out).string(4, op);
        for a in attrs {
            n.message(5, a);
        }
        self.nodes.push(n);
        out
    }

    /// The named `state_dict` tensor as an initializer (added once).
    pub(super) fn init(&mut self, name: &str) -> Result<String, ExportError> {
        if self.used.insert(name.to_string()) {
            let t = self
                .weights
                .get(name)
                .ok_or_else(|| ExportError::Weights(format!("no tensor `{name}`")))?;
            let values = t
                .to_vec_f32()
                .map_err(|e| ExportError::Weights(e.to_string()))?;
            self.inits.push(tensor_proto(name, t.dims(), &values));
        }
        Ok(name.to_string())
    }

    pub(super) fn constant(&mut self, name: &str, v: f32) -> String {
        if self.used.insert(name.to_string()) {
            self.inits.push(tensor_proto(name, &[], &[v]));
        }
        name.to_string()
    }

    pub(super) fn conv(
        &mut self,
        x: &str,
        p: &str,
        stride: i64,
        pad: i64,
        groups: i64,
    ) -> Result<String, ExportError> {
        let w = self.init(&format!("{p}weight"))?;
        let mut inputs = vec![x.to_string(), w];
        if self.weights.contains_key(&format!("{p}bias")) {
            inputs.push(self.init(&format!("{p}bias"))?);
        }
        let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let attrs = [
            attr_ints("strides", &[stride, stride]),
            attr_ints("pads", &[pad; 4]),
            attr_int("group", groups),
        ];
        Ok(self.node("Conv", &refs, &attrs))
    }

    pub(super) fn bn(&mut self, x: &str, p: &str) -> Result<String, ExportError> {
        let names = ["weight", "bias", "running_mean", "running_var"];
        let mut inputs = vec![x.to_string()];
        for n in names {
            inputs.push(self.init(&format!("{p}{n}"))?);
        }
        let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        Ok(self.node("BatchNormalization", &refs, &[attr_float("epsilon", 1e-5)]))
    }

    pub(super) fn gemm(&mut self, x: &str, p: &str) -> Result<String, ExportError> {
        let w = self.init(&format!("{p}weight"))?;
        let b = self.init(&format!("{p}bias"))?;
        Ok(self.node("Gemm", &[x, &w, &b], &[attr_int("transB", 1)]))
    }

    pub(super) fn max_pool(&mut self, x: &str, k: i64, s: i64, p: i64) -> String {
        let attrs = [
            attr_ints("kernel_shape", &[k, k]),
            attr_ints("strides", &[s, s]),
            attr_ints("pads", &[p; 4]),
        ];
        self.node("MaxPool", &[x], &attrs)
    }

    pub(super) fn relu(&mut self, x: &str) -> String {
        self.node("Relu", &[x], &[])
    }

    pub(super) fn flatten(&mut self, x: &str) -> String {
        self.node("Flatten", &[x], &[attr_int("axis", 1)])
    }

    pub(super) fn activation(&mut self, a: Activation, x: &str) -> String {
        match a {
            Activation::Relu => self.relu(x),
            Activation::Relu6 => {
                let (lo, hi) = (self.constant("const_0", 0.0), self.constant("const_6", 6.0));
                self.node("Clip", &[x, &lo, &hi], &[])
            }
            Activation::LeakyRelu(s) => {
                self.node("LeakyRelu", &[x], &[attr_float("alpha", s as f32)])
            }
            Activation::Gelu => {
                let r2 = self.constant("const_sqrt2", std::f32::consts::SQRT_2);
                let (one, half) = (
                    self.constant("const_1", 1.0),
                    self.constant("const_half", 0.5),
                );
                let e = self.node("Div", &[x, &r2], &[]);
                let e = self.node("Erf", &[&e], &[]);
                let e = self.node("Add", &[&e, &one], &[]);
                let e = self.node("Mul", &[x, &e], &[]);
                self.node("Mul", &[&e, &half], &[])
            }
            Activation::Silu => {
                let s = self.node("Sigmoid", &[x], &[]);
                self.node("Mul", &[x, &s], &[])
            }
            Activation::Hardswish => self.node("HardSwish", &[x], &[]),
            Activation::Sigmoid => self.node("Sigmoid", &[x], &[]),
            Activation::Tanh => self.node("Tanh", &[x], &[]),
        }
    }
}
