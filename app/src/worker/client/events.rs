//! The event reducer: how each [`Event`] from the worker updates the client's signals. Kept
//! apart from the worker's start-up and messaging so each reads on its own.

use std::sync::Arc;

use leptos::prelude::*;

use super::{RunFile, RunState, SharedLink, TrainingView, WorkerClient, WorkerStatus};
use crate::worker::protocol::{Command, Event};

impl WorkerClient {
    /// Applies one event from the worker; events a crashed worker sent are dropped.
    pub(super) fn apply(&self, event: Event) {
        // Messages a crashed worker posted before it was stopped are not to be trusted.
        if matches!(self.status.get_untracked(), WorkerStatus::Crashed(_)) {
            return;
        }
        match event {
            Event::Ready => {
                self.status.set(WorkerStatus::Ready);
                self.send(&Command::ProbeDevice);
                for text in self
                    .pending
                    .try_update_value(std::mem::take)
                    .unwrap_or_default()
                {
                    self.post(&text);
                }
            }
            Event::Device(report) => self.device.set(Some(report)),
            Event::Dataset(summary) => {
                self.last_error.set(None);
                self.dataset.set(Some(summary));
            }
            Event::TrainingStarted {
                preset,
                parameters,
                backend,
                total_steps,
                spec,
            } => {
                self.training.set(TrainingView {
                    state: RunState::Running,
                    preset,
                    parameters,
                    backend: Some(backend),
                    total_steps,
                    spec: Some(*spec),
                    auto_pick: self.auto_pick.try_update(Option::take).flatten(),
                    ..TrainingView::default()
                });
            }
            Event::BackendPicked(pick) => self.auto_pick.set(Some(pick)),
            Event::KernelTimes(times) => self.kernel_times.set(Some(times)),
            Event::Progress(p) => self.training.update(|t| {
                t.step = p.step;
                t.epoch = p.epoch;
                t.total_steps = p.total_steps;
                t.steps_per_second = p.steps_per_second;
                t.gpu_memory_bytes = p.gpu_memory_bytes;
                for (step, loss, lr) in p.points {
                    t.losses.push((step as f64, loss));
                    t.lrs.push((step as f64, lr));
                }
            }),
            Event::Evaluated { step, report } => self.training.update(|t| {
                t.accuracies.push((step as f64, report.accuracy));
                t.test_losses.push((step as f64, report.loss));
                t.last_eval = Some(report);
            }),
            Event::Paused(paused) => self.training.update(|t| {
                t.state = if paused {
                    RunState::Paused
                } else {
                    RunState::Running
                };
            }),
            Event::BackendChanged {
                step,
                backend,
                reason,
            } => self.training.update(|t| {
                t.backend = Some(backend);
                t.step = step;
                t.notice = Some(reason);
            }),
            Event::Resumed { step, backend } => self.training.update(|t| {
                t.state = RunState::Running;
                t.backend = Some(backend);
                t.step = step;
                // Points past the checkpoint are trained again.
                let kept = |points: &mut Vec<(f64, f64)>| points.retain(|(s, _)| *s <= step as f64);
                kept(&mut t.losses);
                kept(&mut t.lrs);
                kept(&mut t.accuracies);
                kept(&mut t.test_losses);
                t.notice = Some(format!(
                    "The training worker was restarted; the run goes on from its checkpoint at step {step}."
                ));
            }),
            Event::TrainingEnded(end) => self.training.update(|t| t.state = RunState::Ended(end)),
            Event::Error { message } => {
                self.training.update(|t| {
                    if t.state == RunState::Starting {
                        t.state = RunState::Idle;
                    }
                });
                self.last_error.set(Some(message))
            }
            Event::Shared { link, with_weights } => {
                self.share.link.set(Some(SharedLink { link, with_weights }))
            }
            Event::File {
                step,
                spec,
                bytes,
                checkpoint,
            } => {
                let file = Some(Arc::new(RunFile {
                    step,
                    spec: *spec,
                    bytes,
                }));
                if checkpoint {
                    self.share.checkpoint.set(file);
                } else {
                    self.share.file.set(file);
                }
            }
            Event::ModelReady { spec, backend } => {
                self.share.model_ready.set(Some((*spec, backend)))
            }
            Event::Predictions { indices, classes } => {
                self.share.predictions.set(Some((indices, classes)))
            }
            Event::LessonAnswer(answer) => self.lesson_answers.update(|a| a.push(answer)),
            Event::Inspected(answer) => self.inspect.receive(*answer),
            Event::AugmentPreview(preview) => self.augment_previews.update(|all| {
                all.retain(|p| p.id != preview.id);
                all.push(preview);
            }),
            Event::StoppedEarly { epoch, patience } => {
                self.training.update(|t| t.stopped_early = Some((epoch, patience)))
            }
            Event::UploadsDecoded { files, report } => {
                self.decoded.update(|d| d.push((files, report)))
            }
            Event::ImagePrediction(p) => self.image_prediction.set(Some(p)),
            Event::LossProbed(report) => self.loss_probe.set(Some(report)),
            Event::Crashed { report } => {
                self.end_run_on_crash();
                self.status.set(WorkerStatus::Crashed(report));
            }
        }
    }
}
