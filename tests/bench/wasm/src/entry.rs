//! The JavaScript interface: `setup(work, backend)` once per workload, then `step()` per timed
//! step (resolving to the loss read back, or C[0] for the matmul, like the peers' step functions).
//!
//! One workload at a time lives in a thread-local: the page is single-threaded, and wasm-bindgen
//! async exports cannot borrow an exported object across an await.

use std::cell::RefCell;

use pixelgrad::Tensor;
use wasm_bindgen::prelude::*;

use crate::backend::{self, read, Backend};
use crate::workloads::{Matmul, Model, Trainer};

enum Workload {
    Train(Trainer),
    Matmul(Matmul),
}

thread_local! {
    static CURRENT: RefCell<Option<Workload>> = const { RefCell::new(None) };
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Prepares `work` (`lenet`, `mlp`, `matmul`) on `backend` (`cpu`, `webgpu`), replacing the
/// previous workload. Rejects with a readable reason when the backend does not exist.
#[wasm_bindgen]
pub async fn setup(work: String, backend: String) -> Result<(), JsError> {
    console_error_panic_hook::set_once();
    CURRENT.with(|c| c.borrow_mut().take());
    let device = Backend::parse(&backend)
        .map_err(|e| JsError::new(&e))?
        .device()
        .await
        .map_err(|e| JsError::new(&e))?;
    let workload = match work.as_str() {
        "lenet" => Workload::Train(Trainer::new(Model::LeNet, device).map_err(js_err)?),
        "mlp" => Workload::Train(Trainer::new(Model::Mlp, device).map_err(js_err)?),
        "matmul" => Workload::Matmul(Matmul::new(1024, device).map_err(js_err)?),
        other => return Err(JsError::new(&format!("unknown workload `{other}`"))),
    };
    CURRENT.with(|c| *c.borrow_mut() = Some(workload));
    Ok(())
}

/// Runs one step of the current workload and resolves to the value read back.
#[wasm_bindgen]
pub async fn step() -> Result<f64, JsError> {
    let pending: Tensor = CURRENT.with(|c| match c.borrow_mut().as_mut() {
        Some(Workload::Train(t)) => t.step().map_err(js_err),
        Some(Workload::Matmul(m)) => m.run().map_err(js_err),
        None => Err(JsError::new("step() before setup()")),
    })?;
    let values = read(&pending).await.map_err(js_err)?;
    values
        .first()
        .map(|&v| f64::from(v))
        .ok_or_else(|| JsError::new("the step produced an empty tensor"))
}

/// The GPU after the last step, `[buffers created so far, bytes idle in the pool, dispatches
/// so far, submits so far]`, or undefined on the CPU. A flat `created` across steps means steps
/// allocate nothing.
#[wasm_bindgen(js_name = gpuPool)]
pub fn gpu_pool() -> Option<Vec<f64>> {
    backend::gpu_pool().map(|counts| counts.iter().map(|&c| c as f64).collect())
}

/// Drops the current workload and its tensors.
#[wasm_bindgen]
pub fn teardown() {
    CURRENT.with(|c| c.borrow_mut().take());
}

/// Shares this page's large CPU products with the helper worker serving `sab`
/// (`cpu_helper.js`): the browser CPU backend on two cores without wasm threads.
#[wasm_bindgen(js_name = cpuHelperAttach)]
pub fn cpu_helper_attach(sab: js_sys::SharedArrayBuffer) {
    pixelgrad::device::cpu::share_products_with(Some(&sab));
}

/// The helper worker's loop: computes the products posted in `sab`; never returns.
#[wasm_bindgen(js_name = cpuHelperServe)]
pub fn cpu_helper_serve(sab: js_sys::SharedArrayBuffer) {
    pixelgrad::device::cpu::serve_products(&sab)
}
