// Storage faults: the browser's storage filling up (the origin's quota shrunk through the
// Chrome DevTools Protocol) and a reload between writing a checkpoint and moving the run's
// head to it (the fault drill stops saves there). Either way the page says what happened,
// training goes on, and what was kept before (runs and their checkpoints) still opens,
// loads its weights and predicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, screenshot, BASE_URL } from "./browser.mjs";
import { reloadAndListRuns, openAndPredict } from "./kept_runs.mjs";

/** Trains an MLP on the small digits set on the CPU for `steps` steps (a checkpoint every 50). */
async function startRun(page, steps) {
  await page.click('[data-dataset="digits"]');
  await page.waitForSelector('[data-testid="dataset-size"]:has-text("8×8")', { timeout: 30_000 });
  await page.selectOption('[data-testid="preset"]', "mlp");
  await page.fill('[data-testid="epochs"]', "20");
  await page.fill('[data-testid="max-steps"]', String(steps));
  await page.click('[data-testid="train"]');
  await page.waitForSelector('[data-testid="run-status"]:has-text("on the CPU")', { timeout: 60_000 });
}

async function stepsDone(page) {
  const text = (await page.textContent('[data-testid="progress-text"]').catch(() => "")) ?? "";
  const m = text.match(/^Step (\d+) of/);
  return m ? Number(m[1]) : 0;
}

/** The run ids and checkpoint heads/slot sizes in the app's IndexedDB, read directly. */
async function storedCheckpoints(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open("pixelgrad");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const ask = (store, f) =>
      new Promise((resolve, reject) => {
        const r = f(db.transaction(store).objectStore(store));
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const ids = await ask("runs", (s) => s.getAllKeys());
    const runs = [];
    for (const id of ids) {
      const head = await ask("checkpoints", (s) => s.get(`${id}/head`));
      const slots = [];
      for (const slot of [0, 1]) {
        const bytes = await ask("checkpoints", (s) => s.get(`${id}/${slot}`));
        slots.push(bytes ? bytes.byteLength : null);
      }
      runs.push({ id, head: head ?? null, slots });
    }
    db.close();
    return runs;
  });
}

/** Waits until the page's one run has its checkpoint of `step` in storage. */
async function waitForStoredCheckpoint(page, step) {
  await page.waitForFunction(
    async (step) => {
      const db = await new Promise((resolve) => {
        const r = indexedDB.open("pixelgrad");
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => resolve(null);
      });
      if (!db || !db.objectStoreNames.contains("checkpoints")) return false;
      const heads = await new Promise((resolve) => {
        const r = db.transaction("checkpoints").objectStore("checkpoints").getAll();
        r.onsuccess = () => resolve(r.result.filter((v) => typeof v === "string"));
        r.onerror = () => resolve([]);
      });
      db.close();
      return heads.some((h) => h.endsWith(`:${step}`));
    },
    step,
    { timeout: 60_000, polling: 250 },
  );
}

/** One finished MLP run of 120 steps on the CPU, with its final checkpoint stored. */
async function oneStoredRun(page) {
  await page.waitForSelector('[data-testid="gpu-status"][data-state="unavailable"]', { timeout: 30_000 });
  await startRun(page, 120);
  await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
  assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
  await waitForStoredCheckpoint(page, 120);
}

