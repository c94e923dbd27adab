//! Attention maps on the learner's own picture: pick an image, and the worker runs the
//! current Vision Transformer on it and draws, for every layer and head, how much the class
//! token attends to each patch (see `lessons::attention`).

use js_sys::Uint8Array;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, HtmlInputElement};

use super::ask::{answer_to, send_query};
use crate::components::thumbnail::put_rgba;
use crate::lessons::attention::{AttentionImage, AttentionMaps};
use crate::lessons::check::Observed;
use crate::lessons::query::{Answer, Ask};
use crate::worker::client::WorkerClient;

/// Largest picture accepted.
const MAX_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// The picker, the invert box and the maps; reports `attention_maps` once maps are shown.
#[component]
pub fn AttentionView(invert: bool, observed: RwSignal<Observed>) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let invert = RwSignal::new(invert);
    let asked = RwSignal::new(None::<u64>);
    let error = RwSignal::new(None::<String>);
    let picked = RwSignal::new(None::<(String, Vec<u8>)>);
    let ask = move || {
        if let Some((name, bytes)) = picked.get_untracked() {
            let image = AttentionImage {
                name,
                bytes,
                invert: invert.get_untracked(),
            };
            asked.set(Some(send_query(worker, Ask::Attention { image })));
        }
    };
    let read = move |file: File| {
        if file.size() > MAX_BYTES {
            return error.set(Some(format!("{} is larger than 16 MB.", file.name())));
        }
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => {
                    picked.set(Some((file.name(), Uint8Array::new(&buffer).to_vec())));
                    ask();
                }
                Err(_) => error.set(Some(format!("The browser could not read {}.", file.name()))),
            }
        });
    };
    let on_pick = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        if let Some(file) = input.files().and_then(|l| l.item(0)) {
            read(file);
        }
        input.set_value("");
    };
    let answer = Memo::new(move |_| asked.get().and_then(|id| answer_to(worker, id)));
    Effect::new(move |_| {
        if let Some(Answer::Attention(_)) = answer.get() {
            observed.update(|o| o.attention_maps = Some(true));
        }
    });
    view! {
        <div class="widget attention-widget" data-testid="attention-widget">
            <div class="attention-controls">
                <label class="button">"Choose a picture…"
                    <input type="file" class="visually-hidden" accept="image/*" data-testid="attention-file" on:change=on_pick />
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="attention-invert" prop:checked=move || invert.get()
                        on:change=move |e| { invert.set(event_target_checked(&e)); ask(); } />
                    "Dark on light: invert it (MNIST digits are light on dark)"
                </label>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match (asked.get(), answer.get()) {
                (None, _) => view! { <p class="detail">"Pick a picture of a digit (a photo of one you wrote works) to see where the trained ViT looks."</p> }.into_any(),
                (Some(_), None) => view! { <p class="detail">"Running the ViT on your picture…"</p> }.into_any(),
                (_, Some(Answer::Attention(maps))) => view! { <Maps maps /> }.into_any(),
                (_, Some(Answer::Failed { message })) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                (_, Some(_)) => ().into_any(),
            }}
        </div>
    }
}

/// The picture as the model sees it, then one map per head, layer by layer.
#[component]
fn Maps(maps: AttentionMaps) -> impl IntoView {
    let side = maps.side;
    let layers = maps
        .heads
        .iter()
        .map(|h| h.layer)
        .max()
        .map_or(0, |l| l + 1);
    let rows = (0..layers)
        .map(|layer| {
            let heads = maps
                .heads
                .iter()
                .filter(|h| h.layer == layer)
                .map(|h| {
                    let caption = format!(
                        "head {} · {:.0}% on the class token",
                        h.head + 1,
                        100.0 * h.on_class_token
                    );
                    let label = format!(
                        "Layer {} head {}: attention of the class token over the {}×{} patches",
                        layer + 1,
                        h.head + 1,
                        maps.grid,
                        maps.grid
                    );
                    view! {
                        <figure class="attention-map" data-testid="attention-map">
                            <RgbaCanvas rgba=h.rgba.clone() side label />
                            <figcaption class="detail">{caption}</figcaption>
                        </figure>
                    }
                })
                .collect_view();
            view! {
                <div class="attention-layer">
                    <h4>{format!("Layer {}", layer + 1)}</h4>
                    <div class="attention-row">{heads}</div>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="attention-maps">
            <figure class="attention-map">
                <RgbaCanvas rgba=maps.input.clone() side label="Your picture as the model sees it".to_string() />
                <figcaption class="detail" data-testid="attention-prediction">
                    {format!("The model sees a {} ({:.0}%)", maps.predicted, 100.0 * maps.probability)}
                </figcaption>
            </figure>
            {rows}
            <p class="detail">"Orange marks the patches the class token attends to most in each head (the brightest patch is that head's maximum). The class token's output is all the classifier reads."</p>
        </div>
    }
}

/// A `side × side` RGBA picture on a canvas, scaled by CSS.
#[component]
fn RgbaCanvas(rgba: Vec<u8>, side: usize, label: String) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    canvas.on_load(move |canvas| put_rgba(&canvas, &rgba, side, side));
    view! { <canvas node_ref=canvas class="attention-canvas" width=side height=side role="img" aria-label=label></canvas> }
}
