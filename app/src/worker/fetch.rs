//! Same-origin downloads from inside the worker (bundled data sets, weights).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Response, WorkerGlobalScope};

/// Largest file the worker will download: bundled sets are < 10 MB, weights < 20 MB.
const MAX_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Fetches `url` and returns its bytes, or a message saying what failed.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let scope: WorkerGlobalScope = js_sys::global()
        .dyn_into()
        .map_err(|_| "downloads run in the training worker".to_string())?;
    let response: Response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not download {url}: {}", describe(&e)))?
        .dyn_into()
        .map_err(|_| format!("could not download {url}: not a response"))?;
    if !response.ok() {
        return Err(format!(
            "could not download {url}: the server answered {}",
            response.status()
        ));
    }
    let length = response
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|l| l.parse::<f64>().ok());
    if length.is_some_and(|l| l > MAX_BYTES) {
        return Err(format!("{url} is larger than {} MB", MAX_BYTES / 1048576.0));
    }
    let buffer = response
        .array_buffer()
        .map_err(|e| format!("could not read {url}: {}", describe(&e)))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|e| format!("could not read {url}: {}", describe(&e)))?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    if f64::from(bytes.length()) > MAX_BYTES {
        return Err(format!("{url} is larger than {} MB", MAX_BYTES / 1048576.0));
    }
    Ok(bytes.to_vec())
}

fn describe(error: &wasm_bindgen::JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
