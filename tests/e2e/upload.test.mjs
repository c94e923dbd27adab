// Uploads: a folder of PNGs in two sub-folders plus one corrupt file, generated here. The corrupt
// file is reported by name, the others are kept, labelled by sub-folder, split for validation,
// and MobileNetV2's new head trains on them; then a dropped image gets a prediction.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, withPage, screenshot } from "./browser.mjs";
import { png } from "./png.mjs";

/** Seeded noise so the pictures differ from each other but the test is repeatable. */
function noise(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A warm disc on a light background, or a cool grid of stripes: two easy classes. */
function picture(kind, seed) {
  const r = noise(seed);
  const cx = 20 + r() * 24, cy = 20 + r() * 24, rad = 10 + r() * 8;
  return png(64, 3, (x, y) => {
    const jitter = Math.floor(r() * 30);
    if (kind === "suns") {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < rad ** 2;
      return inside ? [230 - jitter, 120 + jitter, 20] : [250 - jitter, 240 - jitter, 220];
    }
    const stripe = Math.floor((x + y + seed) / 6) % 2 === 0;
    return stripe ? [20 + jitter, 60, 160 + jitter] : [40, 140 + jitter, 200];
  });
}

test("an uploaded folder trains, and its corrupt file is named", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pixelgrad-upload-"));
  const root = join(dir, "shapes");
  try {
    for (const kind of ["suns", "stripes"]) {
      mkdirSync(join(root, kind), { recursive: true });
      for (let i = 0; i < 15; i++) writeFileSync(join(root, kind, `${kind}-${i}.png`), picture(kind, i + 1));
    }
    // A PNG signature followed by junk: decodes to an error, not an image.
    writeFileSync(join(root, "stripes", "broken.png"), Buffer.concat([png(8, 3, () => [0, 0, 0]).subarray(0, 20), Buffer.from("not the rest of a png")]));

    const browser = await launch({ webgpu: true });
    try {
      await withPage(browser, "upload", "/playground", async (page) => {
        await page.click('[data-testid="source-upload"]');
        await page.setInputFiles('[data-testid="pick-folder"]', root);
        await page.waitForSelector('[data-testid="rejected"]', { timeout: 60_000 });
        const rejected = await page.textContent('[data-testid="rejected"]');
        assert.match(rejected, /1 file was not used/);
        assert.match(rejected, /shapes\/stripes\/broken\.png: could not decode the image/);
        await page.waitForFunction(() => document.querySelectorAll(".class-card").length === 2);
        const names = await page.$$eval(".class-name", (inputs) => inputs.map((i) => i.value));
        assert.deepEqual(names.sort(), ["stripes", "suns"]);
        assert.equal(await page.textContent('[data-testid="count-0"]'), "15 images");
        assert.equal(await page.textContent('[data-testid="count-1"]'), "15 images");
        assert.equal(await page.locator(".sample-strip canvas").count(), 30);
        assert.equal(
          await page.textContent('[data-testid="split-summary"]'),
          "24 images for training, 6 held out for validation (the same share of every class).",
        );
        // Deleting a sample takes it out of the count.
        await page.hover('[data-testid="samples-1"] .sample');
        await page.click('[data-testid="samples-1"] .sample-delete');
        assert.equal(await page.textContent('[data-testid="count-1"]'), "14 images");
        await page.locator('[data-testid="upload-panel"]').screenshot({ path: await shotPath("upload-panel") });

        await page.fill('[data-testid="user-epochs"]', "4");
        const started = Date.now();
        await page.click('[data-testid="train-user"]');
        await page.waitForSelector('[data-testid="run-end"]', { timeout: 540_000 });
        const seconds = (Date.now() - started) / 1000;
        assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
        const accuracy = parseFloat((await page.textContent('[data-testid="test-accuracy"]')).match(/([\d.]+)%/)[1]);
        console.log(`upload transfer: validation accuracy ${accuracy}% after 4 epochs in ${seconds.toFixed(1)} s`);
        assert.ok(accuracy >= 80, `validation accuracy ${accuracy}%`);

        // A dropped (here: picked) image gets class probabilities.
        const sample = join(dir, "try.png");
        writeFileSync(sample, picture("suns", 99));
        await page.setInputFiles('[data-testid="try-file"]', sample);
        await page.waitForSelector('[data-testid="try-result"]', { timeout: 60_000 });
        assert.equal(await page.textContent('[data-testid="try-result"]'), "try.png: most likely suns");
        await screenshot(page, "upload-trained");
        assert.deepEqual(page.problems, []);
      });
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function shotPath(name) {
  const dir = process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots";
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
