//! "Where does the time go": times the running loop's GPU kernels over its next few steps with
//! the core's timestamp-query profiler, and turns the totals into per-step rows for the page.
//! The training loop only counts its steps ([`note_step`]); the profiler is on only while a
//! timing runs, so an untimed run pays nothing.

use std::cell::Cell;

use pixelgrad::device::gpu::{Gpu, KernelProfile};

use super::protocol::{KernelRow, KernelTimes};
use super::train_loop::sleep_ms;

/// A timing ends after this long without a step (the run was paused), with what it has.
const IDLE_LIMIT_MS: f64 = 5_000.0;
/// Most steps one timing covers.
const MAX_STEPS: u32 = 100;

thread_local! {
    /// Training steps taken in this worker, counted by the loop.
    static STEPS_TAKEN: Cell<u64> = const { Cell::new(0) };
    /// Whether a timing is under way (one at a time: the profiler is per device).
    static TIMING: Cell<bool> = const { Cell::new(false) };
}

/// Called by the training loop after every step.
pub(super) fn note_step() {
    STEPS_TAKEN.with(|s| s.set(s.get() + 1));
}

fn steps_taken() -> u64 {
    STEPS_TAKEN.with(Cell::get)
}

/// Times the kernels of the next `steps` training steps on `gpu` (the device the worker opened)
/// while `running()` says the run goes on. Every outcome is an answer: the rows, or why none.
pub(super) async fn time_kernels(
    gpu: Option<Gpu>,
    running: impl Fn() -> bool,
    steps: u32,
) -> KernelTimes {
    let Some(gpu) = gpu else {
        return KernelTimes::unavailable(
            "per-kernel timing needs WebGPU, and this worker trains on the CPU",
        );
    };
    if !running() {
        return KernelTimes::unavailable(
            "start a run on WebGPU first: the timing covers its next steps",
        );
    }
    if TIMING.with(|t| t.replace(true)) {
        return KernelTimes::unavailable("a timing is already under way");
    }
    let answer = time_steps(&gpu, running, steps.clamp(1, MAX_STEPS)).await;
    TIMING.with(|t| t.set(false));
    answer
}

async fn time_steps(gpu: &Gpu, running: impl Fn() -> bool, steps: u32) -> KernelTimes {
    if let Err(e) = gpu.start_profiling() {
        return KernelTimes::unavailable(e.to_string());
    }
    let first = steps_taken();
    let mut seen = first;
    let mut last_step_at = js_sys::Date::now();
    while steps_taken() - first < u64::from(steps) && running() {
        sleep_ms(20).await;
        let now = js_sys::Date::now();
        if steps_taken() != seen {
            seen = steps_taken();
            last_step_at = now;
        } else if now - last_step_at > IDLE_LIMIT_MS {
            break;
        }
    }
    let timed = steps_taken() - first;
    match gpu.finish_profiling().await {
        Err(e) => KernelTimes::unavailable(e.to_string()),
        Ok(profile) if timed == 0 || profile.passes == 0 => KernelTimes::unavailable(
            "no kernel ran on the GPU while timing: the run trains on the CPU, or it was \
             paused or ended",
        ),
        Ok(profile) => rows(&profile, timed),
    }
}

/// The profile's kernels as rows per training step.
fn rows(profile: &KernelProfile, steps: u64) -> KernelTimes {
    let per_step = |v: f64| v / steps as f64;
    KernelTimes {
        steps: u32::try_from(steps).unwrap_or(u32::MAX),
        kernels: profile
            .kernels
            .iter()
            .map(|k| KernelRow {
                name: k.name.to_string(),
                per_step: per_step(k.count as f64),
                us_per_step: per_step(k.total_us),
                share: k.share,
            })
            .collect(),
        us_per_step: per_step(profile.total_us),
        unavailable: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pixelgrad::device::gpu::KernelTime;

    #[test]
    fn totals_become_rows_per_step() {
        let profile = KernelProfile {
            kernels: vec![
                KernelTime {
                    name: "conv gemm forward",
                    count: 15,
                    total_us: 7500.0,
                    share: 0.75,
                },
                KernelTime {
                    name: "unary relu",
                    count: 20,
                    total_us: 2500.0,
                    share: 0.25,
                },
            ],
            total_us: 10_000.0,
            passes: 35,
        };
        let times = rows(&profile, 5);
        assert_eq!(times.steps, 5);
        assert_eq!(times.us_per_step, 2000.0);
        assert_eq!(times.unavailable, None);
        let first = &times.kernels[0];
        assert_eq!(
            (
                first.name.as_str(),
                first.per_step,
                first.us_per_step,
                first.share
            ),
            ("conv gemm forward", 3.0, 1500.0, 0.75)
        );
        assert_eq!(times.kernels[1].per_step, 4.0);
    }
}
