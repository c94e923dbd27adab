//! The page side: starts the worker, sends commands, and turns events into signals the UI reads.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use std::sync::Arc;

use pixelgrad::io::RunSpec;
use pixelgrad::train::EvalReport;

use super::protocol::{AutoPick, Backend, Command, DatasetSummary, DeviceReport, Event, RunEnd};

mod events;

/// The script that loads this wasm module inside the worker (see `public/worker.js`).
const WORKER_SCRIPT: &str = "/worker.js";

/// Where the worker is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerStatus {
    /// The worker script and wasm module are loading.
    Starting,
    /// Commands are accepted.
    Ready,
    /// The worker could not start (no worker support, script blocked, wasm failed).
    Failed(String),
    /// The worker hit an internal error; what it had in memory is gone, saved runs are not.
    Crashed(String),
}

/// Where a training run is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum RunState {
    /// No run yet.
    #[default]
    Idle,
    /// Sent to the worker, not started yet.
    Starting,
    /// Steps are running.
    Running,
    /// Waiting for resume or a single step.
    Paused,
    /// Over, and why.
    Ended(RunEnd),
}

/// Everything the training panel shows about the current run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainingView {
    /// Where the run is.
    pub state: RunState,
    /// The model preset.
    pub preset: String,
    /// Trainable parameters.
    pub parameters: usize,
    /// The backend in use.
    pub backend: Option<Backend>,
    /// Steps done.
    pub step: usize,
    /// Steps in all.
    pub total_steps: usize,
    /// Current epoch.
    pub epoch: usize,
    /// Recent speed.
    pub steps_per_second: f64,
    /// `(step, training loss)`.
    pub losses: Vec<(f64, f64)>,
    /// `(step, learning rate)`.
    pub lrs: Vec<(f64, f64)>,
    /// `(step, test accuracy)`.
    pub accuracies: Vec<(f64, f64)>,
    /// `(step, test loss)`.
    pub test_losses: Vec<(f64, f64)>,
    /// The latest evaluation.
    pub last_eval: Option<EvalReport>,
    /// The spec being trained, as the worker read it.
    pub spec: Option<RunSpec>,
    /// Something the run had to do on its own (moving to the CPU after losing the GPU).
    pub notice: Option<String>,
    /// `(last epoch from 1, patience)` when early stopping ended the run.
    pub stopped_early: Option<(usize, usize)>,
    /// What the Auto backend choice timed before this run, when it ran.
    pub auto_pick: Option<AutoPick>,
    /// Bytes of GPU buffers the run's tensors hold, on WebGPU.
    pub gpu_memory_bytes: Option<u64>,
}

/// A share link the worker made.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedLink {
    /// `pg1.…`, without `#`.
    pub link: String,
    /// Whether the int8 weights are in it.
    pub with_weights: bool,
}

/// A `.pixelgrad` file (spec and exact weights) from the worker.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFile {
    /// Steps the weights have had.
    pub step: usize,
    /// The spec inside.
    pub spec: RunSpec,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// What the worker answered to share, export, open and predict commands.
#[derive(Clone, Copy, Default)]
pub struct ShareSignals {
    /// The last share link.
    pub link: RwSignal<Option<SharedLink>>,
    /// The last exported file.
    pub file: RwSignal<Option<Arc<RunFile>>>,
    /// The last checkpoint of a running or ended run.
    pub checkpoint: RwSignal<Option<Arc<RunFile>>>,
    /// The spec and device of a model a link or file brought.
    pub model_ready: RwSignal<Option<(RunSpec, Backend)>>,
    /// `(test indices, predicted classes)`.
    pub predictions: RwSignal<Option<(Vec<usize>, Vec<usize>)>>,
}

