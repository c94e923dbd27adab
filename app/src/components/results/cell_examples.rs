//! The examples behind the confusion-matrix cell the user opened.

use leptos::prelude::*;

use super::example_grid::{class_name, ranked_verdicts, ExampleGrid, Verdict};
use crate::components::inspect::selection::LookInside;
use crate::worker::client::WorkerClient;

/// Examples shown per cell (the most confident first).
pub const CELL_EXAMPLES: usize = 24;

/// The held-out examples of cell `(truth, guess)`, most confident first.
pub fn cell_verdicts(
    labels: &[usize],
    predicted: &[usize],
    confidence: &[f32],
    (truth, guess): (usize, usize),
) -> Vec<Verdict> {
    ranked_verdicts(labels, predicted, confidence, |l, p| {
        l == truth && p == guess
    })
}

/// The open cell's examples, or a hint to click a cell.
#[component]
pub fn CellExamples() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let look = expect_context::<LookInside>();
    move || {
        let Some(cell) = look.cell.get() else {
            return view! { <p class="detail">"Click a cell of the confusion matrix to see the examples behind it."</p> }.into_any();
        };
        worker.inspect.held_out.with(|held| {
            let Some(h) = held else {
                return view! { <p class="detail">"The examples behind each cell appear when the run ends."</p> }.into_any();
            };
            let all = cell_verdicts(&h.labels, &h.predicted, &h.confidence, cell);
            let count = all.len();
            let names = h.classes.clone();
            let title = format!(
                "True {}, predicted {}: {count} example{}{}",
                class_name(&names, cell.0),
                class_name(&names, cell.1),
                if count == 1 { "" } else { "s" },
                if count > CELL_EXAMPLES { format!(" (the {CELL_EXAMPLES} most confident)") } else { String::new() },
            );
            let shown: Vec<Verdict> = all.into_iter().take(CELL_EXAMPLES).collect();
            view! {
                <div class="cell-examples" data-testid="cell-examples" data-count=count>
                    <h3>{title}
                        <button type="button" class="icon-button" on:click=move |_| look.cell.set(None)>"close"</button>
                    </h3>
                    {(count == 0).then(|| view! { <p class="detail">"No held-out example falls in this cell."</p> })}
                    <ExampleGrid verdicts=shown names testid="cell-example-grid" />
                </div>
            }
            .into_any()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_holds_its_examples_most_confident_first() {
        let labels = [0, 1, 1, 0, 1];
        let predicted = [0, 0, 1, 0, 0];
        let confidence = [0.9, 0.6, 0.8, 0.7, 0.95];
        let cell = cell_verdicts(&labels, &predicted, &confidence, (1, 0));
        assert_eq!(cell.iter().map(|v| v.index).collect::<Vec<_>>(), vec![4, 1]);
        assert!(cell_verdicts(&labels, &predicted, &confidence, (0, 1)).is_empty());
    }
}
