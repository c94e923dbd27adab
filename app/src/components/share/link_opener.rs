//! Opening a shared link: on load the playground reads `#run=pg1.…`, decodes it strictly
//! (a damaged, tampered or future-version link is explained in words and the playground opens
//! as usual), restores the whole setup, loads the model's weights when the link has them so it
//! predicts at once, and offers "Reproduce": the same spec and seed trained again, up to the
//! step at which it was shared.

use leptos::prelude::*;
use pixelgrad::io::{decode_link, DataSource, RunSpec, LINK_FRAGMENT_KEY};

use super::browser::fragment;
use super::predict_strip::PredictStrip;
use crate::components::run_settings::RunSettings;
use crate::worker::client::{RunState, WorkerClient};
use crate::worker::protocol::{model_label, Command, TrainRequest};

/// Evaluate every this many steps while reproducing (as the training panel does).
const EVAL_EVERY: usize = 50;

/// Whether a fragment is meant as a run link (so other fragments, like in-page anchors, are
/// left alone).
fn looks_like_run(text: &str) -> bool {
    text.starts_with(LINK_FRAGMENT_KEY) || text.starts_with("pg")
}

/// The data source naming a loaded set: a bundled set by name, the user's own set (id
/// `user:<sha256>`) by hash and class names; `None` for an id of neither form.
fn plain_source(id: &str, classes: &[String]) -> Option<DataSource> {
    match id.strip_prefix("user:") {
        Some(sha256) => Some(DataSource::User {
            sha256: sha256.to_string(),
            class_names: classes.to_vec(),
        }),
        None => Some(DataSource::Bundled {
            name: id.to_string(),
        }),
    }
}

/// `text` as a sentence: capital first letter, full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

/// Shows what a shared link brought, or why it could not be opened; nothing without a link.
#[component]
pub fn LinkOpener() -> impl IntoView {
    let text = fragment();
    if !looks_like_run(&text) {
        return ().into_any();
    }
    match decode_link(&text) {
        Err(e) => view! {
            <section class="panel link-opener" data-testid="link-error" role="alert">
                <h2>"This link could not be opened"</h2>
                <p data-testid="link-error-text">{sentence(&e.to_string())}</p>
                <p class="detail">"The playground works as usual: pick data and a model below, or ask for the link again."</p>
            </section>
        }
        .into_any(),
        Ok(spec) => view! { <OpenedRun spec=spec link=text /> }.into_any(),
    }
}

/// A decoded link: its setup restored, its weights loaded, and Reproduce.
#[component]
fn OpenedRun(spec: RunSpec, link: String) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let settings = expect_context::<RunSettings>();
    let has_weights = spec.weights.is_some();
    let mut plain = spec.clone();
    plain.weights = None;
    settings.apply(&plain);
    let (data_note, bundled) = match &plain.data.source {
        DataSource::Bundled { name } => {
            worker.send(&Command::LoadBundled { id: name.clone() });
            (format!("the bundled set \"{name}\""), Some(name.clone()))
        }
        DataSource::User { class_names, .. } => (
            format!(
                "the sender's own images, which never leave their browser: load or record a data set with the same classes ({}) to train it",
                class_names.join(", ")
            ),
            None,
        ),
    };
    if has_weights {
        worker.send(&Command::OpenLink { link });
    }
    let steps = plain.steps as usize;
    let summary = format!(
        "{} on {data_note}, {} steps, seed {}.",
        model_label(&plain.model),
        steps,
        plain.train.seed
    );
    let json = plain.to_json();
    // The data to reproduce on: the bundled set by name, or for the sender's own images any
    // set of the user's with the same classes (the spec then names that set).
    let wanted_classes = match &plain.data.source {
        DataSource::User { class_names, .. } => Some(class_names.clone()),
        DataSource::Bundled { .. } => None,
    };
    let loaded_source = Signal::derive(move || {
        worker.dataset.with(|d| {
            let d = d.as_ref()?;
            match (&bundled, &wanted_classes) {
                (Some(name), _) if *name == d.id => plain_source(&d.id, &d.classes),
                (None, Some(classes)) if *classes == d.classes => plain_source(&d.id, &d.classes),
                _ => None,
            }
        })
    });
    let data_ready = move || loaded_source.with(Option::is_some);
    let busy = move || {
        worker.training.with(|t| {
            matches!(
                t.state,
                RunState::Starting | RunState::Running | RunState::Paused
            )
        })
    };
    let ready = Signal::derive(move || worker.share.model_ready.with(Option::is_some));
    let spec_for_run = plain.clone();
    let reproduce = move |_| {
        let mut spec = spec_for_run.clone();
        if let Some(source) = loaded_source.get_untracked() {
            spec.data.source = source;
        }
        worker.start_run(&Command::Train(Box::new(TrainRequest {
            spec,
            backend: settings.backend(),
            eval_every: EVAL_EVERY,
            stop_at: (steps > 0).then_some(steps),
        })));
    };
    view! {
        <section class="panel link-opener" data-testid="link-opened" aria-labelledby="link-title">
            <h2 id="link-title">"A shared run"</h2>
            <p data-testid="link-summary">{summary}</p>
            {if has_weights {
                view! { <p>"It carries its trained weights (int8), so it predicts right away; Reproduce trains it again from the same seed."</p> }.into_any()
            } else {
                view! { <p>"It has no weights: Reproduce trains it again from the same seed and gives the same loss curve on the same backend."</p> }.into_any()
            }}
            <div class="run-controls">
                <button type="button" class="button primary" data-testid="reproduce" disabled=move || !data_ready() || busy() on:click=reproduce>"Reproduce"</button>
            </div>
            {has_weights.then(|| view! { <PredictStrip ready=ready /> })}
            <details><summary>"Run settings in the link"</summary><pre data-testid="link-spec">{json}</pre></details>
        </section>
    }
    .into_any()
}
