//! Copying a storage buffer back to the host, awaited the same way natively and in the browser.

use super::GpuError;

/// A MAP_READ buffer of `len` f32 values to copy results into.
pub(crate) fn staging_buffer(device: &wgpu::Device, len: usize) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("pixelgrad readback"),
        size: (len * std::mem::size_of::<f32>()) as wgpu::BufferAddress,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// How a buffer's `map_async` ended.
pub(super) type MapResult = Result<(), wgpu::BufferAsyncError>;

/// Starts mapping `staging` (whose copy has been submitted) and returns the completion channel.
pub(super) fn start_map(staging: &wgpu::Buffer) -> futures_channel::oneshot::Receiver<MapResult> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    staging
        .slice(..)
        .map_async(wgpu::MapMode::Read, move |result| {
            // The receiver only disappears if the caller stopped waiting; nothing to report then.
            let _ = sender.send(result);
        });
    receiver
}

/// The values of a mapped staging buffer (then unmapped, ready for reuse).
pub(super) fn copy_out<T: bytemuck::Pod>(
    staging: &wgpu::Buffer,
    done: MapResult,
) -> Result<Vec<T>, GpuError> {
    done.map_err(|e| GpuError::Readback(e.to_string()))?;
    let view = staging
        .slice(..)
        .get_mapped_range()
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    let values = bytemuck::pod_collect_to_vec::<u8, T>(&view);
    drop(view);
    staging.unmap();
    Ok(values)
}

/// Maps a submitted staging buffer and returns its values.
///
/// Natively we poll the device until the map completes; in the browser the event loop drives the
/// callback, so the same `async fn` serves native tests, browser tests and the app.
pub(crate) async fn map_staging(
    device: &wgpu::Device,
    staging: wgpu::Buffer,
) -> Result<Vec<f32>, GpuError> {
    let receiver = start_map(&staging);
    #[cfg(not(target_arch = "wasm32"))]
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    #[cfg(target_arch = "wasm32")]
    let _ = device;
    let done = receiver
        .await
        .map_err(|_| GpuError::Readback("the map callback was dropped".into()))?;
    copy_out(&staging, done)
}

/// Native only: maps a submitted staging buffer, blocking this thread until the GPU is done.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn map_staging_blocking(
    device: &wgpu::Device,
    staging: wgpu::Buffer,
) -> Result<Vec<f32>, GpuError> {
    let mut receiver = start_map(&staging);
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    let done = receiver
        .try_recv()
        .map_err(|_| GpuError::Readback("the map callback was dropped".into()))?
        .ok_or_else(|| GpuError::Readback("the map did not complete after waiting".into()))?;
    copy_out(&staging, done)
}

/// Copies `len` f32 values out of `source` and waits for them (the probe's one-shot path).
pub(crate) async fn read_f32(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    source: &wgpu::Buffer,
    len: usize,
) -> Result<Vec<f32>, GpuError> {
    let staging = staging_buffer(device, len);
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("pixelgrad readback"),
    });
    encoder.copy_buffer_to_buffer(source, 0, &staging, 0, staging.size());
    queue.submit([encoder.finish()]);
    map_staging(device, staging).await
}
