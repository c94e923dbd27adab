//! The model's most confident mistakes: wrong predictions ranked by the probability the model
//! gave its wrong answer. Often mislabelled or genuinely ambiguous examples.

use leptos::prelude::*;

use super::example_grid::{ranked_verdicts, ExampleGrid, Verdict};
use crate::worker::client::WorkerClient;

/// Mistakes shown.
pub const MISTAKES: usize = 12;

/// The `k` wrong predictions with the highest confidence, highest first.
pub fn confident_mistakes(
    labels: &[usize],
    predicted: &[usize],
    confidence: &[f32],
    k: usize,
) -> Vec<Verdict> {
    let mut wrong = ranked_verdicts(labels, predicted, confidence, |l, p| l != p);
    wrong.truncate(k);
    wrong
}

/// The most confident mistakes on the held-out examples.
#[component]
pub fn ConfidentMistakes() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    move || {
        worker.inspect.held_out.with(|held| {
            let h = held.as_ref()?;
            let mistakes = confident_mistakes(&h.labels, &h.predicted, &h.confidence, MISTAKES);
            let wrong = h.labels.iter().zip(&h.predicted).filter(|(l, p)| l != p).count();
            Some(view! {
                <div class="mistakes" data-testid="confident-mistakes">
                    <h3>{format!("Most confident mistakes ({wrong} wrong of {})", h.labels.len())}</h3>
                    {(wrong == 0).then(|| view! { <p class="detail">"No mistakes on the held-out examples."</p> })}
                    <ExampleGrid verdicts=mistakes names=h.classes.clone() testid="mistake-grid" />
                </div>
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_wrong_predictions_ranked_by_confidence() {
        let labels = [0, 1, 2, 0];
        let predicted = [1, 1, 0, 2];
        let confidence = [0.5, 0.99, 0.9, 0.7];
        let top = confident_mistakes(&labels, &predicted, &confidence, 2);
        assert_eq!(top.iter().map(|v| v.index).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(top[0].predicted, 0);
    }
}
