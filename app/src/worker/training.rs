//! The training loop as the worker runs it: the core's one [`Trainer`], driven step by step so
//! that pause, single step and stop take effect between steps, and curves reach the page a few
//! times a second rather than once per step.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use pixelgrad::data::{train_val_split, Dataset, Subset};
use pixelgrad::device::gpu::Gpu;
use pixelgrad::io::{load_model, DataSource, LossSpec, RunSpec};
use pixelgrad::models::Model;
use pixelgrad::nn::{freeze, move_to_device, unfreeze, Module};
use pixelgrad::tensor::Tensor;
use pixelgrad::train::{TrainConfig, Trainer};

use super::datasets::{start_from_backbone, LoadedSet, SetData};
use super::protocol::{model_label, Backend, BackendChoice, Event, RunEnd, TrainRequest};
use super::share::Trained;
use super::train_loop::{describe, train_loop, LoopEnd, LoopState, RunCtx};

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
pub(super) fn build(
    spec: &RunSpec,
    backend: BackendChoice,
    gpu: Option<&Gpu>,
    backbone: Option<&BTreeMap<String, Tensor>>,
    checkpoint: Option<(usize, &[u8])>,
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
    apply_freezing(spec, &model, backbone.is_some())?;
    if let Some((step, file)) = checkpoint {
        load_model(model.net(), file, true)
            .map_err(|e| format!("the checkpoint at step {step} could not be read: {e}"))?;
    }
    let gpu = match backend {
        BackendChoice::Auto | BackendChoice::WebGpu => gpu,
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

/// The spec's `freeze` prefixes, then its `unfreeze` ones (a pretrained backbone starts all
/// frozen, so there `freeze` may be left empty).
fn apply_freezing(spec: &RunSpec, model: &Model, pretrained: bool) -> Result<(), String> {
    if !spec.freeze.is_empty() && pretrained {
        unfreeze(model, "").map_err(|e| e.to_string())?;
    }
    for prefix in &spec.freeze {
        freeze(model, prefix).map_err(|e| format!("cannot freeze `{prefix}`: {e}"))?;
    }
    for prefix in &spec.unfreeze {
        unfreeze(model, prefix).map_err(|e| format!("cannot unfreeze `{prefix}`: {e}"))?;
    }
    Ok(())
}

/// The trainer for the spec's loss: the built-in cross-entropy (with the spec's label
/// smoothing), or a custom loss compiled by the core, whose errors and cost bound are checked
/// before the first step.
pub(super) fn trainer_for<'m>(
    model: &'m dyn Module,
    classes: usize,
    config: TrainConfig,
    loss: &LossSpec,
) -> Result<Trainer<&'m dyn Module>, String> {
    Trainer::new(model, classes, config)
        .and_then(|t| t.with_loss(loss))
        .map_err(|e| describe(&e))
}

