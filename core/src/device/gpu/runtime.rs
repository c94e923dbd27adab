//! The per-device runtime: buffer pool, pipeline and bind group caches, and the one open command
//! encoder. Ops record compute dispatches into a single open compute pass; the batch is
//! submitted at a read-back, at an explicit flush (the end of a training step) or every
//! [`MAX_BATCH`] dispatches. Parameters of all dispatches in a batch go into one buffer,
//! uploaded once per submit and bound with dynamic offsets, so a cached bind group serves every
//! dispatch that touches the same tensors' buffers.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::pool::{BufferPool, PoolStats, PooledBuffer};
use super::profiler::Recorder;
use super::registry::GpuId;
use super::shaders::{Kernel, ShaderId};
use super::{GpuContext, GpuError};

/// Dispatches per submit; also the number of parameter slots in the parameter buffer.
pub(crate) const MAX_BATCH: u32 = 256;
/// Bytes of parameters per dispatch: the storage offset alignment of WebGPU's default limits.
pub(crate) const PARAM_SLOT: u64 = 256;
/// Largest input count of any kernel (where: cond, a, b).
const MAX_INPUTS: usize = 3;
/// Bind groups kept before the cache is cleared (a model touches a bounded set of buffers).
const MAX_BIND_GROUPS: usize = 8192;

/// Counters for the bench and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpuStats {
    /// Compute dispatches recorded.
    pub dispatches: u64,
    /// Command buffers submitted.
    pub submits: u64,
    /// Pipelines compiled.
    pub pipelines: u64,
    /// Bind groups created (the rest came from the cache).
    pub bind_groups: u64,
    /// The buffer pool's counters.
    pub pool: PoolStats,
}

type BindKey = (usize, u64, [u64; MAX_INPUTS]);

/// Mutable state behind one lock. Field order matters: the pass must end before the encoder.
struct State {
    pass: Option<wgpu::ComputePass<'static>>,
    encoder: Option<wgpu::CommandEncoder>,
    params: Vec<u8>,
    dispatches: u32,
    /// Serial of the open batch; bumped at every submit.
    serial: u64,
    pool: BufferPool,
    modules: HashMap<ShaderId, wgpu::ShaderModule>,
    pipelines: HashMap<Kernel, wgpu::ComputePipeline>,
    bind_groups: HashMap<BindKey, wgpu::BindGroup>,
    stats: GpuStats,
    /// Per-kernel timing, only while a profile records (see [`super::profiler`]).
    profiler: Option<Recorder>,
}

/// One opened GPU device with its caches. Shared (`Arc`) by every tensor stored on it.
pub(crate) struct GpuDevice {
    pub ctx: GpuContext,
    pub id: GpuId,
    /// Bind group and pipeline layouts by input count - 1.
    layouts: Vec<(wgpu::BindGroupLayout, wgpu::PipelineLayout)>,
    params: wgpu::Buffer,
    state: Mutex<State>,
}

impl std::fmt::Debug for GpuDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuDevice({}, {})", self.id, self.ctx.adapter())
    }
}

fn storage_entry(binding: u32, read_only: bool, dynamic: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: dynamic,
            min_binding_size: None,
        },
        count: None,
    }
}

