//! Looking inside the trained model: first-layer filters, one example's activation maps at a
//! chosen layer, and its saliency map. The worker does the numeric work (see
//! `worker::inspect`); this panel asks and draws.

pub mod activations_view;
pub mod filters_view;
pub mod picture;
pub mod saliency_view;
pub mod selection;

use leptos::prelude::*;

use crate::components::results::example_grid::class_name;
use crate::worker::client::WorkerClient;
use crate::worker::inspect_protocol::InspectQuery;
use crate::worker::protocol::Command;
use activations_view::ActivationsView;
use filters_view::FiltersView;
use selection::LookInside;

/// The "Looking inside" panel of the playground.
#[component]
pub fn InspectPanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let look = expect_context::<LookInside>();
    let layer = RwSignal::new(None::<String>);
    let class = RwSignal::new(None::<usize>);
    let names = Signal::derive(move || {
        worker
            .inspect
            .held_out
            .with(|h| h.as_ref().map(|h| h.classes.clone()))
            .or_else(|| {
                worker
                    .dataset
                    .with(|d| d.as_ref().map(|d| d.classes.clone()))
            })
            .unwrap_or_default()
    });
    let held_out_len = move || {
        worker
            .inspect
            .held_out
            .with(|h| h.as_ref().map(|h| h.labels.len()))
    };

    Effect::new(move |_| {
        if look.model.get() > 0 {
            worker.send(&Command::Inspect(InspectQuery::Filters));
        }
    });
    Effect::new(move |_| {
        let (model, index) = (look.model.get(), look.example.get());
        if model == 0 {
            return;
        }
        worker.send(&Command::Inspect(InspectQuery::Activations {
            index,
            layer: layer.get(),
        }));
        worker.send(&Command::Inspect(InspectQuery::Saliency {
            index,
            class: class.get(),
        }));
    });

    let step = move |by: isize| {
        let n = held_out_len().unwrap_or(1).max(1) as isize;
        let next = (look.example.get_untracked() as isize + by).rem_euclid(n);
        look.example.set(next as usize);
    };
    let choose = move |e: leptos::ev::Event| {
        if let Ok(i) = event_target_value(&e).trim().parse::<usize>() {
            look.example.set(i);
        }
    };
    let verdict = move || {
        worker.inspect.held_out.with(|h| {
            let h = h.as_ref()?;
            let i = look.example.get();
            let (l, p, c) = (h.labels.get(i)?, h.predicted.get(i)?, h.confidence.get(i)?);
            let text = format!(
                "true {}, predicted {} ({:.0}%)",
                class_name(&h.classes, *l),
                class_name(&h.classes, *p),
                100.0 * c
            );
            Some(view! { <span class=if l == p { "ok" } else { "error" }>{text}</span> })
        })
    };

    move || {
        if look.model.get() == 0 {
            return view! {
                <section class="panel inspect" data-testid="inspect" aria-labelledby="inspect-title">
                    <h2 id="inspect-title">"Looking inside"</h2>
                    <p class="detail">"Train a model (or open a link with weights) to see its filters, activation maps and saliency."</p>
                </section>
            }
            .into_any();
        }
        view! {
            <section class="panel inspect" data-testid="inspect" aria-labelledby="inspect-title">
                <h2 id="inspect-title">"Looking inside"</h2>
                <h3>"First-layer filters"</h3>
                <FiltersView />
                <h3>"One example"</h3>
                <div class="example-picker">
                    <button type="button" class="icon-button" aria-label="previous example" on:click=move |_| step(-1)>"◀"</button>
                    <label class="inline-field">"Held-out example "
                        <input type="number" min="0" data-testid="inspect-example" prop:value=move || look.example.get().to_string()
                            on:change=choose />
                    </label>
                    <button type="button" class="icon-button" aria-label="next example" on:click=move |_| step(1)>"▶"</button>
                    {move || held_out_len().map(|n| view! { <span class="detail">{format!("of {n}")}</span> })}
                    {verdict}
                </div>
                <p class="detail">"Or click an example under the confusion matrix."</p>
                <div class="inspect-columns">
                    <div>
                        <h3>"Saliency"</h3>
                        <saliency_view::SaliencyView class names />
                    </div>
                    <div>
                        <h3>"Activation maps"</h3>
                        <ActivationsView layer />
                    </div>
                </div>
            </section>
        }
        .into_any()
    }
}
