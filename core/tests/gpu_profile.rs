//! The opt-in kernel profiler: a few LeNet-5 steps timed with timestamp queries give per-kernel
//! totals named after real kernels, with times above zero; off, it changes nothing. Prints the
//! top kernels (the figure the "where does the time go" panel shows).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::gpu::gpu_or_skip;
use common::lenet::{fixed_batch, train_step, LeNet};
use pixelgrad::device::gpu::{Gpu, ProfileError, ShaderId};

const STEPS: usize = 3;

/// Runs `steps` LeNet steps on `gpu`, reading each loss back; returns the losses.
fn run(gpu: &Gpu, net: &mut LeNet, steps: usize) -> Vec<f64> {
    let (x, y) = fixed_batch().expect("batch");
    (0..steps)
        .map(|_| {
            let loss = train_step(net, &x, &y, gpu.device()).expect("step");
            loss.item().expect("loss")
        })
        .collect()
}

#[test]
fn profiled_lenet_steps_report_real_kernels_with_positive_times() {
    let Some(gpu) = gpu_or_skip("profiled_lenet_steps_report_real_kernels_with_positive_times")
    else {
        return;
    };
    if !gpu.has_timestamps() {
        let err = gpu
            .start_profiling()
            .expect_err("no timestamps, no profile");
        assert!(matches!(err, ProfileError::NotAvailable(_)), "{err}");
        assert!(std::env::var_os("REQUIRE_TIMESTAMPS").is_none(), "{err}");
        println!("skipping: {err}");
        return;
    }
    let mut net = LeNet::new(gpu.device()).expect("net");
    let mut reference = LeNet::new(gpu.device()).expect("net");
    run(&gpu, &mut net, 1);
    run(&gpu, &mut reference, 1);
    let before = gpu.stats().dispatches;
    gpu.start_profiling().expect("timestamps available");
    let profiled = run(&gpu, &mut net, STEPS);
    let dispatches = gpu.stats().dispatches - before;
    let profile = pollster::block_on(gpu.finish_profiling()).expect("profile");
    // Timing does not change results: the same steps unprofiled give the same losses.
    assert_eq!(run(&gpu, &mut reference, STEPS), profiled);

    println!(
        "adapter {}: {} passes, {:.0} us per step",
        gpu.context().adapter(),
        profile.passes,
        profile.total_us / STEPS as f64
    );
    for k in profile.kernels.iter().take(10) {
        println!(
            "{:>28} {:>4}x {:>10.1} us/step {:>5.1}%",
            k.name,
            k.count / STEPS as u64,
            k.total_us / STEPS as f64,
            k.share * 100.0
        );
    }
    assert_eq!(profile.passes, dispatches, "one timed pass per dispatch");
    let entries: Vec<&str> = ShaderId::ALL.iter().flat_map(|s| s.entries()).collect();
    for k in &profile.kernels {
        assert!(
            k.name.split(' ').any(|word| entries.contains(&word)),
            "{} names no WGSL entry point of {entries:?}",
            k.name
        );
        assert!(k.count > 0);
    }
    let names: Vec<&str> = profile.kernels.iter().map(|k| k.name).collect();
    for expected in ["conv", "matmul gemm", "relu"] {
        assert!(
            names.iter().any(|n| n.contains(expected)),
            "{expected} missing from {names:?}"
        );
    }
    assert!(profile.total_us > 0.0);
    assert!(profile.kernels[0].total_us > 0.0);
    let shares: f64 = profile.kernels.iter().map(|k| k.share).sum();
    assert!((shares - 1.0).abs() < 1e-9, "shares sum to {shares}");
    let timed = profile.kernels.iter().filter(|k| k.total_us > 0.0).count();
    assert!(
        timed * 2 >= profile.kernels.len(),
        "most kernels took measurable time: {:?}",
        profile.kernels
    );

    // Finished means off: finishing again says so, and new steps record nothing.
    assert!(matches!(
        pollster::block_on(gpu.finish_profiling()),
        Err(ProfileError::NotStarted)
    ));
}
