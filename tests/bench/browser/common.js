// Workload data and the timing loop shared by every library on the page. Adapted from the peer
// harness (bench-peers/common.js): the same mulberry32 seeds and draw order as pixelgrad's
// tests/bench/wasm/src/data.rs, so all libraries start at the same loss (lenet 2.3265,
// mlp 2.3054) and follow the same trajectory.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const fill = (rng, n, lo, hi) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng();
  return a;
};
const labels = (rng, n) => {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(rng() * 10);
  return a;
};
// PyTorch-default-like init U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.
const param = (rng, n, fanIn) => {
  const b = 1 / Math.sqrt(fanIn);
  return fill(rng, n, -b, b);
};

// Canonical layouts: conv weight OIHW, fc weight [in, out] (y = x @ W + b), input NCHW.
export function lenetData() {
  const B = 64, rng = mulberry32(42);
  const x = fill(rng, B * 784, 0, 1), y = labels(rng, B);
  const p = {
    w1: param(rng, 6 * 1 * 25, 25), b1: param(rng, 6, 25),
    w2: param(rng, 16 * 6 * 25, 150), b2: param(rng, 16, 150),
    w3: param(rng, 400 * 120, 400), b3: param(rng, 120, 400),
    w4: param(rng, 120 * 84, 120), b4: param(rng, 84, 120),
    w5: param(rng, 84 * 10, 84), b5: param(rng, 10, 84),
  };
  return { B, x, y, p };
}
export function mlpData() {
  const B = 128, rng = mulberry32(43);
  const x = fill(rng, B * 784, 0, 1), y = labels(rng, B);
  const p = {
    w1: param(rng, 784 * 256, 784), b1: param(rng, 256, 784),
    w2: param(rng, 256 * 256, 256), b2: param(rng, 256, 256),
    w3: param(rng, 256 * 10, 256), b3: param(rng, 10, 256),
  };
  return { B, x, y, p };
}
export function matmulData(n = 1024) {
  const rng = mulberry32(44);
  return { n, a: fill(rng, n * n, -1, 1), b: fill(rng, n * n, -1, 1) };
}
export function oneHot(y, k = 10) {
  const o = new Float32Array(y.length * k);
  y.forEach((c, i) => (o[i * k + c] = 1));
  return o;
}
// OIHW -> HWIO (tfjs conv filter layout)
export function oihwToHwio(w, O, I, H, W) {
  const o = new Float32Array(w.length);
  for (let a = 0; a < O; a++) for (let b = 0; b < I; b++) for (let h = 0; h < H; h++) for (let x = 0; x < W; x++)
    o[((h * W + x) * I + b) * O + a] = w[((a * I + b) * H + h) * W + x];
  return o;
}
// fc1 rows for an NHWC flatten (h,w,c) instead of NCHW flatten (c,h,w): C=16, H=W=5, out=120
export function permuteFc1ForNhwc(w, C, H, W, out) {
  const o = new Float32Array(w.length);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) {
    const src = (c * H + h) * W + x, dst = (h * W + x) * C + c;
    o.set(w.subarray(src * out, (src + 1) * out), dst * out);
  }
  return o;
}
export const median = (a) => {
  const s = [...a].sort((p, q) => p - q), n = s.length;
  return n ? (n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN;
};

// The timing loop every library goes through. stepFn() performs one full step and resolves to
// the loss read back to JS, i.e. it awaits device completion. W warm-up steps (V8 tiers wasm up
// lazily, GPUs compile pipelines), then up to N timed steps, stopping early (after >= minN) once
// capMs of timed wall-clock is spent, so a very slow backend cannot stall the whole run.
export async function timeSteps(stepFn, { W = 5, N = 30, minN = 5, capMs = 60000, log = () => {} } = {}) {
  const warm = [], times = [], losses = [];
  for (let i = 0; i < W; i++) {
    const t0 = performance.now();
    losses.push(await stepFn());
    warm.push(performance.now() - t0);
  }
  log(`  warmup ms: ${warm.map((t) => t.toFixed(1)).join(' ')}`);
  const tStart = performance.now();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    losses.push(await stepFn());
    times.push(performance.now() - t0);
    if (i + 1 >= minN && performance.now() - tStart > capMs) break;
  }
  return { warmup_ms: warm, times_ms: times, losses, median_ms: median(times), min_ms: Math.min(...times), n_timed: times.length };
}

// Runs cfg.work through timeSteps for one library. `prepare(work)` returns
// { step, after?(r), dispose?() }: step as for timeSteps; after(r) may add fields to the result.
// A workload that throws (an op the backend lacks) records its error and the others go on.
export async function runWorkloads(cfg, state, lib, prepare) {
  for (const w of cfg.work) {
    cfg.log(`== ${w}`);
    const t0 = performance.now();
    try {
      const job = await prepare(w);
      const r = await timeSteps(job.step, cfg);
      if (w === 'matmul') r.gflops = (2 * 1024 ** 3) / (r.median_ms * 1e6);
      else r.loss_decreased = r.losses[r.losses.length - 1] < r.losses[0];
      if (job.after) await job.after(r);
      if (job.dispose) job.dispose();
      r.total_s = (performance.now() - t0) / 1000;
      state.results.push({ lib, backend: cfg.backend, workload: w, ...r });
      cfg.log(`  median ${r.median_ms.toFixed(2)} ms (n=${r.n_timed}) loss ${r.losses[0].toFixed(4)} -> ${r.losses[r.losses.length - 1].toFixed(4)}${r.gflops ? ' GFLOP/s ' + r.gflops.toFixed(2) : ''}`);
    } catch (err) {
      state.results.push({ lib, backend: cfg.backend, workload: w, error: String((err && err.stack) || err) });
      cfg.log(`  ERROR ${String(err).split("\n")[0]}`);
    }
  }
}
