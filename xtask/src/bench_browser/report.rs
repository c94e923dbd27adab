//! The browser benchmark's verdict: a table per workload with every lib:backend, pixelgrad's
//! best backend as a ratio against the best peer (issue 5's targets), loss checks, contention,
//! and the GPU memory series. The summary is also written back into the results JSON.

use std::path::Path;

use serde_json::{json, Value};

/// Issue 5's targets, as ratios in one run: time ratios for the training steps (lower is
/// better), the GFLOP/s ratio for the matmul (higher is better).
const TARGETS: &[(&str, Target)] = &[
    ("lenet", Target::TimeAtMost(0.1)),
    ("mlp", Target::TimeAtMost(0.5)),
    ("matmul", Target::GflopsAtLeast(1.5)),
];

/// Other processes using more than this share of the machine make a row's timing suspect.
const MAX_FOREIGN: f64 = 0.05;

#[derive(Clone, Copy)]
enum Target {
    TimeAtMost(f64),
    GflopsAtLeast(f64),
}

/// One lib:backend on one workload, as the driver recorded it.
struct Row<'a> {
    name: String,
    pixelgrad: bool,
    r: &'a Value,
    foreign_cpu: f64,
}

/// Largest relative difference of a matmul's C[0] from the peers' before the product counts
/// as wrong.
const MATMUL_TOLERANCE: f64 = 1e-3;

impl Row<'_> {
    /// The median step time, only for a run that finished and computed the right thing: an
    /// invalid row never becomes anyone's "best".
    fn median(&self) -> Option<f64> {
        self.r["median_ms"]
            .as_f64()
            .filter(|_| self.r["error"].is_null() && self.r["invalid"].is_null())
    }
    fn losses(&self) -> Vec<f64> {
        self.r["losses"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    }
}

/// Prints the table of an earlier results file without running anything.
pub fn print_file(path: &Path) -> Result<(), String> {
    let mut data = read(path)?;
    mark_invalid(&mut data);
    print!("{}", render(&data).0);
    Ok(())
}

/// Prints the table and stores the summary in the results file.
pub fn summarize(path: &Path) -> Result<(), String> {
    let mut data = read(path)?;
    mark_invalid(&mut data);
    let (text, summary) = render(&data);
    print!("{text}");
    println!("results: {}", path.display());
    data["summary"] = summary;
    let body = serde_json::to_string_pretty(&data).map_err(|e| format!("cannot encode: {e}"))?;
    std::fs::write(path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn read(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// Marks every result that failed a correctness check with `invalid` (the reason), in place:
/// a training step whose first loss differs from the peers' or whose loss did not decrease, and
/// a matmul whose C[0] differs from the peers' (their median value). Returns how many.
fn mark_invalid(data: &mut Value) -> usize {
    let mut peer_c0 = Vec::new();
    for r in results(data) {
        if r["workload"] == "matmul" && r["lib"] != "pixelgrad" && r["error"].is_null() {
            if let Some(v) = r["losses"].get(0).and_then(Value::as_f64) {
                peer_c0.push(v);
            }
        }
    }
    peer_c0.sort_by(f64::total_cmp);
    let reference = peer_c0.get(peer_c0.len() / 2).copied();
    let mut count = 0;
    for run in data["runs"].as_array_mut().into_iter().flatten() {
        for r in run["results"].as_array_mut().into_iter().flatten() {
            if let Some(why) = invalid_reason(r, reference) {
                r["invalid"] = Value::String(why);
                count += 1;
            }
        }
    }
    count
}

fn results(data: &Value) -> impl Iterator<Item = &Value> {
    data["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|run| run["results"].as_array().into_iter().flatten())
}

fn invalid_reason(r: &Value, matmul_reference: Option<f64>) -> Option<String> {
    if !r["error"].is_null() || r["median_ms"].is_null() {
        return None;
    }
    if r["workload"] == "matmul" {
        let (Some(c0), Some(want)) = (r["losses"].get(0).and_then(Value::as_f64), matmul_reference)
        else {
            return None;
        };
        let rel = (c0 - want).abs() / want.abs().max(1e-6);
        return (!c0.is_finite() || rel > MATMUL_TOLERANCE)
            .then(|| format!("C[0] = {c0} but the peers compute {want}"));
    }
    let first = r["losses"].get(0).and_then(Value::as_f64);
    if r["initial_loss_ok"] != true {
        return Some(format!(
            "first loss {} but the peers start at {}",
            first.map_or("missing".into(), |v| format!("{v:.4}")),
            r["initial_loss_expected"]
        ));
    }
    if r["loss_decreased"] != true {
        return Some("the loss did not decrease".into());
    }
    None
}

fn rows_of<'a>(data: &'a Value, workload: &str) -> Vec<Row<'a>> {
    let runs = data["runs"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let mut rows = Vec::new();
    for run in runs {
        let foreign_cpu = run["contention"]["foreign_cpu_frac"]
            .as_f64()
            .unwrap_or(0.0);
        let results = run["results"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        for r in results.iter().filter(|r| r["workload"] == workload) {
            let lib = r["lib"].as_str().unwrap_or("?");
            rows.push(Row {
                name: format!("{lib}:{}", r["backend"].as_str().unwrap_or("?")),
                pixelgrad: lib == "pixelgrad",
                r,
                foreign_cpu,
            });
        }
    }
    rows.sort_by(|a, b| {
        let key = |r: &Row| r.median().unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b))
    });
    rows
}

fn fastest<'r, 'a>(rows: &'r [Row<'a>], pixelgrad: bool) -> Option<&'r Row<'a>> {
    rows.iter()
        .filter(|r| r.pixelgrad == pixelgrad && r.median().is_some())
        .min_by(|a, b| {
            a.median()
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.median().unwrap_or(f64::INFINITY))
        })
}

