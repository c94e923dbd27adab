//! Opt-in per-kernel GPU timing with timestamp queries, for "where does the time go".
//!
//! While a profile is recording, the runtime gives every dispatch its own compute pass whose
//! start and end timestamps land in a query set (WebGPU only allows timestamps at pass
//! boundaries). At each submit the batch's queries are resolved and copied into a staging buffer
//! that is mapped asynchronously, so nothing blocks; [`Gpu::finish_profiling`] awaits the maps
//! and sums the durations per kernel. When no profile is recording the runtime holds `None` and
//! records passes as before: no cost. Adapters without `timestamp-query` get
//! [`ProfileError::NotAvailable`].

use std::collections::HashMap;

use super::readback::{copy_out, start_map, MapResult};
use super::runtime::MAX_BATCH;
use super::shaders::{Kernel, ShaderId};
use super::{Gpu, GpuError};

/// Why a kernel profile cannot be recorded or read; shown to users.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The adapter does not expose WebGPU's `timestamp-query` feature.
    #[error(
        "per-kernel GPU timing is not available on this adapter ({0}): it has no timestamp queries"
    )]
    NotAvailable(String),
    /// `finish_profiling` was called with no profile recording.
    #[error("no kernel profile is recording; start one first")]
    NotStarted,
    /// Reading the timestamps back failed (device lost, mapping error).
    #[error(transparent)]
    Gpu(#[from] GpuError),
}

/// One kernel's share of the profiled GPU time.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelTime {
    /// Kernel name: the WGSL entry point, with the op for kernels that share one (`unary relu`).
    pub name: &'static str,
    /// Dispatches of this kernel.
    pub count: u64,
    /// Summed GPU time of its passes, in microseconds.
    pub total_us: f64,
    /// Fraction of all profiled GPU time (0..=1).
    pub share: f64,
}

/// Per-kernel totals of one profile, slowest kernel first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KernelProfile {
    /// Kernels by total time, descending.
    pub kernels: Vec<KernelTime>,
    /// GPU time of all profiled passes, in microseconds.
    pub total_us: f64,
    /// Compute passes timed (one per dispatch).
    pub passes: u64,
}

/// A submitted batch whose timestamps are being mapped.
struct PendingBatch {
    names: Vec<&'static str>,
    staging: wgpu::Buffer,
    receiver: Option<futures_channel::oneshot::Receiver<MapResult>>,
}

/// The recording state the runtime holds while a profile is on.
pub(crate) struct Recorder {
    /// Query set of the open batch (two timestamps per dispatch) and its kernels' names.
    open: Option<(wgpu::QuerySet, Vec<&'static str>)>,
    pending: Vec<PendingBatch>,
}

impl Recorder {
    /// A recorder, or why the device cannot time kernels.
    pub fn new(device: &wgpu::Device, adapter: &str) -> Result<Recorder, ProfileError> {
        if !device.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
            return Err(ProfileError::NotAvailable(adapter.to_owned()));
        }
        Ok(Recorder {
            open: None,
            pending: Vec::new(),
        })
    }

    /// Timestamp writes for the pass of the next dispatch, which runs `kernel`.
    pub fn pass_writes(
        &mut self,
        device: &wgpu::Device,
        kernel: Kernel,
    ) -> wgpu::ComputePassTimestampWrites<'_> {
        let (set, names) = self.open.get_or_insert_with(|| {
            let set = device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("pixelgrad kernel timestamps"),
                ty: wgpu::QueryType::Timestamp,
                count: 2 * MAX_BATCH,
            });
            (set, Vec::new())
        });
        let index = 2 * names.len() as u32;
        names.push(kernel_name(kernel));
        wgpu::ComputePassTimestampWrites {
            query_set: set,
            beginning_of_pass_write_index: Some(index),
            end_of_pass_write_index: Some(index + 1),
        }
    }

    /// Records the resolve of the open batch's timestamps into `encoder` (before it is finished).
    pub fn resolve(&mut self, device: &wgpu::Device, encoder: &mut wgpu::CommandEncoder) {
        let Some((set, names)) = self.open.take() else {
            return;
        };
        if names.is_empty() {
            return;
        }
        let bytes = u64::from(wgpu::QUERY_SIZE) * 2 * names.len() as u64;
        let resolved = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pixelgrad timestamps"),
            size: bytes,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pixelgrad timestamps readback"),
            size: bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        encoder.resolve_query_set(&set, 0..2 * names.len() as u32, &resolved, 0);
        encoder.copy_buffer_to_buffer(&resolved, 0, &staging, 0, bytes);
        self.pending.push(PendingBatch {
            names,
            staging,
            receiver: None,
        });
    }

    /// Starts mapping every resolved batch (called right after the submit that copies them).
    pub fn after_submit(&mut self) {
        for batch in self.pending.iter_mut().filter(|b| b.receiver.is_none()) {
            batch.receiver = Some(start_map(&batch.staging));
        }
    }

    /// Awaits every batch's timestamps and sums them per kernel (`period`: ns per tick).
    pub async fn report(
        self,
        device: &wgpu::Device,
        period: f64,
    ) -> Result<KernelProfile, ProfileError> {
        if self.pending.is_empty() {
            return Ok(KernelProfile::default());
        }
        #[cfg(not(target_arch = "wasm32"))]
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        #[cfg(target_arch = "wasm32")]
        let _ = device;
        let mut totals: HashMap<&'static str, (u64, f64)> = HashMap::new();
        let mut passes = 0;
        for batch in self.pending {
            let receiver = batch
                .receiver
                .ok_or_else(|| GpuError::Readback("timestamps were never submitted".into()))?;
            let done = receiver
                .await
                .map_err(|_| GpuError::Readback("the map callback was dropped".into()))?;
            let ticks: Vec<u64> = copy_out(&batch.staging, done)?;
            for (name, pair) in batch.names.iter().zip(ticks.chunks_exact(2)) {
                let entry = totals.entry(name).or_default();
                entry.0 += 1;
                // Some adapters report an end before the start for an empty pass: count it as 0.
                entry.1 += pair[1].saturating_sub(pair[0]) as f64 * period / 1e3;
                passes += 1;
            }
        }
        Ok(summarize(totals, passes))
    }
}