impl GpuDevice {
    /// Creates the layouts (params, output, then 1..=3 inputs) and the parameter buffer.
    pub fn new(ctx: GpuContext, id: GpuId) -> GpuDevice {
        let device = &ctx.device;
        let layouts = (1..=MAX_INPUTS)
            .map(|inputs| {
                let mut entries =
                    vec![storage_entry(0, true, true), storage_entry(1, false, false)];
                entries.extend((0..inputs).map(|i| storage_entry(2 + i as u32, true, false)));
                let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                    label: Some("pixelgrad kernel"),
                    entries: &entries,
                });
                let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                    label: Some("pixelgrad kernel"),
                    bind_group_layouts: &[Some(&bgl)],
                    immediate_size: 0,
                });
                (bgl, pl)
            })
            .collect();
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pixelgrad params"),
            size: PARAM_SLOT * u64::from(MAX_BATCH),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        GpuDevice {
            ctx,
            id,
            layouts,
            params,
            state: Mutex::new(State {
                pass: None,
                encoder: None,
                params: Vec::new(),
                dispatches: 0,
                serial: 1,
                pool: BufferPool::default(),
                modules: HashMap::new(),
                pipelines: HashMap::new(),
                bind_groups: HashMap::new(),
                stats: GpuStats::default(),
                profiler: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while recording leaves at worst an unsubmitted batch; the caches stay valid.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A pool buffer of at least `bytes` (see [`BufferPool::take`] for `for_write`).
    pub fn take_buffer(&self, bytes: u64, for_write: bool) -> Result<PooledBuffer, GpuError> {
        let limit = self.ctx.device.limits().max_storage_buffer_binding_size;
        if bytes > limit {
            return Err(GpuError::TooLarge { bytes, limit });
        }
        self.ctx.check()?;
        let mut st = self.lock();
        let serial = st.serial;
        Ok(st.pool.take(&self.ctx.device, bytes, serial, for_write))
    }

    /// Returns a buffer to the pool (called when a GPU tensor is dropped).
    pub fn release(&self, buf: PooledBuffer) {
        let mut st = self.lock();
        let serial = st.serial;
        st.pool.give_back(buf, serial);
    }

    /// Records one dispatch of `kernel` writing `out` and reading `inputs`.
    pub fn dispatch(
        &self,
        kernel: Kernel,
        params: &[u32],
        out: &PooledBuffer,
        inputs: &[&PooledBuffer],
        groups: [u32; 3],
    ) -> Result<(), GpuError> {
        if inputs.len() != kernel.inputs || !(1..=MAX_INPUTS).contains(&inputs.len()) {
            return Err(GpuError::InvalidArgument {
                op: kernel.entry,
                reason: format!("{} inputs for a kernel of {}", inputs.len(), kernel.inputs),
            });
        }
        if params.len() * 4 > PARAM_SLOT as usize {
            return Err(GpuError::InvalidArgument {
                op: kernel.entry,
                reason: format!("{} parameter words exceed one slot", params.len()),
            });
        }
        let max = self
            .ctx
            .device
            .limits()
            .max_compute_workgroups_per_dimension;
        if groups.iter().any(|&g| g > max) {
            return Err(GpuError::InvalidArgument {
                op: kernel.entry,
                reason: format!("grid {groups:?} exceeds {max} workgroups per dimension"),
            });
        }
        if groups.contains(&0) {
            return Ok(());
        }
        let mut st = self.lock();
        if st.dispatches >= MAX_BATCH {
            self.submit_locked(&mut st);
        }
        let pipeline = self.pipeline_locked(&mut st, kernel);
        let mut ids = [0u64; MAX_INPUTS];
        for (slot, b) in ids.iter_mut().zip(inputs) {
            *slot = b.id;
        }
        let key = (inputs.len(), out.id, ids);
        if !st.bind_groups.contains_key(&key) {
            if st.bind_groups.len() >= MAX_BIND_GROUPS {
                st.bind_groups.clear();
            }
            let group = self.bind_group(inputs.len(), out, inputs);
            st.bind_groups.insert(key, group);
            st.stats.bind_groups += 1;
        }
        let offset = st.dispatches * PARAM_SLOT as u32;
        st.params.resize(offset as usize, 0);
        st.params
            .extend(params.iter().flat_map(|w| w.to_le_bytes()));
        st.dispatches += 1;
        st.stats.dispatches += 1;
        if st.pass.is_none() || st.profiler.is_some() {
            // A profile times each dispatch in a pass of its own (timestamps sit on passes).
            st.pass = None;
            let State {
                encoder, profiler, ..
            } = &mut *st;
            let encoder = encoder.get_or_insert_with(|| {
                self.ctx
                    .device
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("pixelgrad batch"),
                    })
            });
            let timestamp_writes = profiler
                .as_mut()
                .map(|p| p.pass_writes(&self.ctx.device, kernel));
            let pass = encoder
                .begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("pixelgrad ops"),
                    timestamp_writes,
                })
                .forget_lifetime();
            st.pass = Some(pass);
        }
        let State {
            pass, bind_groups, ..
        } = &mut *st;
        let pass = pass.as_mut().expect("pass opened above");
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, bind_groups.get(&key).expect("inserted above"), &[offset]);
        pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
        Ok(())
    }

    fn bind_group(
        &self,
        inputs: usize,
        out: &PooledBuffer,
        ins: &[&PooledBuffer],
    ) -> wgpu::BindGroup {
        let mut entries = vec![
            wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &self.params,
                    offset: 0,
                    size: wgpu::BufferSize::new(PARAM_SLOT),
                }),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: out.buffer.as_entire_binding(),
            },
        ];
        for (i, b) in ins.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: 2 + i as u32,
                resource: b.buffer.as_entire_binding(),
            });
        }
        self.ctx
            .device
            .create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("pixelgrad kernel"),
                layout: &self.layouts[inputs - 1].0,
                entries: &entries,
            })
    }

    fn pipeline_locked(&self, st: &mut State, kernel: Kernel) -> wgpu::ComputePipeline {
        if let Some(p) = st.pipelines.get(&kernel) {
            return p.clone();
        }
        let device = &self.ctx.device;
        let module = st
            .modules
            .entry(kernel.shader)
            .or_insert_with(|| {
                device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(kernel.shader.name()),
                    source: wgpu::ShaderSource::Wgsl(kernel.shader.source().into()),
                })
            })
            .clone();
        let constants: Vec<(&str, f64)> = kernel
            .mode
            .map(|m| ("MODE", f64::from(m)))
            .into_iter()
            .collect();
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel.entry),
            layout: Some(&self.layouts[kernel.inputs - 1].1),
            module: &module,
            entry_point: Some(kernel.entry),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants: &constants,
                zero_initialize_workgroup_memory: false,
            },
            cache: None,
        });
        st.pipelines.insert(kernel, pipeline.clone());
        st.stats.pipelines += 1;
        pipeline
    }

    /// Ends the open pass and hands the batch's encoder to `f` (for copies), creating one if
    /// needed; the copy is ordered after every dispatch recorded so far.
    pub fn with_encoder<R>(&self, f: impl FnOnce(&mut wgpu::CommandEncoder) -> R) -> R {
        let mut st = self.lock();
        st.pass = None;
        let encoder = st.encoder.get_or_insert_with(|| {
            self.ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("pixelgrad batch"),
                })
        });
        f(encoder)
    }

    /// Submits everything recorded so far.
    pub fn submit(&self) {
        let mut st = self.lock();
        self.submit_locked(&mut st);
    }

    fn submit_locked(&self, st: &mut State) {
        st.pass = None;
        if let Some(mut encoder) = st.encoder.take() {
            if !st.params.is_empty() {
                self.ctx.queue.write_buffer(&self.params, 0, &st.params);
            }
            if let Some(profiler) = st.profiler.as_mut() {
                profiler.resolve(&self.ctx.device, &mut encoder);
            }
            self.ctx.queue.submit([encoder.finish()]);
            st.stats.submits += 1;
            if let Some(profiler) = st.profiler.as_mut() {
                profiler.after_submit();
            }
        }
        st.params.clear();
        st.dispatches = 0;
        st.serial += 1;
    }

    /// Submits what was recorded and swaps the kernel profiler (`None` stops profiling),
    /// returning the previous one with its recorded batches.
    pub fn set_recorder(&self, recorder: Option<Recorder>) -> Option<Recorder> {
        let mut st = self.lock();
        self.submit_locked(&mut st);
        std::mem::replace(&mut st.profiler, recorder)
    }

    /// Frees the pool's idle buffers and the bind groups that may name them.
    pub fn trim(&self) {
        let mut st = self.lock();
        self.submit_locked(&mut st);
        st.bind_groups.clear();
        st.pool.trim();
    }

    /// Current counters.
    pub fn stats(&self) -> GpuStats {
        let st = self.lock();
        GpuStats {
            pool: st.pool.stats(),
            ..st.stats
        }
    }

    /// Compiles every pipeline now, so that the first training step is not the slow one.
    pub fn warm_up(&self) {
        let mut st = self.lock();
        for shader in ShaderId::ALL {
            for k in shader.kernels() {
                self.pipeline_locked(&mut st, k);
            }
        }
    }
}
