//! Browser checks: WebGPU in headless Chromium (SwiftShader), run by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use pixelgrad::device::gpu::{saxpy, GpuContext};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn webgpu_adapter_runs_saxpy() {
    let ctx = GpuContext::new().await.expect("WebGPU adapter in headless Chromium");
    assert_eq!(ctx.adapter().backend, "BrowserWebGpu");
    let x: Vec<f32> = (0..257).map(|i| i as f32).collect();
    let y = vec![1.0f32; 257];
    let got = saxpy(&ctx, 3.0, &x, &y).await.expect("saxpy runs in the browser");
    let want: Vec<f32> = x.iter().map(|x| 3.0 * x + 1.0).collect();
    assert_eq!(got, want);
}
