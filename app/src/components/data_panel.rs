//! Picking the training data: the bundled sets with thumbnails and the class balance.

use leptos::prelude::*;

use crate::components::thumbnail::GreyImage;
use crate::worker::client::WorkerClient;
use crate::worker::datasets::BUNDLED;
use crate::worker::protocol::{Command, DatasetSummary};

/// The data panel: one button per bundled set; the loaded set's size, balance and examples.
#[component]
pub fn DataPanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let loading = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        if worker.dataset.get().is_some() || worker.last_error.get().is_some() {
            loading.set(None);
        }
    });
    let choose = move |id: &'static str| {
        loading.set(Some(id));
        worker.send(&Command::LoadBundled { id: id.to_string() });
    };
    let selected = move || worker.dataset.with(|d| d.as_ref().map(|d| d.id.clone()));
    view! {
        <section class="panel data-panel" data-testid="data-panel" aria-labelledby="data-title">
            <h2 id="data-title">"Data"</h2>
            <div class="choices" role="radiogroup" aria-label="Bundled data sets">
                {BUNDLED.iter().map(|set| {
                    let id = set.id;
                    let checked = move || selected().as_deref() == Some(id);
                    view! {
                        <button type="button" role="radio" class="choice" aria-checked=move || checked().to_string()
                            data-dataset=id on:click=move |_| choose(id)>
                            <strong>{set.title}</strong>
                            <span class="detail">{set.blurb}</span>
                        </button>
                    }
                }).collect_view()}
            </div>
            {move || worker.last_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || loading.get().map(|id| view! { <p class="detail" aria-live="polite">{format!("Loading {id}…")}</p> })}
            {move || worker.dataset.get().map(|summary| view! { <DatasetView summary /> })}
        </section>
    }
}

/// Size, class balance and example images of a loaded set.
#[component]
fn DatasetView(summary: DatasetSummary) -> impl IntoView {
    let largest = summary
        .class_counts
        .iter()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    let balance = summary
        .classes
        .iter()
        .zip(&summary.class_counts)
        .map(|(name, &count)| {
            let percent = 100.0 * count as f64 / largest as f64;
            view! {
                <li>
                    <span class="bar-label">{name.clone()}</span>
                    <span class="bar" style:width=format!("{percent:.1}%")></span>
                    <span class="bar-count">{count}</span>
                </li>
            }
        })
        .collect_view();
    let classes = summary.classes.clone();
    let thumbs = summary
        .thumbnails
        .into_iter()
        .map(|t| {
            let label = classes.get(t.label).cloned().unwrap_or_default();
            view! { <GreyImage height=t.height width=t.width pixels=t.pixels label /> }
        })
        .collect_view();
    view! {
        <p data-testid="dataset-size">
            {format!(
                "{} training and {} test images of {}×{} pixels in {} classes.",
                summary.train_len, summary.test_len, summary.height, summary.width, summary.classes.len()
            )}
        </p>
        <h3>"Class balance"</h3>
        <ul class="balance">{balance}</ul>
        <h3>"Examples"</h3>
        <div class="thumbs">{thumbs}</div>
    }
}
