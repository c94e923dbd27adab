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
