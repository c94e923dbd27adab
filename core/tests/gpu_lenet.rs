//! LeNet-5 trained for 20 SGD steps on the GPU follows the CPU's loss curve (relative difference
//! < 1e-3 per step): forward, backward and optimizer updates all run as WGSL kernels.
//! Prints the time per step on both devices (a smoke figure, not the benchmark).
#![cfg(not(target_arch = "wasm32"))]

use std::time::Instant;

mod common;

use common::gpu::gpu_or_skip;
use common::lenet::{fixed_batch, train_step, LeNet};
use pixelgrad::{Device, Result};

const STEPS: usize = 20;

/// Losses of `STEPS` training steps on `device`, and the mean time per step after the first.
fn train(device: Device) -> Result<(Vec<f32>, f64)> {
    let mut net = LeNet::new(device)?;
    let (x, y) = fixed_batch()?;
    let mut losses = Vec::new();
    let mut start = Instant::now();
    for step in 0..STEPS {
        if step == 1 {
            start = Instant::now();
        }
        let loss = train_step(&mut net, &x, &y, device)?;
        losses.push(loss.item()? as f32);
    }
    Ok((
        losses,
        start.elapsed().as_secs_f64() * 1e3 / (STEPS - 1) as f64,
    ))
}

#[test]
fn lenet_training_on_the_gpu_follows_the_cpu_loss_curve() {
    let Some(gpu) = gpu_or_skip("lenet_training_on_the_gpu_follows_the_cpu_loss_curve") else {
        return;
    };
    let (cpu, cpu_ms) = train(Device::Cpu).expect("cpu training");
    let (gpu_losses, gpu_ms) = train(gpu.device()).expect("gpu training");
    println!(
        "adapter {}: cpu {cpu_ms:.1} ms/step, gpu {gpu_ms:.1} ms/step",
        gpu.context().adapter()
    );
    println!("{:?}", gpu.stats());
    for (step, (c, g)) in cpu.iter().zip(&gpu_losses).enumerate() {
        let rel = (c - g).abs() / c.abs().max(1e-6);
        assert!(rel < 1e-3, "step {step}: cpu loss {c}, gpu loss {g} (rel {rel:.2e})\ncpu {cpu:?}\ngpu {gpu_losses:?}");
    }
    assert!(cpu[STEPS - 1] < cpu[0], "the loss decreases: {cpu:?}");
}