/// The table as text and the summary as JSON.
fn render(data: &Value) -> (String, Value) {
    let mut out = format!(
        "\nbrowser benchmark, {} on {} cores, {}\n",
        data["browser"].as_str().unwrap_or("?"),
        data["cpus"],
        data["date"].as_str().unwrap_or("?")
    );
    let mut summary = serde_json::Map::new();
    for &(workload, target) in TARGETS {
        let rows = rows_of(data, workload);
        if rows.is_empty() {
            continue;
        }
        let best_peer = fastest(&rows, false);
        out.push_str(&format!(
            "\n{workload:<7} {:<18} {:>10} {:>9} {:>8} {:>9}  loss first -> last / notes\n",
            "lib:backend", "median ms", "min ms", "GFLOP/s", "vs peer"
        ));
        for row in &rows {
            out.push_str(&line(row, best_peer, target));
        }
        let ours = fastest(&rows, true);
        let verdict = verdict(&rows, ours, best_peer, target);
        out.push_str(&format!(
            "  => {}\n",
            verdict["text"].as_str().unwrap_or("")
        ));
        summary.insert(workload.to_string(), verdict);
    }
    let memory = memory(data);
    out.push_str(&format!(
        "\nGPU memory (pixelgrad:webgpu, LeNet): {}\n",
        memory["text"].as_str().unwrap_or("")
    ));
    summary.insert("gpu_memory".into(), memory);
    (out, Value::Object(summary))
}

fn line(row: &Row, best_peer: Option<&Row>, target: Target) -> String {
    let r = row.r;
    let fmt = |v: Option<f64>, p: usize| v.map_or("-".to_string(), |v| format!("{v:.p$}"));
    let ratio = match (row.median(), best_peer.and_then(Row::median)) {
        (Some(m), Some(p)) => Some(match target {
            Target::TimeAtMost(_) => m / p,
            Target::GflopsAtLeast(_) => p / m,
        }),
        _ => None,
    };
    let mut notes = Vec::new();
    if let Some(e) = r["error"].as_str() {
        notes.push(format!(
            "FAILED: {}",
            e.lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(90)
                .collect::<String>()
        ));
    }
    let losses = row.losses();
    if let (Some(first), Some(last)) = (losses.first(), losses.last()) {
        if target_is_training(target) {
            notes.push(format!("{first:.4} -> {last:.4}"));
        }
    }
    if let Some(why) = r["invalid"].as_str() {
        notes.push(format!("INVALID, not ranked: {why}"));
    }
    if row.pixelgrad && target_is_training(target) {
        if let Some(peer) = best_peer {
            let d = trajectory_gap(&losses, &peer.losses());
            if let Some(d) = d {
                notes.push(format!("max |loss - {}| {d:.1e}", peer.name));
            }
        }
    }
    if let (Some(d), Some(s)) = (
        r["gpu_dispatches_per_step"].as_f64(),
        r["gpu_submits_per_step"].as_f64(),
    ) {
        notes.push(format!("{d:.0} dispatches, {s:.0} submits per step"));
    }
    if let Some(n) = r["n_timed"].as_u64().filter(|&n| n < 30) {
        notes.push(format!("{n} timed steps (cap)"));
    }
    if row.foreign_cpu > MAX_FOREIGN {
        notes.push(format!("CONTENDED {:.0}%", row.foreign_cpu * 100.0));
    }
    format!(
        "  {:<2}{:<20} {:>10} {:>9} {:>8} {:>9}  {}\n",
        if row.pixelgrad { "*" } else { "" },
        row.name,
        fmt(r["median_ms"].as_f64().filter(|_| r["error"].is_null()), 2),
        fmt(r["min_ms"].as_f64(), 2),
        fmt(r["gflops"].as_f64(), 2),
        ratio.map_or("-".into(), |x| format!("{x:.3}x")),
        notes.join("; ")
    )
}

