// Runs stay after a reload: a run interrupted by a reload mid-training is in the runs gallery
// with its curves and last checkpoint; the gallery renames, duplicates, compares, exports,
// deletes and imports runs, and what it keeps survives another reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, withPage, screenshot } from "./browser.mjs";
import { galleryRows } from "./kept_runs.mjs";

/** Steps done, read from the progress line. */
async function stepsDone(page) {
  const text = await page.textContent('[data-testid="progress-text"]').catch(() => "");
  const m = text.match(/^Step (\d+) of/);
  return m ? Number(m[1]) : 0;
}

test("a run interrupted by a reload is kept, and the gallery manages runs", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "persistence", "/playground", async (page) => {
      await page.waitForSelector('[data-testid="gpu-status"][data-state="unavailable"]', { timeout: 30_000 });
      await page.click('[data-dataset="mnist"]');
      await page.waitForSelector('[data-testid="dataset-size"]', { timeout: 30_000 });
      await page.selectOption('[data-testid="preset"]', "lenet5");
      await page.fill('[data-testid="max-steps"]', "2000");
      await page.fill('[data-testid="seed"]', "3");
      await page.click('[data-testid="train"]');
      // Once the page says the first checkpoint (every 50 steps) is kept, reload mid-run.
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="kept-step"]')?.dataset.step ?? 0) >= 50,
        null,
        { timeout: 300_000 },
      );
      const before = await stepsDone(page);
      await page.reload();
      await page.click('a[href="/runs"]');
      await page.waitForSelector('[data-testid="run-row"]', { timeout: 30_000 });
      let kept = await galleryRows(page);
      assert.equal(kept.length, 1, JSON.stringify(kept));
      const [run] = kept;
      assert.equal(run.state, "interrupted");
      assert.ok(run.step >= 50 && run.step <= before + 50, `kept step ${run.step}, reloaded at ${before}`);
      assert.ok(run.checkpoint >= 50, `checkpoint at step ${run.checkpoint}`);
      console.log(`reloaded at step ${before}: the gallery has the run at step ${run.step} with its checkpoint at step ${run.checkpoint}`);

      // Rename, duplicate, compare.
      await page.fill('[data-testid="run-name"]', "first try");
      await page.press('[data-testid="run-name"]', "Enter");
      await page.click('[data-testid="duplicate-run"]');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2);
      kept = await galleryRows(page);
      assert.deepEqual(kept.map((r) => r.name).sort(), ["first try", "first try (copy)"]);
      assert.ok(kept.every((r) => r.checkpoint === run.checkpoint), "the copy has the checkpoint too");
      for (const box of await page.$$('[data-testid="compare-run"]')) await box.check();
      await page.waitForSelector('[data-testid="compare-chart"] polyline');
      assert.equal(await page.locator('[data-testid="compare-chart"] polyline').count(), 2);
      await screenshot(page, "runs-gallery");

      // Export the original as a .pixelgrad file, delete the copy, import the file.
      const original = page.locator('[data-testid="run-row"]', { has: page.locator('input[value="first try"]') });
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        original.locator('[data-testid="export-run"]').click(),
      ]);
      assert.match(download.suggestedFilename(), /\.pixelgrad$/);
      const file = await download.path();
      assert.ok(readFileSync(file).length > 200_000, "the file holds the f32 weights");
      const copy = page.locator('[data-testid="run-row"]', { has: page.locator('input[value="first try (copy)"]') });
      await copy.locator('[data-testid="delete-run"]').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 1);
      await page.setInputFiles('[data-testid="import-run"]', file);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2, null, { timeout: 30_000 });
      kept = await galleryRows(page);
      const imported = kept.find((r) => r.state === "imported");
      assert.ok(imported, JSON.stringify(kept));
      assert.equal(imported.checkpoint, run.checkpoint);

      // All of it survives another reload; opening a run restores it in the playground.
      await page.reload();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2, null, { timeout: 30_000 });
      assert.deepEqual((await galleryRows(page)).map((r) => r.name).sort(), ["first try", "lenet5 (imported)"]);
      await page.locator('[data-testid="run-row"]', { has: page.locator('input[value="first try"]') })
        .locator('[data-testid="open-run"]').click();
      await page.waitForSelector('[data-testid="training-panel"]');
      assert.equal(await page.inputValue('[data-testid="seed"]'), "3");
      assert.equal(await page.inputValue('[data-testid="max-steps"]'), "2000");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
