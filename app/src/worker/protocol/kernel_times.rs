//! The "where does the time go" messages: how many training steps to time kernel by kernel, and
//! the per-kernel totals (or why there are none) the worker sends back.

use serde::{Deserialize, Serialize};

/// Steps a kernel timing covers when the page does not say (a handful evens out one-offs).
pub const DEFAULT_TIMED_STEPS: u32 = 5;

/// One kernel's share of the timed GPU time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelRow {
    /// Kernel name (`conv gemm forward`, `unary relu`, `matmul gemm`, …).
    pub name: String,
    /// Dispatches per training step.
    pub per_step: f64,
    /// GPU microseconds per training step.
    pub us_per_step: f64,
    /// Fraction of all timed GPU time (0..=1).
    pub share: f64,
}

/// The answer to [`super::Command::TimeKernels`]: the kernels by time, or why none were timed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelTimes {
    /// Training steps the timing covered.
    pub steps: u32,
    /// Kernels, slowest first (empty when `unavailable` says why).
    pub kernels: Vec<KernelRow>,
    /// GPU microseconds per step over all kernels.
    pub us_per_step: f64,
    /// Why nothing was timed, in words (no timestamp queries, the run is on the CPU, …).
    pub unavailable: Option<String>,
}

impl KernelTimes {
    /// An answer that only says why nothing was timed.
    pub fn unavailable(reason: impl Into<String>) -> KernelTimes {
        KernelTimes {
            steps: 0,
            kernels: Vec::new(),
            us_per_step: 0.0,
            unavailable: Some(reason.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Command, Event};
    use super::*;

    #[test]
    fn the_request_and_answer_round_trip_as_json() {
        let command = Command::TimeKernels { steps: 5 };
        let text = serde_json::to_string(&command).expect("serializes");
        assert_eq!(text, r#"{"type":"time_kernels","steps":5}"#);
        assert_eq!(serde_json::from_str::<Command>(&text).ok(), Some(command));
        let event = Event::KernelTimes(KernelTimes {
            steps: 5,
            kernels: vec![KernelRow {
                name: "conv gemm forward".into(),
                per_step: 3.0,
                us_per_step: 812.5,
                share: 0.4,
            }],
            us_per_step: 2031.25,
            unavailable: None,
        });
        let text = serde_json::to_string(&event).expect("serializes");
        assert_eq!(serde_json::from_str::<Event>(&text).ok(), Some(event));
        let none = Event::KernelTimes(KernelTimes::unavailable("no timestamps"));
        let text = serde_json::to_string(&none).expect("serializes");
        assert_eq!(serde_json::from_str::<Event>(&text).ok(), Some(none));
    }
}
