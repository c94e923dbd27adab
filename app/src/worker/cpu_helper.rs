//! A second core for CPU training: where the page is cross-origin isolated (`xtask serve` and
//! the production headers send COOP/COEP) and the machine has more than one core, the training
//! worker starts a helper worker running this same wasm module, which computes a share of every
//! large f32 product through a `SharedArrayBuffer` (see `pixelgrad::device::cpu`). LeNet-5 in
//! the benchmark page: 11.6 ms a step on one core, 7.5 ms with the helper.
//!
//! The helper is the same module with a different entry: `cpu_helper.js` stores the buffer it
//! is sent in [`BUFFER_GLOBAL`] before the module starts, and [`serve_if_helper`] (called
//! first by the module's `main`) then serves products instead of training commands.

use std::cell::RefCell;

use js_sys::{Reflect, SharedArrayBuffer};
use wasm_bindgen::{JsCast, JsValue};

/// The helper worker's script.
#[cfg(target_feature = "simd128")]
const HELPER_SCRIPT: &str = "/cpu_helper.js";
/// The global under which `cpu_helper.js` leaves the shared buffer for the module.
const BUFFER_GLOBAL: &str = "pixelgradHelperBuffer";
/// Bytes shared with the helper: 64 control bytes and 32 MiB of operands, enough for a half
/// job of every product of the zoo's models at the playground's batch sizes; larger products
/// stay on one core.
#[cfg(target_feature = "simd128")]
const BUFFER_BYTES: u32 = 64 + 32 * 1024 * 1024;

/// How the CPU backend of this worker runs, in words for the device panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpuCores {
    /// Two cores: this worker and its helper.
    Two,
    /// One core, and why.
    One(String),
}

impl CpuCores {
    /// The device panel's words.
    pub fn describe(&self) -> String {
        match self {
            CpuCores::Two => "2 cores (a helper worker shares large products)".into(),
            CpuCores::One(why) => format!("1 core ({why})"),
        }
    }
}

thread_local! {
    /// What [`start`] found, for [`cpu_label`].
    static CORES: RefCell<Option<CpuCores>> = const { RefCell::new(None) };
}

/// The CPU backend's name in the device panel, with the cores it trains on.
pub fn cpu_label() -> String {
    CORES.with(|c| match c.borrow().as_ref() {
        Some(cores) => format!("CPU (WebAssembly, {})", cores.describe()),
        None => "CPU (WebAssembly)".into(),
    })
}

/// In the helper worker: serves products forever. In the training worker: returns.
pub fn serve_if_helper() {
    let global = js_sys::global();
    let Ok(value) = Reflect::get(&global, &JsValue::from_str(BUFFER_GLOBAL)) else {
        return;
    };
    if let Ok(sab) = value.dyn_into::<SharedArrayBuffer>() {
        serve(&sab);
    }
}

#[cfg(target_feature = "simd128")]
fn serve(sab: &SharedArrayBuffer) {
    pixelgrad::device::cpu::serve_products(sab)
}

#[cfg(not(target_feature = "simd128"))]
fn serve(_: &SharedArrayBuffer) {}

/// Starts the helper when this worker may share memory and has a second core to give it.
pub fn start() {
    let cores = choose_cores();
    CORES.with(|c| *c.borrow_mut() = Some(cores));
}

fn choose_cores() -> CpuCores {
    let global = js_sys::global();
    let isolated = Reflect::get(&global, &JsValue::from_str("crossOriginIsolated"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !isolated {
        return CpuCores::One("the page is not cross-origin isolated".into());
    }
    let cores = Reflect::get(&global, &JsValue::from_str("navigator"))
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("hardwareConcurrency")))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(1.0);
    if cores < 2.0 {
        return CpuCores::One("this machine reports one core".into());
    }
    match spawn() {
        Ok(()) => CpuCores::Two,
        Err(why) => CpuCores::One(why),
    }
}

#[cfg(target_feature = "simd128")]
fn spawn() -> Result<(), String> {
    use web_sys::{Worker, WorkerOptions, WorkerType};

    let sab = SharedArrayBuffer::new(BUFFER_BYTES);
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(HELPER_SCRIPT, &options)
        .map_err(|e| format!("the helper worker did not start: {e:?}"))?;
    worker
        .post_message(&sab)
        .map_err(|e| format!("the helper worker could not be sent its buffer: {e:?}"))?;
    // Until the helper marks the buffer ready, products stay here; if it dies, the first
    // product it leaves unanswered detaches it.
    pixelgrad::device::cpu::share_products_with(Some(&sab));
    Ok(())
}

#[cfg(not(target_feature = "simd128"))]
fn spawn() -> Result<(), String> {
    Err("this build has no SIMD128 kernels".into())
}
