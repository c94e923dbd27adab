//! The computation-graph widget: the learner's small expression as the core's autograd records
//! it, each node with its forward value and its gradient, and each leaf's gradient next to a
//! finite-difference estimate. The program is editable; the worker evaluates it.

use leptos::prelude::*;

use super::ask::ask_worker;
use crate::lessons::check::Observed;
use crate::lessons::graph_eval::{GraphNode, GraphReport};
use crate::lessons::graph_program::{GraphProgram, Line};
use crate::lessons::query::{Answer, Ask};
use crate::worker::client::WorkerClient;

const BOX_W: f64 = 120.0;
const BOX_H: f64 = 58.0;
const COL: f64 = 150.0;
const ROW: f64 = 74.0;

/// Shows and evaluates a graph program.
#[component]
pub fn GraphView(program: GraphProgram, observed: RwSignal<Observed>) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let source = RwSignal::new(to_source(&program));
    // Tall enough for the whole program, so no line hides below the fold.
    let rows = move || {
        source
            .with(|s| s.lines().count().clamp(4, 16) + 1)
            .to_string()
    };
    let error = RwSignal::new(None::<String>);
    let answer = RwSignal::new(ask_worker(worker, Ask::Graph { program }));
    let run = move |_| match GraphProgram::parse(&source.get_untracked()) {
        Ok(program) => {
            error.set(None);
            answer.set(ask_worker(worker, Ask::Graph { program }));
        }
        Err(e) => error.set(Some(e.to_string())),
    };
    Effect::new(move |_| {
        if let Some(Answer::Graph(report)) = answer.get().get() {
            observed.update(|o| o.gradcheck_error = Some(report.gradcheck_error));
        }
    });
    view! {
        <div class="widget graph-widget" data-testid="graph-widget">
            <label class="graph-source">"Program (edit the numbers or the expression)"
                <textarea rows=rows spellcheck="false" data-testid="graph-source" prop:value=move || source.get() on:input=move |e| source.set(event_target_value(&e))></textarea>
            </label>
            <button type="button" class="button" data-testid="graph-run" on:click=run>"Forward and backward"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match answer.get().get() {
                None => view! { <p class="detail">"Evaluating in the worker…"</p> }.into_any(),
                Some(Answer::Graph(report)) => view! { <GraphDrawing report /> }.into_any(),
                Some(Answer::Failed { message }) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Some(_) => ().into_any(),
            }}
        </div>
    }
}

fn to_source(program: &GraphProgram) -> String {
    program
        .lines
        .iter()
        .map(|l| match l {
            Line::Leaf { name, value } => format!("{name} = {value}"),
            Line::Assign { name, expr } => format!("{name} = {}", show_expr(expr)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn show_expr(e: &crate::lessons::graph_program::Expr) -> String {
    use crate::lessons::graph_program::{BinOp, Expr};
    match e {
        Expr::Const(c) => format!("{c}"),
        Expr::Var(v) => v.clone(),
        Expr::Call(f, x) => format!("{}({})", format!("{f:?}").to_lowercase(), show_expr(x)),
        Expr::Bin(BinOp::Sub, a, b) if **a == Expr::Const(0.0) => format!("-({})", show_expr(b)),
        Expr::Bin(op, a, b) => {
            let sym = match op {
                BinOp::Add => "+",
                BinOp::Sub => "-",
                BinOp::Mul => "*",
                BinOp::Div => "/",
            };
            format!("({} {sym} {})", show_expr(a), show_expr(b))
        }
    }
}

fn fmt(v: f64) -> String {
    if v == 0.0 || (1e-3..1e4).contains(&v.abs()) {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

/// Column of each node: 0 for leaves and constants, else one past its deepest input.
fn depths(nodes: &[GraphNode]) -> Vec<usize> {
    let mut d = vec![0; nodes.len()];
    for i in 0..nodes.len() {
        d[i] = nodes[i].inputs.iter().map(|&j| d[j] + 1).max().unwrap_or(0);
    }
    d
}

#[component]
fn GraphDrawing(report: GraphReport) -> impl IntoView {
    let depth = depths(&report.nodes);
    let mut row_in_col = vec![0usize; depth.iter().max().map_or(1, |m| m + 1)];
    let pos: Vec<(f64, f64)> = depth
        .iter()
        .map(|&c| {
            let r = row_in_col[c];
            row_in_col[c] += 1;
            (8.0 + c as f64 * COL, 8.0 + r as f64 * ROW)
        })
        .collect();
    let width = 16.0 + (row_in_col.len() as f64 - 1.0) * COL + BOX_W;
    let height = 16.0 + (*row_in_col.iter().max().unwrap_or(&1) as f64 - 1.0) * ROW + BOX_H;
    let edges = report
        .nodes
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.inputs.iter().map(move |&j| (j, i)))
        .map(|(from, to)| {
            let (x1, y1) = (pos[from].0 + BOX_W, pos[from].1 + BOX_H / 2.0);
            let (x2, y2) = (pos[to].0, pos[to].1 + BOX_H / 2.0);
            view! { <line class="graph-edge" x1=x1 y1=y1 x2=x2 y2=y2 marker-end="url(#graph-arrow)" /> }
        })
        .collect_view();
    let boxes = report
        .nodes
        .iter()
        .zip(&pos)
        .map(|(n, &(x, y))| {
            let title = match &n.name {
                Some(name) if n.op == "leaf" => format!("{name} (leaf)"),
                Some(name) => format!("{name} = {}", n.op),
                None => n.op.clone(),
            };
            let grad = n
                .grad
                .map(|g| format!("grad {}", fmt(g)))
                .unwrap_or_else(|| "no grad".into());
            let class = if n.op == "leaf" {
                "graph-node leaf"
            } else if n.op == "const" {
                "graph-node const"
            } else {
                "graph-node"
            };
            view! {
                <g class=class>
                    <rect x=x y=y width=BOX_W height=BOX_H rx="6" />
                    <text x=x + 8.0 y=y + 17.0 class="graph-title">{title}</text>
                    <text x=x + 8.0 y=y + 34.0>{format!("value {}", fmt(n.value))}</text>
                    <text x=x + 8.0 y=y + 50.0 class="graph-grad">{grad}</text>
                </g>
            }
        })
        .collect_view();
    let rows = report
        .leaves
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <th scope="row">{l.name.clone()}</th>
                    <td>{fmt(l.autograd)}</td>
                    <td>{fmt(l.numeric)}</td>
                    <td>{format!("{:.1e}", (l.autograd - l.numeric).abs())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="graph-scroll">
            <svg class="graph-svg" role="img" aria-label="computation graph with values and gradients" viewBox=format!("0 0 {width} {height}") width=width height=height>
                <defs>
                    <marker id="graph-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" />
                    </marker>
                </defs>
                {edges}
                {boxes}
            </svg>
        </div>
        <table class="metrics-table" data-testid="graph-leaves">
            <thead><tr><th scope="col">"leaf"</th><th scope="col">"autograd .grad"</th><th scope="col">"finite difference"</th><th scope="col">"difference"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <p data-testid="gradcheck">{format!("gradcheck: worst relative error {:.1e} (float64, central differences)", report.gradcheck_error)}</p>
    }
}
