// Sharing a run by link: train 100 steps, share, open the link in a fresh browser profile. The
// receiver sees the same spec, predicts the first 20 test images like the sender (the link
// carries int8 weights), and "Reproduce" retrains to the same loss at step 100 on the same
// backend. A tampered link is explained in words and the playground still opens.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

const STEPS = 100;

/** `[step, loss]` of the last loss point the training panel drew. */
async function lastLoss(page) {
  const text = await page.getAttribute('[data-testid="run-status"]', "data-last-loss");
  const [step, loss] = text.split(":").map(Number);
  return { step, loss };
}

async function predictions(page) {
  await page.click('[data-testid="predict"]');
  const el = await page.waitForSelector('[data-testid="predictions"]', { timeout: 60_000 });
  return (await el.getAttribute("data-classes")).split(",").map(Number);
}

test("a shared run opens in a fresh profile with the same spec, predictions and loss curve", async () => {
  const browser = await launch({ webgpu: true });
  try {
    let link, specA, lossA, predsA;
    await withPage(browser, "share-sender", "/playground", async (page) => {
      await page.waitForSelector('[data-testid="gpu-status"][data-state="ready"]', { timeout: 30_000 });
      await page.click('[data-dataset="mnist"]');
      await page.waitForSelector('[data-testid="dataset-size"]', { timeout: 30_000 });
      await page.selectOption('[data-testid="preset"]', "lenet5");
      await page.fill('[data-testid="epochs"]', "1");
      await page.fill('[data-testid="max-steps"]', String(STEPS));
      await page.fill('[data-testid="seed"]', "7");
      await page.click('[data-testid="train"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 600_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      lossA = await lastLoss(page);
      assert.equal(lossA.step, STEPS);
      await page.click('[data-testid="share"]');
      await page.waitForSelector('[data-testid="share-link"]', { timeout: 60_000 });
      link = await page.inputValue('[data-testid="share-link"]');
      const chars = Number(await page.getAttribute('[data-testid="share-length"]', "data-chars"));
      assert.equal(chars, link.length);
      assert.match(await page.textContent('[data-testid="share-length"]'), /with the trained weights/);
      console.log(`LeNet-5 share URL with int8 weights: ${chars} characters`);
      assert.ok(await page.isVisible('[data-testid="share-too-long"]'), "a link this long is flagged");
      specA = JSON.parse(await page.textContent('[data-testid="share-spec"]'));
      assert.equal(specA.steps, STEPS);
      assert.equal(specA.train.seed, 7);
      assert.deepEqual(specA.model, { family: "le_net", batch_norm: false });
      predsA = await predictions(page);
      assert.equal(predsA.length, 20);
      await page.click('[data-testid="share-dialog"] summary');
      await screenshot(page, "share-sender");
      await page.locator('[data-testid="share-panel"]').screenshot({
        path: (process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots") + "/share-dialog.png",
      });
      assert.deepEqual(page.problems, []);
    });

    const url = new URL(link);
    await withPage(browser, "share-receiver", url.pathname + url.hash, async (page) => {
      await page.waitForSelector('[data-testid="link-opened"]', { timeout: 30_000 });
      const specB = JSON.parse(await page.textContent('[data-testid="link-spec"]'));
      assert.deepEqual(specB, specA, "the receiver reads the sender's spec");
      // The weights came with the link: the model predicts before any training.
      await page.waitForSelector('[data-testid="link-opened"] [data-testid="predict"]:not([disabled])', { timeout: 60_000 });
      await page.click('[data-testid="link-opened"] [data-testid="predict"]');
      const el = await page.waitForSelector('[data-testid="link-opened"] [data-testid="predictions"]', { timeout: 60_000 });
      const predsB = (await el.getAttribute("data-classes")).split(",").map(Number);
      const same = predsB.filter((c, i) => c === predsA[i]).length;
      console.log(`predictions on 20 test images: ${same}/20 equal (int8 link weights vs the sender's f32 model)`);
      assert.deepEqual(predsB, predsA);
      // Reproduce: same spec and seed, same backend, same loss at step 100.
      await page.waitForSelector('[data-testid="reproduce"]:not([disabled])', { timeout: 60_000 });
      await page.click('[data-testid="reproduce"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 600_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      const lossB = await lastLoss(page);
      assert.equal(lossB.step, STEPS);
      console.log(`loss at step ${STEPS}: sender ${lossA.loss}, reproduced ${lossB.loss}, |diff| ${Math.abs(lossA.loss - lossB.loss)}`);
      assert.ok(Math.abs(lossA.loss - lossB.loss) <= 1e-5, `${lossA.loss} vs ${lossB.loss}`);
      assert.deepEqual(page.problems, []);
    });

    // One character changed in the middle of the link: refused in words, the playground works.
    const body = url.hash.slice(1);
    const mid = Math.floor(body.length / 2);
    const flipped = body.slice(0, mid) + (body[mid] === "A" ? "B" : "A") + body.slice(mid + 1);
    await withPage(browser, "share-tampered", "/playground#" + flipped, async (page) => {
      await page.waitForSelector('[data-testid="link-error"]', { timeout: 30_000 });
      const message = await page.textContent('[data-testid="link-error-text"]');
      assert.match(message, /damaged|invalid|malformed/i, message);
      assert.ok(await page.isVisible('[data-testid="training-panel"]'), "the playground still opens");
      await screenshot(page, "share-tampered");
      assert.deepEqual(page.problems, []);
    });
    await withPage(browser, "share-future", "/playground#run=pg9.AAAA", async (page) => {
      await page.waitForSelector('[data-testid="link-error"]', { timeout: 30_000 });
      assert.match(await page.textContent('[data-testid="link-error-text"]'), /newer version of pixelgrad/);
    });
  } finally {
    await browser.close();
  }
});
