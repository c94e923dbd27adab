//! The Auto backend choice: before a run, a few real training steps of the chosen model on the
//! CPU and on WebGPU, timed, and the faster one trains. A software WebGPU adapter (SwiftShader)
//! or a small model often makes the CPU the faster one; a real GPU and a big model the GPU.
//!
//! The timed models are built from the run's own spec and seed and thrown away afterwards, so
//! the run itself starts from the same weights whichever backend is picked.

use std::collections::BTreeMap;

use pixelgrad::data::{DataLoader, Subset};
use pixelgrad::device::gpu::Gpu;
use pixelgrad::io::RunSpec;
use pixelgrad::tensor::Tensor;

use super::datasets::SetData;
use super::protocol::{AutoPick, Backend, BackendChoice};
use super::train_loop::describe;
use super::training::{build, trainer_for};

/// Untimed steps first (buffer pool, caches), then the timed ones.
const WARM_UP_STEPS: usize = 1;
const TIMED_STEPS: usize = 3;
/// A backend stops being timed once its timed steps took this long (a big model on the CPU).
const BUDGET_MS: f64 = 3000.0;

/// Times both backends on the first batches of `train` and picks the faster; when one cannot
/// train at all, the other is picked and `note` says why.
pub(super) async fn pick(
    spec: &RunSpec,
    train: &Subset<'_, SetData>,
    gpu: &Gpu,
    backbone: Option<&BTreeMap<String, Tensor>>,
) -> AutoPick {
    let cpu = time_steps(spec, train, None, backbone).await;
    let webgpu = time_steps(spec, train, Some(gpu), backbone).await;
    let (picked, note) = match (&cpu, &webgpu) {
        (Ok(c), Ok(g)) => (if g < c { Backend::WebGpu } else { Backend::Cpu }, None),
        (Ok(_), Err(e)) => (
            Backend::Cpu,
            Some(format!("WebGPU could not train it: {e}")),
        ),
        (Err(e), Ok(_)) => (
            Backend::WebGpu,
            Some(format!("the CPU could not train it: {e}")),
        ),
        (Err(e), Err(_)) => (Backend::Cpu, Some(e.clone())),
    };
    AutoPick {
        picked,
        cpu_ms: cpu.ok(),
        gpu_ms: webgpu.ok(),
        note,
    }
}

/// The choice a run is built with once Auto has picked.
pub(super) fn choice_for(picked: Backend) -> BackendChoice {
    match picked {
        Backend::WebGpu => BackendChoice::WebGpu,
        Backend::Cpu => BackendChoice::Cpu,
    }
}

/// Median milliseconds per training step (forward, loss, backward, optimizer, loss read back)
/// of a fresh copy of the spec's model on `gpu`, or on the CPU without one.
async fn time_steps(
    spec: &RunSpec,
    train: &Subset<'_, SetData>,
    gpu: Option<&Gpu>,
    backbone: Option<&BTreeMap<String, Tensor>>,
) -> Result<f64, String> {
    let choice = if gpu.is_some() {
        BackendChoice::WebGpu
    } else {
        BackendChoice::Cpu
    };
    let (model, _) = build(spec, choice, gpu, backbone, None)?;
    let config = spec.train.clone();
    let loader =
        DataLoader::new(train, config.loader.clone(), config.seed).map_err(|e| e.to_string())?;
    let batches = loader.num_batches();
    if batches == 0 {
        return Err("the training set has no batch".into());
    }
    let mut trainer = trainer_for(&model, spec.data.classes, config, &spec.loss)?;
    let mut times = Vec::new();
    let mut spent = 0.0;
    for step in 0..WARM_UP_STEPS + TIMED_STEPS {
        let batch = loader.batch(0, step % batches).map_err(|e| e.to_string())?;
        let start = now_ms();
        trainer
            .train_step_async(&batch, 0)
            .await
            .map_err(|e| describe(&e))?;
        let ms = now_ms() - start;
        if step >= WARM_UP_STEPS {
            times.push(ms);
            spent += ms;
            if spent > BUDGET_MS {
                break;
            }
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Sub-millisecond time in the worker (`performance.now()`), else `Date.now()`.
fn now_ms() -> f64 {
    use wasm_bindgen::JsCast;
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    performance
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
            now.dyn_into::<js_sys::Function>()
                .ok()?
                .call0(&p)
                .ok()?
                .as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}
