//! LeNet-5 trained for 20 SGD steps on the GPU follows the CPU's loss curve (relative difference
//! < 1e-3 per step): forward, backward and optimizer updates all run as WGSL kernels.
//! Prints the time per step on both devices (a smoke figure, not the benchmark).
#![cfg(not(target_arch = "wasm32"))]

use std::time::Instant;

use pixelgrad::device::gpu::{Gpu, GpuError};
use pixelgrad::{
    no_grad, Conv2dParams, CrossEntropyOptions, Device, Pool2dParams, Result, Rng, Tensor,
};

const BATCH: usize = 64;
const STEPS: usize = 20;

fn gpu_or_skip(test: &str) -> Option<Gpu> {
    match pollster::block_on(Gpu::new()) {
        Ok(gpu) => Some(gpu),
        Err(GpuError::NoAdapter(reason)) if std::env::var_os("REQUIRE_GPU").is_none() => {
            println!("skipping {test}: no GPU adapter ({reason})");
            None
        }
        Err(e) => panic!("{test}: GPU required (REQUIRE_GPU is set) but unavailable: {e}"),
    }
}

/// conv 1->6 5x5 pad 2, conv 6->16 5x5, fc 400->120->84->10 (fc weights stored [in, out]).
struct LeNet {
    params: Vec<Tensor>,
    velocity: Vec<Option<Tensor>>,
}

impl LeNet {
    fn new(device: Device) -> Result<LeNet> {
        let mut rng = Rng::new(42);
        let shapes: [(&[usize], usize); 10] = [
            (&[6, 1, 5, 5], 25),
            (&[6], 25),
            (&[16, 6, 5, 5], 150),
            (&[16], 150),
            (&[400, 120], 400),
            (&[120], 400),
            (&[120, 84], 120),
            (&[84], 120),
            (&[84, 10], 84),
            (&[10], 84),
        ];
        let params = shapes
            .iter()
            .map(|(shape, fan_in)| {
                let bound = 1.0 / (*fan_in as f32).sqrt();
                Tensor::uniform(shape.to_vec(), -bound, bound, &mut rng)
                    .to_device(device)?
                    .requires_grad_()
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LeNet {
            velocity: vec![None; params.len()],
            params,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let p = &self.params;
        let pool = Pool2dParams::square(2);
        let h = x.conv2d(
            &p[0],
            Some(&p[1]),
            Conv2dParams {
                padding: [2, 2],
                ..Default::default()
            },
        )?;
        let h = h.relu()?.max_pool2d(pool)?;
        let h = h
            .conv2d(&p[2], Some(&p[3]), Conv2dParams::default())?
            .relu()?
            .max_pool2d(pool)?;
        let h = h.flatten(1, -1)?;
        let h = h.matmul(&p[4])?.add(&p[5])?.relu()?;
        let h = h.matmul(&p[6])?.add(&p[7])?.relu()?;
        h.matmul(&p[8])?.add(&p[9])
    }

    /// SGD with momentum 0.9 (PyTorch semantics), as tensor ops on the parameters' device.
    fn sgd_step(&mut self, lr: f64) -> Result<()> {
        no_grad(|| {
            for (p, v) in self.params.iter().zip(self.velocity.iter_mut()) {
                let Some(g) = p.grad() else { continue };
                let nv = match v.take() {
                    Some(prev) => prev.mul_scalar(0.9)?.add(&g)?,
                    None => g,
                };
                p.set_data(&p.detach().sub(&nv.mul_scalar(lr)?)?)?;
                *v = Some(nv);
                p.zero_grad();
            }
            Ok(())
        })
    }
}

/// Losses of `STEPS` training steps on `device`, and the mean time per step after the first.
fn train(device: Device) -> Result<(Vec<f32>, f64)> {
    let mut net = LeNet::new(device)?;
    // One fixed batch, so the loss must fall (random labels would keep it near ln 10).
    let mut rng = Rng::new(7);
    let x = Tensor::uniform(vec![BATCH, 1, 28, 28], 0.0, 1.0, &mut rng);
    let labels: Vec<f32> = rng
        .uniform(BATCH, 0.0, 10.0)
        .iter()
        .map(|v| v.floor())
        .collect();
    let y = Tensor::from_vec(labels, [BATCH])?;
    let mut losses = Vec::new();
    let mut start = Instant::now();
    for step in 0..STEPS {
        if step == 1 {
            start = Instant::now();
        }
        // The batch is uploaded every step, as a data loader would.
        let loss = net
            .forward(&x.to_device(device)?)?
            .cross_entropy(&y, &CrossEntropyOptions::default())?;
        loss.backward()?;
        net.sgd_step(0.05)?;
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
