//! "Where does the time go": on a WebGPU run, times a few training steps kernel by kernel with
//! GPU timestamp queries and lists the slowest kernels; otherwise says in one line why not.

use leptos::prelude::*;

use crate::worker::client::{RunState, WorkerClient};
use crate::worker::protocol::{Backend, Command, KernelTimes, DEFAULT_TIMED_STEPS};

/// Kernels listed; the rest are summed into one row.
const TOP: usize = 8;

/// Microseconds for people: "812 µs", "12.4 ms".
pub fn describe_us(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

/// Why the current state cannot be timed, or `None` when a WebGPU run is going.
fn reason_not_timed(
    device: Option<Backend>,
    run: Option<Backend>,
    state: &RunState,
) -> Option<&'static str> {
    match (device, run, state) {
        (Some(Backend::Cpu), _, _) => {
            Some("Per-kernel timing needs WebGPU; this browser trains on the CPU.")
        }
        (_, Some(Backend::Cpu), RunState::Running | RunState::Paused) => {
            Some("This run trains on the CPU; per-kernel timing is for runs on WebGPU.")
        }
        (_, Some(Backend::WebGpu), RunState::Running | RunState::Paused) => None,
        _ => Some("Start a run on WebGPU to see which kernels its steps spend their time in."),
    }
}

/// The top kernels, slowest first, and what the rest add up to: `(name, calls/step, time/step, share)`.
fn top_rows(times: &KernelTimes) -> Vec<(String, String, String, String)> {
    let row = |name: String, per_step: f64, us: f64, share: f64| {
        (
            name,
            format!("{per_step:.0}"),
            describe_us(us),
            format!("{:.0}%", share * 100.0),
        )
    };
    let mut rows: Vec<_> = times
        .kernels
        .iter()
        .take(TOP)
        .map(|k| row(k.name.clone(), k.per_step, k.us_per_step, k.share))
        .collect();
    let rest = &times.kernels[times.kernels.len().min(TOP)..];
    if !rest.is_empty() {
        rows.push(row(
            format!("{} other kernels", rest.len()),
            rest.iter().map(|k| k.per_step).sum(),
            rest.iter().map(|k| k.us_per_step).sum(),
            rest.iter().map(|k| k.share).sum(),
        ));
    }
    rows
}

/// The panel: a button that times the next steps of the WebGPU run, then its kernels by time.
#[component]
pub fn KernelTimesPanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let asked = RwSignal::new(false);
    let reason = move || {
        let device = worker.device.with(|d| d.as_ref().map(|d| d.backend));
        worker
            .training
            .with(|t| reason_not_timed(device, t.backend, &t.state))
    };
    let time = move |_| {
        asked.set(true);
        worker.kernel_times.set(None);
        worker.send(&Command::TimeKernels {
            steps: DEFAULT_TIMED_STEPS,
        });
    };
    let waiting = move || asked.get() && worker.kernel_times.with(Option::is_none);
    let answer = move || {
        worker.kernel_times.get().map(|times| match &times.unavailable {
            Some(why) => view! { <p class="detail" data-testid="kernel-times-reason">{why.clone()}</p> }.into_any(),
            None => {
                let caption = format!(
                    "GPU time per step: {} over {} steps (calls and times per step)",
                    describe_us(times.us_per_step),
                    times.steps
                );
                let rows = top_rows(&times)
                    .into_iter()
                    .map(|(name, calls, us, share)| {
                        view! { <tr><th scope="row">{name}</th><td>{calls}</td><td>{us}</td><td>{share}</td></tr> }
                    })
                    .collect_view();
                view! {
                    <table class="metrics" data-testid="kernel-times-table">
                        <caption>{caption}</caption>
                        <thead><tr><th scope="col">"Kernel"</th><th scope="col">"Calls"</th><th scope="col">"Time"</th><th scope="col">"Share"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }
        })
    };
    view! {
        <div class="kernel-times" data-testid="kernel-times">
            <h3>"Where does the time go"</h3>
            {move || reason().map(|why| view! { <p class="detail" data-testid="kernel-times-reason">{why}</p> })}
            {move || reason().is_none().then(|| view! {
                <button type="button" class="button" data-testid="time-kernels" on:click=time disabled=waiting>
                    {format!("Time {DEFAULT_TIMED_STEPS} steps kernel by kernel")}
                </button>
            })}
            {move || waiting().then(|| view! { <p class="detail">"Timing the next steps on the GPU…"</p> })}
            {answer}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::protocol::KernelRow;

    fn kernel(name: &str, us: f64, share: f64) -> KernelRow {
        KernelRow {
            name: name.into(),
            per_step: 2.0,
            us_per_step: us,
            share,
        }
    }

    #[test]
    fn the_slowest_kernels_are_listed_and_the_rest_summed() {
        let mut kernels = vec![kernel("conv gemm forward", 1500.0, 0.5)];
        kernels.extend((0..9).map(|i| kernel(&format!("k{i}"), 100.0, 0.05)));
        let times = KernelTimes {
            steps: 5,
            kernels,
            us_per_step: 3000.0,
            unavailable: None,
        };
        let rows = top_rows(&times);
        assert_eq!(rows.len(), TOP + 1);
        assert_eq!(
            rows[0],
            (
                "conv gemm forward".into(),
                "2".into(),
                "1.5 ms".into(),
                "50%".into()
            )
        );
        assert_eq!(
            rows[TOP],
            (
                "2 other kernels".into(),
                "4".into(),
                "200 µs".into(),
                "10%".into()
            )
        );
    }

    #[test]
    fn only_a_webgpu_run_can_be_timed() {
        let gpu = Some(Backend::WebGpu);
        assert_eq!(reason_not_timed(gpu, gpu, &RunState::Running), None);
        assert_eq!(reason_not_timed(gpu, gpu, &RunState::Paused), None);
        assert!(
            reason_not_timed(gpu, Some(Backend::Cpu), &RunState::Running)
                .is_some_and(|r| r.contains("CPU"))
        );
        assert!(reason_not_timed(Some(Backend::Cpu), None, &RunState::Idle)
            .is_some_and(|r| r.contains("WebGPU")));
        assert!(reason_not_timed(gpu, gpu, &RunState::Idle).is_some());
    }
}
