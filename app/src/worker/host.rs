//! The worker side: receives [`Command`]s, runs them, posts [`Event`]s back.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use pixelgrad::device::gpu::Gpu;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::datasets::{self, load_bundled, summarize, LoadedSet};
use super::probe::probe_device;
use super::protocol::{Backend, Command, Event};
use super::share::{self, Trained};
use super::training::{self, Control};

/// What the worker holds between commands.
#[derive(Default)]
struct Session {
    /// The GPU device opened by the probe, kept for training.
    gpu: Option<Gpu>,
    /// The selected data set, with its identifier (runs name the set they train on).
    data: Option<(String, Rc<LoadedSet>)>,
    /// The running training loop's control, while a run is in progress.
    run: Option<Rc<Cell<Control>>>,
    /// The last run's model, or the one a link or file brought: what Share and Predict use.
    current: Option<Rc<Trained>>,
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

/// True when this wasm instance runs inside a dedicated worker rather than a page.
pub fn is_worker_scope() -> bool {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .is_ok()
}

/// Starts serving commands; the worker module's `main` (or, in the CPU helper worker, serves
/// products instead and never returns).
pub fn start() {
    super::cpu_helper::serve_if_helper();
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Event::Crashed {
            report: format!("training worker panicked: {info}"),
        });
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            post(&Event::Error {
                message: "the worker received a message that is not text".into(),
            });
            return;
        };
        match serde_json::from_str::<Command>(&text) {
            Ok(command) => wasm_bindgen_futures::spawn_local(handle(command)),
            Err(e) => post(&Event::Error {
                message: format!("the worker could not read a command: {e}"),
            }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    super::cpu_helper::start();
    post(&Event::Ready);
}

async fn handle(command: Command) {
    match command {
        Command::ProbeDevice => {
            let (report, gpu) = probe_device().await;
            SESSION.with(|s| s.borrow_mut().gpu = gpu);
            post(&Event::Device(report));
        }
        Command::LoadBundled { id } => match load_bundled(&id).await.and_then(|set| {
            let summary = summarize(&id, &set)?;
            SESSION.with(|s| s.borrow_mut().data = Some((id.clone(), Rc::new(set))));
            Ok(summary)
        }) {
            Ok(summary) => post(&Event::Dataset(summary)),
            Err(message) => post(&Event::Error { message }),
        },
        Command::InjectFault(drill) => inject_fault(drill),
        Command::Train(request) => start_training(*request, None),
        Command::ResumeRun {
            request,
            step,
            checkpoint,
        } => start_training_from(*request, None, Some((step, checkpoint))),
        Command::TrainTransfer(request) => match datasets::imagenet_backbone().await {
            Ok(backbone) => start_training(*request, Some(backbone)),
            Err(message) => post(&Event::Error { message }),
        },
        Command::DecodeUploads { side, files } => post(&Event::UploadsDecoded {
            files: files.len(),
            report: datasets::decode_uploads(side, &files),
        }),
        Command::LoadUser { data } => match datasets::load_user(data) {
            Ok((id, set, summary)) => {
                SESSION.with(|s| s.borrow_mut().data = Some((id, Rc::new(set))));
                post(&Event::Dataset(summary));
            }
            Err(message) => post(&Event::Error { message }),
        },
        Command::PredictImage(input) => predict_image(input).await,
        Command::Pause => set_control(Control::Pause),
        Command::Resume => set_control(Control::Run),
        Command::StepOnce => set_control(Control::StepOnce),
        Command::Stop => set_control(Control::Stop),
        Command::ProbeLoss(request) => {
            post(&Event::LossProbed(pixelgrad::loss::probe::probe(&request)))
        }
        Command::Lesson(query) => {
            let current = SESSION.with(|s| s.borrow().current.clone());
            let current = current.as_deref().map(|t| (&t.spec, &t.model));
            let answer = crate::lessons::query::answer_with_model(query, current).await;
            post(&Event::LessonAnswer(answer));
        }
        Command::Inspect(query) => inspect_current(query).await,
        Command::PreviewAugment(request) => {
            let data = SESSION.with(|s| s.borrow().data.clone());
            let data = data.as_ref().map(|(_, d)| &**d);
            post(&Event::AugmentPreview(super::augment::preview(
                &request, data,
            )));
        }
        Command::Share | Command::ExportFile | Command::Predict { .. } => {
            use_current(command).await
        }
        Command::OpenLink { link } => {
            let gpu = SESSION.with(|s| s.borrow().gpu.clone());
            match share::open_link(&link, gpu.as_ref()) {
                Ok(Some(trained)) => make_current(trained),
                Ok(None) => post(&Event::Error {
                    message: "this link has no weights; press Reproduce to train them again".into(),
                }),
                Err(message) => post(&Event::Error { message }),
            }
        }
        Command::OpenFile { bytes } => {
            let gpu = SESSION.with(|s| s.borrow().gpu.clone());
            match share::open_file(&bytes, gpu.as_ref()) {
                Ok(trained) => make_current(trained),
                Err(message) => post(&Event::Error { message }),
            }
        }
        Command::TimeKernels { steps } => {
            let gpu = SESSION.with(|s| s.borrow().gpu.clone());
            let running = || SESSION.with(|s| s.borrow().run.is_some());
            let answer = super::kernel_times::time_kernels(gpu, running, steps).await;
            post(&Event::KernelTimes(answer));
        }
    }
}

fn start_training(
    request: super::protocol::TrainRequest,
    backbone: Option<Rc<std::collections::BTreeMap<String, pixelgrad::tensor::Tensor>>>,
) {
    start_training_from(request, backbone, None);
}

/// Starts a run, from its beginning or from a checkpoint `(step, .pixelgrad bytes)`.
fn start_training_from(
    request: super::protocol::TrainRequest,
    backbone: Option<Rc<std::collections::BTreeMap<String, pixelgrad::tensor::Tensor>>>,
    resume: Option<(usize, Vec<u8>)>,
) {
    let prepared = SESSION.with(|s| {
        let mut s = s.borrow_mut();
        if s.run.is_some() {
            return Err("a run is already in progress: stop it first".to_string());
        }
        let data = s.data.clone().ok_or("choose a data set before training")?;
        let control = Rc::new(Cell::new(Control::Run));
        s.run = Some(Rc::clone(&control));
        Ok((data, s.gpu.clone(), control))
    });
    let ((id, data), gpu, control) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => return post(&Event::Error { message }),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let (end, trained) =
            training::run(request, backbone, resume, id, data, gpu, control, post).await;
        SESSION.with(|s| {
            let mut s = s.borrow_mut();
            s.run = None;
            if let Some(trained) = trained {
                s.current = Some(Rc::new(trained));
            }
        });
        forget_faulted_gpu();
        post(&Event::TrainingEnded(end));
    });
}

