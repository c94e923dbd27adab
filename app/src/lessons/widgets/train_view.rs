//! A lesson's training run: the step's `run` block as a core `RunSpec`, trained by the same
//! worker and shown with the same charts and confusion matrix as the playground. The step's
//! checks read this run's latest evaluation, loss and step count.

use leptos::prelude::*;
use pixelgrad::io::{LossSpec, RunSpec};

use crate::components::augment_preview::AugmentPreview;
use crate::components::confusion_matrix::ConfusionView;
use crate::components::loss_editor::{LossChoice, LossEditor};
use crate::components::training_panel::RunCharts;
use crate::lessons::check::Observed;
use crate::lessons::run::{Budget, LessonRun};
use crate::worker::client::{RunState, WorkerClient};
use crate::worker::protocol::{BackendChoice, Command, RunEnd, TrainRequest};

/// Trains the step's run on demand; `budget` sets its steps (`?budget=N`, `?budget=quick`).
#[component]
pub fn TrainView(run: LessonRun, observed: RwSignal<Observed>, budget: Budget) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let spec = match run.run_spec(budget) {
        Ok(spec) => spec,
        Err(message) => return view! { <p class="error" role="alert">{message}</p> }.into_any(),
    };
    let data_id = run.data.clone();
    let eval_every = run.eval_every;
    let transfer = run.pretrained.is_some();
    // The loss editor of a `loss_editor: true` run, opened on a custom loss.
    let loss_choice = run.loss_editor.then(|| {
        let choice = LossChoice::new();
        choice.custom.set(true);
        choice
    });
    let waiting_for_data = RwSignal::new(false);
    // The spec last sent for training: the editor's loss is read when Train is pressed.
    let sent = RwSignal::new(None::<RunSpec>);
    let refused = RwSignal::new(None::<String>);
    let base = spec.clone();
    let send_train = move || {
        let mut spec = base.clone();
        if let Some(choice) = loss_choice {
            match choice.spec() {
                Ok(loss) => spec.loss = loss,
                Err(message) => {
                    refused.set(Some(message));
                    return;
                }
            }
            spec.data.imbalance = choice.imbalance();
        }
        refused.set(None);
        sent.set(Some(spec.clone()));
        let request = Box::new(TrainRequest {
            spec,
            backend: BackendChoice::Auto,
            eval_every,
            stop_at: None,
        });
        worker.start_run(&if transfer {
            Command::TrainTransfer(request)
        } else {
            Command::Train(request)
        });
    };
    let has_data = {
        let data_id = data_id.clone();
        move || {
            worker
                .dataset
                .with(|d| d.as_ref().is_some_and(|d| d.id == data_id))
        }
    };
    let send = send_train.clone();
    let ready = has_data.clone();
    Effect::new(move |_| {
        if waiting_for_data.get() && ready() {
            waiting_for_data.set(false);
            send();
        }
    });
    let start = {
        let data_id = data_id.clone();
        let has_data = has_data.clone();
        move |_| {
            if has_data() {
                send_train();
            } else {
                waiting_for_data.set(true);
                worker.send(&Command::LoadBundled {
                    id: data_id.clone(),
                });
            }
        }
    };
    let mine = Memo::new(move |_| {
        sent.with(|s| s.is_some() && worker.training.with(|t| t.spec.as_ref() == s.as_ref()))
    });
    Effect::new(move |_| {
        if !mine.get() {
            return;
        }
        worker.training.with(|t| {
            observed.update(|o| {
                o.accuracy = t.last_eval.as_ref().map(|e| e.accuracy);
                o.loss = t.losses.last().map(|(_, l)| *l);
                o.steps = Some(t.step as f64);
                o.finished = Some(matches!(t.state, RunState::Ended(RunEnd::Finished)));
                o.custom_loss = Some(matches!(
                    t.spec.as_ref().map(|s| &s.loss),
                    Some(LossSpec::Custom { .. })
                ));
            })
        });
    });
    let state = move || worker.training.with(|t| t.state.clone());
    let busy = move || {
        waiting_for_data.get()
            || matches!(
                state(),
                RunState::Starting | RunState::Running | RunState::Paused
            )
    };
    view! {
        <div class="widget train-widget" data-testid="train-widget">
            {loss_choice.map(|choice| view! { <LossEditor choice /> })}
            // Only random augmentation is worth a preview (a resize alone looks the same).
            {(spec.train.loader.augment.for_evaluation() != spec.train.loader.augment).then(|| {
                let pipeline = spec.train.loader.augment.clone();
                let seed = spec.train.seed;
                view! {
                    <div class="lesson-augment" data-testid="lesson-augment">
                        <AugmentPreview pipeline=Signal::stored(pipeline) seed=Signal::stored(seed) />
                    </div>
                }
            })}
            <p class="run-summary">{describe(&run, &spec, budget)}</p>
            <div class="run-controls">
                <button type="button" class="button primary" data-testid="lesson-train" disabled=busy on:click=start>"Train"</button>
                <button type="button" class="button" data-testid="lesson-stop" disabled=move || !(mine.get() && busy()) on:click=move |_| worker.send(&Command::Stop)>"Stop"</button>
            </div>
            {move || waiting_for_data.get().then(|| view! { <p class="detail">{format!("Loading {}…", data_id)}</p> })}
            {move || refused.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || worker.last_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || mine.get().then(|| view! { <LessonRunStatus /> <RunCharts held_out="validation" /> <ConfusionView /> })}
        </div>
    }
    .into_any()
}

fn describe(run: &LessonRun, spec: &RunSpec, budget: Budget) -> String {
    let quick = if budget == Budget::Quick && run.quick_steps.is_some() {
        " (quick budget)"
    } else {
        ""
    };
    let steps = spec
        .train
        .max_steps
        .map(|s| format!("at most {s} steps{quick}"))
        .unwrap_or_else(|| format!("{} epoch(s)", spec.train.epochs));
    let subset = spec
        .data
        .subset
        .map(|n| format!(" (first {n} images)"))
        .unwrap_or_default();
    let transfer = match (&run.pretrained, run.unfreeze.is_empty()) {
        (Some(_), true) => " · ImageNet weights, backbone frozen",
        (Some(_), false) => " · ImageNet weights, last stage trainable",
        (None, _) => "",
    };
    format!(
        "{} on {}{subset}{transfer} · {} lr {} · batch {} · {steps} · seed {}",
        run.model.label(),
        run.data,
        run.optimizer,
        run.lr,
        run.batch_size,
        run.seed
    )
}

/// Progress, speed and how the run ended.
#[component]
fn LessonRunStatus() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    move || {
        let t = worker.training.get();
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
            .map(|e| format!(" · validation accuracy {:.1}%", 100.0 * e.accuracy));
        view! {
            <div class="run-status" data-testid="lesson-run-status" data-state=format!("{:?}", t.state).to_lowercase()>
                <progress max=t.total_steps.max(1) value=t.step></progress>
                <p>{format!("Step {} of {} · {:.1} steps/s · {} parameters{}", t.step, t.total_steps, t.steps_per_second, t.parameters, accuracy.unwrap_or_default())}</p>
                {ended.map(|(class, text)| view! { <p class=class role="status" data-testid="lesson-run-end">{text}</p> })}
            </div>
        }
    }
}
