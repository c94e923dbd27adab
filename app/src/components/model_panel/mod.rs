//! The model panel: the chosen model's layers with output shapes, parameter counts and FLOPs,
//! and the totals. The worker builds the model and runs one forward pass to measure it (the
//! page does not link the model zoo, which keeps its download small).

pub mod layer_table;

use leptos::prelude::*;
use pixelgrad::models::{InputSpec, ModelSpec};

use crate::components::run_settings::{RunSettings, RESTORED_MODEL};
use crate::lessons::query::{Answer, Ask};
use crate::lessons::widgets::ask::ask_worker;
use crate::worker::client::WorkerClient;
use layer_table::LayerTable;

/// The model the settings describe, with its input and classes (the loaded set's, else
/// MNIST's 1×28×28 and 10).
fn chosen(settings: RunSettings, worker: WorkerClient) -> Option<(ModelSpec, InputSpec, usize)> {
    let preset = settings.preset.get();
    let model = if preset == RESTORED_MODEL {
        settings
            .base
            .with(|b| b.as_ref().map(|b| b.model.clone()))?
    } else {
        ModelSpec::preset(&preset)?
    };
    let (input, classes) = worker.dataset.with(|d| match d {
        Some(d) => (
            InputSpec {
                // The user's own images are RGB; the bundled sets are grey.
                channels: if d.id.starts_with("user:") { 3 } else { 1 },
                height: d.height,
                width: d.width,
            },
            d.classes.len(),
        ),
        None => (
            InputSpec {
                channels: 1,
                height: 28,
                width: 28,
            },
            10,
        ),
    });
    Some((model, input, classes))
}

/// The layer summary of the model chosen in the training panel.
#[component]
pub fn ModelPanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let settings = expect_context::<RunSettings>();
    let asked = Memo::new(move |_| chosen(settings, worker));
    let answer = RwSignal::new(None::<(InputSpec, Signal<Option<Answer>>)>);
    Effect::new(move |_| {
        if let Some((model, input, classes)) = asked.get() {
            let reply = ask_worker(
                worker,
                Ask::Summary {
                    model,
                    input,
                    classes,
                },
            );
            answer.set(Some((input, reply)));
        }
    });
    let body = move || {
        let (input, reply) = answer.get()?;
        Some(match reply.get() {
            None => view! { <p class="detail">"Measuring the model…"</p> }.into_any(),
            Some(Answer::Summary(summary)) => view! {
                <p data-testid="model-totals">{format!(
                    "{} trainable parameters · {} per image · input {}×{}×{}",
                    layer_table::count(summary.parameters as u64),
                    layer_table::flops(2 * summary.macs),
                    input.channels, input.height, input.width
                )}</p>
                <LayerTable summary />
            }
            .into_any(),
            Some(Answer::Failed { message }) => {
                view! { <p class="error" role="alert">{message}</p> }.into_any()
            }
            Some(_) => {
                view! { <p class="error">"the worker answered another question"</p> }.into_any()
            }
        })
    };
    view! {
        <section class="panel model-panel" data-testid="model-panel" aria-labelledby="model-title">
            <h2 id="model-title">{move || format!("Model: {}", match settings.preset.get().as_str() {
                RESTORED_MODEL => "the shared model".to_string(),
                name => name.to_string(),
            })}</h2>
            {body}
        </section>
    }
}
