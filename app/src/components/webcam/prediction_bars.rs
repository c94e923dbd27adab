//! Class probabilities as bars, the top class highlighted: the live webcam guess and the
//! guess for a dropped image.

use leptos::prelude::*;

use crate::components::bar::Bar;

/// One bar per class, widths proportional to the probabilities.
#[component]
pub fn PredictionBars(
    /// Class names, in label order.
    classes: Vec<String>,
    /// Softmax output, one per class.
    probabilities: Vec<f32>,
) -> impl IntoView {
    let best = probabilities
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i);
    let rows = classes
        .into_iter()
        .zip(probabilities)
        .enumerate()
        .map(|(i, (name, p))| {
            let percent = (p.clamp(0.0, 1.0) * 100.0) as f64;
            view! {
                <li class:best=best == Some(i) data-testid=format!("prob-{i}")>
                    <span class="bar-label">{name}</span>
                    <span class="prob-track"><Bar percent=percent class="bar prob-bar" /></span>
                    <span class="bar-count">{format!("{percent:.0}%")}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="balance prediction-bars" aria-label="Class probabilities">{rows}</ul> }
}