fn target_is_training(t: Target) -> bool {
    matches!(t, Target::TimeAtMost(_))
}

/// Largest difference between two loss trajectories over their common steps.
fn trajectory_gap(a: &[f64], b: &[f64]) -> Option<f64> {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).reduce(f64::max)
}

fn verdict(rows: &[Row], ours: Option<&Row>, peer: Option<&Row>, target: Target) -> Value {
    let refused: Vec<&str> = rows
        .iter()
        .filter(|r| r.pixelgrad && !r.r["invalid"].is_null())
        .map(|r| r.name.as_str())
        .collect();
    if ours.is_none() && !refused.is_empty() {
        return json!({
            "text": format!("INVALID: {} computed the wrong thing; no ratio", refused.join(", ")),
            "pass": false, "invalid": refused,
        });
    }
    let (Some(ours), Some(peer)) = (ours, peer) else {
        return json!({ "text": "no ratio: pixelgrad or every peer has no result", "pass": null });
    };
    let (m, p) = (
        ours.median().unwrap_or(f64::NAN),
        peer.median().unwrap_or(f64::NAN),
    );
    let (ratio, pass, goal) = match target {
        Target::TimeAtMost(t) => (m / p, m / p <= t, format!("time ratio <= {t}")),
        Target::GflopsAtLeast(t) => (p / m, p / m >= t, format!("GFLOP/s ratio >= {t}")),
    };
    let text = format!(
        "pixelgrad best {} {m:.2} ms vs best peer {} {p:.2} ms: {ratio:.3}x ({goal}: {})",
        ours.name,
        peer.name,
        if pass { "PASS" } else { "MISS" }
    );
    let text = if refused.is_empty() {
        text
    } else {
        format!("{text}; INVALID and not counted: {}", refused.join(", "))
    };
    json!({ "text": text, "ratio": ratio, "pass": pass, "pixelgrad": ours.name, "best_peer": peer.name,
            "pixelgrad_ms": m, "best_peer_ms": p, "invalid": refused })
}

/// The pixelgrad WebGPU LeNet run's buffer pool after each step (buffers created so far, bytes
/// idle): flat once the pool is warm means steady-state steps allocate nothing.
fn memory(data: &Value) -> Value {
    let lenet = results(data)
        .find(|r| r["lib"] == "pixelgrad" && r["backend"] == "webgpu" && r["workload"] == "lenet");
    if let Some(why) = lenet.and_then(|r| r["invalid"].as_str()) {
        return json!({ "text": format!("not judged: the LeNet run is INVALID ({why})"), "flat": null });
    }
    let series = |key: &str| -> Vec<f64> {
        lenet
            .and_then(|r| r[key].as_array())
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let (created, free) = (series("gpu_buffers_created"), series("gpu_pool_free_bytes"));
    if created.len() < 10 {
        return json!({ "text": "not reported (no pixelgrad WebGPU LeNet run with pool statistics)", "flat": null });
    }
    let at = |v: &[f64], i: usize| {
        v.get(i.min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    let n = created.len();
    let flat = at(&created, n - 1) <= at(&created, 9);
    json!({
        "text": format!(
            "buffers created {} after step 1, {} after step 10, {} after step {n}; {:.2} MB idle in the pool at the end ({})",
            at(&created, 0), at(&created, 9), at(&created, n - 1), at(&free, n - 1) / 1e6,
            if flat { "no allocation after warm-up: PASS" } else { "still allocating: MISS" }),
        "flat": flat, "steps": n, "buffers_created": created, "pool_free_bytes": free,
    })
}

#[cfg(test)]
mod tests;
