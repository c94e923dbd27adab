//! A grid of held-out examples with their true and predicted classes; clicking one shows it in
//! the inspect panel. Images come from the worker's answers, cached by held-out index.

use leptos::prelude::*;

use crate::components::inspect::picture::PictureView;
use crate::components::inspect::selection::LookInside;
use crate::worker::client::WorkerClient;

/// One example to show: held-out index, true class, predicted class, confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// Held-out index.
    pub index: usize,
    /// True class.
    pub label: usize,
    /// Predicted class.
    pub predicted: usize,
    /// Probability of the predicted class.
    pub confidence: f32,
}

/// The held-out examples whose `(true class, predicted class)` pass `keep`, most confident
/// first (ties keep their held-out order): what every example list ranks.
pub fn ranked_verdicts(
    labels: &[usize],
    predicted: &[usize],
    confidence: &[f32],
    keep: impl Fn(usize, usize) -> bool,
) -> Vec<Verdict> {
    let mut out: Vec<Verdict> = labels
        .iter()
        .zip(predicted)
        .zip(confidence)
        .enumerate()
        .filter(|(_, ((&l, &p), _))| keep(l, p))
        .map(|(index, ((&label, &predicted), &confidence))| Verdict {
            index,
            label,
            predicted,
            confidence,
        })
        .collect();
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    out
}

/// The name of class `c`, or its number.
pub fn class_name(names: &[String], c: usize) -> String {
    names.get(c).cloned().unwrap_or_else(|| c.to_string())
}

/// Thumbnails of `verdicts`, each captioned "true → predicted (confidence)".
#[component]
pub fn ExampleGrid(
    /// The examples, in the order shown.
    verdicts: Vec<Verdict>,
    /// Class names.
    names: Vec<String>,
    /// `data-testid` of the grid.
    #[prop(into)]
    testid: String,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let look = expect_context::<LookInside>();
    let items = verdicts
        .into_iter()
        .map(|v| {
            let names = names.clone();
            let (truth, guess) = (class_name(&names, v.label), class_name(&names, v.predicted));
            let label = format!(
                "example {}: true {truth}, predicted {guess} ({:.0}%)",
                v.index,
                100.0 * v.confidence
            );
            let hit = v.label == v.predicted;
            let picture = move || {
                worker.inspect.examples.with(|cache| {
                    cache.get(&v.index).map(|e| e.picture.clone())
                })
            };
            let chosen = move || look.example.get() == v.index;
            let described = label.clone();
            view! {
                <li>
                    <button type="button" class="example" class:chosen=chosen data-index=v.index
                        aria-label=described.clone() title=described
                        on:click=move |_| look.example.set(v.index)>
                        {move || match picture() {
                            Some(p) => view! { <PictureView picture=p label=label.clone() class="thumb" /> }.into_any(),
                            None => view! { <span class="thumb loading" aria-hidden="true"></span> }.into_any(),
                        }}
                        <span class="example-caption">
                            <span class=if hit { "ok" } else { "error" }>{guess}</span>
                            {format!(" {:.0}%", 100.0 * v.confidence)}
                            <span class="detail">{format!(" true {truth}")}</span>
                        </span>
                    </button>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="example-grid" data-testid=testid>{items}</ul> }
}
