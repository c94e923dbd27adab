// A panic in the app shows a readable error panel with a report, never a dead page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

test("a panic shows the error panel with a copyable report", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "panic-panel", "/debug/panic", async (page) => {
      await page.click("text=Crash the app");
      await page.waitForSelector("#panic-panel", { timeout: 10_000 });
      const report = await page.textContent("#panic-report");
      assert.match(report, /panicked: deliberate test panic from \/debug\/panic/);
      assert.match(report, /page: http:\/\/127\.0\.0\.1:\d+\/debug\/panic/);
      assert.match(await page.textContent("#panic-panel"), /Runs and data sets already saved/);
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
      await page.click("#panic-panel >> text=Copy report");
      await page.waitForSelector("#panic-panel >> text=/Copied|Selected/");
      await screenshot(page, "panic-panel");
      // The panic is reported to the console on purpose; anything else is a problem.
      const unexpected = page.problems.filter((p) => !/deliberate test panic|unreachable|RuntimeError/.test(p));
      assert.deepEqual(unexpected, []);
    });
  } finally {
    await browser.close();
  }
});
