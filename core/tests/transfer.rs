//! Transfer learning with the bundled ImageNet MobileNetV2 (torchvision weights): the frozen
//! backbone plus a new head learns two generated classes from a few dozen images each, and
//! unfreezing the last stage trains exactly those weights while everything else stays
//! bit-identical (frozen batch norms keep their running statistics).
//!
//! Skips when `public/weights/mobilenet_v2.safetensors` is absent (`cargo xtask data` makes it).

use std::collections::BTreeMap;

use pixelgrad::data::{Dataset, Image, InMemoryDataset, Pipeline, ShapesDataset, Transform};
use pixelgrad::io::read_safetensors;
use pixelgrad::models::{cache_features, InputSpec, Model, ModelSpec};
use pixelgrad::nn::{
    count_trainable, freeze, load_state_dict, state_dict, unfreeze, Dropout, Flatten, Linear,
    Sequential, TensorKind,
};
use pixelgrad::optim::{AdamConfig, OptimizerSpec, SgdConfig};
use pixelgrad::train::{evaluate_preprocessed, TrainConfig, Trainer};
use pixelgrad::{Rng, Tensor};

/// torchvision's ImageNet normalization, which the pretrained weights expect.
fn imagenet_normalize() -> Pipeline {
    Pipeline::new(vec![Transform::Normalize {
        mean: vec![0.485, 0.456, 0.406],
        std: vec![0.229, 0.224, 0.225],
    }])
}

/// The backbone weights (the ImageNet classifier is left out: the head is new), or `None`.
fn backbone_weights() -> Option<BTreeMap<String, Tensor>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/weights/mobilenet_v2.safetensors"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipped: {path} not present (run `cargo xtask data`)");
        return None;
    };
    let all = read_safetensors(&bytes).expect("bundled weights parse");
    Some(
        all.into_iter()
            .filter(|(k, _)| !k.starts_with("classifier."))
            .collect(),
    )
}

/// Pretrained MobileNetV2 (width 1, torchvision layout) for `size`² RGB and `classes`, its
/// backbone frozen.
fn pretrained(size: usize, classes: usize, weights: &BTreeMap<String, Tensor>) -> Model {
    let model = ModelSpec::MobileNetV2 {
        width_mult: 1.0,
        dropout: 0.2,
        small_input: false,
    }
    .build(
        InputSpec {
            channels: 3,
            height: size,
            width: size,
        },
        classes,
        0,
    )
    .expect("builds");
    let report = load_state_dict(&model, weights, false).expect("shapes match");
    assert_eq!(report.missing, ["classifier.1.weight", "classifier.1.bias"]);
    assert!(report.unexpected.is_empty());
    freeze(&model, "features.").expect("backbone exists");
    model
}

/// `per_class` images of each of two generated shapes (circle = 0, square = 1).
fn two_shapes(per_class: usize, size: usize, seed: u64) -> InMemoryDataset {
    let shapes = ShapesDataset::new(6 * per_class, size, seed).expect("valid");
    let mut out = InMemoryDataset::new(vec!["circle".into(), "square".into()]);
    for i in 0..shapes.len() {
        let s = shapes.get(i).expect("exists");
        if s.label < 2 {
            out.push(s.image, s.label).expect("push");
        }
    }
    out
}

fn adam_config(epochs: usize, lr: f64) -> TrainConfig {
    TrainConfig::new(epochs, OptimizerSpec::Adam(AdamConfig::new(lr)))
}

