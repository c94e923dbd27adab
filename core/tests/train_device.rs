//! The shared training loop on the GPU: a zoo model moved in place with `move_to_device` trains
//! through `Trainer` (sync and async steps) on the same loss curve as on the CPU, and evaluates
//! to the same report.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::gpu::gpu_or_skip;
use pixelgrad::data::{Batch, Image, InMemoryDataset};
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::nn::move_to_device;
use pixelgrad::optim::{OptimizerSpec, SgdConfig};
use pixelgrad::train::{TrainConfig, Trainer};
use pixelgrad::{Device, Rng};

fn config() -> TrainConfig {
    TrainConfig {
        seed: 7,
        ..TrainConfig::new(
            1,
            OptimizerSpec::Sgd(SgdConfig {
                momentum: 0.9,
                ..SgdConfig::new(0.05)
            }),
        )
    }
}

fn batch(n: usize, seed: u64) -> Batch {
    let mut rng = Rng::new(seed);
    let images = rng.uniform(n * 28 * 28, 0.0, 1.0);
    Batch {
        images,
        shape: [n, 1, 28, 28],
        labels: (0..n).map(|i| i % 10).collect(),
        soft_targets: None,
        indices: (0..n).collect(),
    }
}

#[test]
fn lenet_bn_trains_on_the_gpu_like_on_the_cpu() {
    let Some(gpu) = gpu_or_skip("lenet_bn_trains_on_the_gpu_like_on_the_cpu") else {
        return;
    };
    let spec = ModelSpec::preset("lenet5_bn").expect("preset");
    let cpu_model = spec.build(InputSpec::GREY28, 10, 3).expect("builds");
    let gpu_model = spec.build(InputSpec::GREY28, 10, 3).expect("builds");
    move_to_device(&gpu_model, Device::Gpu(gpu.id())).expect("moves");
    let mut cpu = Trainer::new(&cpu_model, 10, config()).expect("trainer");
    let mut on_gpu = Trainer::new(gpu_model, 10, config()).expect("trainer");
    for step in 0..6 {
        let b = batch(16, step);
        let want = cpu.train_step(&b, 0).expect("cpu step").loss;
        let got = if step % 2 == 0 {
            on_gpu.train_step(&b, 0).expect("gpu step").loss
        } else {
            pollster::block_on(on_gpu.train_step_async(&b, 0))
                .expect("async gpu step")
                .loss
        };
        assert!(
            (got - want).abs() <= 1e-3 * want.abs(),
            "step {step}: gpu {got} vs cpu {want}"
        );
    }
    let mut data = InMemoryDataset::new((0..10).map(|c| c.to_string()).collect());
    let b = batch(20, 99);
    for (i, label) in b.labels.iter().enumerate() {
        let image =
            Image::new(1, 28, 28, b.images[i * 784..(i + 1) * 784].to_vec()).expect("image");
        data.push(image, *label).expect("push");
    }
    let want = cpu.evaluate(&data, 8, 0).expect("cpu eval");
    let got = pollster::block_on(on_gpu.evaluate_async(&data, 8, 0)).expect("gpu eval");
    assert_eq!(got.confusion, want.confusion);
    assert!(
        (got.loss - want.loss).abs() < 1e-3 * want.loss.abs(),
        "{} vs {}",
        got.loss,
        want.loss
    );
}