test("when the storage is full, the page says so, training goes on and kept runs are unharmed", async () => {
  const browser = await launch({ webgpu: false });
  try {
    // What one run takes in storage, measured in a profile of its own.
    let oneRun = 0;
    await withPage(browser, "storage-quota-measure", "/playground", async (page) => {
      await oneStoredRun(page);
      oneRun = (await page.evaluate(() => navigator.storage.estimate())).usage;
    });
    // The quota must be set before the origin first opens its database (Chromium reads it
    // then): room for that run and half of another, so the second run's saves are refused.
    const quota = oneRun + Math.round(oneRun / 2);
    await withPage(browser, "storage-quota", "/boot.js", async (page) => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Storage.overrideQuotaForOrigin", { origin: new URL(BASE_URL).origin, quotaSize: quota });
      console.log(`one run uses ${oneRun} bytes of storage; quota set to ${quota}`);
      await page.goto(new URL("/playground", BASE_URL).href);
      // The script landing page's favicon request is a 404 of the harness, not of the app.
      page.problems.length = 0;
      await oneStoredRun(page);
      assert.equal(await page.locator('[data-testid="storage-alert"]').count(), 0, "the first run fits");
      const [first] = await storedCheckpoints(page);
      assert.equal(first.head.split(":")[1], "120");

      await page.click('[data-testid="train"]');
      const alert = page.locator('[data-testid="storage-alert"]');
      await alert.waitFor({ timeout: 120_000 });
      const text = await alert.textContent();
      console.log(`the page says: ${text}`);
      assert.match(text, /storage for this site is full/);
      assert.match(text, /already kept are unharmed/);
      assert.match(text, /delete old runs in the Runs gallery/);
      assert.match(text, /export/);
      // Training goes on to the end: a full storage costs the saves, not the run.
      await page.waitForSelector('[data-testid="run-end"]', { timeout: 300_000 });
      assert.equal(await page.textContent('[data-testid="run-end"]'), "Training finished.");
      assert.match(await page.textContent('[data-testid="progress-text"]'), /^Step 120 of 120/);
      await screenshot(page, "storage-quota");

      // Nothing kept before was touched: the first run's head and slots are as they were, and
      // after a reload it opens, loads its checkpoint and predicts.
      const after = await storedCheckpoints(page);
      assert.deepEqual(
        after.find((r) => r.id === first.id),
        first,
      );
      const rows = await reloadAndListRuns(page);
      const kept = rows.find((r) => r.id === first.id);
      assert.ok(kept, JSON.stringify(rows));
      assert.equal(kept.checkpoint, 120);
      assert.equal(kept.state, "finished");
      await openAndPredict(page, first.id);
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});

test("a reload between writing a checkpoint and the swap keeps the previous checkpoint", async () => {
  const browser = await launch({ webgpu: false });
  try {
    await withPage(browser, "storage-reload-mid-write", "/playground?drill", async (page) => {
      await page.waitForSelector('[data-testid="gpu-status"][data-state="unavailable"]', { timeout: 30_000 });
      await startRun(page, 2000);
      // Past the first checkpoint (step 50) and its save.
      await page.waitForFunction(
        () => {
          const m = document.querySelector('[data-testid="progress-text"]')?.textContent.match(/^Step (\d+) of/);
          return m && Number(m[1]) >= 60;
        },
        null,
        { timeout: 300_000 },
      );
      await page.waitForFunction(async () => {
        const r = indexedDB.open("pixelgrad");
        const db = await new Promise((resolve) => (r.onsuccess = () => resolve(r.result)));
        const keys = await new Promise((resolve) => {
          const k = db.transaction("checkpoints").objectStore("checkpoints").getAllKeys();
          k.onsuccess = () => resolve(k.result);
        });
        db.close();
        return keys.some((k) => k.endsWith("/head"));
      }, null, { timeout: 30_000, polling: 200 });
      await page.click('[data-testid="drill-hold-swap"]');
      const held = page.locator('[data-testid="drill-swap-held"]');
      await held.waitFor({ timeout: 120_000 });
      const heldStep = Number(await held.getAttribute("data-step"));
      const heldSlot = Number(await held.getAttribute("data-slot"));
      const [stored] = await storedCheckpoints(page);
      const [headSlot, headStep] = stored.head.split(":").map(Number);
      console.log(`checkpoint of step ${heldStep} written to slot ${heldSlot}; head still ${stored.head}; slots ${stored.slots}`);
      // The new checkpoint really is written, into the other slot, and the head is behind it.
      assert.notEqual(headSlot, heldSlot);
      assert.ok(headStep >= 50 && headStep < heldStep, `head ${stored.head}, held step ${heldStep}`);
      assert.ok(stored.slots[heldSlot] > 1000 && stored.slots[headSlot] > 1000, JSON.stringify(stored));
      const training = await stepsDone(page);

      // The reload mid-write: the run is kept at its previous checkpoint, which opens and predicts.
      const rows = await reloadAndListRuns(page);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      const [run] = rows;
      assert.equal(run.id, stored.id);
      assert.equal(run.state, "interrupted");
      assert.equal(run.checkpoint, headStep);
      console.log(`reloaded at step ${training}: the gallery opens the run at its checkpoint of step ${run.checkpoint}`);
      await screenshot(page, "storage-reload-mid-write");
      const classes = await openAndPredict(page, run.id);
      console.log(`predictions of the kept checkpoint: ${classes}`);
      // The stored head is still the previous checkpoint's (nothing rewrote it on the way).
      const [again] = await storedCheckpoints(page);
      assert.equal(again.head, stored.head);
      assert.deepEqual(page.problems, []);
    });
  } finally {
    await browser.close();
  }
});
