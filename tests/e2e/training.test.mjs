// Training in the playground: LeNet-5 on bundled MNIST in the worker on WebGPU, with live curves,
// a responsive page, falling loss and test accuracy above 90%; the same on the CPU fallback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

async function startLenet(page, { steps, cpu = false }) {
  await page.click('[data-dataset="mnist"]');
  await page.waitForSelector('[data-testid="dataset-size"]', { timeout: 30_000 });
  await page.selectOption('[data-testid="preset"]', "lenet5");
  await page.fill('[data-testid="epochs"]', "2");
  await page.fill('[data-testid="max-steps"]', String(steps));
  await page.selectOption('[data-testid="backend"]', cpu ? "cpu" : "webgpu");
  await page.click('[data-testid="train"]');
  await page.waitForSelector('[data-testid="progress-text"]', { timeout: 60_000 });
}

/**
 * Training speed in the page: the panel's own speed (a one-second window) once the run is past
 * step `from`, and the average from that step to the last one (evaluations and checkpoints
 * included), printed as MEASURE lines for the README's note.
 */
async function measureSpeed(page, label, { from, to }) {
  const at = async (step) => {
    await page.waitForFunction(
      (n) => {
        const m = document.querySelector('[data-testid="progress-text"]')?.textContent.match(/^Step (\d+)/);
        return m && Number(m[1]) >= n;
      },
      step,
      { timeout: 600_000, polling: 50 },
    );
    const text = await page.textContent('[data-testid="progress-text"]');
    return { step: Number(text.match(/^Step (\d+)/)[1]), speed: Number(text.match(/([\d.]+) steps\/s/)[1]), t: Date.now() };
  };
  const a = await at(from);
  const b = await at(to);
  const average = (b.step - a.step) / ((b.t - a.t) / 1000);
  console.log(`MEASURE lenet5-${label}-steps-per-second=${b.speed.toFixed(2)}`);
  console.log(`MEASURE lenet5-${label}-average-steps-per-second=${average.toFixed(2)} (steps ${a.step}-${b.step}, batch 64, with evaluations)`);
  return b.speed;
}

/** Loss points drawn so far, read from the chart's first polyline. */
async function lossPoints(page) {
  return page.$eval(".chart polyline", (p) => p.getAttribute("points").trim().split(" ").length).catch(() => 0);
}

test("LeNet-5 trains on MNIST on WebGPU with live curves and a responsive page", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "train-webgpu", "/playground", async (page) => {
      await page.waitForSelector('[data-testid="gpu-status"][data-state="ready"]', { timeout: 30_000 });
      await startLenet(page, { steps: 200 });
      assert.match(await page.textContent('[data-testid="run-status"]'), /on the GPU \(WebGPU\)/);
      // The chart grows while training runs.
      await page.waitForFunction(() => document.querySelector(".chart polyline"), null, { timeout: 120_000 });
      const early = await lossPoints(page);
      await page.waitForTimeout(1500);
      const later = await lossPoints(page);
      assert.ok(later > early, `loss chart grew from ${early} to ${later} points`);
      // The page answers a click within 200 ms while training runs.
      const latency = await page.evaluate(async () => {
        const button = document.querySelector('[data-testid="optimizer"]');
        const t0 = performance.now();
        await new Promise((resolve) => {
          button.addEventListener("click", resolve, { once: true });
          button.click();
        });
        await new Promise((resolve) => requestAnimationFrame(resolve));
        return performance.now() - t0;
      });
      assert.ok(latency < 200, `click handled in ${latency} ms`);
      await measureSpeed(page, "webgpu", { from: 60, to: 195 });
      // During training, with curves, an evaluation and its confusion matrix on screen.
      await screenshot(page, "playground-training");
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 600_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      const accuracy = parseFloat((await page.textContent('[data-testid="test-accuracy"]')).match(/([\d.]+)%/)[1]);
      assert.ok(accuracy > 90, `test accuracy ${accuracy}%`);
      const progress = await page.textContent('[data-testid="progress-text"]');
      assert.match(progress, /^Step 200 of 200/);
      await screenshot(page, "playground-trained");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});

test("without WebGPU the CPU fallback trains, and the page says so", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "train-cpu", "/playground", async (page) => {
      await page.waitForSelector('[data-testid="gpu-status"][data-state="unavailable"]', { timeout: 30_000 });
      await startLenet(page, { steps: 30 });
      assert.match(await page.textContent('[data-testid="run-status"]'), /on the CPU/);
      assert.match(await page.textContent('[data-testid="gpu-status"]'), /WebGPU is not available in this browser.*CPU/s);
      // The page is cross-origin isolated and CI machines have two cores or more: a helper
      // worker takes a share of the products.
      const cores = (await page.evaluate(() => navigator.hardwareConcurrency)) >= 2 ? /2 cores/ : /1 core/;
      assert.match(await page.textContent('[data-testid="adapter"]'), cores);
      await measureSpeed(page, "cpu", { from: 5, to: 29 });
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      const losses = await page.$eval(".chart polyline", (p) => p.getAttribute("points"));
      assert.ok(losses.split(" ").length >= 30, "30 loss points drawn");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});

test("Auto times both backends on the chosen model and trains on the faster, saying so", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "train-auto", "/playground", async (page) => {
      await page.waitForSelector('[data-testid="gpu-status"][data-state="ready"]', { timeout: 60_000 });
      await page.click('[data-dataset="digits"]');
      await page.waitForSelector('[data-testid="dataset-size"]:has-text("8×8")', { timeout: 30_000 });
      await page.selectOption('[data-testid="preset"]', "mlp");
      await page.fill('[data-testid="max-steps"]', "20");
      assert.equal(await page.inputValue('[data-testid="backend"]'), "auto");
      await page.click('[data-testid="train"]');
      await page.waitForSelector('[data-testid="auto-pick"]', { timeout: 120_000 });
      const pick = await page.textContent('[data-testid="auto-pick"]');
      const m = pick.match(/^Auto picked (CPU|WebGPU): ([\d.]+) ms\/step vs (CPU|WebGPU) ([\d.]+) ms\/step$/);
      assert.ok(m && m[1] !== m[3], pick);
      assert.ok(Number(m[2]) <= Number(m[4]), `the faster one is picked: ${pick}`);
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
      const device = m[1] === "CPU" ? /on the CPU/ : /on the GPU \(WebGPU\)/;
      assert.match(await page.textContent('[data-testid="run-status"]'), device);
      await screenshot(page, "train-auto");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
