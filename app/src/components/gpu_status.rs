//! Tells the user which device will train their models, as found by the training worker running
//! a real kernel on it.

use leptos::prelude::*;

use crate::worker::client::{WorkerClient, WorkerStatus};
use crate::worker::protocol::Backend;

/// The device panel: checking, WebGPU ready, CPU fallback (with why), or a worker failure with a
/// restart button.
#[component]
pub fn GpuStatus() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let state = move || match (worker.status.get(), worker.device.get()) {
        (WorkerStatus::Failed(_) | WorkerStatus::Crashed(_), _) => "failed",
        (_, None) => "checking",
        (_, Some(report)) if report.backend == Backend::WebGpu => "ready",
        (_, Some(_)) => "unavailable",
    };
    view! {
        <section class="panel gpu-status" data-testid="gpu-status" data-state=state aria-live="polite">
            <h2>"Your device"</h2>
            {move || match (worker.status.get(), worker.device.get()) {
                (WorkerStatus::Failed(reason) | WorkerStatus::Crashed(reason), _) => view! {
                    <p class="error">"The training worker is not running, so nothing can train right now."</p>
                    <p class="detail">{reason}</p>
                    <button type="button" class="button" on:click=move |_| worker.restart()>"Restart the worker"</button>
                }.into_any(),
                (_, None) => view! { <p>"Looking for a WebGPU adapter…"</p> }.into_any(),
                (_, Some(report)) if report.backend == Backend::WebGpu => view! {
                    <p class="ok">"WebGPU is available: models train on your GPU, in a background worker."</p>
                    <p>"Adapter: " <span data-testid="adapter">{report.adapter}</span></p>
                    <p data-testid="kernel-check">{report.kernel_check}</p>
                }.into_any(),
                (_, Some(report)) => view! {
                    <p class="warn">"WebGPU is not available in this browser, so pixelgrad will train on your CPU instead (slower, but everything works)."</p>
                    <p class="detail">{report.fallback_reason}</p>
                    <p class="detail">"For GPU training use a recent Chrome or Edge, or enable WebGPU in your browser's settings."</p>
                }.into_any(),
            }}
        </section>
    }
}
