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
    const gpuBytes = [];
    const sample = () => { const b = pg.gpuBytes(); if (b !== undefined) gpuBytes.push(b); };
    return {
      step: async () => { const v = await pg.step(); sample(); return v; },
      // Pool reuse check: keep stepping LeNet to cfg.memSteps and report the buffer bytes held
      // after each step; they must stay flat once the pool is warm.
      after: async (r) => {
        if (w === 'lenet' && gpuBytes.length) {
          for (let i = r.losses.length; i < cfg.memSteps; i++) { await pg.step(); sample(); }
          r.gpu_bytes = gpuBytes;
        }
      },
      dispose: () => pg.teardown(),
    };
  });
}
