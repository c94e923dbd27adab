//! GPU tensors' memory ([`GpuStorage`]) and the public handle to an opened device ([`Gpu`]).

use std::sync::Arc;

use super::pool::PooledBuffer;
use super::readback;
use super::registry::{self, GpuId};
use super::runtime::{GpuDevice, GpuStats};
use super::{GpuContext, GpuError};
use crate::device::Device;

/// An opened GPU device that tensors can be moved to. Cheap to clone; the device stays open
/// while a handle or a tensor on it is alive.
#[derive(Debug, Clone)]
pub struct Gpu(pub(crate) Arc<GpuDevice>);

impl Gpu {
    /// Opens the best adapter (see [`GpuContext::new`]) and registers it under a new id.
    pub async fn new() -> Result<Gpu, GpuError> {
        Ok(Gpu::from_context(GpuContext::new().await?))
    }

    /// Wraps an existing context (the app opens one for its start-up check and keeps it).
    pub fn from_context(ctx: GpuContext) -> Gpu {
        Gpu(registry::register(|id| GpuDevice::new(ctx, id)))
    }

    /// The opened device named by `id`, if it is still alive.
    pub fn get(id: GpuId) -> Option<Gpu> {
        registry::lookup(id).map(Gpu)
    }

    /// This device's id.
    pub fn id(&self) -> GpuId {
        self.0.id
    }

    /// The [`Device`] value tensors on this GPU report.
    pub fn device(&self) -> Device {
        Device::Gpu(self.0.id)
    }

    /// The wgpu device, queue and adapter description.
    pub fn context(&self) -> &GpuContext {
        &self.0.ctx
    }

    /// Copies host values into a new GPU buffer (ordered before any later kernel).
    pub fn upload(&self, data: &[f32]) -> Result<GpuStorage, GpuError> {
        let buf = self.0.take_buffer((data.len() * 4) as u64, true)?;
        if !data.is_empty() {
            self.0
                .ctx
                .queue
                .write_buffer(&buf.buffer, 0, bytemuck::cast_slice(data));
        }
        Ok(GpuStorage::new(&self.0, buf, data.len()))
    }

    /// Submits the recorded kernels now (call at the end of a training step so the GPU works
    /// while the host prepares the next batch).
    pub fn flush(&self) {
        self.0.submit();
    }

    /// Compiles every kernel's pipeline now (seconds on software adapters), so that the first
    /// training step runs at full speed, and reports a kernel the adapter's compiler rejects
    /// (in a browser such a failure is otherwise only a console message and zeros). Optional:
    /// pipelines are otherwise built on first use.
    pub async fn warm_up(&self) -> Result<(), GpuError> {
        let scope = self
            .0
            .ctx
            .device
            .push_error_scope(wgpu::ErrorFilter::Validation);
        self.0.warm_up();
        match scope.pop().await {
            None => Ok(()),
            Some(e) => Err(GpuError::Shader(e.to_string())),
        }
    }

    /// Releases idle pooled buffers.
    pub fn trim(&self) {
        self.0.trim();
    }

    /// Dispatch, submit, pipeline and pool counters.
    pub fn stats(&self) -> GpuStats {
        self.0.stats()
    }
}

/// `len` f32 values in a pooled GPU buffer; the buffer returns to the pool on drop. Shapes live in
/// the tensor, so one storage serves every reshape of it.
#[derive(Debug)]
pub struct GpuStorage {
    buf: Option<PooledBuffer>,
    len: usize,
    dev: Arc<GpuDevice>,
}

impl GpuStorage {
    pub(crate) fn new(dev: &Arc<GpuDevice>, buf: PooledBuffer, len: usize) -> GpuStorage {
        GpuStorage {
            buf: Some(buf),
            len,
            dev: dev.clone(),
        }
    }

    /// A pool buffer for `len` values that a kernel is about to fill.
    pub(crate) fn uninit(dev: &Arc<GpuDevice>, len: usize) -> Result<GpuStorage, GpuError> {
        let buf = dev.take_buffer((len * 4) as u64, false)?;
        Ok(GpuStorage::new(dev, buf, len))
    }

    pub(crate) fn buffer(&self) -> &PooledBuffer {
        self.buf.as_ref().expect("the buffer is only taken in drop")
    }

    pub(crate) fn runtime(&self) -> &Arc<GpuDevice> {
        &self.dev
    }

    /// Number of f32 values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the storage holds no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The device holding this storage.
    pub fn gpu(&self) -> Gpu {
        Gpu(self.dev.clone())
    }

    /// Records the copy into a staging buffer and submits the open batch with it.
    fn stage(&self) -> wgpu::Buffer {
        let staging = readback::staging_buffer(&self.dev.ctx.device, self.len);
        self.dev.with_encoder(|enc| {
            enc.copy_buffer_to_buffer(&self.buffer().buffer, 0, &staging, 0, staging.size());
        });
        self.dev.submit();
        staging
    }

    /// Reads the values back; works in the browser (awaits the map callback) and natively.
    pub async fn read(&self) -> Result<Vec<f32>, GpuError> {
        if self.len == 0 {
            return Ok(Vec::new());
        }
        let staging = self.stage();
        let values = readback::map_staging(&self.dev.ctx.device, staging).await;
        self.dev.ctx.check()?;
        values
    }

    /// Native only: reads the values back, blocking until the GPU has finished.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_blocking(&self) -> Result<Vec<f32>, GpuError> {
        if self.len == 0 {
            return Ok(Vec::new());
        }
        let staging = self.stage();
        let values = readback::map_staging_blocking(&self.dev.ctx.device, staging);
        self.dev.ctx.check()?;
        values
    }
}

impl Drop for GpuStorage {
    fn drop(&mut self) {
        if let Some(buf) = self.buf.take() {
            self.dev.release(buf);
        }
    }
}
