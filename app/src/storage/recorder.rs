//! Keeps every run in IndexedDB while it trains: the record when it starts, its curves about
//! once a second and when it ends, and each checkpoint the worker posts. A reload mid-run
//! therefore finds the run in the gallery with its curves and its last checkpoint.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::runs::{new_id, save, save_checkpoint, SavedRun};
use crate::worker::client::{RunState, WorkerClient};
use crate::worker::protocol::RunEnd;

/// Least time (ms) between two saves of a running run's curves.
const SAVE_EVERY_MS: f64 = 1000.0;

/// The state word a record keeps.
fn state_word(state: &RunState) -> &'static str {
    match state {
        RunState::Ended(RunEnd::Finished) => "finished",
        RunState::Ended(RunEnd::Stopped) => "stopped",
        RunState::Ended(RunEnd::Failed { .. }) => "failed",
        _ => "running",
    }
}

/// What the browser has kept of the current run, for [`super::alert::StorageAlert`]; provided
/// by [`record_runs`].
#[derive(Debug, Clone, Copy)]
pub struct StorageNotice {
    /// The latest save of a run or checkpoint that failed, in words (`None` once a later save
    /// succeeds).
    pub failed: RwSignal<Option<String>>,
    /// The step of the current run's latest committed checkpoint: what a reload would keep.
    pub kept_step: RwSignal<Option<usize>>,
}

/// Starts recording the worker's runs (call once, where the worker client is provided).
pub fn record_runs(worker: WorkerClient) {
    let status = StorageNotice {
        failed: RwSignal::new(None),
        kept_step: RwSignal::new(None),
    };
    provide_context(status);
    let StorageNotice {
        failed: notice,
        kept_step,
    } = status;
    let current = StoredValue::new(None::<SavedRun>);
    let last_state = StoredValue::new(RunState::Idle);
    let last_save = StoredValue::new(0.0_f64);
    Effect::new(move |_| {
        let t = worker.training.get();
        let previous = last_state.get_value();
        last_state.set_value(t.state.clone());
        let started = t.state == RunState::Running && previous == RunState::Starting;
        // A run that starts past step 0 is the current one resumed from its checkpoint (after
        // the worker crashed): it goes on in the same record rather than a second one.
        let resumed = started
            && t.step > 0
            && current.with_value(|r| r.as_ref().is_some_and(|r| t.spec.as_ref() == Some(&r.spec)));
        if started && !resumed {
            kept_step.set(None);
            if let Some(spec) = t.spec.clone() {
                let data = worker
                    .dataset
                    .with_untracked(|d| d.as_ref().map(|d| d.id.clone()))
                    .unwrap_or_default();
                current.set_value(Some(SavedRun {
                    id: new_id(),
                    name: format!("{} on {data}", t.preset),
                    created_ms: js_sys::Date::now(),
                    spec,
                    state: "running".into(),
                    step: 0,
                    total_steps: t.total_steps,
                    losses: Vec::new(),
                    accuracies: Vec::new(),
                    checkpoint_slot: None,
                    checkpoint_step: None,
                }));
            }
        }
        let Some(mut run) = current.get_value() else {
            return;
        };
        run.step = t.step;
        run.total_steps = t.total_steps;
        run.losses = t.losses.clone();
        run.accuracies = t.accuracies.clone();
        run.state = state_word(&t.state).into();
        current.set_value(Some(run.clone()));
        let now = js_sys::Date::now();
        let ended = matches!(t.state, RunState::Ended(_));
        if started || ended || now - last_save.get_value() >= SAVE_EVERY_MS {
            last_save.set_value(now);
            spawn_local(async move {
                if let Err(e) = save(&run).await {
                    notice.set(Some(format!("\"{}\" was not saved. {e}", run.name)));
                }
            });
        }
    });
    Effect::new(move |_| {
        let Some(file) = worker.share.checkpoint.get() else {
            return;
        };
        let Some(id) = current.with_value(|r| r.as_ref().map(|r| r.id.clone())) else {
            return;
        };
        spawn_local(async move {
            // The record goes with its checkpoint, so a reload never finds a run whose steps
            // and curves are behind the weights it keeps. It is the record as it is once the
            // checkpoint has committed: one taken earlier could undo a save of the run's end.
            let saved = match save_checkpoint(&id, file.step, &file.bytes).await {
                Ok(()) => match current.get_value().filter(|run| run.id == id) {
                    Some(run) => save(&run).await,
                    None => Ok(()),
                },
                Err(e) => Err(e),
            };
            match saved {
                Ok(()) => {
                    notice.set(None);
                    kept_step.set(Some(file.step));
                }
                Err(e) => notice.set(Some(format!(
                    "The checkpoint at step {} was not saved. {e}",
                    file.step
                ))),
            }
        });
    });
}
