//! One row of the runs gallery: its name (editable), model and data, progress, last loss and
//! state, and the actions on it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use pixelgrad::io::DataSource;

use crate::components::run_settings::RunSettings;
use crate::components::share::browser::{download, file_name};
use crate::storage::runs::{self, SavedRun};
use crate::worker::client::WorkerClient;
use crate::worker::protocol::{model_label, Command};

/// A kept run with rename, open, duplicate, export and delete.
#[component]
pub fn RunRow(
    /// The run.
    run: SavedRun,
    /// Whether it is one of the two compared runs.
    checked: Signal<bool>,
    /// Adds it to or removes it from the comparison.
    on_toggle: impl Fn(String) + Copy + Send + Sync + 'static,
    /// Called after the run was changed, to list the runs again.
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let settings = expect_context::<RunSettings>();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let run = StoredValue::new(run);
    let r = run.get_value();
    let data = match &r.spec.data.source {
        DataSource::Bundled { name } => name.clone(),
        DataSource::User { class_names, .. } => format!("your images ({})", class_names.join(", ")),
    };
    let model = model_label(&r.spec.model);
    let last_loss = r
        .losses
        .last()
        .map_or_else(|| "–".to_string(), |(_, l)| format!("{l:.4}"));
    let state = match r.state.as_str() {
        // A record still "running" belongs to a run a reload or a closed tab interrupted.
        "running" => "interrupted".to_string(),
        other => other.to_string(),
    };
    let state_attr = state.clone();
    let checkpoint = r.checkpoint_step.map_or_else(
        || "no checkpoint yet".to_string(),
        |s| format!("checkpoint at step {s}"),
    );

    let rename = move |e: leptos::ev::Event| {
        let name = event_target_value(&e).trim().to_string();
        if name.is_empty() {
            return;
        }
        let mut updated = run.get_value();
        updated.name = name;
        run.set_value(updated.clone());
        spawn_local(async move {
            // Keep whatever the recorder saved meanwhile; change only the name.
            let latest = runs::load(&updated.id).await.ok().flatten().map(|mut l| {
                l.name = updated.name.clone();
                l
            });
            error.set(runs::save(&latest.unwrap_or(updated)).await.err());
        });
    };
    let delete = move |_| {
        let id = run.with_value(|r| r.id.clone());
        spawn_local(async move {
            match runs::delete(&id).await {
                Ok(()) => on_change(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let duplicate = move |_| {
        let r = run.get_value();
        spawn_local(async move {
            match runs::duplicate(&r).await {
                Ok(_) => on_change(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let export = move |_| {
        let r = run.get_value();
        spawn_local(async move {
            let result = match runs::checkpoint(&r).await {
                Ok(Some(bytes)) => download(
                    &file_name(&r.name, r.checkpoint_step.unwrap_or(r.step)),
                    &bytes,
                ),
                Ok(None) => Err("this run has no checkpoint yet".into()),
                Err(e) => Err(e),
            };
            error.set(result.err());
        });
    };
    let open = move |_| {
        let r = run.get_value();
        let navigate = navigate.clone();
        settings.apply(&r.spec);
        if let DataSource::Bundled { name } = &r.spec.data.source {
            worker.send(&Command::LoadBundled { id: name.clone() });
        }
        spawn_local(async move {
            if let Ok(Some(bytes)) = runs::checkpoint(&r).await {
                worker.share.model_ready.set(None);
                worker.send(&Command::OpenFile { bytes });
            }
            navigate("/playground", Default::default());
        });
    };
    let id = r.id.clone();
    view! {
        <tr data-testid="run-row" data-run-id=r.id.clone() data-state=state_attr data-step=r.step data-checkpoint-step=r.checkpoint_step.map(|s| s.to_string())>
            <td><input type="checkbox" aria-label="Compare this run" data-testid="compare-run" prop:checked=move || checked.get() on:change=move |_| on_toggle(id.clone()) /></td>
            <td><input type="text" aria-label="Run name" data-testid="run-name" value=r.name.clone() prop:value=r.name.clone() on:change=rename /></td>
            <td>{format!("{model} on {data}, seed {}", r.spec.train.seed)}</td>
            <td>{format!("{} of {}", r.step, r.total_steps)}<br /><span class="detail">{checkpoint}</span></td>
            <td>{last_loss}</td>
            <td>{state}</td>
            <td class="run-actions">
                <button type="button" class="button" data-testid="open-run" on:click=open>"Open"</button>
                <button type="button" class="button" data-testid="duplicate-run" on:click=duplicate>"Duplicate"</button>
                <button type="button" class="button" data-testid="export-run" on:click=export>"Export"</button>
                <button type="button" class="button" data-testid="delete-run" on:click=delete>"Delete"</button>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </td>
        </tr>
    }
}
