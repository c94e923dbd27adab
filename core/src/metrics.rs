//! Classification metrics with scikit-learn / torchmetrics semantics: accuracy, top-k, the
//! confusion matrix, per-class precision/recall/F1 with macro and weighted averages
//! (`zero_division = 0`), and expected calibration error. Inputs are plain slices read back
//! from the device once per evaluation, so the UI and tests share one implementation.

use serde::{Deserialize, Serialize};

/// Index of the largest value in each row of a row-major `[N, classes]` slice (first on ties,
/// like `torch.argmax`).
pub fn argmax_rows(scores: &[f32], classes: usize) -> Vec<usize> {
    if classes == 0 {
        return Vec::new();
    }
    scores
        .chunks_exact(classes)
        .map(|row| {
            row.iter()
                .enumerate()
                .fold(0, |best, (i, &v)| if v > row[best] { i } else { best })
        })
        .collect()
}

/// Fraction of equal entries (0 for empty input).
pub fn accuracy(predictions: &[usize], targets: &[usize]) -> f64 {
    let n = predictions.len().min(targets.len());
    if n == 0 {
        return 0.0;
    }
    predictions
        .iter()
        .zip(targets)
        .filter(|(p, t)| p == t)
        .count() as f64
        / n as f64
}

/// Fraction of rows whose target is among the `k` highest scores (ties broken towards the
/// lower class index).
pub fn top_k_accuracy(scores: &[f32], classes: usize, targets: &[usize], k: usize) -> f64 {
    if classes == 0 || targets.is_empty() {
        return 0.0;
    }
    let hits = scores
        .chunks_exact(classes)
        .zip(targets)
        .filter(|(row, &t)| {
            t < classes && {
                let v = row[t];
                let above = row
                    .iter()
                    .enumerate()
                    .filter(|&(i, &x)| x > v || (x == v && i < t))
                    .count();
                above < k
            }
        })
        .count();
    hits as f64 / targets.len() as f64
}

/// Counts of (true class, predicted class) pairs: `counts[t * classes + p]` (rows are truths,
/// as in scikit-learn).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    classes: usize,
    counts: Vec<u64>,
}

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Number of true samples of the class.
    pub support: u64,
}

/// scikit-learn's `classification_report` in numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport {
    pub per_class: Vec<ClassScores>,
    /// Unweighted mean over classes (`average="macro"`).
    pub macro_avg: ClassScores,
    /// Support-weighted mean (`average="weighted"`).
    pub weighted_avg: ClassScores,
    pub accuracy: f64,
}

impl ConfusionMatrix {
    /// An empty matrix for `classes` classes.
    pub fn new(classes: usize) -> ConfusionMatrix {
        ConfusionMatrix {
            classes,
            counts: vec![0; classes * classes],
        }
    }

    /// Adds predictions; pairs with an index outside `0..classes` are skipped (ignored targets).
    pub fn update(&mut self, predictions: &[usize], targets: &[usize]) {
        for (&p, &t) in predictions.iter().zip(targets) {
            if p < self.classes && t < self.classes {
                self.counts[t * self.classes + p] += 1;
            }
        }
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Row-major counts, rows = true class.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Samples of true class `t` predicted as `p`.
    pub fn get(&self, t: usize, p: usize) -> u64 {
        self.counts[t * self.classes + p]
    }

    /// Total samples counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Rows divided by their sums (recall per cell, the usual heat-map view); zero rows stay 0.
    pub fn normalized_by_true(&self) -> Vec<f64> {
        let k = self.classes;
        let mut out = vec![0.0; k * k];
        for t in 0..k {
            let row: u64 = self.counts[t * k..(t + 1) * k].iter().sum();
            if row > 0 {
                for p in 0..k {
                    out[t * k + p] = self.counts[t * k + p] as f64 / row as f64;
                }
            }
        }
        out
    }

    /// Precision, recall and F1 per class and averaged, with `zero_division = 0`.
    pub fn report(&self) -> ClassificationReport {
        let k = self.classes;
        let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
        let per_class: Vec<ClassScores> = (0..k)
            .map(|c| {
                let tp = self.get(c, c) as f64;
                let support: u64 = (0..k).map(|p| self.get(c, p)).sum();
                let predicted: u64 = (0..k).map(|t| self.get(t, c)).sum();
                let precision = div(tp, predicted as f64);
                let recall = div(tp, support as f64);
                ClassScores {
                    precision,
                    recall,
                    f1: div(2.0 * precision * recall, precision + recall),
                    support,
                }
            })
            .collect();
        let total = self.total();
        let avg = |weights: &dyn Fn(&ClassScores) -> f64| {
            let wsum: f64 = per_class.iter().map(weights).sum();
            let mean = |f: &dyn Fn(&ClassScores) -> f64| {
                div(per_class.iter().map(|s| weights(s) * f(s)).sum(), wsum)
            };
            ClassScores {
                precision: mean(&|s| s.precision),
                recall: mean(&|s| s.recall),
                f1: mean(&|s| s.f1),
                support: total,
            }
        };
        let trace: u64 = (0..k).map(|c| self.get(c, c)).sum();
        ClassificationReport {
            macro_avg: avg(&|_| 1.0),
            weighted_avg: avg(&|s| s.support as f64),
            accuracy: div(trace as f64, total as f64),
            per_class,
        }
    }
}

/// Expected calibration error with `bins` equal-width confidence bins (15 is the usual
/// choice): `sum_b |accuracy_b - confidence_b| * n_b / N`, confidence = the top probability.
/// Bins are `[lo, hi)` with a confidence of exactly 1 in the last bin (torchmetrics'
/// bucketing). `probs` is row-major `[N, classes]`.
pub fn expected_calibration_error(
    probs: &[f32],
    classes: usize,
    targets: &[usize],
    bins: usize,
) -> f64 {
    if classes == 0 || bins == 0 || targets.is_empty() {
        return 0.0;
    }
    let mut count = vec![0usize; bins];
    let mut conf = vec![0.0f64; bins];
    let mut correct = vec![0.0f64; bins];
    for (row, &t) in probs.chunks_exact(classes).zip(targets) {
        let p = argmax_rows(row, classes)[0];
        let c = f64::from(row[p]);
        let b = ((c * bins as f64) as usize).min(bins - 1);
        count[b] += 1;
        conf[b] += c;
        correct[b] += f64::from(u8::from(p == t));
    }
    let n = targets.len() as f64;
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| (correct[b] - conf[b]).abs() / n)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_and_top_k() {
        assert_eq!(accuracy(&[0, 1, 2, 2], &[0, 1, 1, 2]), 0.75);
        assert_eq!(accuracy(&[], &[]), 0.0);
        let scores = [0.1, 0.5, 0.4, 0.7, 0.2, 0.1, 0.3, 0.3, 0.4];
        assert_eq!(argmax_rows(&scores, 3), vec![1, 0, 2]);
        assert_eq!(top_k_accuracy(&scores, 3, &[2, 1, 1], 1), 0.0);
        assert_eq!(top_k_accuracy(&scores, 3, &[2, 1, 1], 2), 2.0 / 3.0);
        // Ties: class 0 precedes class 1 at 0.3, so target 1 is only in the top 2.
        assert_eq!(top_k_accuracy(&scores[6..], 3, &[1], 1), 0.0);
        assert_eq!(top_k_accuracy(&scores[6..], 3, &[1], 3), 1.0);
    }

