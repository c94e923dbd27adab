// Lessons: every lesson of the course walked step by step in headless Chromium (WebGPU on
// SwiftShader). Each step's checks are passed the way a learner would: quizzes by trying the
// choices until one is right, conv challenges with their solution, training runs by pressing
// Train and waiting for the target. "Next" must stay locked until the checks pass, and nothing
// may log an error. Screenshots of lessons 1, 4 and 13 land in target/screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";

/** Conv-explorer solutions: lesson id -> step number -> field values. */
const CONV_SOLUTIONS = {
  lenet: { 1: { "conv-padding": 2 }, 2: { "conv-out": 16, "conv-kernel": 5, "conv-padding": 0 } },
  vit: { 1: { "conv-stride": 7 } },
  convolutions: { 2: { "conv-padding": 1 }, 3: { "conv-stride": 2, "conv-padding": 1 }, 4: { "conv-groups": 32 } },
  densenet: { 2: { "conv-kernel": 1 } },
  mobilenet: { 2: { "conv-groups": 32 }, 3: { "conv-kernel": 1, "conv-padding": 0 } },
  convnext: { 1: { "conv-stride": 2 } },
};
/** Lessons whose walk is screenshotted at every step (the walkthrough). */
const SHOWCASE = new Set(["tensors-autograd", "lenet", "vit"]);
/** Longest wait for one step's training run (SwiftShader is far slower than a laptop GPU). */
const TRAIN_TIMEOUT_MS = 540_000;

async function lessonIds(browser) {
  let ids = [];
  await withPage(browser, "lessons-outline", "/lessons", async (page) => {
    await page.waitForSelector('[data-testid="course-item"]', { timeout: 30_000 });
    ids = await page.$$eval('[data-testid="course-item"] a', (as) => as.map((a) => a.getAttribute("href").split("/").pop()));
    assert.deepEqual(page.problems, []);
  });
  return ids;
}

async function checksPassed(page) {
  return page.$$eval('[data-testid="check"]', (cs) => cs.every((c) => c.classList.contains("passed")));
}

async function answerQuiz(page) {
  const options = await page.$$('[data-testid^="quiz-option-"]');
  for (const option of options) {
    await option.click();
    const feedback = await page.textContent('[data-testid="quiz-feedback"]');
    if (feedback.startsWith("Right.")) return;
  }
  throw new Error("no quiz choice was accepted");
}

async function passStep(page, id, n) {
  const step = page.locator('[data-testid="step"]');
  if (await page.$('[data-testid="graph-widget"]')) {
    await page.waitForSelector('[data-testid="gradcheck"]', { timeout: 60_000 });
  }
  if (await page.$('[data-testid="model-widget"]')) {
    await page.waitForSelector('[data-testid="model-total"]', { timeout: 60_000 });
  }
  const solution = CONV_SOLUTIONS[id]?.[n];
  if (solution) {
    for (const [field, value] of Object.entries(solution)) {
      await page.fill(`[data-testid="${field}"]`, String(value));
    }
  }
  if (await page.$('[data-testid="quiz"]')) await answerQuiz(page);
  if (await page.$('[data-testid="lesson-train"]')) {
    const started = Date.now();
    await page.click('[data-testid="lesson-train"]');
    await page.waitForSelector('[data-testid="lesson-run-status"]', { timeout: 120_000 });
    // The step is passed as soon as its checks hold: a run that reaches its target early is
    // stopped there, as a learner would; one with a step count to reach runs to its end.
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="lesson-run-end"]') ||
        [...document.querySelectorAll('[data-testid="check"]')].every((c) => c.classList.contains("passed")),
      null,
      { timeout: TRAIN_TIMEOUT_MS, polling: 500 },
    );
    if (SHOWCASE.has(id)) await screenshot(page, `lesson-${id}-step-${n}-training`);
    if (!(await page.$('[data-testid="lesson-run-end"]'))) await page.click('[data-testid="lesson-stop"]');
    await page.waitForSelector('[data-testid="lesson-run-end"]', { timeout: 60_000 });
    const end = await page.textContent('[data-testid="lesson-run-end"]');
    assert.match(end, /^(Training finished|Stopped)\.$/, `lesson ${id} step ${n}: ${end}`);
    // Speed and result of each lesson run, for estimating the time on a laptop GPU.
    const status = await page.textContent('[data-testid="lesson-run-status"] p');
    console.log(`lesson ${id} step ${n}: ${status} (${((Date.now() - started) / 1000).toFixed(1)} s in the page)`);
  }
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="check"]')].every((c) => c.classList.contains("passed")),
    null,
    { timeout: 30_000 },
  ).catch(async () => {
    const checks = await page.$$eval('[data-testid="check"]', (cs) => cs.map((c) => c.textContent));
    const status = await step.textContent();
    throw new Error(`lesson ${id} step ${n}: checks not passed: ${checks.join(" | ")}\n${status.slice(-400)}`);
  });
}

