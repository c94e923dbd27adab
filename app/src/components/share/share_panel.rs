//! The Share button and its dialog: the run's `pg1.` link (with its int8 weights when they
//! fit), copied to the clipboard, its length, a warning when it is long, and the `.pixelgrad`
//! file (spec and exact weights) as the alternative.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pixelgrad::io::decode_link;

use super::browser::{copy_text, download, file_name, share_url};
use super::predict_strip::PredictStrip;
use crate::worker::client::{RunState, WorkerClient};
use crate::worker::protocol::Command;

/// Links longer than this get a warning: chat apps and e-mail clients often cut longer ones.
pub const LONG_LINK_CHARS: usize = 2000;

/// Share and export for the run that just ended (or a model a link or file brought).
#[component]
pub fn SharePanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let link_asked = RwSignal::new(false);
    let file_asked = RwSignal::new(false);
    let copied = RwSignal::new(None::<Result<(), String>>);
    let file_error = RwSignal::new(None::<String>);
    let ended = move || {
        worker
            .training
            .with(|t| matches!(t.state, RunState::Ended(_)) && t.spec.is_some())
    };
    let has_model =
        Signal::derive(move || ended() || worker.share.model_ready.with(Option::is_some));

    // A fresh link: copy its URL.
    Effect::new(move |_| {
        let Some(shared) = worker.share.link.get() else {
            return;
        };
        if link_asked.get_untracked() {
            let url = share_url(&shared.link);
            spawn_local(async move { copied.set(Some(copy_text(&url).await)) });
        }
    });
    // A file the user asked for: download it.
    Effect::new(move |_| {
        let Some(file) = worker.share.file.get() else {
            return;
        };
        if file_asked.get_untracked() {
            file_asked.set(false);
            let name = worker
                .training
                .with_untracked(|t| file_name(&t.preset, file.step));
            file_error.set(download(&name, &file.bytes).err());
        }
    });

    let share = move |_| {
        link_asked.set(true);
        copied.set(None);
        worker.share.link.set(None);
        worker.send(&Command::Share);
    };
    let export = move |_| {
        file_asked.set(true);
        worker.send(&Command::ExportFile);
    };
    let dialog = move || {
        if !link_asked.get() {
            return None;
        }
        let Some(shared) = worker.share.link.get() else {
            return Some(
                view! { <p class="detail" data-testid="share-dialog">"Making the link…"</p> }
                    .into_any(),
            );
        };
        let url = share_url(&shared.link);
        let len = url.chars().count();
        let spec = decode_link(&shared.link).map(|s| s.to_json());
        let weights = if shared.with_weights {
            "with the trained weights (int8): the model predicts as soon as the link is opened"
        } else {
            "without weights (too large for a link): the receiver retrains with the same seed"
        };
        Some(view! {
            <div class="share-dialog" data-testid="share-dialog" role="dialog" aria-label="Share this run">
                <label>"Link to this run"
                    <input type="text" readonly=true data-testid="share-link" prop:value=url.clone() on:focus=|e| {
                        if let Some(input) = e.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                            input.select();
                        }
                    } />
                </label>
                <p data-testid="share-length" data-chars=len>{format!("{len} characters, {weights}.")}</p>
                {move || copied.get().map(|r| match r {
                    Ok(()) => view! { <p class="ok" role="status">"Copied to the clipboard."</p> }.into_any(),
                    Err(e) => view! { <p class="warn" role="status">{e}</p> }.into_any(),
                })}
                {(len > LONG_LINK_CHARS).then(|| view! {
                    <p class="warn" data-testid="share-too-long">
                        {format!("This link is long: chat apps and e-mail often cut links over {LONG_LINK_CHARS} characters. Send the run as a .pixelgrad file instead (it keeps the exact weights).")}
                    </p>
                })}
                {match spec {
                    Ok(json) => view! {
                        <details><summary>"Run settings in the link"</summary><pre data-testid="share-spec">{json}</pre></details>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{format!("The link does not read back: {e}")}</p> }.into_any(),
                }}
            </div>
        }.into_any())
    };
    view! {
        <section class="share-panel" data-testid="share-panel" aria-label="Share">
            <div class="run-controls">
                <button type="button" class="button primary" data-testid="share" disabled=move || !has_model.get() on:click=share>"Share"</button>
                <button type="button" class="button" data-testid="share-file" disabled=move || !has_model.get() on:click=export>"Download .pixelgrad"</button>
            </div>
            {dialog}
            {move || file_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <PredictStrip ready=has_model />
        </section>
    }
}
