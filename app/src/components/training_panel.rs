//! Model choice, hyper-parameters, run controls, progress and live curves.

use leptos::prelude::*;
use pixelgrad::models::{ModelSpec, PRESETS};

use crate::components::hyper_params::HyperParams;
use crate::components::line_chart::{LineChart, Series};
use crate::components::run_settings::{RunSettings, RESTORED_MODEL};
use crate::components::share::share_panel::SharePanel;
use crate::components::train_options::model_dropout;
use crate::worker::client::{RunState, WorkerClient};
use crate::worker::protocol::{Backend, Command, RunEnd, TrainRequest};

/// Evaluate on the held-out split every this many steps.
const EVAL_EVERY: usize = 50;

/// The training panel. Settings are the [`RunSettings`] signals; pressing Train turns them
/// into a run spec and sends it to the worker.
#[component]
pub fn TrainingPanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let settings = use_context::<RunSettings>().unwrap_or_default();
    let RunSettings {
        preset,
        optimizer,
        lr,
        batch_size,
        epochs,
        max_steps,
        seed,
        backend_choice,
        base,
        dropout,
        ..
    } = settings;
    let form_error = RwSignal::new(None::<String>);

    // Small images only fit the MLP; keep the choice valid when the data set changes.
    let presets = move || {
        let small = worker
            .dataset
            .with(|d| d.as_ref().is_some_and(|d| d.height < 28 || d.width < 28));
        PRESETS
            .iter()
            .filter(|(name, kind)| *kind == "grey28" && (!small || *name == "mlp"))
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
    };
    let restored = move || base.with(|b| b.is_some()) && preset.get() == RESTORED_MODEL;
    Effect::new(move |_| {
        let available = presets();
        let current = preset.get_untracked();
        let keep = current == RESTORED_MODEL && base.with_untracked(|b| b.is_some());
        if !keep && !available.contains(&current.as_str()) {
            if let Some(first) = available.first() {
                preset.set(first.to_string());
            }
        }
    });

    let start = move |_| {
        let spec = worker.dataset.with_untracked(|d| match d {
            Some(d) => settings.to_spec(d),
            None => Err("choose a data set first".into()),
        });
        match spec {
            Ok(spec) => {
                form_error.set(None);
                worker.start_run(&Command::Train(Box::new(TrainRequest {
                    spec,
                    backend: settings.backend(),
                    eval_every: EVAL_EVERY,
                    stop_at: None,
                })));
            }
            Err(message) => form_error.set(Some(message)),
        }
    };
    let state = move || worker.training.with(|t| t.state.clone());
    let running = move || {
        matches!(
            state(),
            RunState::Running | RunState::Paused | RunState::Starting
        )
    };
    let no_data = move || worker.dataset.with(Option::is_none);

    view! {
        <section class="panel training-panel" data-testid="training-panel" aria-labelledby="train-title">
            <h2 id="train-title">"Model and training"</h2>
            <div class="form-grid">
                <label>"Model"
                    <select data-testid="preset" prop:value=move || preset.get() on:change=move |e| {
                        let name = event_target_value(&e);
                        // A new model starts from its own dropout.
                        let own = ModelSpec::preset(&name).as_ref().and_then(model_dropout);
                        dropout.set(own.map_or(String::new(), |d| d.to_string()));
                        preset.set(name);
                    }>
                        {move || restored().then(|| view! { <option value=RESTORED_MODEL selected=true>"the shared model"</option> })}
                        {move || presets().into_iter().map(|name| view! { <option value=name selected=move || preset.get() == name>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Optimizer"
                    <select data-testid="optimizer" prop:value=move || optimizer.get() on:change=move |e| optimizer.set(event_target_value(&e))>
                        <option value="sgd" selected=move || optimizer.get() == "sgd">"SGD, momentum 0.9"</option>
                        <option value="adam" selected=move || optimizer.get() == "adam">"Adam"</option>
                    </select>
                </label>
                <NumberField label="Learning rate" testid="lr" value=lr />
                <NumberField label="Batch size" testid="batch-size" value=batch_size />
                <NumberField label="Epochs" testid="epochs" value=epochs />
                <NumberField label="Step limit (optional)" testid="max-steps" value=max_steps />
                <NumberField label="Seed" testid="seed" value=seed />
                <crate::components::backend_picker::BackendPicker choice=backend_choice />
            </div>
            <HyperParams settings />
            {move || form_error.get().map(|e| view! { <p class="error" role="alert" data-testid="form-error">{e}</p> })}
            <div class="run-controls">
                <button type="button" class="button primary" data-testid="train" disabled=move || running() || no_data() on:click=start>"Train"</button>
                {move || match state() {
                    RunState::Running => view! { <button type="button" class="button" data-testid="pause" on:click=move |_| worker.send(&Command::Pause)>"Pause"</button> }.into_any(),
                    RunState::Paused => view! {
                        <button type="button" class="button" data-testid="resume" on:click=move |_| worker.send(&Command::Resume)>"Resume"</button>
                        <button type="button" class="button" data-testid="step" on:click=move |_| worker.send(&Command::StepOnce)>"One step"</button>
                    }.into_any(),
                    _ => ().into_any(),
                }}
                <button type="button" class="button" data-testid="stop" disabled=move || !running() on:click=move |_| worker.send(&Command::Stop)>"Stop"</button>
            </div>
            {move || no_data().then(|| view! { <p class="detail">"Choose a data set first."</p> })}
            <RunStatus />
            <RunCharts held_out="test" testid="charts" />
            <SharePanel />
        </section>
    }
}

/// A labelled text input holding a number as typed (validated when training starts).
#[component]
fn NumberField(
    label: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label>{label}
            <input type="text" inputmode="decimal" data-testid=testid prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) />
        </label>
    }
}

