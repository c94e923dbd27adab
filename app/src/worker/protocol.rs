//! Messages between the page and the training worker. Both sides are this crate, so one set of
//! serde types serves both, and a message that does not parse is a bug we report, not a crash.

use pixelgrad::data::{base64_bytes, ImportReport, UploadFile, UserDataset};
use pixelgrad::io::RunSpec;
use pixelgrad::models::{ModelSpec, PRESETS};
use pixelgrad::train::EvalReport;
use serde::{Deserialize, Serialize};

mod augment_preview;
mod device;
mod kernel_times;

pub use augment_preview::{AugmentPreview, AugmentPreviewRequest, PreviewImage};
pub use device::{AutoPick, Backend, BackendChoice, DeviceReport, FaultDrill};
pub use kernel_times::{KernelRow, KernelTimes, DEFAULT_TIMED_STEPS};

/// What the page asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Open the best device (WebGPU, else CPU) and check it with a real kernel.
    ProbeDevice,
    /// Rehearse a GPU failure on the device in use (the playground's fault drill, the tests):
    /// the same paths a real fault takes.
    InjectFault(FaultDrill),
    /// Go on with a run from a checkpoint, after the worker was restarted.
    ResumeRun {
        /// The run, as first requested.
        request: Box<TrainRequest>,
        /// Steps the checkpoint had.
        step: usize,
        /// The checkpoint: a `.pixelgrad` file.
        checkpoint: Vec<u8>,
    },
    /// Download and parse a bundled data set (`mnist`, `fashion-mnist`, `digits`).
    LoadBundled {
        /// The set's identifier.
        id: String,
    },
    /// Build a model and train it on the loaded data set.
    Train(Box<TrainRequest>),
    /// Pause after the current step.
    Pause,
    /// Continue a paused run.
    Resume,
    /// Take exactly one step of a paused run.
    StepOnce,
    /// End the run; the model and its curves stay.
    Stop,
    /// The loss editor's live value, curve and gradient check (answered by
    /// [`Event::LossProbed`]).
    ProbeLoss(pixelgrad::loss::probe::ProbeRequest),
    /// Decode uploaded files (images, zips) into `side`-pixel RGB images for the user's set
    /// (answered by [`Event::UploadsDecoded`]).
    DecodeUploads {
        /// Side of the images to make.
        side: usize,
        /// The files, with their paths and class buckets.
        files: Vec<UploadFile>,
    },
    /// Use the user's own images for the next run (answered by [`Event::Dataset`], whose id is
    /// `user:` and the set's SHA-256).
    LoadUser {
        /// The images and classes.
        data: UserDataset,
    },
    /// Classify one image with the current model (answered by [`Event::ImagePrediction`]).
    PredictImage(PredictInput),
    /// Transfer learning: like [`Command::Train`], but MobileNetV2 starts from the bundled
    /// ImageNet weights with its `features` frozen, so only the new head trains.
    TrainTransfer(Box<TrainRequest>),
    /// A lesson widget's question (a graph to evaluate, a model to summarize).
    Lesson(crate::lessons::query::LessonQuery),
    /// Make the share link of the current model (answered by [`Event::Shared`]).
    Share,
    /// Make the `.pixelgrad` file of the current model (answered by [`Event::File`]).
    ExportFile,
    /// Make a shared link's model (with its weights) the current one, to predict at once.
    OpenLink {
        /// The link text (`pg1.…`, with or without `#run=`).
        link: String,
    },
    /// Make a `.pixelgrad` file's model the current one.
    OpenFile {
        /// The file's bytes.
        bytes: Vec<u8>,
    },
    /// Predict the classes of these test images with the current model.
    Predict {
        /// Indices into the loaded set's test split.
        indices: Vec<usize>,
    },
    /// Look inside the current model (answered by [`Event::Inspected`]).
    Inspect(super::inspect_protocol::InspectQuery),
    /// Show a few training images of the loaded set as an augmentation pipeline makes them
    /// (answered by [`Event::AugmentPreview`]).
    PreviewAugment(AugmentPreviewRequest),
    /// Time the running WebGPU run's kernels over its next `steps` steps with GPU timestamp
    /// queries (answered by [`Event::KernelTimes`]).
    TimeKernels {
        /// Training steps to time.
        steps: u32,
    },
}

