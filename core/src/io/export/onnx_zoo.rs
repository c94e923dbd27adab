//! The ONNX walks of the families with more intricate blocks: MobileNetV2 (inverted
//! residuals) and DenseNet (concatenated features), with torchvision's names.

#![warn(missing_docs)]

use super::onnx_graph::{attr_int, attr_ints, Graph};
use super::ExportError;
use crate::models::DenseNetConfig;
use crate::nn::Activation;

/// torchvision's `_make_divisible` (as in `models::blocks`).
fn make_divisible(v: f64) -> usize {
    let new_v = 8usize.max(((v + 4.0) as usize) / 8 * 8);
    if (new_v as f64) < 0.9 * v {
        new_v + 8
    } else {
        new_v
    }
}

impl Graph {
    /// Conv (no bias) → BN → ReLU6, torchvision's `Conv2dNormActivation` under `p`.
    fn conv_bn_relu6(
        &mut self,
        x: &str,
        p: &str,
        stride: i64,
        groups: i64,
    ) -> Result<String, ExportError> {
        let k = self
            .weights
            .get(&format!("{p}0.weight"))
            .map_or(1, |w| w.dims()[2] as i64);
        let h = self.conv(x, &format!("{p}0."), stride, (k - 1) / 2, groups)?;
        let h = self.bn(&h, &format!("{p}1."))?;
        Ok(self.activation(Activation::Relu6, &h))
    }

    /// MobileNetV2 with torchvision's names (see `models::mobilenet`).
    pub(super) fn mobilenet_v2(
        &mut self,
        x: &str,
        p: &str,
        width_mult: f64,
        small_input: bool,
    ) -> Result<String, ExportError> {
        const SETTING: [[usize; 4]; 7] = [
            [1, 16, 1, 1],
            [6, 24, 2, 2],
            [6, 32, 3, 2],
            [6, 64, 4, 2],
            [6, 96, 3, 1],
            [6, 160, 3, 2],
            [6, 320, 1, 1],
        ];
        let mut input = make_divisible(32.0 * width_mult);
        let mut h = self.conv_bn_relu6(
            x,
            &format!("{p}features.0."),
            if small_input { 1 } else { 2 },
            1,
        )?;
        let mut k = 1;
        for [t, c, n, s] in SETTING {
            let out = make_divisible(c as f64 * width_mult);
            for i in 0..n {
                let stride = if i == 0 { s } else { 1 } as i64;
                let hidden = (input * t) as i64;
                let b = format!("{p}features.{k}.conv.");
                let mut j = 0;
                let mut y = h.clone();
                if t != 1 {
                    y = self.conv_bn_relu6(&y, &format!("{b}0."), 1, 1)?;
                    j = 1;
                }
                y = self.conv_bn_relu6(&y, &format!("{b}{j}."), stride, hidden)?;
                y = self.conv(&y, &format!("{b}{}.", j + 1), 1, 0, 1)?;
                y = self.bn(&y, &format!("{b}{}.", j + 2))?;
                h = if stride == 1 && input == out {
                    self.node("Add", &[&h, &y], &[])
                } else {
                    y
                };
                input = out;
                k += 1;
            }
        }
        h = self.conv_bn_relu6(&h, &format!("{p}features.{k}."), 1, 1)?;
        h = self.node("GlobalAveragePool", &[&h], &[]);
        h = self.flatten(&h);
        self.gemm(&h, &format!("{p}classifier.1."))
    }

    /// DenseNet with torchvision's names (see `models::densenet`).
    pub(super) fn densenet(
        &mut self,
        x: &str,
        p: &str,
        d: &DenseNetConfig,
    ) -> Result<String, ExportError> {
        let f = format!("{p}features.");
        let (k, s) = if d.small_input { (3, 1) } else { (7, 2) };
        let mut h = self.conv(x, &format!("{f}conv0."), s, (k - 1) / 2, 1)?;
        h = self.bn(&h, &format!("{f}norm0."))?;
        h = self.relu(&h);
        if !d.small_input {
            h = self.max_pool(&h, 3, 2, 1);
        }
        for (i, &n) in d.block_config.iter().enumerate() {
            let mut features = vec![h.clone()];
            for j in 0..n {
                let l = format!("{f}denseblock{}.denselayer{}.", i + 1, j + 1);
                let refs: Vec<&str> = features.iter().map(String::as_str).collect();
                let input = if refs.len() == 1 {
                    h.clone()
                } else {
                    self.node("Concat", &refs, &[attr_int("axis", 1)])
                };
                let y = self.bn(&input, &format!("{l}norm1."))?;
                let y = self.relu(&y);
                let y = self.conv(&y, &format!("{l}conv1."), 1, 0, 1)?;
                let y = self.bn(&y, &format!("{l}norm2."))?;
                let y = self.relu(&y);
                features.push(self.conv(&y, &format!("{l}conv2."), 1, 1, 1)?);
            }
            let refs: Vec<&str> = features.iter().map(String::as_str).collect();
            h = self.node("Concat", &refs, &[attr_int("axis", 1)]);
            if i + 1 < d.block_config.len() {
                let t = format!("{f}transition{}.", i + 1);
                h = self.bn(&h, &format!("{t}norm."))?;
                h = self.relu(&h);
                h = self.conv(&h, &format!("{t}conv."), 1, 0, 1)?;
                let two = [
                    attr_ints("kernel_shape", &[2, 2]),
                    attr_ints("strides", &[2, 2]),
                ];
                h = self.node("AveragePool", &[&h], &two);
            }
        }
        h = self.bn(&h, &format!("{f}norm5."))?;
        h = self.relu(&h);
        h = self.node("GlobalAveragePool", &[&h], &[]);
        h = self.flatten(&h);
        self.gemm(&h, &format!("{p}classifier."))
    }
}