struct Handles {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// A handle to the training worker, shared through Leptos context; cheap to copy.
#[derive(Clone, Copy)]
pub struct WorkerClient {
    handles: StoredValue<Option<Handles>, LocalStorage>,
    /// Commands sent before the worker's wasm was ready: a worker drops messages that arrive
    /// before its handler is installed, so they wait here until [`Event::Ready`].
    pending: StoredValue<Vec<String>, LocalStorage>,
    /// Whether the worker is up.
    pub status: RwSignal<WorkerStatus>,
    /// The device training will use, once probed.
    pub device: RwSignal<Option<DeviceReport>>,
    /// The data set selected for training, once loaded.
    pub dataset: RwSignal<Option<DatasetSummary>>,
    /// The current or last training run.
    pub training: RwSignal<TrainingView>,
    /// The last non-fatal error a command reported.
    pub last_error: RwSignal<Option<String>>,
    /// The loss editor's latest live value, curve and gradient check.
    pub loss_probe: RwSignal<Option<pixelgrad::loss::probe::ProbeReport>>,
    /// Decoded uploads not yet taken by the data panel: `(files in the request, report)`.
    pub decoded: RwSignal<Vec<(usize, pixelgrad::data::ImportReport)>>,
    /// The current model's answer for the last webcam frame or dropped image.
    pub image_prediction: RwSignal<Option<super::protocol::ImagePrediction>>,
    /// Answers to lesson widgets' questions, matched by id.
    pub lesson_answers: RwSignal<Vec<crate::lessons::query::LessonAnswer>>,
    /// Links, files, loaded models and predictions: what sharing and the gallery read.
    pub share: ShareSignals,
    /// Answers about the current model's insides (results extras, filters, activations).
    pub inspect: super::inspect_signals::InspectSignals,
    /// The latest augmentation previews, one per asking widget (matched by id).
    pub augment_previews: RwSignal<Vec<super::protocol::AugmentPreview>>,
    /// The last answer to [`Command::TimeKernels`] (`None` while one is asked for).
    pub kernel_times: RwSignal<Option<super::protocol::KernelTimes>>,
    /// The Auto backend pick of the run about to start (moved into [`TrainingView`] when it
    /// starts).
    auto_pick: RwSignal<Option<AutoPick>>,
}

impl WorkerClient {
    /// Starts the worker; it probes the device as soon as it is ready.
    pub fn spawn() -> Self {
        let client = WorkerClient {
            handles: StoredValue::new_local(None),
            pending: StoredValue::new_local(Vec::new()),
            status: RwSignal::new(WorkerStatus::Starting),
            device: RwSignal::new(None),
            dataset: RwSignal::new(None),
            training: RwSignal::new(TrainingView::default()),
            last_error: RwSignal::new(None),
            loss_probe: RwSignal::new(None),
            decoded: RwSignal::new(Vec::new()),
            image_prediction: RwSignal::new(None),
            lesson_answers: RwSignal::new(Vec::new()),
            share: ShareSignals::default(),
            inspect: super::inspect_signals::InspectSignals::new(),
            augment_previews: RwSignal::new(Vec::new()),
            kernel_times: RwSignal::new(None),
            auto_pick: RwSignal::new(None),
        };
        client.start();
        client
    }

    /// Throws away the current worker (if any) and starts a fresh one.
    pub fn restart(&self) {
        if let Some(handles) = self.handles.try_update_value(Option::take).flatten() {
            handles.worker.terminate();
        }
        self.status.set(WorkerStatus::Starting);
        self.device.set(None);
        self.pending.set_value(Vec::new());
        self.start();
    }

    /// Starts a run with `command` (a train or transfer command): clears the last error and
    /// shows the run as starting until the worker answers.
    pub fn start_run(&self, command: &Command) {
        self.last_error.set(None);
        self.training.update(|t| t.state = RunState::Starting);
        self.send(command);
    }

    /// Sends a command, or queues it while the worker is still loading; if the worker is not
    /// running, says so through `last_error`.
    pub fn send(&self, command: &Command) {
        let Ok(text) = serde_json::to_string(command) else {
            return;
        };
        match self.status.get_untracked() {
            WorkerStatus::Starting => self.pending.update_value(|p| p.push(text)),
            WorkerStatus::Ready => self.post(&text),
            WorkerStatus::Failed(_) | WorkerStatus::Crashed(_) => self
                .last_error
                .set(Some("the training worker is not running".into())),
        }
    }

    fn post(&self, text: &str) {
        let sent = self.handles.with_value(|h| {
            h.as_ref()
                .and_then(|h| h.worker.post_message(&JsValue::from_str(text)).ok())
        });
        if sent.is_none() {
            self.last_error
                .set(Some("the training worker is not running".into()));
        }
    }

    fn start(&self) {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options(WORKER_SCRIPT, &options) {
            Ok(worker) => worker,
            Err(e) => {
                self.status.set(WorkerStatus::Failed(format!(
                    "this browser could not start a background worker ({})",
                    e.as_string().unwrap_or_else(|| "no reason given".into())
                )));
                return;
            }
        };
        let client = *self;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let parsed = event
                .data()
                .as_string()
                .map(|text| serde_json::from_str::<Event>(&text));
            match parsed {
                Some(Ok(event)) => client.apply(event),
                Some(Err(e)) => client
                    .last_error
                    .set(Some(format!("unreadable message from the worker: {e}"))),
                None => client
                    .last_error
                    .set(Some("the worker sent a message that is not text".into())),
            }
        });
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            let message = event.message();
            let status = if client.status.get_untracked() == WorkerStatus::Starting {
                WorkerStatus::Failed(format!("the training worker could not start: {message}"))
            } else {
                WorkerStatus::Crashed(format!("the training worker stopped: {message}"))
            };
            client.end_run_on_crash();
            client.status.set(status);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.handles.set_value(Some(Handles {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        }));
    }

    /// A crashed worker takes its run with it: say so in the training panel too. The curves
    /// and the last evaluation stay on screen.
    fn end_run_on_crash(&self) {
        // A crashed worker's memory is in an unknown state, yet its pending timers may still
        // run (a trap ends only the call it happened in): stop it, so no late step or
        // checkpoint of it reaches the page.
        self.handles.with_value(|h| {
            if let Some(h) = h {
                h.worker.terminate();
            }
        });
        self.training.update(|t| {
            if matches!(
                t.state,
                RunState::Starting | RunState::Running | RunState::Paused
            ) {
                t.state = RunState::Ended(RunEnd::Failed {
                    message: "the training worker crashed; restart it below and train again".into(),
                });
            }
        });
    }
}
