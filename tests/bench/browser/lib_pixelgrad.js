// pixelgrad on the benchmark workloads, through the wasm entry built from tests/bench/wasm
// (`pkg/` is written by `cargo xtask bench browser`). backend=cpu runs pixelgrad's CPU kernels
// in wasm, backend=webgpu runs Device::Gpu on the browser's WebGPU.
import init, * as pg from './pkg/pixelgrad_bench.js';
import { runWorkloads } from './common.js';

/** Bytes of the buffer shared with the CPU helper: a 1024³ product's half job is 8 MB. */
const HELPER_BYTES = 64 + 4 * 4 * 1024 * 1024;

/**
 * backend=cpu on a cross-origin isolated page with more than one core: starts the helper worker
 * that computes half of every large product, and resolves once it serves (or after 10 s).
 */
async function startCpuHelper(cfg) {
  if (cfg.backend !== 'cpu' || !self.crossOriginIsolated || (navigator.hardwareConcurrency || 1) < 2) return false;
  const sab = new SharedArrayBuffer(HELPER_BYTES);
  const worker = new Worker(new URL('./cpu_helper.js', import.meta.url), { type: 'module' });
  worker.onerror = (e) => cfg.log(`cpu helper failed: ${e.message}`);
  worker.postMessage(sab);
  const ready = new Int32Array(sab, 0, 2);
  for (let t = 0; t < 1000 && Atomics.load(ready, 1) !== 1; t++) await new Promise((r) => setTimeout(r, 10));
  if (Atomics.load(ready, 1) !== 1) return false;
  pg.cpuHelperAttach(sab);
  return true;
}

export async function run(cfg, state) {
  await init();
  const helper = await startCpuHelper(cfg);
  cfg.log(`pixelgrad backend=${cfg.backend} crossOriginIsolated=${self.crossOriginIsolated} cpuHelper=${helper}`);
  await runWorkloads(cfg, state, 'pixelgrad', async (w) => {
    await pg.setup(w, cfg.backend);
    const pool = [];
    const sample = () => { const p = pg.gpuPool(); if (p !== undefined) pool.push(p); };
    return {
      step: async () => { const v = await pg.step(); sample(); return v; },
      // Pool reuse check: keep stepping LeNet to cfg.memSteps (or until cfg.capMs more is spent)
      // and record, after each step, the buffers created so far and the bytes idle in the pool;
      // both stay flat once it is warm.
      after: async (r) => {
        if (w === 'lenet' && pool.length) {
          const t0 = performance.now();
          for (let i = r.losses.length; i < cfg.memSteps && performance.now() - t0 < cfg.capMs; i++) {
            await pg.step(); sample();
          }
          cfg.log(`  GPU pool after ${pool.length} steps: ${pool[pool.length - 1][0]} buffers created, ${pool[pool.length - 1][1]} bytes idle`);
          r.gpu_buffers_created = pool.map((p) => p[0]);
          r.gpu_pool_free_bytes = pool.map((p) => p[1]);
        }
        // Dispatches and submits per step, over the steady-state steps.
        if (pool.length > cfg.W + 1) {
          const a = pool[cfg.W], b = pool[pool.length - 1], n = pool.length - 1 - cfg.W;
          r.gpu_dispatches_per_step = (b[2] - a[2]) / n;
          r.gpu_submits_per_step = (b[3] - a[3]) / n;
          cfg.log(`  ${r.gpu_dispatches_per_step.toFixed(1)} dispatches, ${r.gpu_submits_per_step.toFixed(1)} submits per step`);
        }
      },
      dispose: () => pg.teardown(),
    };
  });
}
