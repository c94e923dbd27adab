//! Saved runs: a record per run (spec, curves, how it ended, its checkpoint) as JSON text in
//! IndexedDB, and its checkpoints as `.pixelgrad` bytes. Checkpoints are written then swapped:
//! the new one goes into the slot the record does not point at, and only once that write has
//! committed does the record move to it, so a reload mid-write keeps the previous one readable.

use std::cell::RefCell;

use pixelgrad::io::RunSpec;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::idb::{self, CHECKPOINTS, RUNS};

/// One kept run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedRun {
    /// Unique id (time and a random part).
    pub id: String,
    /// The name the user gave it.
    pub name: String,
    /// When it was created, ms since the epoch.
    pub created_ms: f64,
    /// The run's spec.
    pub spec: RunSpec,
    /// `running`, `finished`, `stopped`, `failed` (a run that is `running` after a reload was
    /// interrupted by it).
    pub state: String,
    /// Steps done.
    pub step: usize,
    /// Steps planned.
    pub total_steps: usize,
    /// `(step, training loss)`.
    pub losses: Vec<(f64, f64)>,
    /// `(step, test accuracy)`.
    pub accuracies: Vec<(f64, f64)>,
    /// The slot (0 or 1) of the latest complete checkpoint, if any. Read from the checkpoint
    /// head (kept apart from the record, so saving curves never moves it back).
    #[serde(skip)]
    pub checkpoint_slot: Option<u8>,
    /// The steps that checkpoint had.
    #[serde(skip)]
    pub checkpoint_step: Option<usize>,
}

/// A fresh id: milliseconds and a random suffix.
pub fn new_id() -> String {
    format!(
        "run-{:.0}-{:06}",
        js_sys::Date::now(),
        (js_sys::Math::random() * 1e6) as u32
    )
}

fn checkpoint_key(id: &str, slot: u8) -> String {
    format!("{id}/{slot}")
}

fn head_key(id: &str) -> String {
    format!("{id}/head")
}

/// The run's checkpoint head (`slot:step`) copied into the record.
async fn with_head(db: &web_sys::IdbDatabase, mut run: SavedRun) -> SavedRun {
    let head = idb::get(db, CHECKPOINTS, &head_key(&run.id))
        .await
        .ok()
        .flatten()
        .and_then(|v| v.as_string());
    if let Some((slot, step)) = head.as_deref().and_then(|h| h.split_once(':')) {
        run.checkpoint_slot = slot.parse().ok();
        run.checkpoint_step = step.parse().ok();
    }
    // A record saved before its checkpoint's head moved still ran at least that far.
    run.step = run.step.max(run.checkpoint_step.unwrap_or(0));
    run
}

/// Saves (creates or replaces) a run record.
pub async fn save(run: &SavedRun) -> Result<(), String> {
    let db = idb::open().await?;
    let json = serde_json::to_string(run).map_err(|e| e.to_string())?;
    idb::put(&db, RUNS, &run.id, &JsValue::from_str(&json)).await
}

/// One run by id.
pub async fn load(id: &str) -> Result<Option<SavedRun>, String> {
    let db = idb::open().await?;
    let value = idb::get(&db, RUNS, id).await?;
    let run: Option<SavedRun> = value
        .and_then(|v| v.as_string())
        .and_then(|s| serde_json::from_str(&s).ok());
    Ok(match run {
        Some(run) => Some(with_head(&db, run).await),
        None => None,
    })
}

/// Every kept run, newest first. Records this version cannot read are skipped.
pub async fn list() -> Result<Vec<SavedRun>, String> {
    let db = idb::open().await?;
    let records: Vec<SavedRun> = idb::all(&db, RUNS)
        .await?
        .into_iter()
        .filter_map(|v| v.as_string())
        .filter_map(|s| serde_json::from_str(&s).ok())
        .collect();
    let mut runs = Vec::with_capacity(records.len());
    for run in records {
        runs.push(with_head(&db, run).await);
    }
    runs.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
    Ok(runs)
}

/// Deletes a run and both checkpoint slots.
pub async fn delete(id: &str) -> Result<(), String> {
    let db = idb::open().await?;
    idb::delete(&db, RUNS, id).await?;
    idb::delete(&db, CHECKPOINTS, &head_key(id)).await?;
    for slot in 0..2 {
        idb::delete(&db, CHECKPOINTS, &checkpoint_key(id, slot)).await?;
    }
    Ok(())
}

/// Called with `(step, slot)` of a checkpoint written but not swapped in.
type SwapHold = Box<dyn Fn(usize, u8)>;

thread_local! {
    /// The fault drill's hold (`/playground?drill`): while set, each checkpoint is written to
    /// its slot but the head is not moved, the state a reload between the two leaves.
    static HOLD_SWAP: RefCell<Option<SwapHold>> = const { RefCell::new(None) };
}

/// Starts (`Some`) or ends (`None`) the fault drill's hold before the head swap; `report` hears
/// of each checkpoint left unswapped.
pub fn hold_swaps(report: Option<SwapHold>) {
    HOLD_SWAP.with(|h| *h.borrow_mut() = report);
}

/// Writes a checkpoint for run `id` into the slot the head does not point at, then (once that
/// write has committed) moves the head to it.
pub async fn save_checkpoint(id: &str, step: usize, bytes: &[u8]) -> Result<(), String> {
    let db = idb::open().await?;
    let Some(run) = load(id).await? else {
        return Err(format!("run {id} is not kept"));
    };
    let slot = run.checkpoint_slot.map_or(0, |s| 1 - s.min(1));
    let value = js_sys::Uint8Array::from(bytes);
    idb::put(&db, CHECKPOINTS, &checkpoint_key(id, slot), &value).await?;
    let held = HOLD_SWAP.with(|h| h.borrow().as_ref().map(|report| report(step, slot)));
    if held.is_some() {
        return Ok(());
    }
    let head = JsValue::from_str(&format!("{slot}:{step}"));
    idb::put(&db, CHECKPOINTS, &head_key(id), &head).await
}

/// The bytes of a run's latest complete checkpoint.
pub async fn checkpoint(run: &SavedRun) -> Result<Option<Vec<u8>>, String> {
    let Some(slot) = run.checkpoint_slot else {
        return Ok(None);
    };
    let db = idb::open().await?;
    let value = idb::get(&db, CHECKPOINTS, &checkpoint_key(&run.id, slot)).await?;
    Ok(value.map(|v| js_sys::Uint8Array::new(&v).to_vec()))
}

/// A copy of a run (record and checkpoint) under a new id and name.
pub async fn duplicate(run: &SavedRun) -> Result<SavedRun, String> {
    let bytes = checkpoint(run).await?;
    let mut copy = run.clone();
    copy.id = new_id();
    copy.name = format!("{} (copy)", run.name);
    copy.created_ms = js_sys::Date::now();
    copy.checkpoint_slot = None;
    copy.checkpoint_step = None;
    copy.state = if run.state == "running" {
        "stopped".into()
    } else {
        run.state.clone()
    };
    save(&copy).await?;
    if let (Some(bytes), Some(step)) = (bytes, run.checkpoint_step) {
        save_checkpoint(&copy.id, step, &bytes).await?;
    }
    Ok(copy)
}
