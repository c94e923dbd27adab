// Lessons: the whole course walked step by step in headless Chromium, as a learner would:
// quizzes answered by trying the choices until one is right, conv challenges set to their
// solution, training runs started with Train and followed until the step's target is met,
// then "Next lesson" from each lesson's last step. "Next" must stay locked until the checks
// pass, every lesson must end with all its steps done, and nothing may log an error.
//
// CI walks all 17 lessons with `?budget=quick`: each run trains for its declared
// `quick_steps` (fewer steps, same model, data and target; the check must still be met by the
// training) on the CPU backend, which trains these small models 10-100x faster than WebGPU on
// SwiftShader. Two pages walk the two halves of the course side by side (one worker each, on
// a 2-core machine). Screenshots of every step of lessons 1, 4 and 13 land in
// target/screenshots/.
//
// `PIXELGRAD_LESSONS=lenet,vit` walks only those lessons; `PIXELGRAD_LESSONS_BUDGET=full` (or a
// step count) trains the lesson's own budgets; `PIXELGRAD_LESSONS_WEBGPU=1` trains on WebGPU.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot } from "./browser.mjs";
import { png } from "./png.mjs";

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
const BUDGET = process.env.PIXELGRAD_LESSONS_BUDGET ?? "quick";
const WEBGPU = process.env.PIXELGRAD_LESSONS_WEBGPU === "1";
/** Longest wait for one step's training run. */
const TRAIN_TIMEOUT_MS = Number(process.env.PIXELGRAD_LESSONS_RUN_TIMEOUT ?? (BUDGET === "quick" && !WEBGPU ? 120 : 540)) * 1000;
/** Per-run measurements, printed at the end for the time estimates of the lesson runs. */
const measured = [];

/** A grey PNG of a hand-drawn-looking 7: dark ink on light paper, as a learner's photo. */
function sevenPng(size = 56) {
  const ink = (x, y) => {
    // Pen strokes as thick as MNIST's (a fifth of the digit's height).
    const top = y >= 8 && y <= 17 && x >= 10 && x <= 46;
    // The diagonal from the top bar's right end down to the bottom left.
    const t = (y - 12) / 36;
    const dx = x - (42 - t * 18);
    const stroke = y >= 12 && y <= 48 && Math.abs(dx) <= 5;
    return top || stroke;
  };
  return png(size, 1, (x, y) => [ink(x, y) ? 30 : 235]);
}

/** Shows the trained ViT a picture of a 7 and waits for every head's map, drawn. */
async function attentionMaps(page, id, n) {
  await page.setInputFiles('[data-testid="attention-file"]', { name: "my-seven.png", mimeType: "image/png", buffer: sevenPng() });
  await page.waitForSelector('[data-testid="attention-prediction"]', { timeout: 60_000 });
  const maps = await page.$$eval('[data-testid="attention-map"] canvas', (cs) =>
    cs.map((c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let orange = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > d[i + 2] + 40) orange += 1;
      return orange;
    }),
  );
  // Two layers of two heads, each with some patch tinted.
  assert.equal(maps.length, 4, `lesson ${id} step ${n}: attention maps ${maps}`);
  assert.ok(maps.every((o) => o > 0), `lesson ${id} step ${n}: every map marks a patch (${maps})`);
  console.log(`# lesson ${id} step ${n}: ${await page.textContent('[data-testid="attention-prediction"]')}`);
}

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

/** Presses Train and waits until the step's checks hold (then stops the run) or it ends. */
async function train(page, id, n) {
  const started = Date.now();
  await page.click('[data-testid="lesson-train"]');
  await page.waitForSelector('[data-testid="lesson-run-status"]', { timeout: 120_000 });
  // The step is passed as soon as its checks hold: a run that reaches its target early is
  // stopped there, as a learner would; one that must finish runs to its end.
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="lesson-run-end"]') ||
      [...document.querySelectorAll('[data-testid="check"]')].every((c) => c.classList.contains("passed")),
    null,
    { timeout: TRAIN_TIMEOUT_MS, polling: 250 },
  );
  // The showcase lessons, and the steps with widgets inside their run (loss editor, transfer).
  const extra = (await page.$('[data-testid="loss-editor"]')) || id === "transfer-learning";
  if (SHOWCASE.has(id) || extra) await screenshot(page, `lesson-${id}-step-${n}-training`);
  if (!(await page.$('[data-testid="lesson-run-end"]'))) await page.click('[data-testid="lesson-stop"]');
  await page.waitForSelector('[data-testid="lesson-run-end"]', { timeout: 60_000 });
  const end = await page.textContent('[data-testid="lesson-run-end"]');
  assert.match(end, /^(Training finished|Stopped)\.$/, `lesson ${id} step ${n}: ${end}`);
  const status = await page.textContent('[data-testid="lesson-run-status"] p');
  const seconds = (Date.now() - started) / 1000;
  const m = status.match(/^Step (\d+) of (\d+) · ([\d.]+) steps\/s/);
  measured.push({ id, step: n, reached: Number(m?.[1]), budget: Number(m?.[2]), stepsPerSecond: Number(m?.[3]), seconds, status });
  console.log(`# lesson ${id} step ${n}: ${status} (${seconds.toFixed(1)} s in the page)`);
}

