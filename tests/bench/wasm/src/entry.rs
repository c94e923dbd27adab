//! The JavaScript interface: `setup(work, backend)` once per workload, then `step()` per timed
//! step (resolving to the loss read back, or C[0] for the matmul, like the peers' step functions).
//!
//! One workload at a time lives in a thread-local: the page is single-threaded, and wasm-bindgen
//! async exports cannot borrow an exported object across an await.

use std::cell::RefCell;

use pixelgrad::Tensor;
use wasm_bindgen::prelude::*;

use crate::backend::{read, Backend};
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
    CURRENT.with(|c| c.borrow_mut().take());
    let device = Backend::parse(&backend)
        .and_then(Backend::device)
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

/// Bytes held in GPU buffers (live plus pooled), or undefined where the backend keeps none or
/// core does not report it yet.
#[wasm_bindgen(js_name = gpuBytes)]
pub fn gpu_bytes() -> Option<f64> {
    None
}

/// Drops the current workload and its tensors.
#[wasm_bindgen]
pub fn teardown() {
    CURRENT.with(|c| c.borrow_mut().take());
}
