//! Every op on the GPU (Vulkan on Mesa lavapipe in CI) against the CPU reference, plus the
//! runtime's promises: buffers are reused, dispatches are batched, gradients run on the GPU.
//!
//! Skips only when no adapter exists and `REQUIRE_GPU` is not set.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::gpu::gpu_or_skip;
use common::op_cases::{all_cases, compare, run_on};
use pixelgrad::device::{CpuStorage, Storage};
use pixelgrad::{Device, Tensor};

fn values(s: &Storage) -> Vec<f32> {
    match s {
        Storage::Cpu(c) => match c.as_ref() {
            CpuStorage::F32(v) => v.clone(),
            CpuStorage::F64(v) => v.iter().map(|&x| x as f32).collect(),
        },
        Storage::Gpu(g) => g.read_blocking().expect("read back"),
    }
}

#[test]
fn every_op_kind_matches_the_cpu_on_the_gpu() {
    let Some(gpu) = gpu_or_skip("every_op_kind_matches_the_cpu_on_the_gpu") else {
        return;
    };
    println!("adapter: {}", gpu.context().adapter());
    pollster::block_on(gpu.warm_up()).expect("every kernel compiles on this adapter");
    let cases = all_cases();
    let mut failures = Vec::new();
    for c in &cases {
        let result = run_on(c, Device::Cpu).and_then(|want| {
            let got = run_on(c, gpu.device())?;
            if got.device() != gpu.device() {
                return Err(format!("{}: result left the GPU", c.name));
            }
            compare(c, &values(&want), &values(&got))
        });
        if let Err(e) = result {
            failures.push(e);
        }
    }
    println!("{} cases, {:?}", cases.len(), gpu.stats());
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn steady_state_reuses_buffers_and_batches_dispatches() {
    let Some(gpu) = gpu_or_skip("steady_state_reuses_buffers_and_batches_dispatches") else {
        return;
    };
    let x = Tensor::from_vec(
        (0..1000).map(|i| i as f32 * 1e-3).collect::<Vec<_>>(),
        [10, 100],
    )
    .and_then(|t| t.to_device(gpu.device()))
    .expect("upload");
    let step = || -> Vec<f32> {
        let y = x
            .exp()
            .and_then(|y| y.mul(&x))
            .and_then(|y| y.sum(&[1], false))
            .expect("ops");
        y.to_vec_f32().expect("read")
    };
    // Two warm-up steps: the first fills the pool, the second settles the order in which freed
    // buffers come back, after which every step binds the same buffers.
    let first = step();
    step();
    let before = gpu.stats();
    let second = step();
    let after = gpu.stats();
    assert_eq!(
        first, second,
        "same inputs, same results (deterministic kernels)"
    );
    assert_eq!(
        after.pool.created, before.pool.created,
        "second step allocated: {before:?} -> {after:?}"
    );
    assert_eq!(
        after.pipelines, before.pipelines,
        "pipelines are compiled once"
    );
    assert_eq!(
        after.bind_groups, before.bind_groups,
        "bind groups come from the cache"
    );
    assert_eq!(
        after.submits - before.submits,
        1,
        "three ops and a read-back make one submit"
    );
}

#[test]
fn f64_tensors_cannot_move_to_the_gpu() {
    let Some(gpu) = gpu_or_skip("f64_tensors_cannot_move_to_the_gpu") else {
        return;
    };
    let t = Tensor::from_vec(vec![1.0f64, 2.0], [2]).expect("cpu tensor");
    let err = t.to_device(gpu.device()).expect_err("f64 on the GPU");
    assert!(err.to_string().contains("dtype"), "{err}");
}

#[test]
fn gradients_run_on_the_gpu_and_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("gradients_run_on_the_gpu_and_match_the_cpu") else {
        return;
    };
    let run = |device: Device| -> (Vec<f32>, Vec<f32>, f32) {
        let w = Tensor::from_vec(
            (0..12).map(|i| (i as f32 - 5.0) * 0.1).collect::<Vec<_>>(),
            [3, 4],
        )
        .and_then(|t| t.to_device(device))
        .and_then(|t| t.requires_grad_())
        .expect("w");
        let x = Tensor::from_vec(
            (0..20).map(|i| (i as f32 * 0.37).sin()).collect::<Vec<_>>(),
            [5, 4],
        )
        .and_then(|t| t.to_device(device))
        .and_then(|t| t.requires_grad_())
        .expect("x");
        let loss = x
            .matmul(&w.transpose(0, 1).expect("t"))
            .and_then(|h| h.tanh())
            .and_then(|h| h.log_softmax(1))
            .and_then(|h| h.mean_all())
            .expect("forward");
        assert_eq!(loss.device(), device);
        loss.backward().expect("backward");
        let gw = w.grad().expect("w grad");
        assert_eq!(
            gw.device(),
            device,
            "gradient computed on the tensor's device"
        );
        (
            gw.to_vec_f32().expect("gw"),
            x.grad().expect("x grad").to_vec_f32().expect("gx"),
            loss.item().expect("loss") as f32,
        )
    };
    let (cw, cx, cl) = run(Device::Cpu);
    let (gw, gx, gl) = run(gpu.device());
    assert!((cl - gl).abs() < 1e-5, "loss cpu {cl} gpu {gl}");
    for (name, c, g) in [("dw", cw, gw), ("dx", cx, gx)] {
        for (i, (a, b)) in c.iter().zip(&g).enumerate() {
            assert!(
                (a - b).abs() < 1e-5 + 1e-4 * a.abs(),
                "{name}[{i}]: cpu {a} gpu {b}"
            );
        }
    }
}

#[test]
fn same_seed_same_dropout_mask_on_cpu_and_gpu() {
    let Some(gpu) = gpu_or_skip("same_seed_same_dropout_mask_on_cpu_and_gpu") else {
        return;
    };
    let x = Tensor::ones([7, 33]);
    let run = |device: Device| {
        let mut rng = pixelgrad::Rng::new(1234);
        let t = x.to_device(device).expect("move");
        let y = t.dropout(0.3, true, &mut rng).expect("dropout");
        assert_eq!(y.device(), device);
        y.to_vec_f32().expect("read")
    };
    let (cpu, on_gpu) = (run(Device::Cpu), run(gpu.device()));
    assert_eq!(
        cpu, on_gpu,
        "the Philox stream decides the mask, not the device"
    );
    assert!(cpu.contains(&0.0) && cpu.iter().any(|&v| v > 1.0));
}
