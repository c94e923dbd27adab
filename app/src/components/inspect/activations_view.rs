//! One example's feature maps at a chosen layer: each channel of the layer's output as a small
//! grey image (black the layer's lowest value, white its highest).

use leptos::prelude::*;

use super::picture::PictureView;
use crate::worker::client::WorkerClient;

/// The layer picker and the chosen layer's channels. `layer` is the chosen layer's path
/// (`None` until the user picks one: the first layer with feature maps).
#[component]
pub fn ActivationsView(layer: RwSignal<Option<String>>) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let picker = move || {
        worker.inspect.activations.with(|a| {
            let a = a.as_ref()?;
            let current = a.layer.clone();
            let options = a
                .layers
                .iter()
                .map(|(name, shape)| {
                    let dims = shape.iter().map(ToString::to_string).collect::<Vec<_>>().join("×");
                    view! { <option value=name.clone() selected=*name == current>{format!("{name} ({dims})")}</option> }
                })
                .collect_view();
            Some(view! {
                <label class="inline-field">"Layer "
                    <select data-testid="activation-layer" on:change=move |e| layer.set(Some(event_target_value(&e)))>
                        {options}
                    </select>
                </label>
            })
        })
    };
    let maps = move || {
        if let Some(e) = worker
            .inspect
            .errors
            .with(|e| e.get("activations").cloned())
        {
            return view! { <p class="error" role="alert">{e}</p> }.into_any();
        }
        worker.inspect.activations.with(|a| match a {
            None => view! { <p class="detail">"Running the example through the model…"</p> }.into_any(),
            Some(a) => {
                let size = a
                    .pictures
                    .first()
                    .map_or(String::new(), |p| format!("{}×{}", p.height, p.width));
                let shown = if a.pictures.len() < a.channels {
                    format!(" (the first {})", a.pictures.len())
                } else {
                    String::new()
                };
                let pictures = a
                    .pictures
                    .iter()
                    .enumerate()
                    .map(|(c, p)| {
                        view! { <PictureView picture=p.clone() label=format!("{} channel {c}", a.layer) class="feature-map" /> }
                    })
                    .collect_view();
                view! {
                    <p class="detail">{format!(
                        "{}: {} channels of {size}{shown}, example {}. Black {:.2}, white {:.2}.",
                        a.layer, a.channels, a.index, a.range.0, a.range.1
                    )}</p>
                    <div class="picture-grid maps" data-testid="activations">{pictures}</div>
                }
                .into_any()
            }
        })
    };
    view! { {picker} {maps} }
}