/// Injects a rehearsed fault: into the GPU in use, or into the worker itself.
fn inject_fault(drill: super::protocol::FaultDrill) {
    use super::protocol::FaultDrill;
    use pixelgrad::device::gpu::InjectedFault;
    let injected = match drill {
        FaultDrill::WorkerCrash => panic!("deliberate worker crash from the fault drill"),
        FaultDrill::DeviceLost => InjectedFault::DeviceLost,
        FaultDrill::OutOfMemory => InjectedFault::OutOfMemory,
        FaultDrill::NanLoss => return super::train_loop::poison_next_batch(),
    };
    match SESSION.with(|s| s.borrow().gpu.clone()) {
        Some(gpu) => gpu.context().inject_fault(injected),
        None => post(&Event::Error {
            message: "there is no GPU in use to rehearse a fault on".into(),
        }),
    }
}

/// After a run, a GPU that reported a fault is given up: later runs use the CPU, and the
/// device panel says why.
fn forget_faulted_gpu() {
    let fault = SESSION.with(|s| {
        let mut s = s.borrow_mut();
        let fault = s.gpu.as_ref().and_then(|g| g.context().fault());
        if fault.is_some() {
            s.gpu = None;
        }
        fault
    });
    if let Some(fault) = fault {
        let error = pixelgrad::device::gpu::GpuError::from(fault);
        post(&Event::Device(super::protocol::DeviceReport {
            backend: Backend::Cpu,
            adapter: super::cpu_helper::cpu_label(),
            fallback_reason: Some(format!("{error}; reload the page to try the GPU again")),
            kernel_check: None,
        }));
    }
}

