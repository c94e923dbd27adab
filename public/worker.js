// The training worker's entry: loads the worker's wasm module, whose `main` serves the page's
// training commands.
import init from "/pkg/pixelgrad_worker.js";

try {
  await init({ module_or_path: "/pkg/pixelgrad_worker_bg.wasm" });
} catch (error) {
  // Surfaces as the worker's `error` event, which the page turns into a message.
  throw new Error("the training worker could not load WebAssembly: " + error);
}
