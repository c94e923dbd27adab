//! What the loss editor shows besides the diagnostics: the loss's value on a small seeded batch
//! (next to the built-in cross-entropy's on the same batch), its value as a function of the
//! true-class probability, and on request a gradient check. The training worker computes it
//! (the page's wasm stays free of the tensor kernels); every evaluation is bounded by the
//! language's cost limit, and the batch here is tiny, so a probe takes milliseconds.

use serde::{Deserialize, Serialize};

use super::dsl::{analyze, gradcheck, Env, Inputs, Loss, LossError};
use crate::ops::CrossEntropyOptions;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Samples of the live-value batch.
pub const PROBE_BATCH: usize = 8;
/// Points of the probability curve.
pub const CURVE_POINTS: usize = 49;
/// Samples and most classes of the gradient check's batch (central differences cost two
/// evaluations per weight).
const GRADCHECK_BATCH: usize = 6;
const GRADCHECK_MAX_CLASSES: usize = 6;

/// What the editor asks about a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRequest {
    /// Echoed in the report, so the editor can drop answers to older keystrokes.
    pub id: u64,
    /// The loss source.
    pub source: String,
    /// Slider values (defaults for sliders not listed).
    pub params: Vec<(String, f64)>,
    /// Classes of the loaded data set (clamped to 2..=100).
    pub classes: usize,
    /// Seed of the random batch.
    pub seed: u64,
    /// Also run the gradient check (the "check gradient" button).
    pub gradcheck: bool,
}

/// The answer to a [`ProbeRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeReport {
    /// The request's id.
    pub id: u64,
    /// Why the loss could not be evaluated, in words; the other fields are then empty.
    pub error: Option<String>,
    /// The loss on the seeded batch.
    pub value: Option<f64>,
    /// The built-in cross-entropy on the same batch, for comparison.
    pub cross_entropy: Option<f64>,
    /// `(p, loss)` of one sample whose true class has probability `p` and the other classes
    /// share the rest evenly, for `p` from 0.02 to 0.98 (points where the loss is not finite
    /// are left out).
    pub curve: Vec<(f64, f64)>,
    /// The gradient check, when asked for.
    pub gradcheck: Option<GradcheckSummary>,
}

/// The outcome of "check gradient".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradcheckSummary {
    /// Worst relative error of autograd against central differences, in f64 (`None` when
    /// it is not a finite number).
    pub max_error: Option<f64>,
    /// Below the tolerance [`GRADCHECK_TOLERANCE`].
    pub passes: bool,
    /// Samples and classes of the batch it ran on.
    pub batch: usize,
    /// Classes of the batch it ran on.
    pub classes: usize,
}

/// Largest relative error a correct gradient shows in f64 central differences.
pub const GRADCHECK_TOLERANCE: f64 = 1e-5;

/// Evaluates the request. Never panics; a source with errors gives a report with `error` set
/// (the page shows the checker's diagnostics itself).
pub fn probe(request: &ProbeRequest) -> ProbeReport {
    let mut report = ProbeReport {
        id: request.id,
        error: None,
        value: None,
        cross_entropy: None,
        curve: Vec::new(),
        gradcheck: None,
    };
    let classes = request.classes.clamp(2, 100);
    let analysis = analyze(&request.source, &Env::default());
    let Some(loss) = analysis.loss else {
        report.error = Some(match analysis.diagnostics.iter().find(|d| d.is_error()) {
            Some(d) => format!("the loss has errors: {}", d.message),
            None => "the loss has errors".into(),
        });
        return report;
    };
    match live_value(&loss, &request.params, classes, request.seed) {
        Ok((value, ce)) => {
            report.cross_entropy = ce.is_finite().then_some(ce);
            if !value.is_finite() {
                report.error = Some(format!("the loss is {value} on this batch"));
                return report;
            }
            report.value = Some(value);
        }
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    }
    report.curve = (1..=CURVE_POINTS)
        .filter_map(|i| {
            let p = i as f64 / (CURVE_POINTS + 1) as f64;
            one_sample(&loss, &request.params, classes, p)
                .ok()
                .filter(|v| v.is_finite())
                .map(|v| (p, v))
        })
        .collect();
    if request.gradcheck {
        let c = classes.min(GRADCHECK_MAX_CLASSES);
        match gradcheck(&loss, GRADCHECK_BATCH, c, request.seed) {
            Ok(r) => {
                report.gradcheck = Some(GradcheckSummary {
                    max_error: r.max_error.is_finite().then_some(r.max_error),
                    passes: r.passes(GRADCHECK_TOLERANCE),
                    batch: GRADCHECK_BATCH,
                    classes: c,
                })
            }
            Err(e) => report.error = Some(format!("the gradient check failed: {e}")),
        }
    }
    report
}