/// The preset name of a model spec, for people; "a custom model" for any other spec.
pub fn model_label(model: &ModelSpec) -> String {
    PRESETS
        .iter()
        .find(|(name, _)| ModelSpec::preset(name).as_ref() == Some(model))
        .map_or_else(
            || "a custom model".to_string(),
            |(name, _)| name.to_string(),
        )
}

/// A run to train: the core's [`RunSpec`] (what a share link and a `.pixelgrad` file carry,
/// so the same spec, seed and backend give the same loss curve) plus the settings that only
/// concern this page and are never shared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainRequest {
    /// Data source, model, optimizer, schedule, loader, loss, seed and epochs.
    pub spec: RunSpec,
    /// Where to train.
    pub backend: BackendChoice,
    /// Evaluate on the held-out split every this many steps (and after each epoch); 0 for
    /// after each epoch only.
    pub eval_every: usize,
    /// Stop after this many steps even when the spec allows more: reproducing a shared run
    /// replays it up to the step at which it was shared.
    pub stop_at: Option<usize>,
}

/// An image to classify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PredictInput {
    /// A webcam frame: `side × side` interleaved RGB bytes.
    Frame {
        /// Width and height.
        side: usize,
        /// The pixels.
        #[serde(with = "base64_bytes")]
        pixels: Vec<u8>,
    },
    /// A dropped file, decoded in the worker.
    File {
        /// Its name, for the answer.
        name: String,
        /// Its bytes.
        #[serde(with = "base64_bytes")]
        bytes: Vec<u8>,
    },
}

/// Class probabilities for one image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImagePrediction {
    /// The file's name, or `None` for a webcam frame.
    pub name: Option<String>,
    /// Class names of the model, in label order.
    pub classes: Vec<String>,
    /// Softmax output, one per class.
    pub probabilities: Vec<f32>,
}

/// New points of the training curves since the last report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// `(step, loss, learning rate)` for each step since the last report.
    pub points: Vec<(usize, f64, f64)>,
    /// Current epoch (from 0).
    pub epoch: usize,
    /// Steps done.
    pub step: usize,
    /// Steps the run will take in all.
    pub total_steps: usize,
    /// Recent speed.
    pub steps_per_second: f64,
    /// Bytes of GPU buffers the run's tensors hold (the buffer pool's count), on WebGPU.
    #[serde(default)]
    pub gpu_memory_bytes: Option<u64>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunEnd {
    /// All epochs (or the step budget) done.
    Finished,
    /// The user pressed stop.
    Stopped,
    /// Something went wrong; the model keeps its last good parameters.
    Failed {
        /// What happened and what to try.
        message: String,
    },
}

/// A small grey picture for the data panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Class index.
    pub label: usize,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// `height * width` grey bytes, row-major.
    pub pixels: Vec<u8>,
}

