// After training, the results panel shows the confusion matrix and per-class metrics that
// agree with the reported accuracy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

test("the confusion matrix and per-class metrics follow a CPU run on small digits", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "results", "/playground", async (page) => {
      await page.click('[data-dataset="digits"]');
      await page.waitForSelector('[data-testid="dataset-size"]:has-text("8×8")', { timeout: 30_000 });
      await page.fill('[data-testid="epochs"]', "10");
      await page.fill('[data-testid="lr"]', "0.1");
      await page.fill('[data-testid="batch-size"]', "32");
      await page.click('[data-testid="train"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 180_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      const matrix = await page.$$eval('[data-testid="confusion-matrix"] tbody tr', (rows) =>
        rows.map((r) => [...r.querySelectorAll("td")].map((td) => Number(td.textContent))),
      );
      assert.equal(matrix.length, 10);
      const total = matrix.flat().reduce((a, b) => a + b, 0);
      const hits = matrix.reduce((a, row, i) => a + row[i], 0);
      assert.equal(total, 359, "every test image is counted once");
      const shown = parseFloat((await page.textContent('[data-testid="results"] p')).match(/Accuracy ([\d.]+)%/)[1]);
      assert.ok(Math.abs(100 * hits / total - shown) < 0.06, `diagonal ${hits}/${total} vs shown ${shown}%`);
      assert.ok(shown > 80, `small digits reach ${shown}% after 10 epochs of the MLP`);
      assert.equal(await page.locator('[data-testid="class-metrics"] tbody tr').count(), 12);
      await page.locator('[data-testid="results"]').screenshot({ path: (process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots") + "/confusion-matrix.png" });
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
