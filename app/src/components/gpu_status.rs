//! Tells the user which device will train their models, by actually running a kernel on it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pixelgrad::device::gpu::{saxpy, AdapterSummary, GpuContext, GpuError};

/// How many values the start-up kernel check uses: enough for several workgroups.
const CHECK_LEN: usize = 1000;

/// What the device check found.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Checking,
    Ready { adapter: String, checked: usize },
    Unavailable(String),
    Failed(String),
}

/// A panel that opens the WebGPU device, runs `y = 2x + y` on it and compares with the CPU.
#[component]
pub fn GpuStatus() -> impl IntoView {
    let status = RwSignal::new(Status::Checking);
    spawn_local(async move {
        status.set(check_device().await);
    });
    let state = move || match status.get() {
        Status::Checking => "checking",
        Status::Ready { .. } => "ready",
        Status::Unavailable(_) => "unavailable",
        Status::Failed(_) => "failed",
    };
    view! {
        <section class="panel gpu-status" data-testid="gpu-status" data-state=state aria-live="polite">
            <h2>"Your device"</h2>
            {move || match status.get() {
                Status::Checking => view! { <p>"Looking for a WebGPU adapter…"</p> }.into_any(),
                Status::Ready { adapter, checked } => view! {
                    <p class="ok">"WebGPU is available: models train on your GPU."</p>
                    <p>"Adapter: " <span data-testid="adapter">{adapter}</span></p>
                    <p data-testid="kernel-check">
                        {format!("Kernel check passed: y = 2x + y on {checked} values matches the CPU exactly.")}
                    </p>
                }.into_any(),
                Status::Unavailable(reason) => view! {
                    <p class="warn">"WebGPU is not available in this browser, so pixelgrad will train on your CPU instead (slower, but everything works)."</p>
                    <p class="detail">{reason}</p>
                    <p class="detail">"For GPU training use a recent Chrome or Edge, or enable WebGPU in your browser's settings."</p>
                }.into_any(),
                Status::Failed(reason) => view! {
                    <p class="error">"The GPU was found but a test kernel gave a wrong result or failed, so pixelgrad will use the CPU."</p>
                    <p class="detail">{reason}</p>
                }.into_any(),
            }}
        </section>
    }
}

async fn check_device() -> Status {
    let ctx = match GpuContext::new().await {
        Ok(ctx) => ctx,
        Err(GpuError::NoAdapter(reason)) => return Status::Unavailable(browser_reason(&reason)),
        Err(e) => return Status::Failed(e.to_string()),
    };
    let x: Vec<f32> = (0..CHECK_LEN).map(|i| i as f32 * 0.25 - 7.0).collect();
    let y: Vec<f32> = (0..CHECK_LEN).map(|i| (i % 13) as f32).collect();
    let want: Vec<f32> = x.iter().zip(&y).map(|(x, y)| 2.0 * x + y).collect();
    match saxpy(&ctx, 2.0, &x, &y).await {
        Ok(got) if got == want => Status::Ready {
            adapter: adapter_label(ctx.adapter()),
            checked: CHECK_LEN,
        },
        Ok(got) => {
            let bad = got.iter().zip(&want).position(|(g, w)| g != w).unwrap_or(0);
            Status::Failed(format!(
                "value {bad} was {} instead of {}",
                got.get(bad).copied().unwrap_or(f32::NAN),
                want[bad]
            ))
        }
        Err(e) => Status::Failed(e.to_string()),
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
    format!("The browser said: {}.", relevant.join("; "))
}