    /// y_true = [0, 0, 1, 1, 2, 2, 2, 3], y_pred = [0, 1, 1, 1, 2, 0, 2, 0]: values from
    /// sklearn.metrics.precision_recall_fscore_support (class 3 is never predicted right:
    /// zero_division=0 gives precision 0 for it).
    #[test]
    fn report_matches_sklearn() {
        let mut cm = ConfusionMatrix::new(4);
        cm.update(&[0, 1, 1, 1, 2, 0, 2, 0], &[0, 0, 1, 1, 2, 2, 2, 3]);
        cm.update(&[9], &[0]);
        assert_eq!(cm.total(), 8);
        assert_eq!(cm.get(2, 0), 1);
        let r = cm.report();
        let p: Vec<f64> = r.per_class.iter().map(|s| s.precision).collect();
        let rec: Vec<f64> = r.per_class.iter().map(|s| s.recall).collect();
        assert_eq!(p, vec![1.0 / 3.0, 2.0 / 3.0, 1.0, 0.0]);
        assert_eq!(rec, vec![0.5, 1.0, 2.0 / 3.0, 0.0]);
        let f1 = [0.4, 0.8, 0.8, 0.0];
        for (s, f) in r.per_class.iter().zip(f1) {
            assert!((s.f1 - f).abs() < 1e-12);
        }
        assert!((r.macro_avg.precision - 0.5).abs() < 1e-12);
        assert!((r.macro_avg.f1 - 0.5).abs() < 1e-12);
        // weighted by supports [2, 2, 3, 1] / 8
        assert!((r.weighted_avg.f1 - (0.8 + 1.6 + 2.4) / 8.0).abs() < 1e-12);
        assert!((r.weighted_avg.recall - 0.625).abs() < 1e-12);
        assert_eq!(r.accuracy, 0.625);
        assert_eq!(cm.normalized_by_true()[0..4], [0.5, 0.5, 0.0, 0.0]);
    }

    #[test]
    fn calibration_error() {
        // Perfectly calibrated in expectation: two samples at 0.75 confidence, one wrong in 4.
        let probs = [0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25];
        assert!(expected_calibration_error(&probs, 2, &[0, 0, 0, 1], 15).abs() < 1e-12);
        // Always confident (1.0, last bin) and always wrong: ECE = 1.
        assert!((expected_calibration_error(&[1.0, 0.0], 2, &[1], 15) - 1.0).abs() < 1e-12);
        // Two bins: 0.6 right (|1 - 0.6|) and 0.9 wrong (|0 - 0.9|), each half the mass.
        let e = expected_calibration_error(&[0.6, 0.4, 0.1, 0.9], 2, &[0, 0], 15);
        assert!((e - (0.4 + 0.9) / 2.0).abs() < 1e-6, "{e}");
    }
}
