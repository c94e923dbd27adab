// The CPU backend's helper worker: the training worker's own wasm module, started with the
// SharedArrayBuffer it is sent left in a global, so the module's `main` serves large f32
// products from that buffer (app/src/worker/cpu_helper.rs) instead of training commands.
import init from "/pkg/pixelgrad_worker.js";

self.onmessage = async (event) => {
  self.onmessage = null;
  self.pixelgradHelperBuffer = event.data;
  await init({ module_or_path: "/pkg/pixelgrad_worker_bg.wasm" });
};
