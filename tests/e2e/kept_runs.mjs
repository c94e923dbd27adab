// What the runs gallery keeps, read the way a user would: after a reload, each kept run's row
// (state, steps, checkpoint step), and a kept run opened in the playground, whose checkpoint's
// weights load and predict test images. The fault tests use it to prove a fault lost nothing.
import assert from "node:assert/strict";

/** The gallery's rows: id, state, steps, checkpoint step and name. */
export async function galleryRows(page) {
  return page.$$eval('[data-testid="run-row"]', (rs) =>
    rs.map((r) => ({
      id: r.dataset.runId,
      state: r.dataset.state,
      step: Number(r.dataset.step),
      checkpoint: r.dataset.checkpointStep ? Number(r.dataset.checkpointStep) : null,
      name: r.querySelector('[data-testid="run-name"]').value,
    })),
  );
}

/** Reloads the page (nothing in memory survives) and lists the gallery's runs. */
export async function reloadAndListRuns(page, count = 1) {
  await page.reload();
  await page.click('a[href="/runs"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="run-row"]').length >= n, count, {
    timeout: 30_000,
  });
  return galleryRows(page);
}

/**
 * Opens the run with this id from the gallery (a freshly loaded page, so the only model the
 * worker can have is the checkpoint read from storage) and predicts 20 test images with it.
 */
export async function openAndPredict(page, id) {
  await page.locator(`[data-testid="run-row"][data-run-id="${id}"] [data-testid="open-run"]`).click();
  await page.waitForSelector('[data-testid="training-panel"]');
  const predict = '[data-testid="share-panel"] [data-testid="predict"]';
  await page.waitForSelector(`${predict}:not([disabled])`, { timeout: 60_000 });
  await page.click(predict);
  const el = await page.waitForSelector('[data-testid="share-panel"] [data-testid="predictions"]', { timeout: 60_000 });
  const classes = (await el.getAttribute("data-classes")).split(",").map(Number);
  assert.equal(classes.length, 20);
  return classes;
}

/**
 * Asserts that the page's one run is kept after a reload with a checkpoint at `checkpoint`
 * (or at least `atLeast`), that the checkpoint opens and predicts, and returns its row.
 */
export async function assertRunKept(page, { checkpoint, atLeast = 1, state }) {
  const rows = await reloadAndListRuns(page);
  assert.equal(rows.length, 1, JSON.stringify(rows));
  const [run] = rows;
  if (checkpoint !== undefined) assert.equal(run.checkpoint, checkpoint, JSON.stringify(run));
  else assert.ok(run.checkpoint >= atLeast, JSON.stringify(run));
  if (state) assert.equal(run.state, state, JSON.stringify(run));
  const classes = await openAndPredict(page, run.id);
  assert.ok(classes.every((c) => Number.isInteger(c) && c >= 0 && c < 10), JSON.stringify(classes));
  return run;
}
