//! Adapter and device set-up, with errors a user can act on.

use std::fmt;

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
                required_features: wgpu::Features::empty(),
                required_limits: wgpu::Limits::default(),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await
            .map_err(|e| GpuError::RequestDevice(e.to_string()))?;
        Ok(Self {
            device,
            queue,
            summary,
        })
    }

    /// The adapter this context runs on.
    pub fn adapter(&self) -> &AdapterSummary {
        &self.summary
    }
}
