// The webcam with Chromium's fake camera: hold each class's button to record frames (pointer for
// one, keyboard for the other), delete a bad one, train MobileNetV2's new head on them, and see
// live class probabilities for the camera's frames. Without a camera, the panel says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { launch, withPage, screenshot } from "./browser.mjs";

const SCREENSHOTS = process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots";

async function count(page, label) {
  return parseInt(await page.textContent(`[data-testid="count-${label}"]`), 10);
}

test("record two classes by holding the buttons, train the transfer head, see live predictions", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "webcam", "/playground", async (page) => {
      await page.click('[data-testid="source-webcam"]');
      await page.click('[data-testid="start-camera"]');
      await page.waitForSelector('[data-testid="record-0"]:not([disabled])', { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector('[data-testid="camera-video"]').videoWidth > 0);

      // Class 1: held with the pointer for 1.5 s.
      await page.hover('[data-testid="record-0"]');
      await page.mouse.down();
      await page.waitForTimeout(1500);
      assert.equal(await page.getAttribute('[data-testid="record-0"]', "aria-pressed"), "true");
      await page.mouse.up();
      const first = await count(page, 0);
      assert.ok(first >= 10 && first <= 20, `${first} frames in 1.5 s at 10 per second`);
      await page.waitForTimeout(400);
      assert.equal(await count(page, 0), first, "recording stops on release");

      // Class 2: held with the space bar.
      await page.focus('[data-testid="record-1"]');
      await page.keyboard.down("Space");
      await page.waitForTimeout(1500);
      await page.keyboard.up("Space");
      const second = await count(page, 1);
      assert.ok(second >= 10 && second <= 20, `${second} frames from the keyboard`);

      // A bad capture is deleted.
      await page.hover('[data-testid="samples-0"] .sample');
      await page.click('[data-testid="samples-0"] .sample-delete');
      assert.equal(await count(page, 0), first - 1);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.locator('[data-testid="webcam-panel"]').screenshot({ path: join(SCREENSHOTS, "webcam-panel.png") });

      await page.fill('[data-testid="user-epochs"]', "3");
      const started = Date.now();
      await page.click('[data-testid="train-user"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 540_000 });
      const seconds = (Date.now() - started) / 1000;
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      const accuracy = await page.textContent('[data-testid="test-accuracy"]');
      console.log(`webcam transfer: ${first - 1} + ${second} frames, ${accuracy} after 3 epochs in ${seconds.toFixed(1)} s`);

      // Live prediction: one bar per class, probabilities that add up to 100%.
      await page.waitForSelector('[data-testid="prob-1"]', { timeout: 60_000 });
      const percents = await page.$$eval(".prediction-bars .bar-count", (cells) => cells.map((c) => parseFloat(c.textContent)));
      assert.equal(percents.length, 2);
      const total = percents.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 100) <= 2, `probabilities add up to ${total}%`);
      await page.locator('[data-testid="webcam-panel"]').screenshot({ path: join(SCREENSHOTS, "webcam-predicting.png") });
      await screenshot(page, "webcam-trained");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});

test("a denied camera is explained in words", async () => {
  // Without the fake-UI flag the permission request is refused in headless mode.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--use-fake-device-for-media-stream", "--deny-permission-prompts"],
  });
  try {
    await withPage(browser, "webcam-denied", "/playground", async (page) => {
      await page.click('[data-testid="source-webcam"]');
      await page.click('[data-testid="start-camera"]');
      await page.waitForSelector('[data-testid="camera-error"]', { timeout: 30_000 });
      assert.match(await page.textContent('[data-testid="camera-error"]'), /Camera access was denied|No camera was found/);
      assert.equal(await page.getAttribute('[data-testid="record-0"]', "disabled"), "");
      await screenshot(page, "webcam-denied");
    });
  } finally {
    await browser.close();
  }
});
