//! Evaluation on a held-out set: loss, accuracy, top-5, calibration and the confusion matrix,
//! with synchronous (native) and asynchronous (browser, WebGPU) read-backs sharing one tally.

use super::{batch_tensors, EvalReport, TrainError};
use crate::autograd::no_grad;
use crate::data::{Batch, DataLoader, Dataset, LoaderConfig, Pipeline};
use crate::device::Device;
use crate::metrics::{argmax_rows, expected_calibration_error, top_k_accuracy, ConfusionMatrix};
use crate::nn::{Ctx, Module};
use crate::tensor::Tensor;

/// Evaluates any model on a data set as it is (see [`Trainer::evaluate`]).
pub fn evaluate<D: Dataset + ?Sized>(
    model: &dyn Module,
    data: &D,
    classes: usize,
    batch_size: usize,
    epoch: usize,
) -> Result<EvalReport, TrainError> {
    evaluate_preprocessed(
        model,
        data,
        classes,
        batch_size,
        epoch,
        &Pipeline::default(),
    )
}

/// [`evaluate`] after a deterministic `preprocess` pipeline (resize, normalize).
pub fn evaluate_preprocessed<D: Dataset + ?Sized>(
    model: &dyn Module,
    data: &D,
    classes: usize,
    batch_size: usize,
    epoch: usize,
    preprocess: &Pipeline,
) -> Result<EvalReport, TrainError> {
    let loader = eval_loader(data, batch_size, preprocess)?;
    let mut tally = EvalTally::new(classes);
    for batch in loader.epoch(0) {
        let batch = batch?;
        let scores = eval_logits(model, &batch, classes)?.to_vec_f32()?;
        tally.add(&scores, &batch.labels);
    }
    Ok(tally.finish(epoch))
}

/// [`evaluate`] with asynchronous read-backs of each batch's logits (browser, WebGPU).
pub async fn evaluate_async<D: Dataset + ?Sized>(
    model: &dyn Module,
    data: &D,
    classes: usize,
    batch_size: usize,
    epoch: usize,
) -> Result<EvalReport, TrainError> {
    evaluate_preprocessed_async(
        model,
        data,
        classes,
        batch_size,
        epoch,
        &Pipeline::default(),
    )
    .await
}

/// [`evaluate_preprocessed`] with asynchronous read-backs (browser, WebGPU).
pub async fn evaluate_preprocessed_async<D: Dataset + ?Sized>(
    model: &dyn Module,
    data: &D,
    classes: usize,
    batch_size: usize,
    epoch: usize,
    preprocess: &Pipeline,
) -> Result<EvalReport, TrainError> {
    let loader = eval_loader(data, batch_size, preprocess)?;
    let mut tally = EvalTally::new(classes);
    for batch in loader.epoch(0) {
        let batch = batch?;
        let scores = eval_logits(model, &batch, classes)?
            .to_vec_async::<f32>()
            .await?;
        tally.add(&scores, &batch.labels);
    }
    Ok(tally.finish(epoch))
}

fn eval_loader<'a, D: Dataset + ?Sized>(
    data: &'a D,
    batch_size: usize,
    preprocess: &Pipeline,
) -> Result<DataLoader<'a, D>, TrainError> {
    let config = LoaderConfig {
        batch_size: batch_size.max(1),
        shuffle: false,
        drop_last: false,
        augment: preprocess.clone(),
        mix: None,
    };
    Ok(DataLoader::new(data, config, 0)?)
}

/// Logits of one batch in evaluation mode, computed on the model's device.
fn eval_logits(model: &dyn Module, batch: &Batch, classes: usize) -> Result<Tensor, TrainError> {
    let device = crate::nn::parameters(model)
        .first()
        .map_or(Device::Cpu, |p| p.tensor.device());
    let (x, _) = batch_tensors(batch, classes)?;
    let x = x.to_device(device)?;
    Ok(no_grad(|| model.forward(&x, &mut Ctx::eval()))?)
}

/// Running sums of an evaluation, fed with each batch's logits read back to the host, so the
/// synchronous and asynchronous evaluations share every formula.
struct EvalTally {
    classes: usize,
    confusion: ConfusionMatrix,
    loss_sum: f64,
    top5_sum: f64,
    n: usize,
    probs: Vec<f32>,
    targets: Vec<usize>,
}

impl EvalTally {
    fn new(classes: usize) -> Self {
        EvalTally {
            classes,
            confusion: ConfusionMatrix::new(classes),
            loss_sum: 0.0,
            top5_sum: 0.0,
            n: 0,
            probs: Vec::new(),
            targets: Vec::new(),
        }
    }

    /// Cross-entropy (log-sum-exp in f64), softmax probabilities, arg-max and top-5 of a batch.
    fn add(&mut self, scores: &[f32], labels: &[usize]) {
        let c = self.classes;
        for (row, &label) in scores.chunks_exact(c).zip(labels) {
            let max = row
                .iter()
                .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
            let sum: f64 = row.iter().map(|&v| (f64::from(v) - max).exp()).sum();
            let log_z = max + sum.ln();
            self.loss_sum += log_z - row.get(label).map_or(f64::NAN, |&v| f64::from(v));
            self.probs
                .extend(row.iter().map(|&v| ((f64::from(v) - log_z).exp()) as f32));
        }
        self.confusion.update(&argmax_rows(scores, c), labels);
        self.top5_sum += top_k_accuracy(scores, c, labels, 5.min(c)) * labels.len() as f64;
        self.targets.extend_from_slice(labels);
        self.n += labels.len();
    }

    fn finish(self, epoch: usize) -> EvalReport {
        let n = self.n.max(1) as f64;
        EvalReport {
            epoch,
            loss: self.loss_sum / n,
            accuracy: self.confusion.report().accuracy,
            top5: self.top5_sum / n,
            ece: expected_calibration_error(&self.probs, self.classes, &self.targets, 15),
            confusion: self.confusion,
        }
    }
}
