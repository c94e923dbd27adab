//! After the training worker crashed mid-run: restart it and go on from the run's last
//! checkpoint (the page keeps the latest one the worker posted), so a bug costs the steps since
//! that checkpoint, not the run.

use leptos::prelude::*;
use pixelgrad::data::Dataset;
use pixelgrad::io::DataSource;

use crate::components::upload::store::UserData;
use crate::worker::client::{RunState, WorkerClient, WorkerStatus};
use crate::worker::datasets::user_set_id;
use crate::worker::protocol::{BackendChoice, Command, TrainRequest};

/// Evaluate (and checkpoint) every this many steps, as the training panel does.
const EVAL_EVERY: usize = 50;

/// A resume waiting for the restarted worker to be ready with the run's data set loaded.
#[derive(Clone)]
struct Pending {
    set_id: String,
    command: Command,
}

/// The "restart and resume" offer, shown while the worker is down and a checkpoint exists.
#[component]
pub fn CrashResume() -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let user_data = use_context::<UserData>();
    let pending = RwSignal::new(None::<Pending>);
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let ready =
            worker.status.get() == WorkerStatus::Ready && worker.device.with(Option::is_some);
        let loaded = worker.dataset.with(|d| d.as_ref().map(|d| d.id.clone()));
        let due = pending.with(|p| {
            p.as_ref()
                .is_some_and(|p| ready && loaded.as_deref() == Some(p.set_id.as_str()))
        });
        if due {
            if let Some(p) = pending.try_update(Option::take).flatten() {
                worker.send(&p.command);
            }
        }
    });
    let resume = move |_| {
        let Some(file) = worker.share.checkpoint.get_untracked() else {
            return;
        };
        let spec = file.spec.clone();
        let (set_id, load) = match &spec.data.source {
            DataSource::Bundled { name } => {
                (name.clone(), Command::LoadBundled { id: name.clone() })
            }
            DataSource::User { sha256, .. } => {
                let set = user_data.map(|u| u.snapshot()).filter(|s| !s.is_empty());
                match set {
                    Some(data) => (user_set_id(sha256), Command::LoadUser { data }),
                    None => {
                        problem.set(Some(
                            "your images are no longer on this page; add them again, then train"
                                .into(),
                        ));
                        return;
                    }
                }
            }
        };
        problem.set(None);
        worker.restart();
        worker.send(&load);
        worker.training.update(|t| t.state = RunState::Starting);
        pending.set(Some(Pending {
            set_id,
            command: Command::ResumeRun {
                request: Box::new(TrainRequest {
                    spec,
                    backend: BackendChoice::Auto,
                    eval_every: EVAL_EVERY,
                    stop_at: None,
                }),
                step: file.step,
                checkpoint: file.bytes.clone(),
            },
        }));
    };
    move || {
        let crashed = matches!(worker.status.get(), WorkerStatus::Crashed(_));
        let step = worker.share.checkpoint.with(|c| c.as_ref().map(|c| c.step));
        match (crashed, step) {
            (true, Some(step)) => view! {
                <section class="panel crash-resume" data-testid="crash-resume" role="alert">
                    <h2>"The training worker crashed"</h2>
                    <p>{format!("Your run is safe up to its last checkpoint, at step {step}.")}</p>
                    <button type="button" class="button primary" data-testid="resume-after-crash" on:click=resume>
                        {format!("Restart and resume from step {step}")}
                    </button>
                    {move || problem.get().map(|p| view! { <p class="error">{p}</p> })}
                </section>
            }
            .into_any(),
            _ => ().into_any(),
        }
    }
}
