// The benchmark page's entry: reads the configuration from the query string, records the
// environment (adapter, isolation), runs one library's workloads and leaves everything in
// window.__bench for the driver (driver.mjs) to collect.
const q = new URLSearchParams(location.search);
const cfg = {
  lib: q.get('lib') || 'pixelgrad', backend: q.get('backend') || 'cpu',
  work: (q.get('work') || 'lenet,mlp,matmul').split(','),
  W: +(q.get('W') || 5), N: +(q.get('N') || 30), minN: +(q.get('minN') || 5), capMs: +(q.get('cap') || 60000),
  memSteps: +(q.get('memSteps') || 100),
};
const state = (window.__bench = { done: false, cfg, env: {}, results: [], log: [], error: null });
const out = document.getElementById('out');
const log = (s) => { state.log.push(s); out.textContent += s + '\n'; console.log(s); };
cfg.log = log;
// A wasm trap (a Rust panic under panic=abort) never settles the step's promise: end the run
// with the error instead of leaving the driver to wait for its timeout.
const fail = (msg) => { if (!state.done) { state.error = msg; log('ERROR ' + msg); log('DONE'); state.done = true; } };
self.addEventListener('error', (e) => fail(`uncaught: ${e.message}`));
self.addEventListener('unhandledrejection', (e) => fail(`unhandled rejection: ${e.reason}`));

// SwiftShader is a "fallback adapter": when a library's plain requestAdapter() gets null, retry
// with forceFallbackAdapter so every library sees the same (software) GPU.
if (navigator.gpu) {
  const orig = navigator.gpu.requestAdapter.bind(navigator.gpu);
  navigator.gpu.requestAdapter = async (opts) => {
    let a = await orig(opts);
    if (!a) { a = await orig({ ...(opts || {}), forceFallbackAdapter: true }); state.env.forcedFallbackAdapter = true; }
    return a;
  };
}

async function envInfo() {
  const e = state.env;
  e.userAgent = navigator.userAgent; e.hardwareConcurrency = navigator.hardwareConcurrency;
  e.crossOriginIsolated = self.crossOriginIsolated; e.sharedArrayBuffer = typeof SharedArrayBuffer !== 'undefined';
  if (!navigator.gpu) { e.gpuAdapter = 'navigator.gpu undefined'; return; }
  try {
    const a = await navigator.gpu.requestAdapter();
    if (!a) { e.gpuAdapter = null; return; }
    const i = a.info || {};
    e.gpuAdapter = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description,
      isFallbackAdapter: a.isFallbackAdapter ?? i.isFallbackAdapter };
  } catch (err) { e.gpuAdapter = 'error: ' + err; }
}

const LIBS = { pixelgrad: './lib_pixelgrad.js', tfjs: './lib_tfjs.js', jax: './lib_jax.js' };

(async () => {
  try {
    await envInfo();
    log(`env: ${JSON.stringify(state.env)}`);
    if (!LIBS[cfg.lib]) throw new Error(`unknown lib ${cfg.lib}`);
    const mod = await import(LIBS[cfg.lib]);
    await mod.run(cfg, state);
  } catch (err) {
    state.error = String((err && err.stack) || err); log('ERROR ' + state.error);
  } finally { if (!state.done) { state.done = true; log('DONE'); } }
})();
