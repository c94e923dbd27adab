//! Training with a loss written in the loss language: the custom "cross_entropy" preset gives
//! the built-in cross-entropy's loss curve (on the CPU and on the GPU), focal gives another,
//! a gradient penalty trains, and a bad loss or incompatible settings fail before step one.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::gpu::gpu_or_skip;
use pixelgrad::data::{Batch, BatchMix, LoaderConfig};
use pixelgrad::io::{LossParam, LossSpec};
use pixelgrad::loss::dsl::{LossError, Preset};
use pixelgrad::models::{InputSpec, Model, ModelSpec};
use pixelgrad::nn::move_to_device;
use pixelgrad::optim::{OptimizerSpec, SgdConfig};
use pixelgrad::train::{TrainConfig, TrainError, Trainer};
use pixelgrad::{Device, Rng};

const INPUT: InputSpec = InputSpec {
    channels: 1,
    height: 8,
    width: 8,
};
const CLASSES: usize = 3;
const STEPS: u64 = 12;

fn config() -> TrainConfig {
    TrainConfig {
        loader: LoaderConfig {
            batch_size: 16,
            ..LoaderConfig::default()
        },
        seed: 5,
        ..TrainConfig::new(
            1,
            OptimizerSpec::Sgd(SgdConfig {
                momentum: 0.9,
                ..SgdConfig::new(0.1)
            }),
        )
    }
}

/// A fresh MLP with the same initial weights every call (no dropout, so steps are exact).
fn mlp() -> Model {
    let spec: ModelSpec =
        serde_json::from_str(r#"{"family":"mlp","hidden":[16],"activation":"relu","dropout":0.0}"#)
            .expect("spec");
    spec.build(INPUT, CLASSES, 1).expect("builds")
}

/// Images whose brightness tells the class, with noise; batch `step` of a fixed stream.
fn batch(step: u64) -> Batch {
    let n = 16;
    let mut rng = Rng::new(100 + step);
    let labels: Vec<usize> = (0..n).map(|i| (i + step as usize) % CLASSES).collect();
    let noise = rng.uniform(n * 64, -0.2, 0.2);
    let images = noise
        .iter()
        .enumerate()
        .map(|(i, v)| 0.2 + 0.3 * labels[i / 64] as f32 + v)
        .collect();
    Batch {
        images,
        shape: [n, 1, 8, 8],
        labels,
        soft_targets: None,
        indices: (0..n).collect(),
    }
}

fn preset(name: &str) -> LossSpec {
    LossSpec::Custom {
        source: Preset::get(name).expect("preset").source.to_string(),
        params: Vec::new(),
    }
}

/// The loss of every step of a short run of `model` with `loss`.
fn curve(model: Model, loss: &LossSpec) -> Vec<f64> {
    let mut trainer = Trainer::new(model, CLASSES, config())
        .and_then(|t| t.with_loss(loss))
        .expect("trainer");
    (0..STEPS)
        .map(|s| trainer.train_step(&batch(s), 0).expect("step").loss)
        .collect()
}

fn assert_close(got: &[f64], want: &[f64], rel: f64, what: &str) {
    for (step, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= rel * w.abs().max(1e-3),
            "{what}: step {step}: {g} vs {w}\n got  {got:?}\n want {want:?}"
        );
    }
}

#[test]
fn custom_cross_entropy_trains_like_the_built_in_and_focal_differs() {
    let built_in = curve(mlp(), &LossSpec::CrossEntropy);
    let custom = curve(mlp(), &preset("cross_entropy"));
    assert_close(&custom, &built_in, 1e-5, "custom CE vs built-in CE");
    assert!(
        built_in.last() < built_in.first(),
        "the loss falls: {built_in:?}"
    );

    let focal = curve(mlp(), &preset("focal"));
    // Focal scales each sample's CE by (1 - p)^2 < 1: lower from the first step on.
    assert!(
        focal.iter().zip(&built_in).all(|(f, c)| f < c),
        "focal below CE: {focal:?} vs {built_in:?}"
    );
    // gamma = 0 turns focal back into cross-entropy (a slider value reaches the loss).
    let LossSpec::Custom { source, .. } = preset("focal") else {
        unreachable!("a preset is custom")
    };
    let gamma0 = LossSpec::Custom {
        source,
        params: vec![LossParam {
            name: "gamma".into(),
            value: 0.0,
        }],
    };
    assert_close(&curve(mlp(), &gamma0), &built_in, 1e-5, "focal gamma=0");
}

