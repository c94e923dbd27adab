//! The loop of one training run, driven step by step so that pause, single step and stop take
//! effect between steps, curves reach the page a few times a second rather than once per step,
//! a checkpoint is kept at every evaluation, and a lost GPU device ends the loop in a way the
//! caller can recover from (see `training::run`).

use std::cell::Cell;

use pixelgrad::data::{DataLoader, Dataset, Subset};
use pixelgrad::device::gpu::{Gpu, GpuFault};
use pixelgrad::io::RunSpec;
use pixelgrad::models::Model;
use pixelgrad::nn::{count_trainable, Module};
use pixelgrad::train::TrainError;

use super::datasets::SetData;
use super::protocol::{model_label, Backend, Event, Progress, RunEnd, TrainRequest};
use super::share::pixelgrad_file;
use super::training::{trainer_for, Control};
use super::transfer_cache::{evaluate, head_for, CachedFeatures};

/// How often (ms) curve points are posted to the page.
const REPORT_INTERVAL_MS: f64 = 150.0;
/// Held-out examples used by the periodic evaluation (all of them after each epoch).
const QUICK_EVAL_EXAMPLES: usize = 1000;

/// What stays the same for the whole run, across a switch of device.
pub(super) struct RunCtx<'a, P: Fn(&Event)> {
    pub request: &'a TrainRequest,
    pub train: &'a Subset<'a, SetData>,
    pub held_out: &'a Subset<'a, SetData>,
    pub control: &'a Cell<Control>,
    pub post: &'a P,
    /// The device the run started on, whose faults end the loop.
    pub gpu: Option<&'a Gpu>,
}

/// Where the run is: the step to start (or go on) from, steps done, and the last checkpoint
/// (`(step, .pixelgrad bytes)`), the state a recovery starts from.
#[derive(Default)]
pub(super) struct LoopState {
    pub start: usize,
    pub steps: usize,
    pub last_good: Option<(usize, Vec<u8>)>,
}

/// How a loop ended: with the run, or because the GPU device was lost.
pub(super) enum LoopEnd {
    Ended(RunEnd),
    DeviceLost { reason: String },
}

thread_local! {
    /// Set by the fault drill: the next batch's targets become NaN, so its loss is NaN.
    static POISON_NEXT_BATCH: Cell<bool> = const { Cell::new(false) };
}

/// The fault drill's NaN: the next training step sees NaN targets (as a bad batch would), so
/// the run stops on a non-finite loss the way a too-high learning rate makes it.
pub(super) fn poison_next_batch() {
    POISON_NEXT_BATCH.with(|p| p.set(true));
}

/// Why the loop stopped early.
enum Halt {
    Lost(String),
    Failed(String),
}

/// Classifies a failed step: a lost device (recoverable elsewhere) or a failure in words. In a
/// browser the device-lost notice arrives a moment after the failed read that revealed it, so
/// a failure on a GPU waits briefly for it.
async fn halt(gpu: Option<&Gpu>, message: String) -> Halt {
    let Some(gpu) = gpu else {
        return Halt::Failed(message);
    };
    for _ in 0..20 {
        match gpu.context().fault() {
            Some(GpuFault::Lost(reason)) => return Halt::Lost(reason),
            Some(_) => break,
            None => sleep_ms(50).await,
        }
    }
    Halt::Failed(message)
}

/// Runs the loop from `state.start` to the end of the run (or a stop, a failure or a lost
/// device), on `model` as it is.
pub(super) async fn train_loop<P: Fn(&Event)>(
    run: &RunCtx<'_, P>,
    model: &Model,
    backend: Backend,
    state: &mut LoopState,
) -> Result<LoopEnd, String> {
    match steps(run, model, backend, state).await {
        Ok(end) => Ok(LoopEnd::Ended(end)),
        Err(Halt::Lost(reason)) => Ok(LoopEnd::DeviceLost { reason }),
        Err(Halt::Failed(message)) => Err(message),
    }
}

/// A checkpoint of the running model (a `.pixelgrad` file), posted for the runs gallery and
/// kept as the state to recover from.
async fn checkpoint<P: Fn(&Event)>(
    run: &RunCtx<'_, P>,
    model: &Model,
    step: usize,
    state: &mut LoopState,
) -> Result<(), Halt> {
    let mut spec: RunSpec = run.request.spec.clone();
    spec.steps = step as u64;
    match pixelgrad_file(&spec, model).await {
        Ok(bytes) => {
            (run.post)(&Event::File {
                step,
                spec: Box::new(spec),
                bytes: bytes.clone(),
                checkpoint: true,
            });
            state.last_good = Some((step, bytes));
            Ok(())
        }
        Err(message) => match halt(run.gpu, message).await {
            lost @ Halt::Lost(_) => Err(lost),
            Halt::Failed(message) => {
                (run.post)(&Event::Error {
                    message: format!("the checkpoint at step {step} could not be saved: {message}"),
                });
                Ok(())
            }
        },
    }
}

