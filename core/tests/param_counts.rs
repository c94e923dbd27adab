//! Parameter names, shapes and counts equal PyTorch's for the same configuration: the presets
//! against hand-written torchvision-style modules, and full-size families against torchvision
//! itself (`tests/fixtures/models/generate_param_counts.py`, run by hand).

use std::collections::BTreeMap;

use pixelgrad::models::{
    BlockKind, ConvNextConfig, DenseNetConfig, InputSpec, ModelSpec, ResNetConfig,
};
use pixelgrad::nn::{count_parameters, state_dict};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    input: [usize; 3],
    classes: usize,
    parameters: usize,
    state_dict: Vec<(String, Vec<usize>)>,
}

#[derive(Deserialize)]
struct File {
    cases: BTreeMap<String, Case>,
}

/// The Rust spec of each fixture case.
fn spec(name: &str) -> ModelSpec {
    let resnet = |block, layers: Vec<usize>, groups, width_per_group| {
        ModelSpec::ResNet(ResNetConfig {
            block,
            layers,
            base_width: 64,
            groups,
            width_per_group,
            small_input: false,
        })
    };
    match name {
        "full_resnet18" => resnet(BlockKind::Basic, vec![2, 2, 2, 2], 1, 64),
        "full_resnext50_32x4d" => resnet(BlockKind::Bottleneck, vec![3, 4, 6, 3], 32, 4),
        "full_densenet121" => ModelSpec::DenseNet(DenseNetConfig {
            growth_rate: 32,
            block_config: vec![6, 12, 24, 16],
            num_init_features: 64,
            bn_size: 4,
            small_input: false,
        }),
        "full_mobilenet_v2" => ModelSpec::MobileNetV2 {
            width_mult: 1.0,
            dropout: 0.2,
            small_input: false,
        },
        "full_efficientnet_b0" => ModelSpec::EfficientNet {
            width_mult: 1.0,
            depth_mult: 1.0,
            dropout: 0.2,
            stochastic_depth: 0.2,
            small_input: false,
        },
        "full_convnext_tiny" => ModelSpec::ConvNext(ConvNextConfig {
            dims: vec![96, 192, 384, 768],
            depths: vec![3, 3, 9, 3],
            stem: 4,
            stochastic_depth: 0.1,
            layer_scale: 1e-6,
        }),
        preset => ModelSpec::preset(preset).unwrap_or_else(|| panic!("no preset {preset}")),
    }
}

#[test]
fn state_dicts_match_pytorch() {
    let file: File = serde_json::from_str(include_str!(
        "../../tests/fixtures/models/param_counts.json"
    ))
    .expect("fixture parses");
    assert!(file.cases.len() >= 19);
    // Every preset has its PyTorch twin in the fixture (a new preset needs the script rerun).
    for (name, _) in pixelgrad::models::PRESETS {
        assert!(
            file.cases.contains_key(*name),
            "{name} missing from the fixture"
        );
    }
    for (name, case) in &file.cases {
        let [c, h, w] = case.input;
        let model = spec(name)
            .build(
                InputSpec {
                    channels: c,
                    height: h,
                    width: w,
                },
                case.classes,
                0,
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours: Vec<(String, Vec<usize>)> = state_dict(&model)
            .into_iter()
            .map(|t| (t.name, t.tensor.dims().to_vec()))
            .collect();
        for (i, (want, got)) in case.state_dict.iter().zip(&ours).enumerate() {
            assert_eq!(want, got, "{name}: entry {i} differs");
        }
        assert_eq!(
            ours.len(),
            case.state_dict.len(),
            "{name}: {} entries, torch has {}",
            ours.len(),
            case.state_dict.len()
        );
        assert_eq!(count_parameters(&model), case.parameters, "{name}");
    }
}

/// The bundled torchvision ImageNet weights (made by `cargo xtask data`) load strictly into
/// MobileNetV2 at width 1: every name and shape lines up.
#[test]
fn pretrained_mobilenet_v2_loads_strictly() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/weights/mobilenet_v2.safetensors"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipped: {path} not present (run `cargo xtask data`)");
        return;
    };
    let model = spec("full_mobilenet_v2")
        .build(
            InputSpec {
                channels: 3,
                height: 224,
                width: 224,
            },
            1000,
            0,
        )
        .expect("builds");
    let report = pixelgrad::io::load_model(&model, &bytes, true).expect("strict load");
    assert_eq!(report.loaded, state_dict(&model).len());
    let file = pixelgrad::io::read_safetensors(&bytes).expect("reads");
    let bias = state_dict(&model)
        .into_iter()
        .find(|t| t.name == "classifier.1.bias")
        .expect("exists");
    assert_eq!(
        bias.tensor.to_vec_f32().expect("read"),
        file["classifier.1.bias"].to_vec_f32().expect("read")
    );
}
