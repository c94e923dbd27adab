// jax-js 0.1.25 (wasm, webgpu) on the benchmark workloads, one jit-compiled SGD-momentum step.
// Adapted from the peer harness; loaded from this folder's node_modules.
import { lenetData, mlpData, matmulData, oneHot, runWorkloads } from './common.js';
import * as jax from './node_modules/@jax-js/jax/dist/index.js';
const { numpy: np, nn, lax, jit, valueAndGrad, blockUntilReady } = jax;

const LR = 0.01, MOM = 0.9;
const refAll = (t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.ref]));

// PyTorch semantics: m = 0.9 m + g; p -= lr m. jax-js refcounting: every argument is consumed;
// the step returns fresh [loss, params, mom].
function makeStep(lossFn) {
  return jit((p, m, x, y1h) => {
    const [loss, g] = valueAndGrad(lossFn)(refAll(p), x, y1h);
    const np2 = {}, nm = {};
    for (const k of Object.keys(p)) {
      const mk = m[k].mul(MOM).add(g[k]);
      nm[k] = mk.ref;
      np2[k] = p[k].sub(mk.mul(LR));
    }
    return [loss, np2, nm];
  });
}

function lenetSetup() {
  const d = lenetData(), B = d.B, q = d.p;
  const shapes = { w1: [6, 1, 5, 5], b1: [6, 1, 1], w2: [16, 6, 5, 5], b2: [16, 1, 1], w3: [400, 120], b3: [120], w4: [120, 84], b4: [84], w5: [84, 10], b5: [10] };
  const params = {};
  for (const k in shapes) params[k] = np.array(q[k]).reshape(shapes[k]);
  const x = np.array(d.x).reshape([B, 1, 28, 28]);
  const y1h = np.array(oneHot(d.y)).reshape([B, 10]);
  const pool = (h) => lax.reduceWindow(h, np.max, [2, 2], [2, 2]);
  const loss = (p, x, y1h) => {
    let h = nn.relu(lax.convGeneralDilated(x, p.w1, [1, 1], [[2, 2], [2, 2]]).add(p.b1));
    h = pool(h);
    h = nn.relu(lax.convGeneralDilated(h, p.w2, [1, 1], 'VALID').add(p.b2));
    h = pool(h).reshape([B, 400]);
    h = nn.relu(np.dot(h, p.w3).add(p.b3));
    h = nn.relu(np.dot(h, p.w4).add(p.b4));
    const logits = np.dot(h, p.w5).add(p.b5);
    return nn.logSoftmax(logits).mul(y1h).sum().mul(-1 / B);
  };
  return { params, x, y1h, loss };
}

function mlpSetup() {
  const d = mlpData(), B = d.B, q = d.p;
  const shapes = { w1: [784, 256], b1: [256], w2: [256, 256], b2: [256], w3: [256, 10], b3: [10] };
  const params = {};
  for (const k in shapes) params[k] = np.array(q[k]).reshape(shapes[k]);
  const x = np.array(d.x).reshape([B, 784]);
  const y1h = np.array(oneHot(d.y)).reshape([B, 10]);
  const loss = (p, x, y1h) => {
    let h = nn.relu(np.dot(x, p.w1).add(p.b1));
    h = nn.relu(np.dot(h, p.w2).add(p.b2));
    const logits = np.dot(h, p.w3).add(p.b3);
    return nn.logSoftmax(logits).mul(y1h).sum().mul(-1 / B);
  };
  return { params, x, y1h, loss };
}

export async function run(cfg, state) {
  const avail = await jax.init(cfg.backend);
  state.env.jaxDevices = avail;
  if (!avail.includes(cfg.backend)) throw new Error(`jax-js backend ${cfg.backend} unavailable (got ${avail})`);
  jax.defaultDevice(cfg.backend);
  cfg.log(`jax-js backend=${cfg.backend} devices=${avail} crossOriginIsolated=${self.crossOriginIsolated}`);
  await runWorkloads(cfg, state, 'jax-js', (w) => {
    if (w === 'matmul') {
      const d = matmulData(), a = np.array(d.a).reshape([d.n, d.n]), b = np.array(d.b).reshape([d.n, d.n]);
      return {
        step: async () => { const c = np.matmul(a.ref, b.ref); const data = await c.data(); return data[0]; },
        dispose: () => { a.dispose(); b.dispose(); },
      };
    }
    const s = (w === 'lenet' ? lenetSetup : mlpSetup)();
    let params = s.params, mom = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, np.zerosLike(v.ref)]));
    const step = makeStep(s.loss);
    return {
      step: async () => {
        let loss;
        [loss, params, mom] = step(params, mom, s.x.ref, s.y1h.ref);
        await blockUntilReady([params, mom]);
        return (await loss.data())[0];
      },
    };
  });
}