/// Runs one training run to its end, posting events through `post`. Returns how it ended and
/// the model with the steps it had (its last good parameters when the run failed midway).
///
/// When the GPU device is lost midway, the run goes on on the CPU from its last checkpoint
/// (from the start when it had none yet), and the page is told why.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    request: TrainRequest,
    backbone: Option<Rc<BTreeMap<String, Tensor>>>,
    resume: Option<(usize, Vec<u8>)>,
    loaded_id: String,
    data: Rc<LoadedSet>,
    gpu: Option<Gpu>,
    control: Rc<Cell<Control>>,
    post: impl Fn(&Event),
) -> (RunEnd, Option<Trained>) {
    let spec = &request.spec;
    let choice = auto_choice(
        &request,
        resume.is_some(),
        &loaded_id,
        &data,
        gpu.as_ref(),
        backbone.as_deref(),
        &post,
    )
    .await;
    let prepared = check_data(spec, &loaded_id, &data)
        .and_then(|()| splits(spec, &data))
        .and_then(|sets| {
            Ok((
                sets,
                build(
                    spec,
                    choice,
                    gpu.as_ref(),
                    backbone.as_deref(),
                    resume.as_ref().map(|(step, file)| (*step, file.as_slice())),
                )?,
            ))
        });
    let ((train, held_out), (mut model, mut backend)) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => return (RunEnd::Failed { message }, None),
    };
    let run = RunCtx {
        request: &request,
        train: &train,
        held_out: &held_out,
        control: &control,
        post: &post,
        gpu: gpu.as_ref(),
    };
    let mut progress = LoopState::default();
    if let Some((step, file)) = resume {
        post(&Event::Resumed { step, backend });
        progress = LoopState {
            start: step,
            steps: step,
            last_good: Some((step, file)),
        };
    }
    let end = loop {
        match train_loop(&run, &model, backend, &mut progress).await {
            Ok(LoopEnd::Ended(end)) => break end,
            Err(message) => break RunEnd::Failed { message },
            Ok(LoopEnd::DeviceLost { reason }) if backend == Backend::WebGpu => {
                match resume_on_cpu(spec, backbone.as_deref(), &progress) {
                    Ok((cpu_model, step)) => {
                        let from = match step {
                            0 => "the start".to_string(),
                            s => format!("its checkpoint at step {s}"),
                        };
                        post(&Event::BackendChanged {
                            step,
                            backend: Backend::Cpu,
                            reason: format!(
                                "The GPU device was lost ({reason}). Training goes on on the CPU from {from}."
                            ),
                        });
                        (model, backend) = (cpu_model, Backend::Cpu);
                        progress.start = step;
                    }
                    Err(message) => break RunEnd::Failed { message },
                }
            }
            Ok(LoopEnd::DeviceLost { reason }) => break RunEnd::Failed { message: reason },
        }
    };
    // A model left on a failed GPU cannot be read any more: keep its last checkpoint instead,
    // on the CPU, so that sharing, exporting and predicting still work.
    let faulted = gpu.as_ref().and_then(|g| g.context().fault()).is_some();
    if faulted && backend == Backend::WebGpu {
        if let Ok((cpu_model, step)) = resume_on_cpu(spec, backbone.as_deref(), &progress) {
            (model, progress.steps) = (cpu_model, step);
        }
    }
    let mut spec = request.spec.clone();
    spec.steps = progress.steps as u64;
    (end, Some(Trained { spec, model }))
}

/// The backend a new run is built with: Auto with a working GPU times both backends on the
/// run's model (telling the page what it measured); a resumed run and a forced choice keep
/// theirs.
async fn auto_choice(
    request: &TrainRequest,
    resuming: bool,
    loaded_id: &str,
    data: &LoadedSet,
    gpu: Option<&Gpu>,
    backbone: Option<&BTreeMap<String, Tensor>>,
    post: &impl Fn(&Event),
) -> BackendChoice {
    let (BackendChoice::Auto, false, Some(gpu)) = (request.backend, resuming, gpu) else {
        return request.backend;
    };
    let sets =
        check_data(&request.spec, loaded_id, data).and_then(|()| splits(&request.spec, data));
    let Ok((train, _)) = sets else {
        return request.backend;
    };
    let pick = super::auto_backend::pick(&request.spec, &train, gpu, backbone).await;
    let choice = super::auto_backend::choice_for(pick.picked);
    post(&Event::BackendPicked(pick));
    choice
}

/// The spec's model on the CPU with the weights of the last checkpoint (the initial weights
/// when there was none), and the step to go on from.
fn resume_on_cpu(
    spec: &RunSpec,
    backbone: Option<&BTreeMap<String, Tensor>>,
    progress: &LoopState,
) -> Result<(Model, usize), String> {
    let checkpoint = progress
        .last_good
        .as_ref()
        .map(|(step, file)| (*step, file.as_slice()));
    let (model, _) = build(spec, BackendChoice::Cpu, None, backbone, checkpoint)?;
    Ok((model, checkpoint.map_or(0, |(step, _)| step)))
}
