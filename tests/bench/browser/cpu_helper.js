// The CPU backend's helper worker: its own instance of the benchmark's wasm module, computing
// the share of each large product that the page posts in the SharedArrayBuffer it is sent
// (core/src/device/cpu/helper.rs). It blocks in Atomics.wait between jobs and never returns.
import init, { cpuHelperServe } from './pkg/pixelgrad_bench.js';

self.onmessage = async (e) => {
  await init();
  cpuHelperServe(e.data);
};
