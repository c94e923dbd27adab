//! Which device training runs on: the user's choice, what the device probe found, what the
//! Auto choice timed, and the GPU faults the page can rehearse.

use serde::{Deserialize, Serialize};

/// Where the user wants training to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendChoice {
    /// The faster of WebGPU and the CPU for this model on this machine, timed over a few real
    /// training steps before the run (the CPU when the WebGPU probe failed).
    Auto,
    /// WebGPU whenever the probe passed (no timing).
    WebGpu,
    /// The CPU even when WebGPU works (to compare, or on a flaky driver).
    Cpu,
}

/// What the Auto backend choice measured before a run and what it picked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoPick {
    /// The backend the run uses.
    pub picked: Backend,
    /// Median milliseconds per training step on the CPU, when timed.
    pub cpu_ms: Option<f64>,
    /// Median milliseconds per training step on WebGPU, when timed.
    pub gpu_ms: Option<f64>,
    /// Why a backend could not be timed, if one could not.
    pub note: Option<String>,
}

/// GPU faults the page can rehearse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultDrill {
    /// The device is lost (a driver reset, the browser reclaiming it).
    DeviceLost,
    /// An allocation does not fit in GPU memory.
    OutOfMemory,
    /// The worker itself fails (a bug), as a panic would make it.
    WorkerCrash,
    /// The next step's loss is NaN (its targets are poisoned), as a too-high learning rate or
    /// a bad batch makes it.
    NanLoss,
}

/// Which backend training runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// WebGPU through wgpu: the fast path.
    WebGpu,
    /// The CPU (wasm) fallback, used when WebGPU is missing or failed its check.
    Cpu,
}

/// What the device probe found, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceReport {
    /// The backend training will use.
    pub backend: Backend,
    /// The adapter, described for people ("browser WebGPU, integrated GPU").
    pub adapter: String,
    /// Why WebGPU is not used, when it is not.
    pub fallback_reason: Option<String>,
    /// The kernel check that ran on the adapter, when it passed.
    pub kernel_check: Option<String>,
}
