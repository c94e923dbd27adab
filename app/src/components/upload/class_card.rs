//! One class of the user's data: its name (editable), image count, newest images with delete
//! buttons, and a drop target that labels dropped files with this class. The webcam puts its
//! hold-to-record button in the card's slot.

use leptos::prelude::*;
use pixelgrad::data::Dataset;
use web_sys::DragEvent;

use super::read_files::{dropped_entries, from_drop};
use super::sample_strip::SampleStrip;
use super::send::send_picked;
use super::store::UserData;
use crate::worker::client::WorkerClient;

/// The card of class `label`; `children` go in its header (the webcam's record button).
#[component]
pub fn ClassCard(
    /// The class shown.
    label: usize,
    /// Whether files dropped on the card are added to this class.
    #[prop(optional)]
    droppable: bool,
    /// Extra controls for the header.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let data = UserData::use_or_provide();
    let name = move || {
        data.store
            .with(|s| s.set.classes().get(label).cloned().unwrap_or_default())
    };
    let count = move || {
        data.store
            .with(|s| s.set.class_counts().get(label).copied().unwrap_or(0))
    };
    let over = RwSignal::new(false);
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        over.set(false);
        if !droppable {
            return;
        }
        if let Some(transfer) = event.data_transfer() {
            let bucket = name();
            let worker = expect_context::<WorkerClient>();
            let entries = dropped_entries(&transfer);
            wasm_bindgen_futures::spawn_local(async move {
                let picked = from_drop(entries).await;
                send_picked(worker, data, picked, Some(bucket));
            });
        }
    };
    view! {
        <article class="class-card" class:drop-over=move || over.get() data-testid=format!("class-{label}")
            on:dragover=move |e: DragEvent| { if droppable { e.prevent_default(); over.set(true); } }
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop>
            <header class="class-head">
                <input type="text" class="class-name" aria-label="Class name" maxlength="40"
                    prop:value=name
                    on:change=move |e| data.rename_class(label, &event_target_value(&e)) />
                <span class="class-count" data-testid=format!("count-{label}")>
                    {move || match count() { 1 => "1 image".to_string(), n => format!("{n} images") }}
                </span>
                <button type="button" class="icon-button" title="Remove this class and its images"
                    aria-label=move || format!("Remove class {}", name())
                    on:click=move |_| data.remove_class(label)>"Remove"</button>
            </header>
            {children.map(|c| view! { <div class="class-actions">{c()}</div> })}
            {move || (count() == 0 && droppable).then(|| view! { <p class="detail">"Drop images here to add them to this class."</p> })}
            <SampleStrip label />
        </article>
    }
}
