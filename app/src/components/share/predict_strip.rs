//! "Predict 20 test images": the current model's classes for the first test images, so a
//! shared model can be checked against the sender's at a glance (and by the e2e tests).

use leptos::prelude::*;

use crate::worker::client::WorkerClient;
use crate::worker::protocol::Command;

/// How many test images are predicted.
pub const PREDICTED_IMAGES: usize = 20;

/// A button that predicts the first [`PREDICTED_IMAGES`] test images with the worker's current
/// model, and the predicted class names.
#[component]
pub fn PredictStrip(
    /// Whether the worker has a model to predict with.
    #[prop(into)]
    ready: Signal<bool>,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let predict = move |_| {
        worker.share.predictions.set(None);
        worker.send(&Command::Predict {
            indices: (0..PREDICTED_IMAGES).collect(),
        });
    };
    let shown = move || {
        let (_, classes) = worker.share.predictions.get()?;
        let names = worker
            .dataset
            .with(|d| d.as_ref().map(|d| d.classes.clone()))
            .unwrap_or_default();
        let codes = classes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let words = classes
            .iter()
            .map(|&c| names.get(c).cloned().unwrap_or_else(|| c.to_string()))
            .collect::<Vec<_>>()
            .join(" · ");
        Some(view! {
            <p class="predictions" data-testid="predictions" data-classes=codes>
                {format!("Predicted classes of the first {} test images: {words}", classes.len())}
            </p>
        })
    };
    view! {
        <div class="predict-strip">
            <button type="button" class="button" data-testid="predict" disabled=move || !ready.get() on:click=predict>
                {format!("Predict {PREDICTED_IMAGES} test images")}
            </button>
            {shown}
        </div>
    }
}
