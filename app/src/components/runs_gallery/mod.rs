//! The runs gallery: every kept run with its curves and checkpoint; rename, delete, duplicate,
//! open in the playground, export and import `.pixelgrad` files, and compare two runs with
//! their loss curves overlaid.

pub mod run_row;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::components::line_chart::{LineChart, Series};
use crate::storage::alert::StorageAlert;
use crate::storage::runs::{self, new_id, SavedRun};
use crate::worker::client::WorkerClient;
use crate::worker::protocol::Command;
use run_row::RunRow;

/// The gallery page's body.
#[component]
pub fn RunsGallery() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let list = RwSignal::new(None::<Result<Vec<SavedRun>, String>>);
    let compared = RwSignal::new(Vec::<String>::new());
    let note = RwSignal::new(None::<String>);
    let reload = move || {
        spawn_local(async move { list.set(Some(runs::list().await)) });
    };
    reload();

    // An imported file: the worker read its spec; keep it as a run with its weights.
    let pending = StoredValue::new(None::<Vec<u8>>);
    Effect::new(move |_| {
        let Some((spec, _)) = worker.share.model_ready.get() else {
            return;
        };
        let Some(bytes) = pending.try_update_value(Option::take).flatten() else {
            return;
        };
        spawn_local(async move {
            let run = SavedRun {
                id: new_id(),
                name: format!(
                    "{} (imported)",
                    crate::worker::protocol::model_label(&spec.model)
                ),
                created_ms: js_sys::Date::now(),
                step: spec.steps as usize,
                total_steps: spec.steps as usize,
                spec,
                state: "imported".into(),
                losses: Vec::new(),
                accuracies: Vec::new(),
                checkpoint_slot: None,
                checkpoint_step: None,
            };
            let saved = match runs::save(&run).await {
                Ok(()) => runs::save_checkpoint(&run.id, run.step, &bytes).await,
                Err(e) => Err(e),
            };
            note.set(Some(match saved {
                Ok(()) => format!("Imported \"{}\".", run.name),
                Err(e) => format!("The file could not be kept: {e}"),
            }));
            reload();
        });
    });
    let import = move |e: leptos::ev::Event| {
        let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => {
                    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                    pending.set_value(Some(bytes.clone()));
                    worker.share.model_ready.set(None);
                    worker.send(&Command::OpenFile { bytes });
                }
                Err(_) => note.set(Some("The file could not be read.".into())),
            }
        });
    };

    let chart = Signal::derive(move || {
        let ids = compared.get();
        let runs = list.with(|l| match l {
            Some(Ok(runs)) => runs.clone(),
            _ => Vec::new(),
        });
        ids.iter()
            .enumerate()
            .filter_map(|(i, id)| {
                let run = runs.iter().find(|r| &r.id == id)?;
                Some(Series {
                    name: run.name.clone(),
                    class: if i == 0 { "series-0" } else { "series-2" },
                    points: run.losses.clone(),
                })
            })
            .collect::<Vec<_>>()
    });
    let toggle = move |id: String| {
        compared.update(|c| {
            if let Some(i) = c.iter().position(|x| *x == id) {
                c.remove(i);
            } else {
                c.push(id);
                if c.len() > 2 {
                    c.remove(0);
                }
            }
        })
    };

    view! {
        <section class="panel runs-gallery" data-testid="runs-gallery" aria-labelledby="runs-title">
            <h2 id="runs-title">"Your runs"</h2>
            <p class="detail">"Every run is kept in this browser with its settings, curves and latest checkpoint. Nothing is uploaded."</p>
            <label class="button">"Import a .pixelgrad file"
                <input type="file" accept=".pixelgrad" class="visually-hidden" data-testid="import-run" on:change=import />
            </label>
            {move || note.get().map(|n| view! { <p role="status" data-testid="gallery-note">{n}</p> })}
            {move || worker.last_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <StorageAlert />
            {move || match list.get() {
                None => view! { <p class="detail">"Reading your runs…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(runs)) if runs.is_empty() => view! {
                    <p data-testid="no-runs">"No runs yet: train one in the playground and it appears here."</p>
                }.into_any(),
                Some(Ok(runs)) => view! {
                    <table class="runs-table" data-testid="runs-table">
                        <thead><tr>
                            <th scope="col">"Compare"</th><th scope="col">"Name"</th><th scope="col">"Model and data"</th>
                            <th scope="col">"Steps"</th><th scope="col">"Last loss"</th><th scope="col">"State"</th><th scope="col">"Actions"</th>
                        </tr></thead>
                        <tbody>
                            {runs.into_iter().map(|run| {
                                let id = run.id.clone();
                                let checked = Signal::derive(move || compared.with(|c| c.contains(&id)));
                                view! { <RunRow run=run checked=checked on_toggle=toggle on_change=reload /> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            {move || (chart.with(Vec::len) == 2).then(|| view! {
                <div class="compare" data-testid="compare-chart">
                    <LineChart title="Loss of the two runs" series=chart x_label="step" />
                </div>
            })}
        </section>
    }
}