async function passStep(page, id, n) {
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
  if (await page.$('[data-testid="lesson-augment"]')) {
    // The run's own augmentation, drawn by the worker from the loader's seeded streams.
    await page.waitForSelector('[data-testid="lesson-augment"] [data-testid="augment-grid"]', { timeout: 60_000 });
    const drawn = Number(await page.getAttribute('[data-testid="lesson-augment"] [data-testid="augment-grid"]', "data-drawn"));
    assert.ok(drawn > 0, `lesson ${id} step ${n}: augmented samples drawn`);
  }
  if (await page.$('[data-testid="lesson-train"]')) await train(page, id, n);
  if (await page.$('[data-testid="attention-widget"]')) await attentionMaps(page, id, n);
  await page
    .waitForFunction(
      () => [...document.querySelectorAll('[data-testid="check"]')].every((c) => c.classList.contains("passed")),
      null,
      { timeout: 30_000 },
    )
    .catch(async () => {
      const checks = await page.$$eval('[data-testid="check"]', (cs) => cs.map((c) => c.textContent));
      const status = await page.locator('[data-testid="step"]').textContent();
      throw new Error(`lesson ${id} step ${n}: checks not passed: ${checks.join(" | ")}\n${status.slice(-400)}`);
    });
}

/** Walks the lesson open in `page` from its first step to its last. */
async function walkLesson(page, id) {
  const started = Date.now();
  await page.waitForSelector(`[data-testid="lesson"][data-lesson="${id}"] [data-testid="step"][data-step="1"]`, { timeout: 30_000 });
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
  console.log(`# lesson ${id}: walked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Walks consecutive lessons in one page, following each lesson's "Next lesson" link. */
async function walkChain(browser, chain, label) {
  const budget = BUDGET === "full" ? "" : `?budget=${BUDGET}`;
  await withPage(browser, `lessons-${label}`, `/lesson/${chain[0]}${budget}`, async (page) => {
    for (const [i, id] of chain.entries()) {
      await walkLesson(page, id);
      const next = chain[i + 1];
      if (!next) break;
      const link = await page.getAttribute('[data-testid="next-lesson"]', "href");
      if (link === `/lesson/${next}${budget}`) {
        await page.click('[data-testid="next-lesson"]');
      } else {
        await page.goto(new URL(`/lesson/${next}${budget}`, page.url()).href);
      }
    }
  });
}

test("every lesson can be walked to the end, passing each step's checks", async () => {
  const browser = await launch({ webgpu: WEBGPU });
  const started = Date.now();
  try {
    const ids = await lessonIds(browser);
    assert.equal(ids.length, 17, `lessons listed: ${ids}`);
    const asked = process.env.PIXELGRAD_LESSONS ?? "all";
    const only = asked === "all" ? null : asked.split(",");
    const wanted = ids.filter((i) => !only || only.includes(i));
    assert.ok(wanted.length > 0, `no lesson called ${asked}`);
    // Two halves of about equal training time.
    const cut = Math.ceil(wanted.length / 2);
    const halves = [wanted.slice(0, cut), wanted.slice(cut)].filter((h) => h.length > 0);
    await Promise.all(halves.map((h, i) => walkChain(browser, h, `part-${i + 1}`)));
  } finally {
    await browser.close();
    console.log(`# course walk: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`# runs: ${JSON.stringify(measured)}`);
  }
});

test("progress survives a reload and locked steps stay locked", async () => {
  const browser = await launch({ webgpu: false });
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
