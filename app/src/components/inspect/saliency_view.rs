//! Saliency: how strongly each input pixel moves a class score (the gradient's size), drawn as
//! a heat map beside the example and laid over it.

use leptos::prelude::*;

use super::picture::{Look, PictureView};
use crate::components::results::example_grid::class_name;
use crate::worker::client::WorkerClient;

/// The example, its saliency map and the two overlaid; `class` picks the score differentiated
/// (`None`: the predicted class).
#[component]
pub fn SaliencyView(class: RwSignal<Option<usize>>, names: Signal<Vec<String>>) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let picker = move || {
        let names = names.get();
        let options = names
            .iter()
            .enumerate()
            .map(|(c, name)| {
                view! { <option value=c.to_string() selected=move || class.get() == Some(c)>{name.clone()}</option> }
            })
            .collect_view();
        view! {
            <label class="inline-field">"Score of "
                <select data-testid="saliency-class" on:change=move |e| class.set(event_target_value(&e).parse().ok())>
                    <option value="" selected=move || class.get().is_none()>"the predicted class"</option>
                    {options}
                </select>
            </label>
        }
    };
    let maps = move || {
        if let Some(e) = worker.inspect.errors.with(|e| e.get("saliency").cloned()) {
            return view! { <p class="error" role="alert">{e}</p> }.into_any();
        }
        let names = names.get_untracked();
        worker.inspect.saliency.with(|s| match s {
            None => view! { <p class="detail">"Computing the gradient…"</p> }.into_any(),
            Some(s) => {
                let p = s.probabilities.get(s.class).copied().unwrap_or(0.0);
                let about = format!(
                    "Gradient of the score of {} ({:.0}%) for example {} (true class {}).",
                    class_name(&names, s.class),
                    100.0 * p,
                    s.index,
                    class_name(&names, s.label)
                );
                view! {
                    <p class="detail">{about}</p>
                    <div class="saliency" data-testid="saliency">
                        <figure>
                            <PictureView picture=s.image.clone() label="the example" class="big" />
                            <figcaption>"example"</figcaption>
                        </figure>
                        <figure>
                            <PictureView picture=s.heat.clone() look=Look::Heat label="saliency map" class="big" />
                            <figcaption>"saliency"</figcaption>
                        </figure>
                        <figure>
                            <div class="overlay">
                                <PictureView picture=s.image.clone() label="the example, under its saliency" class="big" />
                                <PictureView picture=s.heat.clone() look=Look::HeatOverlay label="saliency over the example" class="big on-top" />
                            </div>
                            <figcaption>"overlaid"</figcaption>
                        </figure>
                    </div>
                }
                .into_any()
            }
        })
    };
    view! { {picker} {maps} }
}