/// Makes a link's or file's model the current one and tells the page.
fn make_current(trained: Trained) {
    let backend = if share::is_on_gpu(&trained.model) {
        Backend::WebGpu
    } else {
        Backend::Cpu
    };
    let spec = Box::new(trained.spec.clone());
    SESSION.with(|s| s.borrow_mut().current = Some(Rc::new(trained)));
    post(&Event::ModelReady { spec, backend });
}

/// Share, export or predict with the current model.
async fn use_current(command: Command) {
    let (current, data) = SESSION.with(|s| {
        let s = s.borrow();
        (s.current.clone(), s.data.clone())
    });
    let Some(trained) = current else {
        return post(&Event::Error {
            message: "there is no trained model yet: train one or open a link with weights".into(),
        });
    };
    let result = match command {
        Command::Share => share::link(&trained)
            .await
            .map(|(link, with_weights)| Event::Shared { link, with_weights }),
        Command::ExportFile => share::pixelgrad_file(&trained.spec, &trained.model)
            .await
            .map(|bytes| Event::File {
                step: trained.spec.steps as usize,
                spec: Box::new(trained.spec.clone()),
                bytes,
                checkpoint: false,
            }),
        Command::Predict { indices } => match data {
            Some((_, data)) => share::predict(&trained, &data.test, indices.clone())
                .await
                .map(|classes| Event::Predictions { indices, classes }),
            None => Err("load the run's data set first".to_string()),
        },
        _ => return,
    };
    match result {
        Ok(event) => post(&event),
        Err(message) => post(&Event::Error { message }),
    }
}

/// Classifies one image (a webcam frame or a dropped file) with the current model.
async fn predict_image(input: super::protocol::PredictInput) {
    use super::protocol::{ImagePrediction, PredictInput};
    let (current, data) = SESSION.with(|s| {
        let s = s.borrow();
        (s.current.clone(), s.data.clone())
    });
    let Some(trained) = current else {
        return post(&Event::Error {
            message: "there is no trained model yet: train one on your images first".into(),
        });
    };
    let (name, image) = match input {
        PredictInput::Frame { side, pixels } => (
            None,
            pixelgrad::data::Image::from_rgb_u8(side, side, &pixels).map_err(|e| e.to_string()),
        ),
        PredictInput::File { name, bytes } => {
            let image = datasets::decode_for_prediction(&name, &bytes);
            (Some(name), image)
        }
    };
    let result = match image {
        Ok(image) => datasets::predict_probabilities(&trained.model, &trained.spec, &image).await,
        Err(message) => Err(message),
    };
    match result {
        Ok(probabilities) => post(&Event::ImagePrediction(ImagePrediction {
            name,
            classes: datasets::class_names(&trained.spec, data.as_ref().map(|(_, d)| &**d)),
            probabilities,
        })),
        Err(message) => post(&Event::Error { message }),
    }
}

/// Answers a look-inside question about the current model (see `inspect`).
async fn inspect_current(query: super::inspect_protocol::InspectQuery) {
    let (current, data) = SESSION.with(|s| {
        let s = s.borrow();
        (s.current.clone(), s.data.clone())
    });
    let answer = match current {
        Some(trained) => super::inspect::answer(query, &trained, data.as_ref()).await,
        None => super::inspect_protocol::InspectAnswer::Failed {
            query: query.kind().to_string(),
            message: "there is no trained model yet: train one (or open a link with weights)"
                .into(),
        },
    };
    post(&Event::Inspected(Box::new(answer)));
}

fn set_control(value: Control) {
    let running = SESSION.with(|s| s.borrow().run.clone());
    match running {
        Some(control) => control.set(value),
        None => post(&Event::Error {
            message: "no run is in progress".into(),
        }),
    }
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends an event to the page. Serializing our own enum cannot fail; posting a string cannot
/// either, short of the worker being torn down, when there is no one left to tell.
fn post(event: &Event) {
    if let Ok(text) = serde_json::to_string(event) {
        let _ = scope().post_message(&JsValue::from_str(&text));
    }
}
