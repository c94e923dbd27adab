//! "Try an image": drop or pick one picture and see what the trained model makes of it.

use js_sys::Uint8Array;
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, HtmlInputElement};

use crate::components::upload::store::user_model_classes;
use crate::components::webcam::prediction_bars::PredictionBars;
use crate::worker::client::WorkerClient;
use crate::worker::protocol::{Command, PredictInput};

/// Largest image sent for prediction.
const MAX_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// A drop target that classifies one image with the current model.
#[component]
pub fn TryImage() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let error = RwSignal::new(None::<String>);
    let over = RwSignal::new(false);
    let predictor = Memo::new(move |_| user_model_classes(&worker));
    let send = move |file: File| {
        if file.size() > MAX_BYTES {
            return error.set(Some(format!("{} is larger than 32 MB.", file.name())));
        }
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => worker.send(&Command::PredictImage(PredictInput::File {
                    name: file.name(),
                    bytes: Uint8Array::new(&buffer).to_vec(),
                })),
                Err(_) => error.set(Some(format!("The browser could not read {}.", file.name()))),
            }
        });
    };
    let on_pick = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        if let Some(file) = input.files().and_then(|l| l.item(0)) {
            send(file);
        }
        input.set_value("");
    };
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        over.set(false);
        if let Some(file) = event
            .data_transfer()
            .and_then(|t| t.files())
            .and_then(|l| l.item(0))
        {
            send(file);
        }
    };
    view! {
        <section class="try-image" aria-labelledby="try-title" data-testid="try-image">
            <h3 id="try-title">"Try an image"</h3>
            {move || match predictor.get() {
                None => view! { <p class="detail">"Once a model is trained on your classes, drop a picture here to see its guess."</p> }.into_any(),
                Some(classes) => view! {
                    <div class="drop-zone small" class:drop-over=move || over.get()
                        on:dragover=move |e: DragEvent| { e.prevent_default(); over.set(true); }
                        on:dragleave=move |_| over.set(false) on:drop=on_drop>
                        <label class="button">"Choose an image…"
                            <input type="file" class="visually-hidden" accept="image/*" data-testid="try-file" on:change=on_pick />
                        </label>
                        <span class="detail">" or drop one here"</span>
                    </div>
                    {move || worker.image_prediction.get().and_then(|p| p.name.clone().map(|name| (name, p))).map(|(name, p)| view! {
                        <p data-testid="try-result">{format!("{name}: most likely {}", top_class(&p.classes, &p.probabilities))}</p>
                        <PredictionBars classes=classes.clone() probabilities=p.probabilities />
                    })}
                }.into_any(),
            }}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

/// The name of the most probable class.
fn top_class(classes: &[String], probabilities: &[f32]) -> String {
    probabilities
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .and_then(|(i, _)| classes.get(i).cloned())
        .unwrap_or_default()
}
