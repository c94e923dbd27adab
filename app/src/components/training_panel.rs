//! Model choice, hyper-parameters, run controls, progress and live curves.

use leptos::prelude::*;
use pixelgrad::models::PRESETS;

use crate::components::line_chart::{LineChart, Series};
use crate::worker::client::{RunState, WorkerClient};
use crate::worker::protocol::{
    Backend, BackendChoice, Command, OptimizerChoice, RunEnd, TrainRequest,
};

/// The training panel. Settings are plain signals; pressing Train sends them to the worker.
#[component]
pub fn TrainingPanel() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let preset = RwSignal::new("lenet5".to_string());
    let optimizer = RwSignal::new(OptimizerChoice::Sgd);
    let lr = RwSignal::new("0.05".to_string());
    let batch_size = RwSignal::new("64".to_string());
    let epochs = RwSignal::new("1".to_string());
    let max_steps = RwSignal::new(String::new());
    let seed = RwSignal::new("0".to_string());
    let cpu_only = RwSignal::new(false);
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
    Effect::new(move |_| {
        let available = presets();
        if !available.contains(&preset.get_untracked().as_str()) {
            if let Some(first) = available.first() {
                preset.set(first.to_string());
            }
        }
    });

    let start = move |_| match read_request(
        preset, optimizer, lr, batch_size, epochs, max_steps, seed, cpu_only,
    ) {
        Ok(request) => {
            form_error.set(None);
            worker.last_error.set(None);
            worker.training.update(|t| t.state = RunState::Starting);
            worker.send(&Command::Train(request));
        }
        Err(message) => form_error.set(Some(message)),
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
                    <select data-testid="preset" prop:value=move || preset.get() on:change=move |e| preset.set(event_target_value(&e))>
                        {move || presets().into_iter().map(|name| view! { <option value=name selected=move || preset.get() == name>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Optimizer"
                    <select data-testid="optimizer" on:change=move |e| optimizer.set(if event_target_value(&e) == "adam" { OptimizerChoice::Adam } else { OptimizerChoice::Sgd })>
                        <option value="sgd">"SGD, momentum 0.9"</option>
                        <option value="adam">"Adam"</option>
                    </select>
                </label>
                <NumberField label="Learning rate" testid="lr" value=lr />
                <NumberField label="Batch size" testid="batch-size" value=batch_size />
                <NumberField label="Epochs" testid="epochs" value=epochs />
                <NumberField label="Step limit (optional)" testid="max-steps" value=max_steps />
                <NumberField label="Seed" testid="seed" value=seed />
                <label class="check"><input type="checkbox" data-testid="cpu-only" prop:checked=move || cpu_only.get() on:change=move |e| cpu_only.set(event_target_checked(&e)) />"Train on the CPU"</label>
            </div>
            {move || form_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
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
            <RunCharts />
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

#[allow(clippy::too_many_arguments)]
fn read_request(
    preset: RwSignal<String>,
    optimizer: RwSignal<OptimizerChoice>,
    lr: RwSignal<String>,
    batch_size: RwSignal<String>,
    epochs: RwSignal<String>,
    max_steps: RwSignal<String>,
    seed: RwSignal<String>,
    cpu_only: RwSignal<bool>,
) -> Result<TrainRequest, String> {
    let number = |name: &str, text: String| -> Result<f64, String> {
        text.trim()
            .parse::<f64>()
            .map_err(|_| format!("{name} must be a number, not \"{}\"", text.trim()))
    };
    let whole = |name: &str, text: String| -> Result<usize, String> {
        text.trim()
            .parse::<usize>()
            .map_err(|_| format!("{name} must be a whole number, not \"{}\"", text.trim()))
    };
    let limit = max_steps.get_untracked();
    Ok(TrainRequest {
        preset: preset.get_untracked(),
        optimizer: optimizer.get_untracked(),
        lr: number("the learning rate", lr.get_untracked())?,
        batch_size: whole("the batch size", batch_size.get_untracked())?,
        epochs: whole("epochs", epochs.get_untracked())?,
        max_steps: if limit.trim().is_empty() {
            None
        } else {
            Some(whole("the step limit", limit)?)
        },
        eval_every: 50,
        seed: whole("the seed", seed.get_untracked())? as u64,
        backend: if cpu_only.get_untracked() {
            BackendChoice::Cpu
        } else {
            BackendChoice::Auto
        },
    })
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
            RunState::Ended(RunEnd::Finished) => Some(("ok", "Training finished.".to_string())),
            RunState::Ended(RunEnd::Stopped) => Some(("warn", "Stopped.".to_string())),
            RunState::Ended(RunEnd::Failed { message }) => {
                Some(("error", format!("Training stopped: {message}")))
            }
            _ => None,
        };
        let accuracy = t
            .last_eval
            .as_ref()
            .map(|e| format!("Test accuracy {:.1}%", 100.0 * e.accuracy));
        view! {
            <div class="run-status" data-testid="run-status" data-state=format!("{:?}", t.state).to_lowercase()>
                <progress max=t.total_steps.max(1) value=t.step></progress>
                <p data-testid="progress-text">
                    {format!("Step {} of {} · epoch {} · {:.1} steps/s{left}", t.step, t.total_steps, t.epoch + 1, t.steps_per_second)}
                </p>
                <p class="detail">{format!("{} with {} parameters, {device}", t.preset, t.parameters)}</p>
                {accuracy.map(|a| view! { <p data-testid="test-accuracy">{a}</p> })}
                {ended.map(|(class, text)| view! { <p class=class data-testid="run-end" role="status">{text}</p> })}
            </div>
        }
        .into_any()
    }
}

/// Loss, accuracy and learning-rate curves of the current run.
#[component]
fn RunCharts() -> impl IntoView {
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
                    name: "test loss".into(),
                    class: "series-1",
                    points: t.test_losses.clone(),
                },
            ]
        })
    });
    let accuracy = Signal::derive(move || {
        worker.training.with(|t| {
            vec![Series {
                name: "test accuracy".into(),
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
        <div class="charts" data-testid="charts">
            <LineChart title="Loss" series=loss x_label="step" />
            <LineChart title="Accuracy" series=accuracy y_range=(0.0, 1.0) x_label="step" />
            <LineChart title="Learning rate" series=lr x_label="step" />
        </div>
    }
}