/// What the data panel shows about a loaded set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// The set's identifier.
    pub id: String,
    /// Class names, indexed by label.
    pub classes: Vec<String>,
    /// Image rows.
    pub height: usize,
    /// Image columns.
    pub width: usize,
    /// Training examples.
    pub train_len: usize,
    /// Held-out examples.
    pub test_len: usize,
    /// Training examples per class (the balance view).
    pub class_counts: Vec<usize>,
    /// A few examples per class.
    pub thumbnails: Vec<Thumbnail>,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The wasm module is loaded in the worker and accepts commands.
    Ready,
    /// The answer to [`Command::ProbeDevice`].
    Device(DeviceReport),
    /// A data set is loaded and selected for training.
    Dataset(DatasetSummary),
    /// A run started: the model is built on its device.
    TrainingStarted {
        /// The preset trained.
        preset: String,
        /// Trainable parameters.
        parameters: usize,
        /// The backend in use.
        backend: Backend,
        /// Steps the run will take in all.
        total_steps: usize,
        /// The spec being trained, as the worker read it (what Share and the gallery keep).
        spec: Box<RunSpec>,
    },
    /// The Auto backend choice timed both backends and picked one (sent before
    /// [`Event::TrainingStarted`]).
    BackendPicked(AutoPick),
    /// Curves moved on.
    Progress(Progress),
    /// An evaluation on the test split finished.
    Evaluated {
        /// Steps done when it ran.
        step: usize,
        /// Loss, accuracy, confusion matrix and calibration.
        report: EvalReport,
    },
    /// The run is paused (`true`) or running again (`false`).
    Paused(bool),
    /// The run ended.
    TrainingEnded(RunEnd),
    /// Uploads decoded: the usable images and the files that were not, by name.
    UploadsDecoded {
        /// Files in the request (to count down the page's progress).
        files: usize,
        /// Images and rejected files.
        report: ImportReport,
    },
    /// The current model's class probabilities for one image.
    ImagePrediction(ImagePrediction),
    /// The share link of the current model.
    Shared {
        /// The link text (`pg1.…`), without `#`.
        link: String,
        /// Whether the int8 weights fitted in it.
        with_weights: bool,
    },
    /// A `.pixelgrad` file of the current model, or a checkpoint of the running one.
    File {
        /// Optimizer steps the weights have had.
        step: usize,
        /// The spec inside the file.
        spec: Box<RunSpec>,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Whether this is a checkpoint taken during training (kept by the runs gallery)
        /// rather than an export the user asked for.
        checkpoint: bool,
    },
    /// A link's or file's model is loaded and predicts.
    ModelReady {
        /// Its spec.
        spec: Box<RunSpec>,
        /// Where it runs.
        backend: Backend,
    },
    /// Predicted classes of the test images asked for.
    Predictions {
        /// The test indices.
        indices: Vec<usize>,
        /// The predicted class of each.
        classes: Vec<usize>,
    },
    /// A command could not be carried out; the worker goes on.
    Error {
        /// What went wrong, for the user.
        message: String,
    },
    /// The run moved to another backend midway (the GPU device was lost), going on from
    /// `step`; the curves so far stay.
    BackendChanged {
        /// The step the run goes on from (its last checkpoint).
        step: usize,
        /// Where it goes on.
        backend: Backend,
        /// What happened, in words.
        reason: String,
    },
    /// A run resumed from a checkpoint is running again from `step`.
    Resumed {
        /// The checkpoint's step.
        step: usize,
        /// Where it runs.
        backend: Backend,
    },
    /// The worker hit an internal error and stopped; the page offers to restart it.
    Crashed {
        /// The panic report, for a bug report.
        report: String,
    },
    /// The answer to a [`Command::ProbeLoss`].
    LossProbed(pixelgrad::loss::probe::ProbeReport),
    /// The answer to a [`Command::Lesson`].
    LessonAnswer(crate::lessons::query::LessonAnswer),
    /// The answer to a [`Command::Inspect`].
    Inspected(Box<super::inspect_protocol::InspectAnswer>),
    /// The answer to a [`Command::PreviewAugment`].
    AugmentPreview(AugmentPreview),
    /// Early stopping ended the run after `epoch` (counted from 1): validation accuracy had not
    /// improved for `patience` epochs. A `TrainingEnded(Finished)` follows.
    StoppedEarly {
        /// The last epoch trained, from 1.
        epoch: usize,
        /// The spec's patience.
        patience: usize,
    },
    /// The answer to [`Command::TimeKernels`]: where the GPU time of a few steps went.
    KernelTimes(KernelTimes),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_tagged_json() {
        let event = Event::Device(DeviceReport {
            backend: Backend::Cpu,
            adapter: "CPU".into(),
            fallback_reason: Some("no adapter".into()),
            kernel_check: None,
        });
        let json = serde_json::to_string(&event).expect("serializes");
        assert!(
            json.starts_with(r#"{"type":"device","backend":"cpu""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Event>(&json).expect("parses"), event);
        let command: Command = serde_json::from_str(r#"{"type":"probe_device"}"#).expect("parses");
        assert_eq!(command, Command::ProbeDevice);
    }
}
