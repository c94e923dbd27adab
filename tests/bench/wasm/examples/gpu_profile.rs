//! Native profile of the browser benchmark's workloads on `Device::Gpu`: ms per step, dispatches
//! and submits per step, the losses (which must match the CPU's), and where the adapter has
//! timestamp queries the slowest kernels per step. Run it on Chromium's own
//! SwiftShader to see what the browser's WebGPU sees:
//! `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json cargo run --release -p pixelgrad-bench --example gpu_profile [lenet|mlp|matmul] [steps]`
#![cfg(not(target_arch = "wasm32"))]

use std::time::Instant;

use pixelgrad::device::gpu::Gpu;
use pixelgrad::Device;
use pixelgrad_bench::workloads::{Matmul, Model, Trainer};

/// Kernels listed per workload by the timestamp profile.
const TOP_KERNELS: usize = 8;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("all", String::as_str);
    let steps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let gpu = pollster::block_on(Gpu::new())?;
    pollster::block_on(gpu.warm_up())?;
    println!("adapter {}", gpu.context().adapter());
    for (name, model) in [("lenet", Model::LeNet), ("mlp", Model::Mlp)] {
        if which != "all" && which != name {
            continue;
        }
        let mut cpu = Trainer::new(model, Device::Cpu)?;
        let mut t = Trainer::new(model, gpu.device())?;
        let before = gpu.stats();
        let mut times = Vec::new();
        for step in 0..steps {
            let start = Instant::now();
            let loss = t.step()?;
            gpu.flush();
            let l = loss.item()?;
            times.push(start.elapsed().as_secs_f64() * 1e3);
            let c = cpu.step()?.item()?;
            if step < 3 || step + 1 == steps {
                println!("{name} step {step}: gpu loss {l:.6} cpu loss {c:.6}");
            }
        }
        let after = gpu.stats();
        times.sort_by(f64::total_cmp);
        println!(
            "{name}: median {:.2} ms/step, {:.1} dispatches, {:.1} submits per step",
            times[times.len() / 2],
            (after.dispatches - before.dispatches) as f64 / steps as f64,
            (after.submits - before.submits) as f64 / steps as f64
        );
        print_kernel_times(&gpu, &mut t, name, steps.min(5))?;
    }
    if which == "all" || which == "matmul" {
        let m = Matmul::new(1024, gpu.device())?;
        let mut times = Vec::new();
        for _ in 0..steps.min(5) {
            let start = Instant::now();
            let c = m.run()?;
            gpu.flush();
            let v = c.to_vec::<f32>()?[0];
            times.push(start.elapsed().as_secs_f64() * 1e3);
            println!("matmul c[0] {v}");
        }
        times.sort_by(f64::total_cmp);
        let ms = times[times.len() / 2];
        println!(
            "matmul: median {ms:.1} ms, {:.2} GFLOP/s",
            2.0 * 1024f64.powi(3) / ms / 1e6
        );
    }
    Ok(())
}

/// Times `steps` more steps kernel by kernel with timestamp queries (where the adapter has them)
/// and prints the slowest kernels per step.
fn print_kernel_times(
    gpu: &Gpu,
    t: &mut Trainer,
    name: &str,
    steps: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    if let Err(e) = gpu.start_profiling() {
        println!("{name}: {e}");
        return Ok(());
    }
    for _ in 0..steps {
        t.step()?.item()?;
    }
    let profile = pollster::block_on(gpu.finish_profiling())?;
    let per_step = |v: f64| v / steps as f64;
    println!(
        "{name}: GPU time {:.0} us/step in {:.0} kernel passes (timestamp queries, {steps} steps)",
        per_step(profile.total_us),
        per_step(profile.passes as f64)
    );
    for k in profile.kernels.iter().take(TOP_KERNELS) {
        println!(
            "  {:<28} {:>4.0}x {:>10.1} us/step {:>5.1}%",
            k.name,
            per_step(k.count as f64),
            per_step(k.total_us),
            k.share * 100.0
        );
    }
    Ok(())
}
