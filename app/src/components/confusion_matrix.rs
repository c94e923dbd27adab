//! The confusion matrix and per-class precision, recall and F1 of the latest evaluation:
//! where accuracy hides which classes the model mixes up.

use leptos::prelude::*;
use pixelgrad::metrics::ConfusionMatrix;

use crate::worker::client::WorkerClient;

/// Shows the latest evaluation's confusion matrix (rows: true class, columns: predicted),
/// shaded by the share of each true class, and a per-class metrics table.
#[component]
pub fn ConfusionView(
    /// Called with `(true class, predicted class)` when a cell is clicked; cells are plain
    /// numbers without it.
    #[prop(optional)]
    on_cell: Option<Callback<(usize, usize)>>,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    move || {
        let eval = worker.training.with(|t| t.last_eval.clone())?;
        let names = worker
            .dataset
            .with(|d| d.as_ref().map(|d| d.classes.clone()))
            .unwrap_or_default();
        Some(view! {
            <section class="panel results" data-testid="results" aria-labelledby="results-title">
                <h2 id="results-title">"Results on the test set"</h2>
                <p>{format!(
                    "Accuracy {:.1}% · top-5 {:.1}% · calibration error (ECE) {:.3} · test loss {:.4}",
                    100.0 * eval.accuracy, 100.0 * eval.top5, eval.ece, eval.loss
                )}</p>
                <Matrix matrix=eval.confusion.clone() names=names.clone() on_cell />
                <ClassTable matrix=eval.confusion names />
            </section>
        })
    }
}

fn class_name(names: &[String], c: usize) -> String {
    names.get(c).cloned().unwrap_or_else(|| c.to_string())
}

#[component]
fn Matrix(
    matrix: ConfusionMatrix,
    names: Vec<String>,
    on_cell: Option<Callback<(usize, usize)>>,
) -> impl IntoView {
    let k = matrix.classes();
    let shares = matrix.normalized_by_true();
    let header = (0..k)
        .map(|p| view! { <th scope="col">{class_name(&names, p)}</th> })
        .collect_view();
    let rows = (0..k)
        .map(|t| {
            let cells = (0..k)
                .map(|p| {
                    let share = shares.get(t * k + p).copied().unwrap_or(0.0);
                    // Ten shades by share of the true class; the diagonal in green, mistakes in red.
                    let shade = (share * 9.0).round() as usize;
                    let class = if t == p {
                        format!("cm-cell hit-{shade}")
                    } else {
                        format!("cm-cell miss-{shade}")
                    };
                    let title = format!(
                        "true {}, predicted {}: {} ({:.1}% of {})",
                        class_name(&names, t),
                        class_name(&names, p),
                        matrix.get(t, p),
                        100.0 * share,
                        class_name(&names, t)
                    );
                    let count = matrix.get(t, p);
                    match on_cell {
                        Some(open) => view! {
                            <td class=class title=title.clone()>
                                <button type="button" class="cm-open" aria-label=title.clone() on:click=move |_| open.run((t, p))>{count}</button>
                            </td>
                        }
                        .into_any(),
                        None => view! { <td class=class title=title>{count}</td> }.into_any(),
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{class_name(&names, t)}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="cm-wrap">
            <table class="confusion" data-testid="confusion-matrix">
                <caption>"Confusion matrix: rows are the true class, columns the prediction"</caption>
                <thead><tr><th></th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn ClassTable(matrix: ConfusionMatrix, names: Vec<String>) -> impl IntoView {
    let report = matrix.report();
    let row = |name: String, s: &pixelgrad::metrics::ClassScores| {
        view! {
            <tr>
                <th scope="row">{name}</th>
                <td>{format!("{:.3}", s.precision)}</td>
                <td>{format!("{:.3}", s.recall)}</td>
                <td>{format!("{:.3}", s.f1)}</td>
                <td>{s.support}</td>
            </tr>
        }
    };
    let rows = report
        .per_class
        .iter()
        .enumerate()
        .map(|(c, s)| row(class_name(&names, c), s))
        .collect_view();
    view! {
        <table class="metrics" data-testid="class-metrics">
            <caption>"Per-class precision, recall and F1"</caption>
            <thead><tr><th scope="col">"class"</th><th scope="col">"precision"</th><th scope="col">"recall"</th><th scope="col">"F1"</th><th scope="col">"support"</th></tr></thead>
            <tbody>
                {rows}
                {row("macro average".into(), &report.macro_avg)}
                {row("weighted average".into(), &report.weighted_avg)}
            </tbody>
        </table>
    }
}