/// Progress bar, speed, time left, and how the run ended.
#[component]
fn RunStatus() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    move || {
        let t = worker.training.get();
        if t.state == RunState::Idle {
            return ().into_any();
        }
        let left = if t.steps_per_second > 0.0 && t.total_steps > t.step {
            format!(
                " · about {:.0} s left",
                (t.total_steps - t.step) as f64 / t.steps_per_second
            )
        } else {
            String::new()
        };
        let device = match t.backend {
            Some(Backend::WebGpu) => "on the GPU (WebGPU)",
            Some(Backend::Cpu) => "on the CPU",
            None => "",
        };
        let ended = match &t.state {
            RunState::Ended(RunEnd::Finished) => Some(match t.stopped_early {
                Some((epoch, patience)) => (
                    "ok",
                    format!(
                        "Stopped early at epoch {epoch} (no validation improvement for {patience} epoch{}).",
                        if patience == 1 { "" } else { "s" }
                    ),
                ),
                None => ("ok", "Training finished.".to_string()),
            }),
            RunState::Ended(RunEnd::Stopped) => Some(("warn", "Stopped.".to_string())),
            RunState::Ended(RunEnd::Failed { message }) => {
                Some(("error", format!("Training stopped: {message}")))
            }
            _ => None,
        };
        // The exact last loss, for tests that compare runs to the last digit.
        let last_loss = t.losses.last().map(|(step, loss)| format!("{step}:{loss}"));
        let accuracy = t
            .last_eval
            .as_ref()
            .map(|e| format!("Test accuracy {:.1}%", 100.0 * e.accuracy));
        view! {
            <div class="run-status" data-testid="run-status" data-state=format!("{:?}", t.state).to_lowercase() data-last-loss=last_loss>
                <progress max=t.total_steps.max(1) value=t.step></progress>
                <p data-testid="progress-text">
                    {format!("Step {} of {} · epoch {} · {:.1} steps/s{left}", t.step, t.total_steps, t.epoch + 1, t.steps_per_second)}
                </p>
                <p class="detail">{format!("{} with {} parameters, {device}", t.preset, t.parameters)}</p>
                {accuracy.map(|a| view! { <p data-testid="test-accuracy">{a}</p> })}
                {t.notice.map(|n| view! { <p class="warn" data-testid="run-notice" role="status">{n}</p> })}
                {ended.map(|(class, text)| view! { <p class=class data-testid="run-end" role="status">{text}</p> })}
            </div>
        }
        .into_any()
    }
}

/// Loss, accuracy and learning-rate curves of the current run, for the playground and the
/// lessons' train widgets alike. `held_out` names the split evaluated on (`test` in the
/// playground, `validation` in lessons); `testid` marks the charts for the browser tests.
#[component]
pub fn RunCharts(
    held_out: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let loss = Signal::derive(move || {
        worker.training.with(|t| {
            vec![
                Series {
                    name: "training loss".into(),
                    class: "series-0",
                    points: t.losses.clone(),
                },
                Series {
                    name: format!("{held_out} loss"),
                    class: "series-1",
                    points: t.test_losses.clone(),
                },
            ]
        })
    });
    let accuracy = Signal::derive(move || {
        worker.training.with(|t| {
            vec![Series {
                name: format!("{held_out} accuracy"),
                class: "series-2",
                points: t.accuracies.clone(),
            }]
        })
    });
    let lr = Signal::derive(move || {
        worker.training.with(|t| {
            vec![Series {
                name: "learning rate".into(),
                class: "series-3",
                points: t.lrs.clone(),
            }]
        })
    });
    view! {
        <div class="charts" data-testid=testid>
            <LineChart title="Loss" series=loss x_label="step" />
            <LineChart title="Accuracy" series=accuracy y_range=(0.0, 1.0) x_label="step" />
            <LineChart title="Learning rate" series=lr x_label="step" />
        </div>
    }
}
