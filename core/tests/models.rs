//! Every model preset builds, has unique PyTorch-style names, and learns: the training loss
//! on a fixed batch falls over 30 steps, natively on the CPU and on the GPU backend (Vulkan
//! on Mesa lavapipe in CI, where `REQUIRE_GPU=1` forbids skipping).

use std::collections::HashSet;
use std::time::Instant;

#[cfg(not(target_arch = "wasm32"))]
mod common;

use pixelgrad::data::Batch;
use pixelgrad::models::{InputSpec, ModelSpec, PRESETS};
use pixelgrad::nn::{count_parameters, move_to_device, state_dict, Ctx, Module};
use pixelgrad::optim::{AdamConfig, OptimizerSpec};
use pixelgrad::train::{TrainConfig, Trainer};
use pixelgrad::{no_grad, Device, Rng, Tensor};

fn input_of(kind: &str) -> InputSpec {
    if kind == "grey28" {
        InputSpec::GREY28
    } else {
        InputSpec::RGB32
    }
}

/// A batch whose label is visible in the image: class `k` brightens horizontal band `k`.
fn batch(input: InputSpec, n: usize, classes: usize, seed: u64) -> Batch {
    let [c, h, w] = input.dims();
    let mut rng = Rng::new(seed);
    let mut images = rng.uniform(n * c * h * w, 0.0, 0.3);
    let labels: Vec<usize> = (0..n).map(|i| i % classes).collect();
    for (i, &l) in labels.iter().enumerate() {
        let band = h / classes;
        for ch in 0..c {
            for y in l * band..(l + 1) * band {
                for x in 0..w {
                    images[((i * c + ch) * h + y) * w + x] += 0.7;
                }
            }
        }
    }
    Batch {
        images,
        shape: [n, c, h, w],
        labels,
        soft_targets: None,
        indices: (0..n).collect(),
    }
}

fn config(lr: f64) -> TrainConfig {
    TrainConfig {
        clip_grad_norm: Some(5.0),
        seed: 1,
        ..TrainConfig::new(1, OptimizerSpec::Adam(AdamConfig::new(lr)))
    }
}

#[test]
fn every_preset_builds_with_unique_names_and_the_right_output() {
    for &(name, kind) in PRESETS {
        let spec = ModelSpec::preset(name).expect("preset exists");
        let json = serde_json::to_string(&spec).expect("serializes");
        let back: ModelSpec = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, spec, "{name}");
        let input = input_of(kind);
        let model = spec
            .build(input, 4, 0)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let names: Vec<String> = state_dict(&model).into_iter().map(|t| t.name).collect();
        let unique: HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{name}: duplicate names");
        let x = Tensor::zeros(vec![2, input.channels, input.height, input.width]);
        let y = no_grad(|| model.forward(&x, &mut Ctx::eval()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(y.dims(), &[2, 4], "{name}");
        assert!(count_parameters(&model) > 0);
    }
}

/// Trains preset `name` for 30 Adam steps on a fixed batch of 4 on `device` and checks that
/// the mean of the last three losses is below 70% of the first three.
fn learns_a_fixed_batch(name: &str, kind: &str, device: Device) {
    let t0 = Instant::now();
    let input = input_of(kind);
    let model = ModelSpec::preset(name)
        .expect("exists")
        .build(input, 4, 3)
        .expect("builds");
    move_to_device(&model, device).unwrap_or_else(|e| panic!("{name}: {e}"));
    let b = batch(input, 4, 4, 11);
    let lr = if name.starts_with("vit") || name.starts_with("convnext") {
        3e-3
    } else {
        1e-2
    };
    let mut trainer = Trainer::new(&model, 4, config(lr)).expect("valid config");
    let losses: Vec<f64> = (0..30)
        .map(|_| {
            trainer
                .train_step(&b, 0)
                .unwrap_or_else(|e| panic!("{name} on {device:?}: {e}"))
                .loss
        })
        .collect();
    let first = losses[..3].iter().sum::<f64>() / 3.0;
    let last = losses[27..].iter().sum::<f64>() / 3.0;
    eprintln!(
        "{name} on {device:?}: {first:.3} -> {last:.3} in {:.1}s ({} params)",
        t0.elapsed().as_secs_f64(),
        count_parameters(&model)
    );
    assert!(
        last < 0.7 * first,
        "{name} on {device:?}: loss {first} -> {last}: {losses:?}"
    );
}

#[test]
fn every_preset_learns_a_fixed_batch() {
    for &(name, kind) in PRESETS {
        learns_a_fixed_batch(name, kind, Device::Cpu);
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_preset_learns_a_fixed_batch_on_the_gpu() {
    let Some(gpu) = common::gpu::gpu_or_skip("every_preset_learns_a_fixed_batch_on_the_gpu") else {
        return;
    };
    for &(name, kind) in PRESETS {
        learns_a_fixed_batch(name, kind, gpu.device());
    }
}
