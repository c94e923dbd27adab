//! The training loop as the worker runs it: the core's one [`Trainer`], driven step by step so
//! that pause, single step and stop take effect between steps, and curves reach the page a few
//! times a second rather than once per step.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use pixelgrad::data::{train_val_split, DataLoader, Dataset, Subset};
use pixelgrad::device::gpu::Gpu;
use pixelgrad::io::{DataSource, LossSpec, RunSpec};
use pixelgrad::models::Model;
use pixelgrad::nn::{count_trainable, move_to_device};
use pixelgrad::tensor::Tensor;
use pixelgrad::train::{TrainConfig, TrainError, Trainer};

use super::datasets::{start_from_backbone, LoadedSet, SetData};
use super::protocol::{model_label, Backend, BackendChoice, Event, Progress, RunEnd, TrainRequest};
use super::share::{pixelgrad_file, Trained};

/// How often (ms) curve points are posted to the page.
const REPORT_INTERVAL_MS: f64 = 150.0;
/// Held-out examples used by the periodic evaluation (all of them after each epoch).
const QUICK_EVAL_EXAMPLES: usize = 1000;

/// What the page asked the running loop to do; read between steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    Pause,
    StepOnce,
    Stop,
}

/// Checks that `spec` (which may come from a shared link) trains on the loaded set `loaded_id`.
pub(super) fn check_data(spec: &RunSpec, loaded_id: &str, data: &LoadedSet) -> Result<(), String> {
    spec.validate()
        .map_err(|e| format!("the run settings are invalid: {e}"))?;
    match &spec.data.source {
        DataSource::Bundled { name } if name == loaded_id => {}
        DataSource::Bundled { name } => {
            return Err(format!(
                "this run trains on the bundled set \"{name}\", but \"{loaded_id}\" is loaded"
            ))
        }
        DataSource::User { sha256, .. } if super::datasets::user_set_id(sha256) == loaded_id => {}
        DataSource::User { class_names, .. } => {
            return Err(format!(
                "this run trained on the sender's own images; load a data set with the classes {}",
                class_names.join(", ")
            ))
        }
    }
    let classes = data.train.classes().len();
    if spec.data.classes != classes {
        return Err(format!(
            "the run is for {} classes, the loaded set has {classes}",
            spec.data.classes
        ));
    }
    if spec.data.input.channels != data.train.channels() {
        return Err(format!(
            "the run is for {}-channel images, the loaded set has {}",
            spec.data.input.channels,
            data.train.channels()
        ));
    }
    Ok(())
}

/// The training and held-out samples the spec asks for: its subset of the training split, then
/// a seeded stratified validation split when `val_fraction > 0`, else the test split.
pub(super) fn splits<'a>(
    spec: &RunSpec,
    data: &'a LoadedSet,
) -> Result<(Subset<'a, SetData>, Subset<'a, SetData>), String> {
    let n = spec
        .data
        .subset
        .map_or(data.train.len(), |s| s.min(data.train.len()));
    let all: Vec<usize> = (0..n).collect();
    // A rare class, when asked for: the worker really trains on fewer of its samples.
    let all = match spec.data.imbalance {
        Some(rare) => rare.apply(&all, |i| data.train.label(i).unwrap_or(usize::MAX)),
        None => all,
    };
    if spec.data.val_fraction > 0.0 {
        let pool = Subset::new(&data.train, all.clone()).map_err(|e| e.to_string())?;
        let (train, val) = train_val_split(&pool, spec.data.val_fraction, spec.train.seed)
            .map_err(|e| e.to_string())?;
        let back = |ix: Vec<usize>| ix.into_iter().map(|i| all[i]).collect::<Vec<_>>();
        Ok((
            Subset::new(&data.train, back(train)).map_err(|e| e.to_string())?,
            Subset::new(&data.train, back(val)).map_err(|e| e.to_string())?,
        ))
    } else {
        let test: Vec<usize> = (0..data.test.len()).collect();
        Ok((
            Subset::new(&data.train, all).map_err(|e| e.to_string())?,
            Subset::new(&data.test, test).map_err(|e| e.to_string())?,
        ))
    }
}

