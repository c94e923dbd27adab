//! What the user is looking at, shared by the results extras and the inspect panel: the
//! confusion-matrix cell opened, the held-out example chosen, and a counter that moves each
//! time the worker has a new model to look at (a run ended, a link or file brought one).

use leptos::prelude::*;

use crate::worker::client::{RunState, WorkerClient};

/// The playground's look-inside state, provided as context by [`LookInside::provide`].
#[derive(Clone, Copy)]
pub struct LookInside {
    /// `(true class, predicted class)` of the open confusion-matrix cell.
    pub cell: RwSignal<Option<(usize, usize)>>,
    /// The held-out example the inspect panel shows.
    pub example: RwSignal<usize>,
    /// Bumped when the worker's current model changes; 0 until there is one.
    pub model: RwSignal<u64>,
}

impl LookInside {
    /// Creates the state, provides it as context, and follows the worker's current model.
    pub fn provide() -> LookInside {
        let worker = expect_context::<WorkerClient>();
        let state = LookInside {
            cell: RwSignal::new(None),
            example: RwSignal::new(0),
            model: RwSignal::new(0),
        };
        let ended = Memo::new(move |_| {
            worker
                .training
                .with(|t| matches!(t.state, RunState::Ended(_)))
        });
        Effect::new(move |_| {
            if ended.get() {
                state.model.update(|m| *m += 1);
            }
        });
        Effect::new(move |previous: Option<()>| {
            worker.share.model_ready.track();
            if previous.is_some() {
                state.model.update(|m| *m += 1);
            }
        });
        provide_context(state);
        state
    }

    /// Opens a confusion-matrix cell (what the matrix's click calls).
    pub fn open_cell(&self) -> Callback<(usize, usize)> {
        let cell = self.cell;
        Callback::new(move |c| cell.set(Some(c)))
    }
}
