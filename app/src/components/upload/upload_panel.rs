//! "Your images": pick or drop files, a folder or a zip; images are labelled by their
//! sub-folder, or by the class card they are dropped on. Files that cannot be used are listed
//! by name with the reason; the rest are kept.

use leptos::prelude::*;
use web_sys::{DragEvent, HtmlInputElement};

use super::balance_view::BalanceView;
use super::class_list::ClassList;
use super::read_files::{dropped_entries, from_drop, from_list};
use super::send::send_picked;
use super::store::UserData;
use crate::worker::client::WorkerClient;

/// The upload panel.
#[component]
pub fn UploadPanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let data = UserData::use_or_provide();
    let over = RwSignal::new(false);
    // `webkitdirectory` (pick a folder) is not among the view macro's known attributes.
    let folder_input = NodeRef::<leptos::html::Input>::new();
    folder_input.on_load(|input| {
        let _ = input.set_attribute("webkitdirectory", "");
    });
    let on_pick = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        if let Some(list) = input.files() {
            send_picked(worker, data, from_list(&list), None);
        }
        // Picking the same files again should upload them again.
        input.set_value("");
    };
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        over.set(false);
        if let Some(transfer) = event.data_transfer() {
            let entries = dropped_entries(&transfer);
            wasm_bindgen_futures::spawn_local(async move {
                send_picked(worker, data, from_drop(entries).await, None);
            });
        }
    };
    view! {
        <div class="upload-panel" data-testid="upload-panel">
            <div class="drop-zone" class:drop-over=move || over.get()
                on:dragover=move |e: DragEvent| { e.prevent_default(); over.set(true); }
                on:dragleave=move |_| over.set(false)
                on:drop=on_drop>
                <p><strong>"Drop images, a folder or a .zip here."</strong></p>
                <p class="detail">"Each sub-folder becomes a class (pets/cats/1.png is a cat). Or drop images on a class below. PNG, JPEG, WebP, GIF and BMP."</p>
                <div class="pick-buttons">
                    <label class="button">"Choose images or a zip…"
                        <input type="file" class="visually-hidden" multiple accept="image/*,.zip,application/zip"
                            data-testid="pick-files" on:change=on_pick />
                    </label>
                    <label class="button">"Choose a folder…"
                        <input type="file" class="visually-hidden" multiple node_ref=folder_input
                            data-testid="pick-folder" on:change=on_pick />
                    </label>
                </div>
            </div>
            <UploadStatus />
            <ClassList droppable=true />
            <BalanceView />
        </div>
    }
}

/// Files being decoded, and the files that could not be used, by name.
#[component]
fn UploadStatus() -> impl IntoView {
    let data = UserData::use_or_provide();
    view! {
        <div aria-live="polite">
            {move || match data.decoding.get() {
                0 => None,
                n => Some(view! { <p class="detail" data-testid="decoding">{format!("Decoding {n} file{}…", if n == 1 { "" } else { "s" })}</p> }),
            }}
            {move || {
                let rejected = data.rejected.get();
                (!rejected.is_empty()).then(|| view! {
                    <div class="rejected" role="alert" data-testid="rejected">
                        <p class="warn">{match rejected.len() {
                            1 => "1 file was not used; the others were kept:".to_string(),
                            n => format!("{n} files were not used; the others were kept:"),
                        }}</p>
                        <ul>
                            {rejected.into_iter().map(|r| view! {
                                <li><code>{r.name}</code>": "{r.reason.trim_end_matches('.').to_string()}"."</li>
                            }).collect_view()}
                        </ul>
                        <button type="button" class="icon-button" on:click=move |_| data.rejected.set(Vec::new())>"Dismiss"</button>
                    </div>
                })
            }}
        </div>
    }
}