#[test]
fn frozen_pretrained_backbone_with_a_new_head_learns_two_shapes() {
    let Some(weights) = backbone_weights() else {
        return;
    };
    let size = 64;
    let model = pretrained(size, 2, &weights);
    assert_eq!(count_trainable(&model), 1280 * 2 + 2);
    let (train, val) = (two_shapes(24, size, 0), two_shapes(30, size, 1));
    let pre = imagenet_normalize();

    // The frozen backbone's pooled features, once per image; the head trains on them alone.
    let features = cache_features(&model, &train, &pre, "pool", 16).expect("features");
    assert_eq!((features.len(), features.dim), (48, 1280));
    let mut rng = Rng::new(1);
    let head = Sequential::new().push_named("pool", Flatten).push_named(
        "classifier",
        Sequential::new()
            .push(Dropout { p: 0.2 })
            .push(Linear::new(1280, 2, true, &mut rng).expect("linear")),
    );
    let epochs = 60;
    let mut trainer = Trainer::new(&head, 2, adam_config(epochs, 1e-3)).expect("trainer");
    let mut order: Vec<usize> = (0..features.len()).collect();
    for _ in 0..epochs {
        // A seeded shuffle per epoch (sort by random keys), batches of 16.
        let keys = rng.uniform(order.len(), 0.0, 1.0);
        order.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
        for chunk in order.chunks(16) {
            trainer
                .train_step(&features.batch(chunk).expect("batch"), 0)
                .expect("step");
        }
    }

    // The trained head goes into the full model, which is evaluated on fresh images end to end.
    let head_weights: BTreeMap<String, Tensor> = state_dict(&head)
        .into_iter()
        .map(|t| (t.name, t.tensor))
        .collect();
    let report = load_state_dict(&model, &head_weights, false).expect("head loads");
    assert_eq!(report.loaded, 2);
    let val_report = evaluate_preprocessed(&model, &val, 2, 25, 0, &pre).expect("evaluates");
    eprintln!(
        "validation accuracy {:.3} on {} images (loss {:.3})",
        val_report.accuracy,
        val.len(),
        val_report.loss
    );
    assert!(
        val_report.accuracy >= 0.95,
        "validation accuracy {}",
        val_report.accuracy
    );
}

#[test]
fn unfreezing_the_last_stage_trains_only_those_weights() {
    let Some(weights) = backbone_weights() else {
        return;
    };
    let size = 32;
    let model = pretrained(size, 2, &weights);
    let last_stage = ["features.17.", "features.18."];
    for prefix in last_stage {
        unfreeze(&model, prefix).expect("stage exists");
    }
    let trained = |name: &str| {
        last_stage.iter().any(|p| name.starts_with(p)) || name.starts_with("classifier.")
    };
    let before: Vec<(String, TensorKind, Vec<f32>)> = state_dict(&model)
        .into_iter()
        .map(|t| (t.name, t.kind, t.tensor.to_vec_f32().expect("read")))
        .collect();
    let data = two_shapes(4, size, 3);
    let config = TrainConfig {
        optimizer: OptimizerSpec::Sgd(SgdConfig {
            momentum: 0.9,
            ..SgdConfig::new(0.01)
        }),
        loader: pixelgrad::data::LoaderConfig {
            batch_size: 4,
            augment: imagenet_normalize(),
            ..Default::default()
        },
        ..adam_config(1, 0.0)
    };
    let mut trainer = Trainer::new(&model, 2, config).expect("trainer");
    trainer
        .fit(&data, None::<&InMemoryDataset>, |_| {
            pixelgrad::train::Control::Continue
        })
        .expect("trains");
    assert_eq!(trainer.steps(), 2);

    let after = state_dict(&model);
    assert_eq!(after.len(), before.len());
    let mut changed_params = 0;
    for ((name, kind, old), now) in before.iter().zip(&after) {
        let now = now.tensor.to_vec_f32().expect("read");
        let same = old
            .iter()
            .zip(&now)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        if trained(name) {
            // Every trained parameter moves; the running statistics of the trained stage's
            // batch norms update as in any training step.
            assert!(!same, "{name} ({kind:?}) did not change");
            changed_params += usize::from(*kind == TensorKind::Parameter);
        } else {
            assert!(same, "{name} ({kind:?}) changed but is frozen");
        }
    }
    // features.17: three conv+BN pairs; features.18: one; the classifier: weight and bias.
    assert_eq!(changed_params, 3 * 3 + 3 + 2);

    // Evaluation of the partly frozen model works on an image of the right size.
    let x = Image::filled(3, size, size, 0.5).expect("image");
    let mut one = InMemoryDataset::new(vec!["a".into(), "b".into()]);
    one.push(x, 0).expect("push");
    evaluate_preprocessed(&model, &one, 2, 1, 0, &imagenet_normalize()).expect("evaluates");
}
