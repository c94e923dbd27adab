//! The training loop as the worker runs it: the core's one [`Trainer`], driven step by step so
//! that pause, single step and stop take effect between steps, and curves reach the page a few
//! times a second rather than once per step.

use std::cell::Cell;
use std::rc::Rc;

use pixelgrad::data::{DataLoader, Dataset, LoaderConfig};
use pixelgrad::device::gpu::Gpu;
use pixelgrad::models::{InputSpec, Model, ModelSpec};
use pixelgrad::nn::{count_trainable, move_to_device};
use pixelgrad::optim::{AdamConfig, OptimizerSpec, Schedule, SgdConfig};
use pixelgrad::train::{TrainConfig, TrainError, Trainer};

use super::datasets::LoadedSet;
use super::protocol::{
    Backend, BackendChoice, Event, OptimizerChoice, Progress, RunEnd, TrainRequest,
};

/// How often (ms) curve points are posted to the page.
const REPORT_INTERVAL_MS: f64 = 150.0;
/// Test examples used by the periodic evaluation (all of them after each epoch).
const QUICK_EVAL_EXAMPLES: usize = 1000;

/// What the page asked the running loop to do; read between steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    Pause,
    StepOnce,
    Stop,
}

/// Largest settings the page may ask for: a shared link could carry anything.
fn validate(request: &TrainRequest) -> Result<(), String> {
    if !(request.lr.is_finite() && request.lr > 0.0 && request.lr <= 10.0) {
        return Err(format!(
            "the learning rate must be between 0 and 10, not {}",
            request.lr
        ));
    }
    if !(1..=1024).contains(&request.batch_size) {
        return Err(format!(
            "the batch size must be between 1 and 1024, not {}",
            request.batch_size
        ));
    }
    if !(1..=1000).contains(&request.epochs) {
        return Err(format!(
            "epochs must be between 1 and 1000, not {}",
            request.epochs
        ));
    }
    Ok(())
}

fn train_config(request: &TrainRequest) -> TrainConfig {
    let optimizer = match request.optimizer {
        OptimizerChoice::Sgd => OptimizerSpec::Sgd(SgdConfig {
            momentum: 0.9,
            ..SgdConfig::new(request.lr)
        }),
        OptimizerChoice::Adam => OptimizerSpec::Adam(AdamConfig::new(request.lr)),
    };
    TrainConfig {
        epochs: request.epochs,
        max_steps: request.max_steps,
        optimizer,
        schedule: Schedule::Constant,
        loader: LoaderConfig {
            batch_size: request.batch_size,
            drop_last: true,
            ..LoaderConfig::default()
        },
        label_smoothing: 0.0,
        clip_grad_norm: None,
        early_stopping_patience: None,
        seed: request.seed,
        penalty: None,
        reduce_on_plateau: None,
    }
}

/// Builds the model for the loaded set, on the GPU when asked and available.
fn build(
    request: &TrainRequest,
    data: &LoadedSet,
    gpu: Option<&Gpu>,
) -> Result<(Model, Backend), String> {
    let spec = ModelSpec::preset(&request.preset)
        .ok_or_else(|| format!("there is no model called \"{}\"", request.preset))?;
    let (height, width) = data.train.image_size();
    let input = InputSpec {
        channels: 1,
        height,
        width,
    };
    let classes = data.train.classes().len();
    let model = spec.build(input, classes, request.seed).map_err(|e| {
        format!(
            "{} cannot be built for {height}×{width} images: {e}",
            request.preset
        )
    })?;
    let gpu = match request.backend {
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

/// Runs one training run to its end, posting events through `post`.
pub async fn run(
    request: TrainRequest,
    data: Rc<LoadedSet>,
    gpu: Option<Gpu>,
    control: Rc<Cell<Control>>,
    post: impl Fn(&Event),
) -> RunEnd {
    match run_inner(request, &data, gpu.as_ref(), &control, &post).await {
        Ok(end) => end,
        Err(message) => RunEnd::Failed { message },
    }
}

async fn run_inner(
    request: TrainRequest,
    data: &LoadedSet,
    gpu: Option<&Gpu>,
    control: &Cell<Control>,
    post: &impl Fn(&Event),
) -> Result<RunEnd, String> {
    validate(&request)?;
    let (model, backend) = build(&request, data, gpu)?;
    let config = train_config(&request);
    let classes = data.train.classes().len();
    let loader = DataLoader::new(&data.train, config.loader.clone(), config.seed)
        .map_err(|e| e.to_string())?;
    let per_epoch = loader.num_batches();
    let total_steps = request.max_steps.map_or(per_epoch * request.epochs, |m| {
        m.min(per_epoch * request.epochs)
    });
    let parameters = count_trainable(&model);
    let mut trainer = Trainer::new(model, classes, config).map_err(|e| e.to_string())?;
    post(&Event::TrainingStarted {
        preset: request.preset.clone(),
        parameters,
        backend,
        total_steps,
    });
    let quick_eval = pixelgrad::data::Subset::new(
        &data.test,
        (0..data.test.len().min(QUICK_EVAL_EXAMPLES)).collect(),
    )
    .map_err(|e| e.to_string())?;
    let mut reporter = Reporter::new(total_steps);
    for epoch in 0..request.epochs {
        for b in 0..per_epoch {
            if trainer.steps() >= total_steps {
                break;
            }
            match wait_for_go(control, post).await {
                Control::Stop => {
                    reporter.flush(epoch, trainer.steps(), post);
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
            }
            yield_now().await;
        }
        trainer.end_epoch();
        reporter.flush(epoch, trainer.steps(), post);
        let report = trainer
            .evaluate_async(&data.test, 250, epoch)
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