/// Sorts the totals, slowest first, and computes each kernel's share.
fn summarize(totals: HashMap<&'static str, (u64, f64)>, passes: u64) -> KernelProfile {
    let total_us: f64 = totals.values().map(|(_, us)| us).sum();
    let mut kernels: Vec<KernelTime> = totals
        .into_iter()
        .map(|(name, (count, us))| KernelTime {
            name,
            count,
            total_us: us,
            share: if total_us > 0.0 { us / total_us } else { 0.0 },
        })
        .collect();
    kernels.sort_by(|a, b| b.total_us.total_cmp(&a.total_us).then(a.name.cmp(b.name)));
    KernelProfile {
        kernels,
        total_us,
        passes,
    }
}

/// Names of the `unary` pipelines by `MODE` (the shader's `U_*` codes).
const UNARY: [&str; 18] = [
    "unary neg",
    "unary exp",
    "unary log",
    "unary sqrt",
    "unary abs",
    "unary sign",
    "unary erf",
    "unary relu",
    "unary leaky_relu",
    "unary sigmoid",
    "unary tanh",
    "unary silu",
    "unary gelu",
    "unary gelu_tanh",
    "unary hardswish",
    "unary hardsigmoid",
    "unary pow_scalar",
    "unary clamp",
];
/// Names of the `binary` pipelines by `MODE` (the shader's `B_*` codes).
const BINARY: [&str; 10] = [
    "binary add",
    "binary sub",
    "binary mul",
    "binary div",
    "binary pow",
    "binary maximum",
    "binary minimum",
    "binary gt",
    "binary ge",
    "binary eq",
];

/// A readable name for a pipeline: the entry point, with the op where pipelines share one.
pub(crate) fn kernel_name(kernel: Kernel) -> &'static str {
    let mode = kernel.mode.map(|m| m as usize);
    match (kernel.shader, kernel.entry, mode) {
        (ShaderId::Elementwise, "unary", Some(m)) => UNARY.get(m).copied().unwrap_or("unary"),
        (ShaderId::Elementwise, "binary", Some(m)) => BINARY.get(m).copied().unwrap_or("binary"),
        (ShaderId::Conv, "gemm", Some(0)) => "conv gemm forward",
        (ShaderId::Conv, "gemm", Some(1)) => "conv gemm grad input",
        (ShaderId::Conv, "gemm", Some(2)) => "conv gemm grad weight",
        (ShaderId::Matmul, "gemm", _) => "matmul gemm",
        (ShaderId::Reduce, "reduce_serial", Some(1)) => "reduce_serial max",
        (ShaderId::Reduce, "reduce_serial", _) => "reduce_serial sum",
        (ShaderId::Reduce, "reduce_tree", Some(1)) => "reduce_tree max",
        (ShaderId::Reduce, "reduce_tree", _) => "reduce_tree sum",
        (_, entry, _) => entry,
    }
}

impl Gpu {
    /// Whether this device can time kernels (the adapter has `timestamp-query`).
    pub fn has_timestamps(&self) -> bool {
        self.0
            .ctx
            .device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
    }

    /// Starts timing every kernel dispatched from now on (each gets its own compute pass, which
    /// costs a little speed while recording). Restarting drops the profile being recorded.
    pub fn start_profiling(&self) -> Result<(), ProfileError> {
        let recorder = Recorder::new(&self.0.ctx.device, &self.0.ctx.adapter().to_string())?;
        self.0.set_recorder(Some(recorder));
        Ok(())
    }

    /// Stops timing, submits what was recorded and returns the per-kernel totals once the GPU
    /// has written them (awaited, never blocking the browser's thread).
    pub async fn finish_profiling(&self) -> Result<KernelProfile, ProfileError> {
        let recorder = self.0.set_recorder(None).ok_or(ProfileError::NotStarted)?;
        let period = f64::from(self.0.ctx.queue.get_timestamp_period());
        recorder.report(&self.0.ctx.device, period).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_sorts_by_time_and_shares_sum_to_one() {
        let totals = HashMap::from([("a", (2, 10.0)), ("b", (1, 30.0)), ("c", (5, 0.0))]);
        let p = summarize(totals, 8);
        let names: Vec<_> = p.kernels.iter().map(|k| k.name).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(p.total_us, 40.0);
        assert_eq!(p.kernels[0].share, 0.75);
        assert_eq!(p.passes, 8);
    }

    #[test]
    fn every_kernel_has_a_distinct_name() {
        let mut names: Vec<_> = ShaderId::ALL
            .iter()
            .flat_map(|s| s.kernels())
            .map(kernel_name)
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "{names:?}");
    }
}
