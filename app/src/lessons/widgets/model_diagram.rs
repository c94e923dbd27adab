//! A model's block diagram: its top-level blocks top to bottom with output shapes, parameters
//! and multiply-accumulates, each block opening to show its layers. The worker builds the model
//! from its `ModelSpec` and runs the core's summary (one forward pass of a zero image).

use leptos::prelude::*;
use pixelgrad::nn::LayerSummary;

use super::ask::ask_worker;
use crate::lessons::check::Observed;
use crate::lessons::query::{is_top, Answer, Ask, ModelSummary};
use crate::lessons::run::LessonModel;
use crate::worker::client::WorkerClient;

/// Shows the model of a `model` block; reports its parameters and MACs to the step's checks.
#[component]
pub fn ModelDiagram(model: LessonModel, observed: RwSignal<Observed>) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let (input, classes) = model.input();
    let label = model.model.label();
    let answer = match model.model.spec() {
        Ok(spec) => ask_worker(
            worker,
            Ask::Summary {
                model: spec,
                input,
                classes,
            },
        ),
        Err(message) => Signal::derive(move || {
            Some(Answer::Failed {
                message: message.clone(),
            })
        }),
    };
    Effect::new(move |_| {
        if let Some(Answer::Summary(s)) = answer.get() {
            observed.update(|o| {
                o.params = Some(s.parameters as f64);
                o.macs = Some(s.macs as f64);
            });
        }
    });
    let input_text = format!(
        "input [1, {}, {}, {}]",
        input.channels, input.height, input.width
    );
    view! {
        <div class="widget model-widget" data-testid="model-widget">
            {move || match answer.get() {
                None => view! { <p class="detail">"Building the model in the worker…"</p> }.into_any(),
                Some(Answer::Summary(s)) => view! { <Diagram summary=s label=label.clone() input=input_text.clone() /> }.into_any(),
                Some(Answer::Failed { message }) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Some(_) => ().into_any(),
            }}
        </div>
    }
}

fn shape(s: &[usize]) -> String {
    let dims: Vec<String> = s.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(", "))
}

fn count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.2} M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{:.1} k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

#[component]
fn Diagram(summary: ModelSummary, label: String, input: String) -> impl IntoView {
    let top: Vec<LayerSummary> = summary
        .layers
        .iter()
        .filter(|l| is_top(l, &summary.layers))
        .cloned()
        .collect();
    let blocks = top
        .into_iter()
        .map(|block| {
            let prefix = format!("{}.", block.name);
            let children: Vec<LayerSummary> = summary
                .layers
                .iter()
                .filter(|l| l.name.starts_with(&prefix))
                .cloned()
                .collect();
            let head = view! {
                <span class="block-name">{block.name.clone()}</span>
                <span class="block-shape">{shape(&block.output_shape)}</span>
                <span class="block-count">{format!("{} params · {} MACs", count(block.parameters as u64), count(block.macs))}</span>
            };
            if children.is_empty() {
                view! { <li class="block"><div class="block-head">{head}</div></li> }.into_any()
            } else {
                let rows = children
                    .into_iter()
                    .map(|c| {
                        let depth = c.name.matches('.').count();
                        view! {
                            <tr class=format!("depth-{}", depth.min(4))>
                                <td>{c.name}</td><td>{shape(&c.output_shape)}</td><td>{count(c.parameters as u64)}</td><td>{count(c.macs)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <li class="block">
                        <details>
                            <summary class="block-head">{head}</summary>
                            <table class="metrics-table layer-table">
                                <thead><tr><th scope="col">"layer"</th><th scope="col">"output"</th><th scope="col">"params"</th><th scope="col">"MACs"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </details>
                    </li>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <p class="model-total" data-testid="model-total">{format!(
            "{label}: {} trainable parameters · {} multiply-accumulates per image",
            summary.parameters, count(summary.macs)
        )}</p>
        <ol class="block-diagram">
            <li class="block input"><div class="block-head"><span class="block-name">{input}</span></div></li>
            {blocks}
        </ol>
    }
}
