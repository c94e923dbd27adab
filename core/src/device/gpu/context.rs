//! Adapter and device set-up, with errors a user can act on.

use std::fmt;
use std::sync::Arc;

use super::fault::{FaultLog, GpuFault};

/// Why the GPU backend is not available or failed; shown to users, so each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    /// No WebGPU adapter: the browser lacks WebGPU, it is disabled, or no driver is installed.
    #[error(
        "no GPU adapter found ({0}); WebGPU may be unavailable in this browser, \
         so pixelgrad runs on the CPU instead"
    )]
    NoAdapter(String),
    /// The adapter refused to create a device (limits, lost driver, ...).
    #[error("the GPU adapter could not open a device: {0}")]
    RequestDevice(String),
    /// Reading results back from the GPU failed (device lost or buffer mapping error).
    #[error("reading data back from the GPU failed: {0}")]
    Readback(String),
    /// A tensor needs a bigger buffer than the device allows (WebGPU's default: 128 MiB).
    #[error("a GPU buffer of {bytes} bytes exceeds the device limit of {limit} bytes")]
    TooLarge {
        /// Bytes requested.
        bytes: u64,
        /// The device's storage binding limit.
        limit: u64,
    },
    /// The adapter rejected a kernel (a WGSL construct its compiler does not accept); the
    /// message is the adapter's.
    #[error("the GPU rejected a pixelgrad kernel: {0}")]
    Shader(String),
    /// The device was lost (driver reset, the browser reclaimed it, too much GPU memory in use).
    #[error(
        "the GPU device was lost ({0}); training can go on on the CPU or a new device from \
         the last checkpoint"
    )]
    Lost(String),
    /// An allocation did not fit in GPU memory.
    #[error("the GPU ran out of memory; try a smaller batch size or a smaller model")]
    OutOfMemory,
    /// The driver or a kernel failed in a way WebGPU does not classify.
    #[error("the GPU reported an internal error: {0}")]
    Internal(String),
    /// The arguments of a GPU call do not fit together.
    #[error("invalid GPU call to `{op}`: {reason}")]
    InvalidArgument {
        /// The operation that was called.
        op: &'static str,
        /// What was wrong with its arguments.
        reason: String,
    },
}

/// What the UI and the bench report about the adapter in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSummary {
    /// Adapter name (empty in browsers, which hide it for privacy).
    pub name: String,
    /// Backend: `BrowserWebGpu`, `Vulkan`, `Metal`, `Dx12`, `Gl`.
    pub backend: String,
    /// `DiscreteGpu`, `IntegratedGpu`, `Cpu` (software rasterizers such as SwiftShader or lavapipe) ...
    pub device_type: String,
    /// Driver name and version, when the platform exposes them.
    pub driver: String,
}

impl fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.name.is_empty() {
            "unnamed adapter"
        } else {
            &self.name
        };
        write!(f, "{name} ({}, {})", self.backend, self.device_type)?;
        if !self.driver.is_empty() {
            write!(f, ", driver {}", self.driver)?;
        }
        Ok(())
    }
}

/// A wgpu device and queue plus what we learned about the adapter.
///
/// Cloning is cheap (wgpu handles are reference counted), so tensors can each hold one.
#[derive(Debug, Clone)]
pub struct GpuContext {
    /// The logical device that owns buffers and pipelines.
    pub device: wgpu::Device,
    /// The queue that command buffers are submitted to.
    pub queue: wgpu::Queue,
    summary: AdapterSummary,
    faults: Arc<FaultLog>,
}

impl From<GpuFault> for GpuError {
    fn from(f: GpuFault) -> GpuError {
        match f {
            GpuFault::Lost(why) => GpuError::Lost(why),
            GpuFault::OutOfMemory => GpuError::OutOfMemory,
            GpuFault::Internal(why) => GpuError::Internal(why),
        }
    }
}

impl GpuContext {
    /// Opens the best available adapter with WebGPU's default limits, so that every kernel we
    /// write runs on any conforming adapter (workgroup storage 16 KB, 256 invocations).
    pub async fn new() -> Result<Self, GpuError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                force_fallback_adapter: false,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let summary = AdapterSummary {
            name: info.name.clone(),
            backend: format!("{:?}", info.backend),
            device_type: format!("{:?}", info.device_type),
            driver: [info.driver.as_str(), info.driver_info.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
        };
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("pixelgrad"),
                // Timestamps only for the opt-in kernel profiler; requesting them costs nothing.
                required_features: adapter.features() & wgpu::Features::TIMESTAMP_QUERY,
                required_limits: wgpu::Limits::default(),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await
            .map_err(|e| GpuError::RequestDevice(e.to_string()))?;
        let faults = FaultLog::watch(&device);
        Ok(Self {
            device,
            queue,
            summary,
            faults,
        })
    }

    /// The first fault the device reported, if any (see [`GpuFault`]).
    pub fn fault(&self) -> Option<GpuFault> {
        self.faults.current()
    }

    /// Fails with the device's fault, if it reported one: called before allocating and after
    /// reading back, so work on a broken device stops with an error that says why.
    pub(crate) fn check(&self) -> Result<(), GpuError> {
        self.fault().map_or(Ok(()), |f| Err(f.into()))
    }

    /// Injects a fault through the path a real one takes (see [`InjectedFault`]).
    pub fn inject_fault(&self, fault: super::fault::InjectedFault) {
        match fault {
            super::fault::InjectedFault::DeviceLost => self.device.destroy(),
            super::fault::InjectedFault::OutOfMemory => self.faults.record(GpuFault::OutOfMemory),
        }
    }

    /// The adapter this context runs on.
    pub fn adapter(&self) -> &AdapterSummary {
        &self.summary
    }
}
