// pixelgrad on the benchmark workloads, through the wasm entry built from tests/bench/wasm
// (`pkg/` is written by `cargo xtask bench browser`). backend=cpu runs pixelgrad's CPU kernels
// in wasm, backend=webgpu runs Device::Gpu on the browser's WebGPU.
import init, * as pg from './pkg/pixelgrad_bench.js';
import { runWorkloads } from './common.js';

export async function run(cfg, state) {
  await init();
  cfg.log(`pixelgrad backend=${cfg.backend} crossOriginIsolated=${self.crossOriginIsolated}`);
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
      },
      dispose: () => pg.teardown(),
    };
  });
}
