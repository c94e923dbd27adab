// Looking inside a trained model: the model panel's layer list, the examples behind a
// confusion-matrix cell, the most confident mistakes, first-layer filters, activation maps and
// a saliency map, all drawn (no blank canvases), with screenshots of each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage } from "./browser.mjs";

const SHOTS = process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots";

/** Canvases under `selector` that show more than one colour (drawn, not blank). */
async function drawnCanvases(page, selector) {
  return page.$$eval(`${selector} canvas`, (canvases) =>
    canvases.map((c) => {
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`);
      return colours.size > 1;
    }),
  );
}

async function assertAllDrawn(page, selector, atLeast, { allowBlank = false } = {}) {
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(`${sel} canvas`).length >= n,
    [selector, atLeast],
    { timeout: 60_000 },
  );
  const drawn = await drawnCanvases(page, selector);
  assert.ok(drawn.length >= atLeast, `${selector}: ${drawn.length} canvases, wanted ${atLeast}`);
  // A feature map may be legitimately uniform (a channel ReLU switched off for this example).
  const ok = allowBlank ? drawn.filter(Boolean).length * 2 >= drawn.length : drawn.every(Boolean);
  assert.ok(ok, `${selector}: blank canvases ${JSON.stringify(drawn)}`);
  return drawn.length;
}

test("after a LeNet-5 run: layers, cell examples, mistakes, filters, activations and saliency", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "inspect", "/playground", async (page) => {
      await page.click('[data-dataset="mnist"]');
      await page.waitForSelector('[data-testid="dataset-size"]', { timeout: 30_000 });
      await page.selectOption('[data-testid="preset"]', "lenet5");

      // The model panel lists LeNet-5's layers with shapes, parameters and FLOPs.
      await page.waitForSelector('[data-testid="layer-table"]', { timeout: 60_000 });
      const rows = await page.$$eval('[data-testid="layer-table"] tbody tr', (trs) =>
        trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())),
      );
      assert.ok(rows.length >= 5, `${rows.length} layer rows`);
      assert.ok(rows.some((r) => r[1] === "6×28×28" || r[1] === "6×24×24"), `a 6-channel conv output: ${JSON.stringify(rows)}`);
      assert.equal(await page.textContent('[data-testid="total-params"]'), "61.7 k");
      assert.match(await page.textContent('[data-testid="model-totals"]'), /trainable parameters · .*FLOPs per image/);
      await page.locator('[data-testid="model-panel"]').screenshot({ path: `${SHOTS}/model-panel.png` });

      await page.fill('[data-testid="epochs"]', "1");
      await page.fill('[data-testid="max-steps"]', "80");
      await page.selectOption('[data-testid="backend"]', "cpu");
      await page.click('[data-testid="train"]');
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");

      // The confident mistakes appear with their images.
      await page.waitForSelector('[data-testid="confident-mistakes"]', { timeout: 60_000 });
      const mistakes = await assertAllDrawn(page, '[data-testid="mistake-grid"]', 1);

      // Open the largest off-diagonal cell: it lists as many examples as the matrix counts.
      const matrix = await page.$$eval('[data-testid="confusion-matrix"] tbody tr', (trs) =>
        trs.map((r) => [...r.querySelectorAll("td")].map((td) => Number(td.textContent))),
      );
      let best = [0, 1];
      matrix.forEach((row, t) => row.forEach((n, p) => {
        if (t !== p && n > matrix[best[0]][best[1]]) best = [t, p];
      }));
      const [t, p] = best;
      const count = matrix[t][p];
      assert.ok(count > 0, "the model makes some mistake after 80 steps");
      await page.click(`[data-testid="confusion-matrix"] tbody tr:nth-child(${t + 1}) td:nth-of-type(${p + 1}) button`);
      await page.waitForSelector(`[data-testid="cell-examples"][data-count="${count}"]`, { timeout: 30_000 });
      const shown = await assertAllDrawn(page, '[data-testid="cell-example-grid"]', Math.min(count, 24));
      assert.equal(shown, Math.min(count, 24));
      const names = await page.$$eval('[data-testid="confusion-matrix"] thead th[scope="col"]', (ths) => ths.map((th) => th.textContent));
      const captions = await page.$$eval('[data-testid="cell-example-grid"] .example', (els) => els.map((e) => e.title));
      assert.ok(captions.every((c) => c.includes(`true ${names[t]},`) && c.includes(`predicted ${names[p]} `)), JSON.stringify(captions));
      await page.locator('[data-testid="results-extras"]').screenshot({ path: `${SHOTS}/results-extras.png` });

      // Looking inside: LeNet-5's six 5×5 first-layer filters, feature maps, saliency.
      assert.equal(await assertAllDrawn(page, '[data-testid="filters"]', 6), 6);
      assert.equal(await assertAllDrawn(page, '[data-testid="activations"]', 6, { allowBlank: true }), 6);
      await assertAllDrawn(page, '[data-testid="saliency"]', 3);

      // Another layer: its channels replace the first layer's.
      const layers = await page.$$eval('[data-testid="activation-layer"] option', (os) => os.map((o) => o.value));
      const deeper = layers.find((l) => l !== layers[0] && /conv2|features\.3|c3/.test(l)) ?? layers[layers.length - 1];
      await page.selectOption('[data-testid="activation-layer"]', deeper);
      await page.waitForFunction((l) => document.querySelector('[data-testid="activations"]')?.previousElementSibling?.textContent.startsWith(l), deeper, { timeout: 30_000 });
      await assertAllDrawn(page, '[data-testid="activations"]', 1, { allowBlank: true });

      // Clicking a mistake shows it in the inspect panel.
      const chosen = await page.getAttribute('[data-testid="mistake-grid"] .example >> nth=0', "data-index");
      await page.click('[data-testid="mistake-grid"] .example >> nth=0');
      await page.waitForFunction((i) => document.querySelector('[data-testid="inspect-example"]').value === i, chosen);
      await page.waitForFunction((i) => document.querySelector('[data-testid="saliency"]')?.previousElementSibling?.textContent.includes(`example ${i} `), chosen, { timeout: 30_000 });
      await assertAllDrawn(page, '[data-testid="saliency"]', 3);
      await page.locator('[data-testid="inspect"]').screenshot({ path: `${SHOTS}/inspect.png` });
      assert.ok(mistakes >= 1);
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
