// TensorFlow.js 4.22 (cpu, wasm, webgl, webgpu) on the benchmark workloads. Adapted from the peer
// harness; loaded from this folder's node_modules (installed by `npm ci` here, never in the app).
import { lenetData, mlpData, matmulData, oneHot, oihwToHwio, permuteFc1ForNhwc, runWorkloads } from './common.js';
const NM = './node_modules/@tensorflow/';
const loadScript = (src) => new Promise((res, rej) => {
  const s = document.createElement('script');
  s.src = src; s.onload = res; s.onerror = () => rej(new Error('load ' + src));
  document.head.appendChild(s);
});

async function setup(cfg, state) {
  await loadScript(NM + 'tfjs/dist/tf.min.js');
  const tf = window.tf, e = state.env;
  if (cfg.backend === 'wasm') {
    await loadScript(NM + 'tfjs-backend-wasm/dist/tf-backend-wasm.min.js');
    tf.wasm.setWasmPaths(new URL(NM + 'tfjs-backend-wasm/dist/', location.href).href);
    e.wasmSimd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    e.wasmMultithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  if (cfg.backend === 'webgpu') await loadScript(NM + 'tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js');
  const ok = await tf.setBackend(cfg.backend);
  if (!ok || tf.getBackend() !== cfg.backend) throw new Error(`tf.setBackend(${cfg.backend}) failed (got ${tf.getBackend()})`);
  await tf.ready();
  e.tfVersion = tf.version.tfjs; e.tfBackend = tf.getBackend();
  if (cfg.backend === 'wasm') e.wasmThreads = tf.wasm.getThreadsCount();
  cfg.log(`tfjs ${e.tfVersion} backend=${e.tfBackend} ${JSON.stringify({ wasmSimd: e.wasmSimd, wasmMultithread: e.wasmMultithread, wasmThreads: e.wasmThreads })}`);
  return tf;
}

function lenet(tf) {
  const d = lenetData(), B = d.B, p = d.p;
  const x = tf.tensor4d(d.x, [B, 28, 28, 1]);
  const y1h = tf.tensor2d(oneHot(d.y), [B, 10]);
  const v = {
    w1: tf.variable(tf.tensor4d(oihwToHwio(p.w1, 6, 1, 5, 5), [5, 5, 1, 6])), b1: tf.variable(tf.tensor1d(p.b1)),
    w2: tf.variable(tf.tensor4d(oihwToHwio(p.w2, 16, 6, 5, 5), [5, 5, 6, 16])), b2: tf.variable(tf.tensor1d(p.b2)),
    w3: tf.variable(tf.tensor2d(permuteFc1ForNhwc(p.w3, 16, 5, 5, 120), [400, 120])), b3: tf.variable(tf.tensor1d(p.b3)),
    w4: tf.variable(tf.tensor2d(p.w4, [120, 84])), b4: tf.variable(tf.tensor1d(p.b4)),
    w5: tf.variable(tf.tensor2d(p.w5, [84, 10])), b5: tf.variable(tf.tensor1d(p.b5)),
  };
  const f = () => {
    let h = tf.fused.conv2d({ x, filter: v.w1, strides: 1, pad: 'same', bias: v.b1, activation: 'relu' });
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.fused.conv2d({ x: h, filter: v.w2, strides: 1, pad: 'valid', bias: v.b2, activation: 'relu' });
    h = tf.maxPool(h, 2, 2, 'valid').reshape([B, 400]);
    h = tf.fused.matMul({ a: h, b: v.w3, bias: v.b3, activation: 'relu' });
    h = tf.fused.matMul({ a: h, b: v.w4, bias: v.b4, activation: 'relu' });
    const logits = tf.fused.matMul({ a: h, b: v.w5, bias: v.b5 });
    return tf.losses.softmaxCrossEntropy(y1h, logits);
  };
  return { f, vars: Object.values(v) };
}

function mlp(tf) {
  const d = mlpData(), B = d.B, p = d.p;
  const x = tf.tensor2d(d.x, [B, 784]);
  const y1h = tf.tensor2d(oneHot(d.y), [B, 10]);
  const v = {
    w1: tf.variable(tf.tensor2d(p.w1, [784, 256])), b1: tf.variable(tf.tensor1d(p.b1)),
    w2: tf.variable(tf.tensor2d(p.w2, [256, 256])), b2: tf.variable(tf.tensor1d(p.b2)),
    w3: tf.variable(tf.tensor2d(p.w3, [256, 10])), b3: tf.variable(tf.tensor1d(p.b3)),
  };
  const f = () => {
    let h = tf.fused.matMul({ a: x, b: v.w1, bias: v.b1, activation: 'relu' });
    h = tf.fused.matMul({ a: h, b: v.w2, bias: v.b2, activation: 'relu' });
    const logits = tf.fused.matMul({ a: h, b: v.w3, bias: v.b3 });
    return tf.losses.softmaxCrossEntropy(y1h, logits);
  };
  return { f, vars: Object.values(v) };
}

export async function run(cfg, state) {
  const tf = await setup(cfg, state);
  await runWorkloads(cfg, state, 'tfjs', (w) => {
    if (w === 'matmul') {
      const d = matmulData(), a = tf.tensor2d(d.a, [d.n, d.n]), b = tf.tensor2d(d.b, [d.n, d.n]);
      return {
        step: async () => { const c = tf.matMul(a, b); const data = await c.data(); c.dispose(); return data[0]; },
        dispose: () => { a.dispose(); b.dispose(); },
      };
    }
    const { f, vars } = (w === 'lenet' ? lenet : mlp)(tf);
    const opt = tf.train.momentum(0.01, 0.9);
    return {
      step: async () => { const l = opt.minimize(f, true, vars); const v = (await l.data())[0]; l.dispose(); return v; },
      after: (r) => { r.numTensors = tf.memory().numTensors; },
    };
  });
}