async function walk(browser, id) {
  await withPage(browser, `lesson-${id}`, `/lesson/${id}`, async (page) => {
    await page.waitForSelector('[data-testid="step"]', { timeout: 30_000 });
    const total = await page.$$eval(".step-nav li", (l) => l.length);
    assert.ok(total >= 5, `lesson ${id} has ${total} steps`);
    for (let n = 1; n <= total; n += 1) {
      await page.waitForSelector(`[data-testid="step"][data-step="${n}"]`, { timeout: 10_000 });
      const hasChecks = (await page.$$('[data-testid="check"]')).length > 0;
      if (hasChecks && !(await checksPassed(page)) && n < total) {
        assert.equal(await page.getAttribute('[data-testid="next"]', "aria-disabled"), "true", `lesson ${id} step ${n}: Next is locked`);
      }
      await passStep(page, id, n);
      if (SHOWCASE.has(id)) await screenshot(page, `lesson-${id}-step-${n}`);
      if (n < total) {
        assert.equal(await page.getAttribute('[data-testid="next"]', "aria-disabled"), "false");
        await page.click('[data-testid="next"]');
      }
    }
    assert.equal(await page.textContent('[data-testid="lesson-progress"]'), `${total} of ${total} steps done`);
    assert.deepEqual(page.problems, [], `lesson ${id}: no errors`);
  });
}

test("every lesson can be walked to the end, passing each step's checks", async () => {
  const browser = await launch({ webgpu: true });
  try {
    const ids = await lessonIds(browser);
    assert.ok(ids.length >= 3, `lessons listed: ${ids}`);
    // On SwiftShader the whole course takes hours (ViT alone runs at 0.1 steps/s), so CI
    // walks lesson 1; `PIXELGRAD_LESSONS=all` (or a list of ids) walks more.
    const wanted = process.env.PIXELGRAD_LESSONS ?? "tensors-autograd";
    const only = wanted === "all" ? null : wanted.split(",");
    for (const id of ids.filter((i) => !only || only.includes(i))) {
      await walk(browser, id);
    }
  } finally {
    await browser.close();
  }
});

test("progress survives a reload and locked steps stay locked", async () => {
  const browser = await launch({ webgpu: true });
  try {
    await withPage(browser, "lesson-progress", "/lesson/lenet#step-3", async (page) => {
      await page.waitForSelector('[data-testid="step"]', { timeout: 30_000 });
      // Step 3 is locked until steps 1 and 2 pass: the page shows step 1 and says so.
      assert.equal(await page.getAttribute('[data-testid="step"]', "data-step"), "1");
      assert.match(await page.textContent(".step-area"), /still locked/);
      // Without the anchor, so that passing step 1 does not move on to the requested step 3.
      await page.goto(new URL("/lesson/lenet", page.url()).href);
      await page.waitForSelector('[data-testid="step"][data-step="1"]', { timeout: 30_000 });
      await page.fill('[data-testid="conv-padding"]', "2");
      await page.waitForSelector(".check.passed");
      await page.click('[data-testid="next"]');
      await page.waitForSelector('[data-testid="step"][data-step="2"]');
      await page.reload();
      await page.waitForSelector('[data-testid="step"]', { timeout: 30_000 });
      assert.match(await page.textContent('[data-testid="lesson-progress"]'), /^1 of \d+ steps done/);
      // The open-in-playground link carries the step's run as a share link.
      const href = await page.getAttribute('[data-testid="open-playground"]', "href").catch(() => null);
      if (href) assert.match(href, /^\/playground#run=pg1\./);
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
