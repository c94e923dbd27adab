//! Tells the user which device will train their models, as found by the training worker running
//! a real kernel on it.

use leptos::prelude::*;

use crate::components::kernel_times::KernelTimesPanel;
use crate::worker::client::{WorkerClient, WorkerStatus};
use crate::worker::protocol::{AutoPick, Backend};

/// The Auto choice's result in words, e.g. "Auto picked CPU: 12 ms/step vs WebGPU 480 ms/step".
pub fn describe_pick(pick: &AutoPick) -> String {
    let ms = |v: Option<f64>| {
        v.map_or("not timed".to_string(), |v| match v < 10.0 {
            true => format!("{v:.1} ms/step"),
            false => format!("{v:.0} ms/step"),
        })
    };
    let (won, won_ms, lost, lost_ms) = match pick.picked {
        Backend::WebGpu => ("WebGPU", pick.gpu_ms, "CPU", pick.cpu_ms),
        Backend::Cpu => ("CPU", pick.cpu_ms, "WebGPU", pick.gpu_ms),
    };
    let mut text = format!(
        "Auto picked {won}: {} vs {lost} {}",
        ms(won_ms),
        ms(lost_ms)
    );
    if let Some(note) = &pick.note {
        text.push_str(&format!(" ({note})"));
    }
    text
}

/// Bytes for people: "12,975,872 bytes (12.4 MiB)".
pub fn describe_bytes(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!(
        "{grouped} bytes ({:.1} MiB)",
        bytes as f64 / (1024.0 * 1024.0)
    )
}

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
                    <RunDevice />
                }.into_any(),
                (_, Some(report)) => view! {
                    <p class="warn">"WebGPU is not available in this browser, so pixelgrad will train on your CPU instead (slower, but everything works)."</p>
                    <p class="detail">{report.fallback_reason}</p>
                    <p>"Trains on: " <span data-testid="adapter">{report.adapter}</span></p>
                    <p class="detail">"For GPU training use a recent Chrome or Edge, or enable WebGPU in your browser's settings."</p>
                }.into_any(),
            }}
            <KernelTimesPanel />
        </section>
    }
}

/// What the current run measured about the device: the Auto pick and the GPU memory its
/// tensors hold.
#[component]
fn RunDevice() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let pick = move || {
        worker
            .training
            .with(|t| t.auto_pick.as_ref().map(describe_pick))
    };
    let memory = move || {
        worker
            .training
            .with(|t| t.gpu_memory_bytes)
            .map(describe_bytes)
    };
    view! {
        {move || pick().map(|text| view! { <p data-testid="auto-pick">{text}</p> })}
        {move || memory().map(|text| view! { <p data-testid="gpu-memory">"GPU memory in use: " {text}</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pick_names_the_winner_first() {
        let pick = AutoPick {
            picked: Backend::Cpu,
            cpu_ms: Some(12.2),
            gpu_ms: Some(480.0),
            note: None,
        };
        assert_eq!(
            describe_pick(&pick),
            "Auto picked CPU: 12 ms/step vs WebGPU 480 ms/step"
        );
    }

    #[test]
    fn small_times_keep_a_decimal() {
        let pick = AutoPick {
            picked: Backend::Cpu,
            cpu_ms: Some(1.24),
            gpu_ms: None,
            note: Some("WebGPU could not train it: no adapter".into()),
        };
        assert_eq!(
            describe_pick(&pick),
            "Auto picked CPU: 1.2 ms/step vs WebGPU not timed (WebGPU could not train it: no adapter)"
        );
    }

    #[test]
    fn bytes_are_grouped_by_thousands() {
        assert_eq!(describe_bytes(12_975_872), "12,975,872 bytes (12.4 MiB)");
        assert_eq!(describe_bytes(512), "512 bytes (0.0 MiB)");
    }
}
