//! Finds the device training will use, by running a real kernel on it rather than trusting
//! that an adapter exists.

use pixelgrad::device::gpu::{saxpy, AdapterSummary, Gpu, GpuContext, GpuError};

use super::protocol::{Backend, DeviceReport};

/// How many values the kernel check uses: enough for several workgroups.
const CHECK_LEN: usize = 1000;

/// Opens WebGPU, checks `y = 2x + y` against the CPU, then compiles every training kernel (a
/// browser whose shader compiler rejects one would otherwise train on zeros); any failure means
/// the CPU fallback, with the reason shown.
pub async fn probe_device() -> (DeviceReport, Option<Gpu>) {
    let (report, ctx) = check_adapter().await;
    let Some(ctx) = ctx else {
        return (report, None);
    };
    let gpu = Gpu::from_context(ctx);
    match gpu.warm_up().await {
        Ok(()) => (report, Some(gpu)),
        Err(e) => (
            cpu_report(format!(
                "this browser's WebGPU rejected one of pixelgrad's kernels ({e})"
            )),
            None,
        ),
    }
}

async fn check_adapter() -> (DeviceReport, Option<GpuContext>) {
    let ctx = match GpuContext::new().await {
        Ok(ctx) => ctx,
        Err(GpuError::NoAdapter(reason)) => return (cpu_report(browser_reason(&reason)), None),
        Err(e) => return (cpu_report(e.to_string()), None),
    };
    let x: Vec<f32> = (0..CHECK_LEN).map(|i| i as f32 * 0.25 - 7.0).collect();
    let y: Vec<f32> = (0..CHECK_LEN).map(|i| (i % 13) as f32).collect();
    let want: Vec<f32> = x.iter().zip(&y).map(|(x, y)| 2.0 * x + y).collect();
    match saxpy(&ctx, 2.0, &x, &y).await {
        Ok(got) if got == want => {
            let report = DeviceReport {
                backend: Backend::WebGpu,
                adapter: adapter_label(ctx.adapter()),
                fallback_reason: None,
                kernel_check: Some(format!(
                    "Kernel check passed: y = 2x + y on {CHECK_LEN} values matches the CPU exactly."
                )),
            };
            (report, Some(ctx))
        }
        Ok(got) => {
            let bad = got.iter().zip(&want).position(|(g, w)| g != w).unwrap_or(0);
            let reason = format!(
                "the GPU's test kernel gave a wrong result (value {bad} was {} instead of {})",
                got.get(bad).copied().unwrap_or(f32::NAN),
                want[bad]
            );
            (cpu_report(reason), None)
        }
        Err(e) => (
            cpu_report(format!("the GPU's test kernel failed: {e}")),
            None,
        ),
    }
}

fn cpu_report(reason: String) -> DeviceReport {
    DeviceReport {
        backend: Backend::Cpu,
        adapter: super::cpu_helper::cpu_label(),
        fallback_reason: Some(reason),
        kernel_check: None,
    }
}

/// Names the adapter in words: browsers hide adapter names, and a `Cpu` device type means a
/// software renderer (SwiftShader, lavapipe), which users should know is not their real GPU.
fn adapter_label(adapter: &AdapterSummary) -> String {
    let api = if adapter.backend == "BrowserWebGpu" {
        "browser WebGPU".to_string()
    } else {
        adapter.backend.clone()
    };
    let kind = match adapter.device_type.as_str() {
        "DiscreteGpu" => "discrete GPU",
        "IntegratedGpu" => "integrated GPU",
        "Cpu" => "software renderer on the CPU",
        "VirtualGpu" => "virtual GPU",
        _ => "GPU",
    };
    let name = if adapter.name.is_empty() {
        String::new()
    } else {
        format!(" {}", adapter.name)
    };
    format!("{api}, {kind}{name}")
}

/// wgpu lists every backend it was not built with; only the browser's own answer helps users.
fn browser_reason(reason: &str) -> String {
    let relevant: Vec<&str> = reason
        .split([',', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty() && !part.ends_with("not compiled in"))
        .collect();
    format!(
        "WebGPU is not available in this browser (the browser said: {}).",
        relevant.join("; ")
    )
}
