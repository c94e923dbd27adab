// The training worker's entry: loads the same wasm module as the page. Its `main` sees that it
// runs in a worker and serves training commands instead of mounting the UI.
import init from "/pkg/pixelgrad.js";

try {
  await init({ module_or_path: "/pkg/pixelgrad_bg.wasm" });
} catch (error) {
  // Surfaces as the worker's `error` event, which the page turns into a message.
  throw new Error("the training worker could not load WebAssembly: " + error);
}