async fn steps<P: Fn(&Event)>(
    run: &RunCtx<'_, P>,
    model: &Model,
    backend: Backend,
    state: &mut LoopState,
) -> Result<RunEnd, Halt> {
    let (request, post, control) = (run.request, run.post, run.control);
    let spec = &request.spec;
    let config = spec.train.clone();
    let classes = spec.data.classes;
    let epochs = config.epochs;
    let failed = |e: String| Halt::Failed(e);
    let loader = DataLoader::new(run.train, config.loader.clone(), config.seed)
        .map_err(|e| failed(e.to_string()))?;
    let per_epoch = loader.num_batches();
    // (epoch, batch) of a step; an empty loader has none.
    let at = |step: usize| {
        step.checked_div(per_epoch)
            .map_or((0, 0), |e| (e, step % per_epoch))
    };
    let total_steps = [config.max_steps, request.stop_at]
        .into_iter()
        .flatten()
        .fold(per_epoch * epochs, usize::min);
    let parameters = count_trainable(model);
    // A frozen backbone's features are computed once and its head trains on them.
    let head = head_for(spec, model);
    let net: &dyn Module = match &head {
        Some(head) => head,
        None => model,
    };
    let mut cached = head
        .as_ref()
        .map(|head| CachedFeatures::new(spec, model, head, run.held_out));
    let mut trainer = trainer_for(net, classes, config, &spec.loss).map_err(failed)?;
    let start = state.start;
    if start == 0 {
        post(&Event::TrainingStarted {
            preset: model_label(&spec.model),
            parameters,
            backend,
            total_steps,
            spec: Box::new(spec.clone()),
        });
    } else {
        trainer.resume_at(start, at(start).0);
    }
    let quick_eval = Subset::new(
        run.held_out,
        (0..run.held_out.len().min(QUICK_EVAL_EXAMPLES)).collect(),
    )
    .map_err(|e| failed(e.to_string()))?;
    let mut reporter = Reporter::new(total_steps, start);
    reporter.gpu = run.gpu.filter(|_| backend == Backend::WebGpu).cloned();
    let (first_epoch, first_batch) = at(start);
    for epoch in first_epoch..epochs {
        let first = if epoch == first_epoch { first_batch } else { 0 };
        for b in first..per_epoch {
            if trainer.steps() >= total_steps {
                break;
            }
            match wait_for_go(control, post).await {
                Control::Stop => {
                    reporter.flush(epoch, trainer.steps(), post);
                    checkpoint(run, model, trainer.steps(), state).await?;
                    return Ok(RunEnd::Stopped);
                }
                Control::StepOnce => control.set(Control::Pause),
                Control::Run | Control::Pause => {}
            }
            let mut batch = loader
                .batch(epoch as u64, b)
                .map_err(|e| failed(e.to_string()))?;
            if let Some(cached) = cached.as_mut() {
                batch = match cached.train_batch(&batch).await {
                    Ok(features) => features,
                    Err(e) => return Err(halt(run.gpu, describe(&e)).await),
                };
            }
            if POISON_NEXT_BATCH.with(|p| p.replace(false)) {
                batch.soft_targets = Some(vec![f32::NAN; batch.labels.len() * classes]);
            }
            let report = match trainer.train_step_async(&batch, epoch).await {
                Ok(report) => report,
                Err(e) => return Err(halt(run.gpu, describe(&e)).await),
            };
            state.steps = trainer.steps();
            super::kernel_times::note_step();
            reporter.push(report.step, report.loss, report.lr);
            reporter.maybe_flush(epoch, trainer.steps(), post);
            let step = trainer.steps();
            if request.eval_every > 0 && step % request.eval_every == 0 && step < total_steps {
                reporter.flush(epoch, step, post);
                let report = match evaluate(&trainer, cached.as_mut(), &quick_eval, epoch).await {
                    Ok(report) => report,
                    Err(e) => return Err(halt(run.gpu, describe(&e)).await),
                };
                post(&Event::Evaluated { step, report });
                checkpoint(run, model, step, state).await?;
            }
            yield_now().await;
        }
        trainer.end_epoch();
        reporter.flush(epoch, trainer.steps(), post);
        let report = match evaluate(&trainer, cached.as_mut(), run.held_out, epoch).await {
            Ok(report) => report,
            Err(e) => return Err(halt(run.gpu, describe(&e)).await),
        };
        // The full end-of-epoch evaluation drives reduce-on-plateau and early stopping, as
        // in `Trainer::fit` and the exported PyTorch script (the quick ones do not).
        let stop_early = trainer.observe_epoch_eval(&report);
        post(&Event::Evaluated {
            step: trainer.steps(),
            report,
        });
        if trainer.steps() >= total_steps {
            break;
        }
        if stop_early {
            post(&Event::StoppedEarly {
                epoch: epoch + 1,
                patience: spec.train.early_stopping_patience.unwrap_or(0),
            });
            break;
        }
    }
    checkpoint(run, model, trainer.steps(), state).await?;
    Ok(RunEnd::Finished)
}

/// Words for training failures, with the fix a user can try.
pub(super) fn describe(error: &TrainError) -> String {
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
    /// The device whose buffer pool is reported as GPU memory in use, on WebGPU.
    gpu: Option<Gpu>,
}

impl Reporter {
    /// Counts speed from `start_step` (a resumed run does not count the steps it skipped).
    fn new(total_steps: usize, start_step: usize) -> Self {
        let now = now_ms();
        Reporter {
            points: Vec::new(),
            total_steps,
            last_post: now,
            window_start: (now, start_step),
            speed: 0.0,
            gpu: None,
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
            gpu_memory_bytes: self.gpu.as_ref().map(|g| g.stats().pool.in_use_bytes()),
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

/// Waits `ms` milliseconds on the worker's timer, letting other tasks run.
pub(super) async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scope: web_sys::WorkerGlobalScope =
            wasm_bindgen::JsCast::unchecked_into(js_sys::global());
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
