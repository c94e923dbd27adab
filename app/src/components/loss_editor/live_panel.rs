//! The loss at work, computed by the worker on every pause in typing: its value on a small
//! random batch beside the built-in cross-entropy's, "check gradient" (autograd against central
//! differences, in f64), and the loss of one sample as a function of the probability the model
//! gives its true class, drawn against cross-entropy's `-log p`.

use std::time::Duration;

use leptos::prelude::*;
use pixelgrad::loss::probe::{ProbeReport, ProbeRequest, GRADCHECK_TOLERANCE, PROBE_BATCH};

use super::state::{slider_value, Checked, LossChoice};
use crate::components::line_chart::{LineChart, Series};
use crate::worker::client::WorkerClient;
use crate::worker::protocol::Command;

/// Typing pause before the worker is asked (ms).
const DEBOUNCE_MS: u64 = 250;

/// Value, gradient check and curve of the current source.
#[component]
pub fn LivePanel(
    /// The loss being edited.
    choice: LossChoice,
    /// Its diagnostics.
    checked: Memo<Checked>,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let next_id = StoredValue::new(0u64);
    let checking = RwSignal::new(false);
    let classes = move || {
        worker
            .dataset
            .with(|d| d.as_ref().map_or(10, |d| d.classes.len()))
    };
    let request = move |gradcheck: bool| -> Option<ProbeRequest> {
        let c = checked.get_untracked();
        if c.has_errors() {
            return None;
        }
        next_id.update_value(|i| *i += 1);
        let values = choice.values.get_untracked();
        Some(ProbeRequest {
            id: next_id.get_value(),
            source: choice.source.get_untracked(),
            params: c
                .params
                .iter()
                .map(|p| (p.name.clone(), slider_value(p, &values)))
                .collect(),
            classes: classes(),
            seed: 0,
            gradcheck,
        })
    };
    // Ask again after each pause in typing or slider movement.
    Effect::new(move |_| {
        choice.source.track();
        choice.values.track();
        checked.track();
        let _ = classes();
        next_id.update_value(|i| *i += 1);
        let mine = next_id.get_value();
        set_timeout(
            move || {
                // The panel may be gone by now (the user chose the built-in loss).
                if next_id.try_get_value() == Some(mine) {
                    if let Some(r) = request(false) {
                        worker.send(&Command::ProbeLoss(r));
                    }
                }
            },
            Duration::from_millis(DEBOUNCE_MS),
        );
    });
    let check_gradient = move |_| {
        if let Some(r) = request(true) {
            checking.set(true);
            worker.send(&Command::ProbeLoss(r));
        }
    };
    // Only the answer to the latest question counts.
    let report = move || {
        worker
            .loss_probe
            .get()
            .filter(|r| r.id == next_id.get_value())
    };
    Effect::new(move |_| {
        if report().is_some_and(|r| r.gradcheck.is_some() || r.error.is_some()) {
            checking.set(false);
        }
    });
    let has_errors = move || checked.with(Checked::has_errors);
    let value_text = move || {
        if has_errors() {
            return "Fix the errors above to see the loss's value.".to_string();
        }
        match report() {
            None => "Computing…".into(),
            Some(ProbeReport { error: Some(e), .. }) => format!("Cannot evaluate: {e}"),
            Some(r) => format!(
                "Loss on a random batch of {PROBE_BATCH}: {} (built-in cross-entropy: {})",
                number(r.value),
                number(r.cross_entropy)
            ),
        }
    };
    let gradcheck_text = move || {
        report().and_then(|r| r.gradcheck).map(|g| {
            let verdict = if g.passes {
                "the gradient is right"
            } else {
                "the gradient does NOT match"
            };
            let class = if g.passes { "ok" } else { "error" };
            let error = g
                .max_error
                .map_or("not a number".to_string(), |e| format!("{e:.1e}"));
            view! {
                <p class=class data-testid="gradcheck-result" data-passes=g.passes.to_string()>
                    {format!("Max error {error} (tolerance {GRADCHECK_TOLERANCE:.0e}, {} samples × {} classes, f64): {verdict}.", g.batch, g.classes)}
                </p>
            }
        })
    };
    let curve = Signal::derive(move || {
        let points = report().map(|r| r.curve).unwrap_or_default();
        let reference = points.iter().map(|&(p, _)| (p, -p.ln())).collect();
        vec![
            Series {
                name: "this loss".into(),
                class: "series-0",
                points,
            },
            Series {
                name: "cross-entropy, −log p".into(),
                class: "series-1",
                points: reference,
            },
        ]
    });
    view! {
        <div class="loss-live" data-testid="loss-live">
            <p data-testid="loss-value" aria-live="polite">{value_text}</p>
            <button type="button" class="button" data-testid="check-gradient"
                disabled=move || has_errors() || checking.get() on:click=check_gradient>
                {move || if checking.get() { "Checking…" } else { "Check gradient" }}
            </button>
            {gradcheck_text}
            <LineChart title="Loss of one sample vs. the probability of its true class" series=curve
                x_label="probability the model gives the true class" />
        </div>
    }
}

fn number(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.4}"))
}
