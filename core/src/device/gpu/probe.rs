//! A tiny real kernel (`y = alpha * x + y`) that proves the adapter runs our WGSL end to end.

use wgpu::util::DeviceExt;

use super::{readback::read_f32, GpuContext, GpuError};

const PROBE_WGSL: &str = include_str!("../../../../shaders/probe.wgsl");
const WORKGROUP_SIZE: u32 = 64;

/// Computes `alpha * x + y` on the GPU and reads the result back.
///
/// Used by the app's start-up check and by the browser tests: a wrong value means the adapter
/// or our shader pipeline is broken, which a mere "adapter found" would not show.
pub async fn saxpy(
    ctx: &GpuContext,
    alpha: f32,
    x: &[f32],
    y: &[f32],
) -> Result<Vec<f32>, GpuError> {
    if x.len() != y.len() {
        return Err(GpuError::InvalidArgument {
            op: "saxpy",
            reason: format!("x has {} values but y has {}", x.len(), y.len()),
        });
    }
    if x.is_empty() {
        return Ok(Vec::new());
    }
    let len = u32::try_from(x.len()).map_err(|_| GpuError::InvalidArgument {
        op: "saxpy",
        reason: format!("{} values exceed the u32 index range", x.len()),
    })?;
    let device = &ctx.device;
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("probe.wgsl"),
        source: wgpu::ShaderSource::Wgsl(PROBE_WGSL.into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("saxpy"),
        layout: None,
        module: &module,
        entry_point: Some("saxpy"),
        compilation_options: Default::default(),
        cache: None,
    });
    let mut params = [0u8; 8];
    params[..4].copy_from_slice(&len.to_le_bytes());
    params[4..].copy_from_slice(&alpha.to_le_bytes());
    let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("saxpy params"),
        contents: &params,
        usage: wgpu::BufferUsages::UNIFORM,
    });
    let x_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("saxpy x"),
        contents: bytemuck::cast_slice(x),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let y_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("saxpy y"),
        contents: bytemuck::cast_slice(y),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("saxpy"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: params.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: x_buf.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: y_buf.as_entire_binding(),
            },
        ],
    });
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("saxpy"),
    });
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("saxpy"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(len.div_ceil(WORKGROUP_SIZE), 1, 1);
    }
    ctx.queue.submit([encoder.finish()]);
    read_f32(device, &ctx.queue, &y_buf, x.len()).await
}