#[test]
fn custom_losses_train_on_the_gpu_like_on_the_cpu() {
    let Some(gpu) = gpu_or_skip("custom_losses_train_on_the_gpu_like_on_the_cpu") else {
        return;
    };
    for name in ["cross_entropy", "focal", "hinge"] {
        let on_cpu = curve(mlp(), &preset(name));
        let model = mlp();
        move_to_device(&model, Device::Gpu(gpu.id())).expect("moves");
        let mut trainer = Trainer::new(model, CLASSES, config())
            .and_then(|t| t.with_loss(&preset(name)))
            .expect("trainer");
        let on_gpu: Vec<f64> = (0..STEPS)
            .map(|s| {
                let b = batch(s);
                pollster::block_on(trainer.train_step_async(&b, 0))
                    .expect("gpu step")
                    .loss
            })
            .collect();
        assert_close(&on_gpu, &on_cpu, 1e-3, name);
    }
}

#[test]
fn a_gradient_penalty_trains_and_is_larger_than_plain_ce() {
    let ce = curve(mlp(), &LossSpec::CrossEntropy);
    let penalized = curve(mlp(), &preset("gradient_penalty"));
    assert!(penalized.iter().all(|v| v.is_finite()), "{penalized:?}");
    assert!(penalized[0] > ce[0], "{} vs {}", penalized[0], ce[0]);
    assert!(penalized.last() < penalized.first(), "{penalized:?}");
}

#[test]
fn bad_losses_and_settings_fail_before_the_first_step() {
    let typo = LossSpec::Custom {
        source: "mean(-gather(log_prob, target))".into(),
        params: Vec::new(),
    };
    let err = Trainer::new(mlp(), CLASSES, config())
        .and_then(|t| t.with_loss(&typo))
        .err()
        .expect("typo rejected");
    match &err {
        TrainError::Loss(LossError::Invalid(d)) => {
            assert_eq!((d[0].span.start, d[0].span.end), (13, 21));
            assert!(d[0].message.contains("did you mean `log_probs`"), "{err}");
        }
        other => panic!("wrong error {other:?}"),
    }

    let focal = preset("focal");
    let mixing = TrainConfig {
        loader: LoaderConfig {
            mix: Some(BatchMix::Mixup { alpha: 0.2 }),
            ..config().loader
        },
        ..config()
    };
    let smoothing = TrainConfig {
        label_smoothing: 0.1,
        ..config()
    };
    for settings in [mixing, smoothing] {
        let err = Trainer::new(mlp(), CLASSES, settings)
            .and_then(|t| t.with_loss(&focal))
            .err()
            .expect("refused");
        assert!(matches!(err, TrainError::Config(_)), "{err:?}");
    }

    let huge_batch = TrainConfig {
        loader: LoaderConfig {
            batch_size: 1_000_000,
            ..config().loader
        },
        ..config()
    };
    // 50 lets of three [B, C] operations: 4.5e8 element operations at B = 1e6, C = 3.
    let mut many = "let t0 = log_probs\n".to_string();
    for i in 1..=50 {
        many += &format!("let t{i} = exp(t{}) + exp(t{})\n", i - 1, i - 1);
    }
    many += "mean(t50)";
    let err = Trainer::new(mlp(), CLASSES, huge_batch)
        .and_then(|t| {
            t.with_loss(&LossSpec::Custom {
                source: many,
                params: Vec::new(),
            })
        })
        .err()
        .expect("too costly");
    assert!(
        matches!(err, TrainError::Loss(LossError::TooCostly { .. })),
        "{err:?}"
    );
}