/// Builds the spec's model (initialized from its seed), on the GPU when asked and available.
fn build(
    spec: &RunSpec,
    backend: BackendChoice,
    gpu: Option<&Gpu>,
    backbone: Option<&BTreeMap<String, Tensor>>,
) -> Result<(Model, Backend), String> {
    let model = spec.build_model().map_err(|e| {
        let input = spec.data.input;
        format!(
            "{} cannot be built for {}×{} images: {e}",
            model_label(&spec.model),
            input.height,
            input.width
        )
    })?;
    // Weights load on the CPU, before the model moves to its device.
    if let Some(backbone) = backbone {
        start_from_backbone(&model, backbone)?;
    }
    let gpu = match backend {
        BackendChoice::Auto => gpu,
        BackendChoice::Cpu => None,
    };
    let backend = match gpu {
        Some(gpu) => {
            move_to_device(&model, gpu.device())
                .map_err(|e| format!("could not move the model to the GPU: {e}"))?;
            Backend::WebGpu
        }
        None => Backend::Cpu,
    };
    Ok((model, backend))
}

/// The trainer for the spec's loss: the built-in cross-entropy (with the spec's label
/// smoothing), or a custom loss compiled by the core, whose errors and cost bound are checked
/// before the first step.
fn trainer_for<'m>(
    model: &'m Model,
    classes: usize,
    config: TrainConfig,
    loss: &LossSpec,
) -> Result<Trainer<&'m Model>, String> {
    Trainer::new(model, classes, config)
        .and_then(|t| t.with_loss(loss))
        .map_err(|e| describe(&e))
}

/// Runs one training run to its end, posting events through `post`. Returns how it ended and
/// the model with the steps it had (its last good parameters when the run failed midway).
pub async fn run(
    request: TrainRequest,
    backbone: Option<Rc<BTreeMap<String, Tensor>>>,
    loaded_id: String,
    data: Rc<LoadedSet>,
    gpu: Option<Gpu>,
    control: Rc<Cell<Control>>,
    post: impl Fn(&Event),
) -> (RunEnd, Option<Trained>) {
    let spec = &request.spec;
    let prepared = check_data(spec, &loaded_id, &data)
        .and_then(|()| splits(spec, &data))
        .and_then(|sets| {
            Ok((
                sets,
                build(spec, request.backend, gpu.as_ref(), backbone.as_deref())?,
            ))
        });
    let ((train, held_out), (model, backend)) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => return (RunEnd::Failed { message }, None),
    };
    let mut steps = 0;
    let end = train_loop(
        &request, &train, &held_out, &model, backend, &control, &post, &mut steps,
    )
    .await
    .unwrap_or_else(|message| RunEnd::Failed { message });
    let mut spec = request.spec.clone();
    spec.steps = steps as u64;
    (end, Some(Trained { spec, model }))
}

/// Posts a checkpoint of the running model (a `.pixelgrad` file) for the runs gallery.
async fn checkpoint(spec: &RunSpec, model: &Model, step: usize, post: &impl Fn(&Event)) {
    let mut spec = spec.clone();
    spec.steps = step as u64;
    match pixelgrad_file(&spec, model).await {
        Ok(bytes) => post(&Event::File {
            step,
            spec: Box::new(spec),
            bytes,
            checkpoint: true,
        }),
        Err(message) => post(&Event::Error {
            message: format!("the checkpoint at step {step} could not be saved: {message}"),
        }),
    }
}

