// The home page loads, finds a WebGPU adapter, runs a real kernel on it, and says so; without
// WebGPU it explains the CPU fallback instead of showing a blank page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

const STATUS = '[data-testid="gpu-status"]';

test("home page reports a WebGPU adapter and a correct kernel result", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "home-webgpu", "/", async (page) => {
      await page.waitForSelector(`${STATUS}:not([data-state="checking"])`, { timeout: 30_000 });
      assert.equal(await page.title(), "pixelgrad: train neural networks in your browser");
      assert.match(await page.textContent("h1"), /Train real neural networks/);
      assert.equal(await page.getAttribute(STATUS, "data-state"), "ready", await page.textContent(STATUS));
      assert.match(await page.textContent('[data-testid="adapter"]'), /^browser WebGPU, /);
      assert.match(await page.textContent(STATUS), /in a background worker/);
      assert.match(await page.textContent('[data-testid="kernel-check"]'), /Kernel check passed: y = 2x \+ y on 1000 values/);
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, "COOP/COEP make the page cross-origin isolated");
      await screenshot(page, "home");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});

test("navigation reaches the playground and lessons pages", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "navigation", "/", async (page) => {
      await page.click("nav >> text=Playground");
      await page.waitForSelector("h1:text('Playground')");
      assert.equal(new URL(page.url()).pathname, "/playground");
      await page.click("nav >> text=Lessons");
      await page.waitForSelector("h1:text('Lessons')");
      assert.equal(await page.locator(".course li").count(), 17);
      await page.goto(new URL("/no-such-page", page.url()).href);
      await page.waitForSelector("h1:text('Page not found')");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});

test("without WebGPU the page explains the CPU fallback", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "home-no-webgpu", "/", async (page) => {
      await page.waitForSelector(`${STATUS}:not([data-state="checking"])`, { timeout: 30_000 });
      assert.equal(await page.getAttribute(STATUS, "data-state"), "unavailable", await page.textContent(STATUS));
      assert.match(await page.textContent(STATUS), /WebGPU is not available in this browser.*CPU/s);
      await screenshot(page, "home-no-webgpu");
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
