//! Browser checks: WebGPU in headless Chromium (SwiftShader), run by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

mod common;

use common::lenet::{fixed_batch, train_step, LeNet};
use common::op_cases::{all_cases, compare, run_on};
use pixelgrad::device::gpu::{saxpy, Gpu, GpuContext};
use pixelgrad::device::{CpuStorage, Storage};
use pixelgrad::{Device, Tensor};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn webgpu_adapter_runs_saxpy() {
    let ctx = GpuContext::new()
        .await
        .expect("WebGPU adapter in headless Chromium");
    assert_eq!(ctx.adapter().backend, "BrowserWebGpu");
    let x: Vec<f32> = (0..257).map(|i| i as f32).collect();
    let y = vec![1.0f32; 257];
    let got = saxpy(&ctx, 3.0, &x, &y)
        .await
        .expect("saxpy runs in the browser");
    let want: Vec<f32> = x.iter().map(|x| 3.0 * x + 1.0).collect();
    assert_eq!(got, want);
}

#[wasm_bindgen_test]
async fn every_op_kind_matches_the_cpu_in_the_browser() {
    let gpu = Gpu::new()
        .await
        .expect("WebGPU adapter in headless Chromium");
    gpu.warm_up()
        .await
        .expect("every kernel compiles in Chromium (Tint)");
    let cases = all_cases();
    let mut failures = Vec::new();
    for c in &cases {
        let want = match run_on(c, Device::Cpu) {
            Ok(Storage::Cpu(s)) => match s.as_ref() {
                CpuStorage::F32(v) => v.clone(),
                CpuStorage::F64(_) => unreachable!("f32 inputs give f32 outputs"),
            },
            Ok(Storage::Gpu(_)) => unreachable!("CPU inputs stay on the CPU"),
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let got = match run_on(c, gpu.device()) {
            Ok(Storage::Gpu(g)) => g.read().await.map_err(|e| format!("{}: read: {e}", c.name)),
            Ok(Storage::Cpu(_)) => Err(format!("{}: result left the GPU", c.name)),
            Err(e) => Err(e),
        };
        if let Err(e) = got.and_then(|got| compare(c, &want, &got)) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[wasm_bindgen_test]
async fn gradients_run_on_webgpu_and_read_back_asynchronously() {
    let gpu = Gpu::new()
        .await
        .expect("WebGPU adapter in headless Chromium");
    let w = Tensor::from_vec(vec![0.5f32, -1.0, 2.0, 0.25], [2, 2])
        .and_then(|t| t.to_device(gpu.device()))
        .and_then(|t| t.requires_grad_())
        .expect("w on the GPU");
    let loss = w.square().and_then(|s| s.sum_all()).expect("forward");
    loss.backward().expect("backward");
    let g = w.grad().expect("gradient");
    assert_eq!(g.device(), gpu.device());
    assert!(
        g.to_vec_f32().is_err(),
        "a blocking read is refused in the browser"
    );
    assert_eq!(
        g.to_vec_async::<f32>().await.expect("async read"),
        vec![1.0, -2.0, 4.0, 0.5]
    );
    assert_eq!(loss.item_async().await.expect("loss"), 5.3125);
}

/// A few LeNet-5 training steps (batch 64) on WebGPU follow the CPU's losses; logs ms per step.
#[wasm_bindgen_test]
async fn lenet_steps_on_webgpu_follow_the_cpu() {
    const STEPS: usize = 4;
    let gpu = Gpu::new()
        .await
        .expect("WebGPU adapter in headless Chromium");
    let (x, y) = fixed_batch().expect("batch");
    let mut losses = [Vec::new(), Vec::new()];
    let mut gpu_ms = 0.0;
    for (k, device) in [Device::Cpu, gpu.device()].into_iter().enumerate() {
        let mut net = LeNet::new(device).expect("lenet");
        for step in 0..STEPS {
            let t0 = js_sys::Date::now();
            let loss = train_step(&mut net, &x, &y, device).expect("step");
            losses[k].push(loss.item_async().await.expect("loss") as f32);
            if k == 1 && step > 0 {
                gpu_ms += (js_sys::Date::now() - t0) / (STEPS - 1) as f64;
            }
        }
    }
    wasm_bindgen_test::console_log!("LeNet b64 on WebGPU: {gpu_ms:.1} ms/step; losses {losses:?}");
    for (c, g) in losses[0].iter().zip(&losses[1]) {
        assert!((c - g).abs() / c.abs() < 1e-3, "cpu {c} gpu {g}");
    }
}
