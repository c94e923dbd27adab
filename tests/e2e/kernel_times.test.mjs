// "Where does the time go": a LeNet-5 run on WebGPU (SwiftShader in headless Chromium, which
// exposes timestamp-query) times five steps kernel by kernel and the device panel lists real
// kernels with times above zero; without WebGPU the panel says in one line why there is none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

/** Kernel names the profiler gives LeNet-5's kernels (WGSL entry points, with their op). */
const KERNEL_NAME = /^(conv|matmul gemm|unary |binary |reduce_|max_|avg_|adaptive_|softmax|copy_|gather|scatter_add|where_select|\d+ other kernels)/;

test("a WebGPU run's kernels are timed and listed by time", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "kernel-times", "/playground", async (page) => {
      await page.waitForSelector('[data-testid="gpu-status"][data-state="ready"]', { timeout: 30_000 });
      assert.match(await page.textContent('[data-testid="kernel-times-reason"]'), /Start a run on WebGPU/);
      await page.click('[data-dataset="mnist"]');
      await page.waitForSelector('[data-testid="dataset-size"]', { timeout: 30_000 });
      await page.selectOption('[data-testid="preset"]', "lenet5");
      await page.fill('[data-testid="max-steps"]', "1000");
      await page.selectOption('[data-testid="backend"]', "webgpu");
      await page.click('[data-testid="train"]');
      await page.waitForSelector('[data-testid="progress-text"]', { timeout: 60_000 });
      await page.click('[data-testid="time-kernels"]');
      await page.waitForSelector('[data-testid="kernel-times-table"], [data-testid="kernel-times"] [data-testid="kernel-times-reason"]', {
        timeout: 180_000,
      });
      const reason = await page.$('[data-testid="kernel-times"] [data-testid="kernel-times-reason"]');
      assert.equal(reason && (await reason.textContent()), null, "the kernels were timed");
      const caption = await page.textContent('[data-testid="kernel-times-table"] caption');
      const rows = await page.$$eval('[data-testid="kernel-times-table"] tbody tr', (trs) =>
        trs.map((tr) => [...tr.children].map((c) => c.textContent)),
      );
      console.log(`MEASURE kernel-times ${caption}`);
      for (const [name, calls, time, share] of rows) console.log(`MEASURE kernel ${name}: ${calls} calls/step, ${time}/step, ${share}`);
      assert.match(caption, /GPU time per step: [\d.]+ (µs|ms) over 5 steps/);
      assert.ok(rows.length >= 3, `kernels listed: ${JSON.stringify(rows)}`);
      for (const [name] of rows) assert.match(name, KERNEL_NAME);
      assert.ok(rows.some(([name]) => name.startsWith("conv")), "a convolution kernel is listed");
      const micros = ([, , time]) => parseFloat(time) * (time.endsWith("ms") ? 1000 : 1);
      assert.ok(micros(rows[0]) > 0, `the slowest kernel took time: ${rows[0]}`);
      assert.ok(micros(rows[0]) >= micros(rows[1]), "slowest first");
      await screenshot(page, "kernel-times");
      await page.locator('[data-testid="gpu-status"]').screenshot({ path: `${process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots"}/kernel-times-panel.png` });
      const panel = await page.$eval('[data-testid="gpu-status"]', (p) => [p.scrollWidth, p.clientWidth]);
      assert.ok(panel[0] <= panel[1], `the kernel table fits the device panel: ${panel}`);
      await page.click('[data-testid="stop"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 120_000 });
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});

test("without WebGPU the panel says why kernels are not timed", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "kernel-times-cpu", "/playground", async (page) => {
      await page.waitForSelector('[data-testid="gpu-status"][data-state="unavailable"]', { timeout: 30_000 });
      assert.equal(
        await page.textContent('[data-testid="kernel-times-reason"]'),
        "Per-kernel timing needs WebGPU; this browser trains on the CPU.",
      );
      assert.equal(await page.$('[data-testid="time-kernels"]'), null);
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
