// The playground: choosing a bundled data set shows its size, class balance and examples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

test("choosing MNIST shows its size, balance and thumbnails", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "playground-data", "/playground", async (page) => {
      await page.click('[data-dataset="mnist"]');
      await page.waitForSelector('[data-testid="dataset-size"]', { timeout: 30_000 });
      assert.equal(
        await page.textContent('[data-testid="dataset-size"]'),
        "8000 training and 2000 test images of 28×28 pixels in 10 classes.",
      );
      assert.equal(await page.getAttribute('[data-dataset="mnist"]', "aria-checked"), "true");
      assert.equal(await page.locator(".balance li").count(), 10);
      assert.equal(await page.locator(".thumbs canvas").count(), 80);
      // The thumbnails are drawn, not blank: some pixel of the first one is bright.
      const brightest = await page.$eval(".thumbs canvas", (c) =>
        Math.max(...c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0)),
      );
      assert.ok(brightest > 200, `first thumbnail's brightest pixel is ${brightest}`);
      await page.click('[data-dataset="digits"]');
      await page.waitForSelector('[data-testid="dataset-size"]:has-text("8×8")');
      await page.click('[data-dataset="mnist"]');
      await page.waitForSelector('[data-testid="dataset-size"]:has-text("28×28")');
      await screenshot(page, "playground-data");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});

/** The preview's canvases of row `row` (0 = originals) as data URLs. */
async function previewRow(page, row) {
  return page.$$eval(`[data-testid="augment-grid"] .augment-row:nth-child(${row + 1}) canvas`, (cs) =>
    cs.map((c) => c.toDataURL()),
  );
}

test("schedule, regularization and augmentation go into the run and its link, with a seeded preview", async () => {
  const browser = await launch({ webgpu: false });
  try {
    let link;
    await withPage(browser, "playground-settings", "/playground", async (page) => {
      await page.click('[data-dataset="digits"]');
      await page.waitForSelector('[data-testid="dataset-size"]:has-text("8×8")', { timeout: 30_000 });
      await page.click('[data-testid="more-settings"] summary');
      // Without augmentation, every epoch sees the originals.
      await page.waitForSelector('[data-testid="augment-grid"][data-drawn="16"]', { timeout: 30_000 });
      const originals = await previewRow(page, 0);
      assert.equal(originals.length, 8);
      assert.deepEqual(await previewRow(page, 1), originals);
      // A toggle redraws the preview with real augmented images; each epoch draws anew.
      await page.check('[data-testid="augment-rotate"]');
      await page.check('[data-testid="augment-crop"]');
      await page.waitForFunction(
        (first) => {
          const c = document.querySelector('[data-testid="augment-grid"] .augment-row:nth-child(2) canvas');
          return c && c.toDataURL() !== first;
        },
        originals[0],
        { timeout: 30_000 },
      );
      const epoch1 = await previewRow(page, 1);
      const epoch2 = await previewRow(page, 2);
      assert.notDeepEqual(epoch1, epoch2, "epoch 2 draws other augmentations than epoch 1");
      // Seeded: another seed draws other images, the same seed the same ones again.
      await page.fill('[data-testid="seed"]', "3");
      await page.waitForFunction(
        (first) => document.querySelector('[data-testid="augment-grid"] .augment-row:nth-child(2) canvas')?.toDataURL() !== first,
        epoch1[0],
        { timeout: 30_000 },
      );
      await page.fill('[data-testid="seed"]', "0");
      await page.waitForFunction(
        (first) => document.querySelector('[data-testid="augment-grid"] .augment-row:nth-child(2) canvas')?.toDataURL() === first,
        epoch1[0],
        { timeout: 30_000 },
      );
      await page.uncheck('[data-testid="augment-crop"]');
      await page.check('[data-testid="augment-normalize"]');
      await page.locator('[data-testid="training-panel"]').screenshot({
        path: (process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots") + "/playground-settings.png",
      });
      // Schedule, plateau, regularization; a rate so small that f32 weights cannot move, so
      // validation accuracy never improves and early stopping ends the run after epoch 2.
      await page.selectOption('[data-testid="schedule"]', "step");
      await page.fill('[data-testid="step-size"]', "2");
      await page.fill('[data-testid="gamma"]', "0.5");
      await page.fill('[data-testid="warmup"]', "1");
      await page.check('[data-testid="plateau"]');
      await page.fill('[data-testid="plateau-patience"]', "3");
      await page.fill('[data-testid="weight-decay"]', "0.0005");
      await page.fill('[data-testid="dropout"]', "0.2");
      await page.fill('[data-testid="clip"]', "5");
      await page.fill('[data-testid="patience"]', "1");
      await page.fill('[data-testid="lr"]', "0.000000001");
      await page.fill('[data-testid="epochs"]', "6");
      await page.click('[data-testid="train"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
      assert.equal(
        await page.textContent('[data-testid="run-end"]'),
        "Stopped early at epoch 2 (no validation improvement for 1 epoch).",
      );
      // The warm-up epoch ran at a tenth of the rate, the next at the full rate: the LR chart has both.
      await page.click('[data-testid="share"]');
      await page.waitForSelector('[data-testid="share-link"]', { timeout: 60_000 });
      link = await page.inputValue('[data-testid="share-link"]');
      const spec = JSON.parse(await page.textContent('[data-testid="share-spec"]'));
      assert.deepEqual(spec.train.schedule, {
        kind: "warmup",
        steps: 1,
        start_factor: 0.1,
        then: { kind: "step", step_size: 2, gamma: 0.5 },
      });
      assert.equal(spec.train.reduce_on_plateau.patience, 3);
      assert.equal(spec.train.reduce_on_plateau.factor, 0.5);
      assert.equal(spec.train.optimizer.weight_decay, 0.0005);
      assert.equal(spec.train.clip_grad_norm, 5);
      assert.equal(spec.train.early_stopping_patience, 1);
      assert.equal(spec.model.dropout, 0.2);
      assert.deepEqual(
        spec.train.loader.augment.transforms.map((t) => t.kind),
        ["random_rotation", "normalize"],
      );
      assert.deepEqual(page.problems, []);
    });
    // The link brings every setting back into the controls.
    const url = new URL(link);
    await withPage(browser, "playground-settings-link", url.pathname + url.hash, async (page) => {
      await page.waitForSelector('[data-testid="link-opened"]', { timeout: 30_000 });
      await page.click('[data-testid="more-settings"] summary');
      assert.equal(await page.inputValue('[data-testid="schedule"]'), "step");
      assert.equal(await page.inputValue('[data-testid="step-size"]'), "2");
      assert.equal(await page.inputValue('[data-testid="warmup"]'), "1");
      assert.equal(await page.inputValue('[data-testid="plateau-patience"]'), "3");
      assert.equal(await page.inputValue('[data-testid="dropout"]'), "0.2");
      assert.equal(await page.inputValue('[data-testid="patience"]'), "1");
      assert.ok(await page.isChecked('[data-testid="augment-rotate"]'));
      assert.ok(!(await page.isChecked('[data-testid="augment-crop"]')));
      assert.ok(await page.isChecked('[data-testid="augment-normalize"]'));
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