/// Inputs whose logits are a leaf the loss may differentiate with respect to (`grad_norm`
/// then sees an identity model).
fn inputs(logits: Vec<f32>, target: Vec<f32>, classes: usize) -> crate::Result<Inputs> {
    let b = target.len();
    let x = Tensor::from_vec(logits, [b, classes])?.requires_grad_()?;
    let t = Tensor::from_vec(target, [b])?;
    Ok(Inputs::new(x.clone(), t).wrt(x))
}

fn live_value(
    loss: &Loss,
    params: &[(String, f64)],
    classes: usize,
    seed: u64,
) -> Result<(f64, f64), LossError> {
    let mut rng = Rng::new(seed);
    let logits = rng.normal(PROBE_BATCH * classes, 0.0, 2.0);
    let target: Vec<f32> = (0..PROBE_BATCH)
        .map(|i| ((i * 7 + seed as usize) % classes) as f32)
        .collect();
    let wrap = |r: crate::Result<f64>| {
        r.map_err(|source| LossError::Tensor {
            span: loss.program().result.span,
            source,
        })
    };
    let mut given = inputs(logits, target, classes).map_err(|source| LossError::Tensor {
        span: loss.program().result.span,
        source,
    })?;
    given.params = params.to_vec();
    let value = loss.evaluate(&given)?;
    let value = wrap(value.item())?;
    let ce = given
        .logits
        .cross_entropy(&given.target, &CrossEntropyOptions::default());
    let ce = wrap(ce.and_then(|c| c.item()))?;
    Ok((value, ce))
}

/// The loss of one sample whose true class (0) has probability `p`.
fn one_sample(
    loss: &Loss,
    params: &[(String, f64)],
    classes: usize,
    p: f64,
) -> Result<f64, LossError> {
    let rest = ((1.0 - p) / (classes - 1) as f64).ln() as f32;
    let mut logits = vec![rest; classes];
    logits[0] = p.ln() as f32;
    let mut given = inputs(logits, vec![0.0], classes).map_err(|source| LossError::Tensor {
        span: loss.program().result.span,
        source,
    })?;
    given.params = params.to_vec();
    let v = loss.evaluate(&given)?;
    v.item().map_err(|source| LossError::Tensor {
        span: loss.program().result.span,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::dsl::Preset;

    fn request(name: &str, gradcheck: bool) -> ProbeRequest {
        ProbeRequest {
            id: 3,
            source: Preset::get(name).expect("preset").source.into(),
            params: Vec::new(),
            classes: 10,
            seed: 1,
            gradcheck,
        }
    }

    #[test]
    fn cross_entropy_matches_the_built_in_and_its_curve_is_minus_log_p() {
        let r = probe(&request("cross_entropy", true));
        assert_eq!((r.id, r.error.as_deref()), (3, None));
        let (v, ce) = (r.value.expect("value"), r.cross_entropy.expect("ce"));
        assert!((v - ce).abs() < 1e-5, "{v} vs {ce}");
        assert_eq!(r.curve.len(), CURVE_POINTS);
        for &(p, l) in &r.curve {
            assert!((l + p.ln()).abs() < 1e-4, "p {p}: {l}");
        }
        let g = r.gradcheck.expect("checked");
        assert!(g.passes, "max error {:?}", g.max_error);
    }

    #[test]
    fn focal_is_below_cross_entropy_and_flat_near_one() {
        let r = probe(&request("focal", false));
        let (v, ce) = (r.value.expect("value"), r.cross_entropy.expect("ce"));
        assert!(v < ce, "{v} vs {ce}");
        let &(p, l) = r.curve.last().expect("points");
        assert!(l < 1e-4 * -p.ln() * 10.0, "p {p}: {l}");
        assert!(r.gradcheck.is_none());
    }

    #[test]
    fn errors_are_reported_not_panicked() {
        let mut bad = request("focal", true);
        bad.source = "mean(-gather(log_prob, target))".into();
        let r = probe(&bad);
        assert!(r.error.expect("error").contains("log_probs"));
        let mut range = request("focal", false);
        range.params = vec![("gamma".into(), 99.0)];
        assert!(probe(&range).error.expect("error").contains("gamma"));
        let mut nan = request("focal", false);
        nan.source = "mean(log(logits - logits - 1))".into();
        let r = probe(&nan);
        assert!(r.error.as_deref().unwrap_or("").contains("NaN"), "{r:?}");
        let json = serde_json::to_string(&r).expect("serializes");
        assert_eq!(
            serde_json::from_str::<ProbeReport>(&json).expect("reads"),
            r
        );
    }
}