#[allow(clippy::too_many_arguments)]
async fn train_loop(
    request: &TrainRequest,
    train: &Subset<'_, SetData>,
    held_out: &Subset<'_, SetData>,
    model: &Model,
    backend: Backend,
    control: &Cell<Control>,
    post: &impl Fn(&Event),
    steps: &mut usize,
) -> Result<RunEnd, String> {
    let spec = &request.spec;
    let config = spec.train.clone();
    let classes = spec.data.classes;
    let epochs = config.epochs;
    let loader =
        DataLoader::new(train, config.loader.clone(), config.seed).map_err(|e| e.to_string())?;
    let per_epoch = loader.num_batches();
    let total_steps = [config.max_steps, request.stop_at]
        .into_iter()
        .flatten()
        .fold(per_epoch * epochs, usize::min);
    let parameters = count_trainable(model);
    let mut trainer = trainer_for(model, classes, config, &spec.loss)?;
    post(&Event::TrainingStarted {
        preset: model_label(&spec.model),
        parameters,
        backend,
        total_steps,
        spec: Box::new(spec.clone()),
    });
    let quick_eval = Subset::new(
        held_out,
        (0..held_out.len().min(QUICK_EVAL_EXAMPLES)).collect(),
    )
    .map_err(|e| e.to_string())?;
    let mut reporter = Reporter::new(total_steps);
    for epoch in 0..epochs {
        for b in 0..per_epoch {
            if trainer.steps() >= total_steps {
                break;
            }
            match wait_for_go(control, post).await {
                Control::Stop => {
                    reporter.flush(epoch, trainer.steps(), post);
                    checkpoint(spec, model, trainer.steps(), post).await;
                    return Ok(RunEnd::Stopped);
                }
                Control::StepOnce => control.set(Control::Pause),
                Control::Run | Control::Pause => {}
            }
            let batch = loader.batch(epoch as u64, b).map_err(|e| e.to_string())?;
            let report = trainer
                .train_step_async(&batch, epoch)
                .await
                .map_err(|e| describe(&e))?;
            *steps = trainer.steps();
            reporter.push(report.step, report.loss, report.lr);
            reporter.maybe_flush(epoch, trainer.steps(), post);
            let step = trainer.steps();
            if request.eval_every > 0 && step % request.eval_every == 0 && step < total_steps {
                reporter.flush(epoch, step, post);
                let report = trainer
                    .evaluate_async(&quick_eval, 250, epoch)
                    .await
                    .map_err(|e| describe(&e))?;
                post(&Event::Evaluated { step, report });
                checkpoint(spec, model, step, post).await;
            }
            yield_now().await;
        }
        trainer.end_epoch();
        reporter.flush(epoch, trainer.steps(), post);
        let report = trainer
            .evaluate_async(held_out, 250, epoch)
            .await
            .map_err(|e| describe(&e))?;
        post(&Event::Evaluated {
            step: trainer.steps(),
            report,
        });
        if trainer.steps() >= total_steps {
            break;
        }
    }
    checkpoint(spec, model, trainer.steps(), post).await;
    Ok(RunEnd::Finished)
}

/// Words for training failures, with the fix a user can try.
fn describe(error: &TrainError) -> String {
    match error {
        TrainError::NonFinite { step, loss } => format!(
            "the loss became {loss} at step {step}, so training stopped and the model keeps its last good \
             parameters; try a lower learning rate"
        ),
        other => other.to_string(),
    }
}

/// Waits while paused; returns the control in force when a step may (or must not) run.
async fn wait_for_go(control: &Cell<Control>, post: &impl Fn(&Event)) -> Control {
    let mut announced = false;
    loop {
        match control.get() {
            Control::Pause => {
                if !announced {
                    post(&Event::Paused(true));
                    announced = true;
                }
                sleep_ms(50).await;
            }
            other => {
                if announced && other == Control::Run {
                    post(&Event::Paused(false));
                }
                return other;
            }
        }
    }
}

/// Buffers curve points and posts them at most every [`REPORT_INTERVAL_MS`].
struct Reporter {
    points: Vec<(usize, f64, f64)>,
    total_steps: usize,
    last_post: f64,
    window_start: (f64, usize),
    speed: f64,
}

impl Reporter {
    fn new(total_steps: usize) -> Self {
        let now = now_ms();
        Reporter {
            points: Vec::new(),
            total_steps,
            last_post: now,
            window_start: (now, 0),
            speed: 0.0,
        }
    }

    fn push(&mut self, step: usize, loss: f64, lr: f64) {
        self.points.push((step, loss, lr));
    }

    fn maybe_flush(&mut self, epoch: usize, step: usize, post: &impl Fn(&Event)) {
        if now_ms() - self.last_post >= REPORT_INTERVAL_MS {
            self.flush(epoch, step, post);
        }
    }

    fn flush(&mut self, epoch: usize, step: usize, post: &impl Fn(&Event)) {
        let now = now_ms();
        let (t0, s0) = self.window_start;
        if now - t0 >= 1000.0 && step > s0 {
            self.speed = (step - s0) as f64 * 1000.0 / (now - t0);
            self.window_start = (now, step);
        } else if self.speed == 0.0 && step > s0 && now > t0 {
            self.speed = (step - s0) as f64 * 1000.0 / (now - t0);
        }
        self.last_post = now;
        let points = std::mem::take(&mut self.points);
        post(&Event::Progress(Progress {
            points,
            epoch,
            step,
            total_steps: self.total_steps,
            steps_per_second: self.speed,
        }));
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Lets the worker's event loop run (commands from the page) between CPU-bound steps.
async fn yield_now() {
    sleep_ms(0).await;
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scope: web_sys::WorkerGlobalScope =
            wasm_bindgen::JsCast::unchecked_into(js_sys::global());
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
