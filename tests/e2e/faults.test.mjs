// Faults during a run, rehearsed with the playground's fault drill (`?drill`) through the paths
// real ones take: a lost device moves the run to the CPU from its last checkpoint and it
// finishes; running out of GPU memory stops the run with a message that suggests a smaller
// batch; a crashed worker is restarted on request and the run resumes from its checkpoint; a
// NaN loss stops the run with a message that suggests a lower learning rate. After each, a
// reload finds the run in the gallery with its checkpoint, which opens and predicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";
import { assertRunKept } from "./kept_runs.mjs";

/** Starts an MLP on the small digits set and waits until it is past its first checkpoint. */
async function trainPastFirstCheckpoint(page, steps) {
  await page.waitForSelector('[data-testid="gpu-status"][data-state="ready"]', { timeout: 60_000 });
  await page.click('[data-dataset="digits"]');
  await page.waitForSelector('[data-testid="dataset-size"]:has-text("8×8")', { timeout: 30_000 });
  await page.selectOption('[data-testid="preset"]', "mlp");
  await page.fill('[data-testid="epochs"]', "5");
  await page.fill('[data-testid="max-steps"]', String(steps));
  // Forced: Auto would time both and may pick the CPU, and these drills need the GPU.
  await page.selectOption('[data-testid="backend"]', "webgpu");
  await page.click('[data-testid="train"]');
  // The status shows the device once the worker has started the run.
  await page.waitForSelector('[data-testid="run-status"]:has-text("on the GPU (WebGPU)")', { timeout: 60_000 });
  // The first checkpoint is taken at the evaluation of step 50.
  await page.waitForFunction(
    () => {
      const m = document.querySelector('[data-testid="progress-text"]')?.textContent.match(/^Step (\d+)/);
      return m && Number(m[1]) >= 55;
    },
    null,
    { timeout: 300_000 },
  );
}

/** Console lines the browser itself writes when a device is destroyed on purpose. */
const expected = (p) =>
  /lost|destroy|invalid|out of memory|OutOfMemory|deliberate worker crash|unreachable|RuntimeError/i.test(p);

test("a lost GPU device moves the run to the CPU from its last checkpoint", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "fault-device-lost", "/playground?drill", async (page) => {
      await trainPastFirstCheckpoint(page, 100);
      await page.click('[data-testid="drill-device-lost"]');
      const notice = page.locator('[data-testid="run-notice"]');
      await notice.waitFor({ timeout: 120_000 });
      assert.match(
        await notice.textContent(),
        /GPU device was lost .*Training goes on on the CPU from its checkpoint at step 50\./,
      );
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      assert.match(await page.textContent('[data-testid="progress-text"]'), /^Step 100 of 100/);
      assert.match(await page.textContent('[data-testid="run-status"]'), /on the CPU/);
      const accuracy = parseFloat((await page.textContent('[data-testid="test-accuracy"]')).match(/([\d.]+)%/)[1]);
      assert.ok(accuracy > 50, `the recovered run still learns: ${accuracy}%`);
      assert.match(await page.textContent('[data-testid="gpu-status"]'), /GPU device was lost/);
      await screenshot(page, "fault-device-lost");
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
      await assertRunKept(page, { checkpoint: 100, state: "finished" });
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    });
  } finally {
    await browser.close();
  }
});

test("running out of GPU memory stops the run with a message and keeps the checkpoint", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "fault-out-of-memory", "/playground?drill", async (page) => {
      await trainPastFirstCheckpoint(page, 200);
      await page.click('[data-testid="drill-out-of-memory"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 120_000 });
      const end = await page.textContent('[data-testid="run-end"]');
      assert.match(end, /ran out of memory; try a smaller batch size/);
      // The device panel says why later runs use the CPU.
      assert.match(await page.textContent('[data-testid="gpu-status"]'), /ran out of memory/);
      await screenshot(page, "fault-out-of-memory");
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
      await assertRunKept(page, { atLeast: 50, state: "failed" });
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    });
  } finally {
    await browser.close();
  }
});

test("after the worker crashes, the run resumes from its last checkpoint", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "fault-worker-crash", "/playground?drill", async (page) => {
      await trainPastFirstCheckpoint(page, 100);
      await page.click('[data-testid="drill-worker-crash"]');
      const offer = page.locator('[data-testid="resume-after-crash"]');
      await offer.waitFor({ timeout: 60_000 });
      assert.match(await offer.textContent(), /Restart and resume from step 50/);
      await screenshot(page, "fault-worker-crash");
      await offer.click();
      const notice = page.locator('[data-testid="run-notice"]');
      await notice.waitFor({ timeout: 120_000 });
      assert.match(await notice.textContent(), /worker was restarted; the run goes on from its checkpoint at step 50/);
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      assert.match(await page.textContent('[data-testid="progress-text"]'), /^Step 100 of 100/);
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
      await assertRunKept(page, { checkpoint: 100, state: "finished" });
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    });
  } finally {
    await browser.close();
  }
});

test("a NaN loss stops the run with a message and keeps the last good checkpoint", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "fault-nan", "/playground?drill", async (page) => {
      await trainPastFirstCheckpoint(page, 300);
      await page.click('[data-testid="drill-nan"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 120_000 });
      const end = await page.textContent('[data-testid="run-end"]');
      const m = end.match(
        /^Training stopped: the loss became NaN at step (\d+), so training stopped and the model keeps its last good parameters; try a lower learning rate$/,
      );
      assert.ok(m, end);
      const nanStep = Number(m[1]);
      await screenshot(page, "fault-nan");
      // The last checkpoint before the NaN step (one every 50 steps) is the one kept.
      const lastGood = Math.floor(nanStep / 50) * 50;
      assert.ok(lastGood >= 50, `NaN at step ${nanStep}`);
      // Its write may still be finishing: give the gallery's source a moment, then reload.
      await page.waitForTimeout(1000);
      await assertRunKept(page, { checkpoint: lastGood, state: "failed" });
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    });
  } finally {
    await browser.close();
  }
});
