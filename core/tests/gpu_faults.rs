//! Faults injected into a real GPU device (Mesa lavapipe in CI) through the paths real ones
//! take: a lost device and an out-of-memory allocation stop the next training step with an error
//! that says what happened and what to do, never a panic or silent zeros; and training goes on
//! on the CPU from the last checkpoint, with the loss it would have had on the GPU.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::gpu::gpu_or_skip;
use pixelgrad::data::Batch;
use pixelgrad::device::gpu::{GpuFault, InjectedFault};
use pixelgrad::io::{load_model, save_model};
use pixelgrad::models::{InputSpec, Model, ModelSpec};
use pixelgrad::nn::move_to_device;
use pixelgrad::train::{TrainConfig, Trainer};
use pixelgrad::{Device, Rng};

fn config() -> TrainConfig {
    serde_json::from_value(serde_json::json!({
        "epochs": 1, "max_steps": null,
        "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.0, "dampening": 0.0,
                      "nesterov": false, "weight_decay": 0.0},
        "schedule": {"kind": "constant"},
        "loader": {"batch_size": 16, "shuffle": true, "drop_last": false,
                   "augment": {"transforms": []}, "mix": null},
        "label_smoothing": 0.0, "clip_grad_norm": null, "early_stopping_patience": null,
        "seed": 7
    }))
    .expect("a valid TrainConfig")
}

fn batch(step: u64) -> Batch {
    let n = 16;
    let mut rng = Rng::new(100 + step);
    Batch {
        images: rng.uniform(n * 28 * 28, 0.0, 1.0),
        shape: [n, 1, 28, 28],
        labels: (0..n).map(|i| (i * 7 + step as usize) % 10).collect(),
        soft_targets: None,
        indices: (0..n).collect(),
    }
}

fn lenet() -> Model {
    ModelSpec::preset("lenet5")
        .expect("preset")
        .build(InputSpec::GREY28, 10, 3)
        .expect("builds")
}

/// Trains `steps` steps on a fresh GPU device and returns its checkpoint and the GPU handle.
fn gpu_run(
    test: &str,
    steps: u64,
) -> Option<(pixelgrad::device::gpu::Gpu, Trainer<Model>, Vec<u8>)> {
    let gpu = gpu_or_skip(test)?;
    let model = lenet();
    move_to_device(&model, Device::Gpu(gpu.id())).expect("moves to the GPU");
    let mut trainer = Trainer::new(model, 10, config()).expect("trainer");
    for step in 0..steps {
        trainer.train_step(&batch(step), 0).expect("a healthy step");
    }
    let checkpoint = save_model(trainer.model().net(), None).expect("checkpoint");
    Some((gpu, trainer, checkpoint))
}

/// The CPU run the recovered one must continue: the same steps, then the loss of the next one.
fn cpu_loss_after(steps: u64) -> f64 {
    let mut trainer = Trainer::new(lenet(), 10, config()).expect("trainer");
    for step in 0..steps {
        trainer.train_step(&batch(step), 0).expect("cpu step");
    }
    trainer.train_step(&batch(steps), 0).expect("cpu step").loss
}

fn resume_on_cpu(checkpoint: &[u8], step: u64) -> f64 {
    let model = lenet();
    load_model(model.net(), checkpoint, true).expect("the checkpoint loads");
    let mut trainer = Trainer::new(model, 10, config()).expect("trainer");
    trainer.train_step(&batch(step), 0).expect("cpu step").loss
}

#[test]
fn a_lost_device_stops_the_step_with_a_message_and_training_resumes_on_the_cpu() {
    let Some((gpu, mut trainer, checkpoint)) = gpu_run("lost device", 3) else {
        return;
    };
    gpu.context().inject_fault(InjectedFault::DeviceLost);
    let err = trainer
        .train_step(&batch(3), 0)
        .expect_err("a step on a lost device fails");
    let message = err.to_string();
    assert!(message.contains("GPU device was lost"), "{message}");
    assert!(matches!(gpu.context().fault(), Some(GpuFault::Lost(_))));
    let resumed = resume_on_cpu(&checkpoint, 3);
    let want = cpu_loss_after(3);
    assert!(
        (resumed - want).abs() <= 1e-3 * want.abs(),
        "resumed {resumed} vs uninterrupted {want}"
    );
}

#[test]
fn out_of_memory_suggests_a_smaller_batch_and_keeps_the_checkpoint() {
    let Some((gpu, mut trainer, checkpoint)) = gpu_run("out of memory", 2) else {
        return;
    };
    gpu.context().inject_fault(InjectedFault::OutOfMemory);
    let err = trainer
        .train_step(&batch(2), 0)
        .expect_err("a step after running out of memory fails");
    let message = err.to_string();
    assert!(message.contains("smaller batch"), "{message}");
    let resumed = resume_on_cpu(&checkpoint, 2);
    let want = cpu_loss_after(2);
    assert!(
        (resumed - want).abs() <= 1e-3 * want.abs(),
        "resumed {resumed} vs uninterrupted {want}"
    );
}
