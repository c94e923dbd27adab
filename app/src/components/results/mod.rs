//! Results beyond the confusion matrix: the examples behind a clicked cell and the most
//! confident mistakes. The worker predicts every held-out example once per model; this panel
//! asks for the few images it shows.

pub mod cell_examples;
pub mod confident_mistakes;
pub mod example_grid;

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::inspect::selection::LookInside;
use crate::worker::client::WorkerClient;
use crate::worker::inspect_protocol::{InspectQuery, MAX_EXAMPLES};
use crate::worker::protocol::Command;
use cell_examples::{cell_verdicts, CellExamples, CELL_EXAMPLES};
use confident_mistakes::{confident_mistakes, ConfidentMistakes, MISTAKES};

/// The held-out indices the panels show now: the open cell's, the mistakes', the chosen one.
fn wanted(worker: WorkerClient, look: LookInside) -> Vec<usize> {
    let mut wanted = BTreeSet::new();
    worker.inspect.held_out.with(|held| {
        if let Some(h) = held {
            if let Some(cell) = look.cell.get() {
                let cell = cell_verdicts(&h.labels, &h.predicted, &h.confidence, cell);
                wanted.extend(cell.iter().take(CELL_EXAMPLES).map(|v| v.index));
            }
            let mistakes = confident_mistakes(&h.labels, &h.predicted, &h.confidence, MISTAKES);
            wanted.extend(mistakes.iter().map(|v| v.index));
        }
    });
    wanted.into_iter().collect()
}

/// The examples of a clicked cell and the confident mistakes, under the confusion matrix.
#[component]
pub fn ResultsExtras() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let look = expect_context::<LookInside>();
    // Indices asked for since the last held-out answer (images arrive a moment later).
    let asked = StoredValue::new(BTreeSet::<usize>::new());

    Effect::new(move |_| {
        if look.model.get() > 0 {
            worker.send(&Command::Inspect(InspectQuery::HeldOut));
        }
    });
    Effect::new(move |_| {
        worker.inspect.held_out.track();
        asked.set_value(BTreeSet::new());
    });
    Effect::new(move |_| {
        let cached = worker
            .inspect
            .examples
            .with(|c| c.keys().copied().collect::<BTreeSet<_>>());
        let missing: Vec<usize> = wanted(worker, look)
            .into_iter()
            .filter(|i| !cached.contains(i) && !asked.with_value(|a| a.contains(i)))
            .take(MAX_EXAMPLES)
            .collect();
        if !missing.is_empty() {
            asked.update_value(|a| a.extend(missing.iter().copied()));
            worker.send(&Command::Inspect(InspectQuery::Examples {
                indices: missing,
            }));
        }
    });

    let error = move || {
        worker
            .inspect
            .errors
            .with(|e| e.get("held_out").or_else(|| e.get("examples")).cloned())
    };
    move || {
        let shown = worker.inspect.held_out.with(Option::is_some)
            || look.cell.with(Option::is_some)
            || error().is_some();
        shown.then(|| view! {
            <section class="panel results-extras" data-testid="results-extras" aria-labelledby="extras-title">
                <h2 id="extras-title">"Examples behind the numbers"</h2>
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <CellExamples />
                <ConfidentMistakes />
            </section>
        })
    }
}
