// Shared harness for pixelgrad's end-to-end tests: the system Chromium driven by playwright-core.
//
// `cargo xtask test` builds the app, serves it and sets PIXELGRAD_URL. Every page records console
// errors, uncaught exceptions and CSP violations, so a test can assert that none happened, and a
// failing test leaves a screenshot in PIXELGRAD_SCREENSHOTS.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const BASE_URL = process.env.PIXELGRAD_URL ?? "http://127.0.0.1:8080/";
const SCREENSHOTS = process.env.PIXELGRAD_SCREENSHOTS ?? "target/screenshots";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Flags that keep headless Chromium quiet on a closed network and run as root. */
const BASE_FLAGS = [
  "--no-sandbox",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

/**
 * Launches Chromium. `webgpu: true` turns on WebGPU (SwiftShader in headless mode); false runs
 * the browser as most Linux users have it today, without WebGPU.
 */
export async function launch({ webgpu = true } = {}) {
  const args = [...BASE_FLAGS];
  if (webgpu) args.push("--enable-unsafe-webgpu", "--enable-features=Vulkan");
  else args.push("--disable-features=WebGPU");
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** Opens a page that records everything that went wrong on it in `page.problems`. */
export async function openPage(browser, path = "") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`uncaught: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") page.problems.push(`console.error: ${m.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  });
  await page.goto(new URL(path, BASE_URL).href);
  return page;
}

/** Saves a full-page screenshot under PIXELGRAD_SCREENSHOTS and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Runs `body(page)`; on failure saves a screenshot named after the test before rethrowing. */
export async function withPage(browser, name, path, body) {
  const page = await openPage(browser, path);
  try {
    await body(page);
  } catch (error) {
    const shot = await screenshot(page, `FAILED-${name}`).catch(() => "none");
    error.message += `\n(screenshot: ${shot}; page problems: ${JSON.stringify(page.problems)})`;
    throw error;
  } finally {
    await page.context().close();
  }
}
