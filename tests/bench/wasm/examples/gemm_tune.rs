//! Times one GEMM kernel source on the native adapter without rebuilding core: the WGSL files
//! named on the command line are concatenated (as core's runtime composes modules) and run on
//! an `M x K` by `K x N` product; prints ms and GFLOP/s and checks C against a CPU product.
//! `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json cargo run --release -p pixelgrad-bench --example gemm_tune -- M N K TILE_M TILE_N shaders/common.wgsl shaders/gemm.wgsl shaders/matmul.wgsl`
#![cfg(not(target_arch = "wasm32"))]

use std::time::Instant;

use wgpu::util::DeviceExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> u32 { a[i].parse().expect("a number") };
    let (m, n, k, tm, tn) = (num(0), num(1), num(2), num(3), num(4));
    let source: String = a[5..]
        .iter()
        .map(std::fs::read_to_string)
        .collect::<Result<Vec<_>, _>>()?
        .join("\n");
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
    let adapter = pollster::block_on(instance.request_adapter(&Default::default()))?;
    println!("adapter {:?}", adapter.get_info().name);
    let (device, queue) = pollster::block_on(adapter.request_device(&Default::default()))?;
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: None,
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: None,
        layout: None,
        module: &module,
        entry_point: Some("gemm"),
        compilation_options: Default::default(),
        cache: None,
    });
    let fill = |len: u32, seed: u32| -> Vec<f32> {
        (0..len)
            .map(|i| {
                ((i.wrapping_mul(2654435761).wrapping_add(seed) >> 8) % 1000) as f32 / 500.0 - 1.0
            })
            .collect()
    };
    let (av, bv) = (fill(m * k, 1), fill(k * n, 2));
    let params: Vec<u32> = vec![m, n, k, k, 1, 0, 0, 0, m * k, k, 1, k * n, n, 1, 0, 0];
    let storage = |data: &[u8], extra: wgpu::BufferUsages| {
        device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: None,
            contents: data,
            usage: wgpu::BufferUsages::STORAGE | extra,
        })
    };
    let pb = storage(bytemuck::cast_slice(&params), wgpu::BufferUsages::empty());
    let ab = storage(bytemuck::cast_slice(&av), wgpu::BufferUsages::empty());
    let bb = storage(bytemuck::cast_slice(&bv), wgpu::BufferUsages::empty());
    let out_bytes = u64::from(m * n * 4).div_ceil(256) * 256;
    let cb = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: out_bytes,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: out_bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let layout = pipeline.get_bind_group_layout(0);
    let entries: Vec<wgpu::BindGroupEntry> = [&pb, &cb, &ab, &bb]
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: b.as_entire_binding(),
        })
        .collect();
    let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &layout,
        entries: &entries,
    });
    let mut times = Vec::new();
    for run in 0..4 {
        let start = Instant::now();
        let mut enc = device.create_command_encoder(&Default::default());
        {
            let mut pass = enc.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(n.div_ceil(tn), m.div_ceil(tm), 1);
        }
        if run == 0 {
            enc.copy_buffer_to_buffer(&cb, 0, &staging, 0, out_bytes);
        }
        queue.submit([enc.finish()]);
        device.poll(wgpu::PollType::wait_indefinitely())?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        if run == 0 {
            staging
                .slice(..)
                .map_async(wgpu::MapMode::Read, |r| r.expect("map"));
            device.poll(wgpu::PollType::wait_indefinitely())?;
            let c: Vec<f32> = bytemuck::cast_slice(&staging.slice(..).get_mapped_range()?).to_vec();
            let mut worst = 0f32;
            for (r, col) in [
                (0, 0),
                (m - 1, n - 1),
                (m / 2, n / 3),
                (m - 1, 0),
                (1, n - 1),
            ] {
                let want: f32 = (0..k)
                    .map(|i| av[(r * k + i) as usize] * bv[(i * n + col) as usize])
                    .sum();
                worst = worst.max((want - c[(r * n + col) as usize]).abs());
            }
            println!("max |error| at probes {worst:.2e}");
        }
    }
    times.remove(0);
    times.sort_by(f64::total_cmp);
    let ms = times[times.len() / 2];
    println!(
        "{m}x{n}x{k}: {ms:.1} ms, {:.2} GFLOP/s",
        2.0 * f64::from(m) * f64::from(n) * f64::from(k) / ms / 1e6
    );
    Ok(())
}
