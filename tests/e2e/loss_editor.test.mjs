// The custom-loss editor in the playground: a focal loss typed with a deliberate typo is
// squiggled at the typo with a "did you mean" message, the fix makes it check, the gradient
// check passes, and 100 steps on small digits with class 3 made rare recall more of class 3
// on the balanced test split than the same 100 steps with the built-in cross-entropy
// (the native twin, core/tests/loss_imbalance.rs, measures the same run: CE 0.784, focal 0.865).
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

const SHOTS = process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots";
const RARE = 3;
const TYPO_SOURCE = [
  "# focal loss, typed by hand",
  "param gamma = 2.0 in 0..5",
  "let logpt = gather(log_prob, target)",
  "let pt = exp(logpt)",
  "mean(-(1 - pt)^gamma * logpt)",
].join("\n");

/** Trains 100 steps with the current settings; returns recall of the rare class and the losses. */
async function trainAndRead(page) {
  await page.click('[data-testid="train"]');
  await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
  assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
  assert.match(await page.textContent('[data-testid="progress-text"]'), /^Step 100 of 100/);
  const rows = await page.$$eval('[data-testid="class-metrics"] tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => Number(td.textContent))),
  );
  // columns: precision, recall, F1, support
  const [, recall, , support] = rows[RARE];
  const losses = await page.$eval(".chart polyline", (p) => p.getAttribute("points").trim().split(" ").length);
  const accuracy = parseFloat((await page.textContent('[data-testid="test-accuracy"]')).match(/([\d.]+)%/)[1]);
  return { recall, support, losses, accuracy };
}

test("type a focal loss, see the typo flagged, fix it, and it beats CE on a rare class", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "loss-editor", "/playground", async (page) => {
      await page.click('[data-dataset="digits"]');
      await page.waitForSelector('[data-testid="dataset-size"]:has-text("8×8")', { timeout: 30_000 });
      await page.fill('[data-testid="epochs"]', "100");
      await page.fill('[data-testid="max-steps"]', "100");
      // The imbalanced subset: class 3 keeps 25% of its training images (37 of 147).
      await page.selectOption('[data-testid="rare-class-select"]', String(RARE));
      await page.selectOption('[data-testid="rare-class-keep"]', "0.25");

      // 1. Plain cross-entropy.
      await page.check('[data-testid="loss-builtin"]');
      const ce = await trainAndRead(page);

      // 2. Type a focal loss with a typo.
      await page.check('[data-testid="loss-custom"]');
      const editor = page.locator('[data-testid="loss-source"]');
      await editor.fill("");
      await editor.pressSequentially(TYPO_SOURCE, { delay: 2 });
      const squiggle = page.locator('[data-testid="squiggle"]');
      await squiggle.first().waitFor({ timeout: 10_000 });
      assert.equal(await squiggle.count(), 1, "one squiggle");
      const start = TYPO_SOURCE.indexOf("log_prob,");
      assert.equal(await squiggle.getAttribute("data-start"), String(start));
      assert.equal(await squiggle.getAttribute("data-end"), String(start + "log_prob".length));
      assert.equal(await squiggle.textContent(), "log_prob");
      assert.equal(await squiggle.getAttribute("data-severity"), "error");
      const message = await page.textContent('[data-testid="loss-message"]');
      assert.match(message, /error, line 3, column 20: unknown name `log_prob`; did you mean `log_probs`\?/);
      // Drawn where the typo is: on the third line, 19 characters in.
      const box = await squiggle.boundingBox();
      const area = await editor.boundingBox();
      const lineHeight = await editor.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
      const charWidth = await page.evaluate(() => {
        const probe = document.createElement("span");
        probe.className = "tok-plain";
        probe.textContent = "x".repeat(10);
        document.querySelector(".code-overlay").prepend(probe);
        const w = probe.getBoundingClientRect().width / 10;
        probe.remove();
        return w;
      });
      const padTop = await editor.evaluate((e) => parseFloat(getComputedStyle(e).paddingTop));
      const padLeft = await editor.evaluate((e) => parseFloat(getComputedStyle(e).paddingLeft));
      const line = Math.round((box.y - area.y - padTop) / lineHeight);
      const column = Math.round((box.x - area.x - padLeft) / charWidth);
      assert.deepEqual({ line, column }, { line: 2, column: 19 }, "squiggle at line 3 (index 2), column 20 (index 19)");
      assert.equal(await page.isDisabled('[data-testid="train"]'), false);
      await screenshot(page, "loss-editor-typo");
      await page.locator('[data-testid="loss-editor"]').screenshot({ path: `${SHOTS}/loss-editor-typo-panel.png` });

      // Training refuses a loss with errors, in words.
      await page.click('[data-testid="train"]');
      await page.waitForSelector('.training-panel [role="alert"]', { timeout: 10_000 });
      assert.match(await page.textContent('.training-panel [role="alert"]'), /custom loss has an error: unknown name `log_prob`/);

      // 3. Fix it with the suggested fix.
      await page.click('[data-testid="apply-fix"]');
      await page.waitForSelector('[data-testid="loss-ok"]', { timeout: 10_000 });
      assert.equal(await squiggle.count(), 0);
      assert.equal(await editor.inputValue(), TYPO_SOURCE.replace("log_prob,", "log_probs,"));
      // Its slider, live value and gradient check.
      assert.equal(await page.textContent('[data-testid="param-gamma-value"]'), "2.00");
      await page.waitForSelector('[data-testid="loss-value"]:has-text("Loss on a random batch")', { timeout: 20_000 });
      const live = await page.textContent('[data-testid="loss-value"]');
      const [, focalValue, ceValue] = live.match(/: ([\d.]+) \(built-in cross-entropy: ([\d.]+)\)/).map(Number);
      assert.ok(focalValue < ceValue, `focal ${focalValue} below CE ${ceValue} on the same batch`);
      await page.click('[data-testid="check-gradient"]');
      await page.waitForSelector('[data-testid="gradcheck-result"]', { timeout: 30_000 });
      assert.equal(await page.getAttribute('[data-testid="gradcheck-result"]', "data-passes"), "true");
      const gradcheck = await page.textContent('[data-testid="gradcheck-result"]');
      await page.locator('[data-testid="loss-editor"]').screenshot({ path: `${SHOTS}/loss-editor-fixed-panel.png` });

      // 4. Train the same 100 steps with focal.
      const focal = await trainAndRead(page);
      console.log(
        `loss editor e2e: digits, class ${RARE} kept at 25%, 100 steps of 64 on the CPU: ` +
          `class-${RARE} recall CE ${ce.recall} vs focal ${focal.recall} (support ${ce.support}); ` +
          `test accuracy CE ${ce.accuracy}% vs focal ${focal.accuracy}%; live value focal ${focalValue} vs CE ${ceValue}; ${gradcheck}`,
      );
      assert.equal(focal.support, ce.support);
      assert.ok(focal.recall > ce.recall, `focal recall ${focal.recall} > CE recall ${ce.recall}`);
      await screenshot(page, "loss-editor-trained");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
