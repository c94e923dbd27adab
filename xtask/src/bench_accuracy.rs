//! `cargo xtask bench accuracy`: test accuracy after a fixed training budget (LeNet-5+BN on
//! MNIST, a small ResNet on Fashion-MNIST, int8 LeNet-5), with wall time on the CPU and time per
//! step on the native GPU backend, from the `bench_accuracy` binary. Prints a table and writes
//! `bench-results/accuracy-<unix time>.json` and `accuracy-latest.json`.
//!
//! Options are passed on to the binary: `--only a,b`, `--gpu-steps N` (0: CPU only),
//! `--gpu-seconds S` (time limit of each GPU measurement), `--gpu-full` (train the whole
//! budget on the GPU too), `--fashion full|bundled`.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::util::{root, target_dir};

/// Builds and runs the benchmark, prints the table and stores the JSON.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = root();
    eprintln!("building bench_accuracy (release)...");
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "--release", "--quiet", "-p", "pixelgrad-tests"])
        .args(["--bin", "bench_accuracy"])
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err("building bench_accuracy failed".into());
    }
    let out = Command::new(target_dir().join("release/bench_accuracy"))
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("bench_accuracy: cannot start: {e}"))?;
    if !out.status.success() {
        return Err(format!("bench_accuracy failed with {}", out.status));
    }
    let mut report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("bench_accuracy: unreadable JSON: {e}"))?;
    print_table(&report);

    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    report["unix_time"] = stamp.into();
    let dir = root.join("bench-results");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    for name in [
        format!("accuracy-{stamp}.json"),
        "accuracy-latest.json".to_string(),
    ] {
        std::fs::write(dir.join(&name), &text).map_err(|e| format!("{name}: {e}"))?;
    }
    println!("wrote bench-results/accuracy-{stamp}.json");
    Ok(())
}

/// One row per recipe: model, data, epochs, test accuracy, CPU wall time, GPU time; then int8.
fn print_table(report: &Value) {
    let rows = report["results"].as_array().cloned().unwrap_or_default();
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    println!(
        "\n{:<16} {:<34} {:>6} {:>9} {:>10} {:>12} {:>16}",
        "model", "data", "epochs", "test acc", "CPU wall", "GPU ms/step", "GPU full budget"
    );
    for r in &rows {
        let gpu = &r["gpu"];
        let (gms, gfull) = if gpu.is_null() {
            ("-".to_string(), "-".to_string())
        } else if gpu["full_budget"] == true {
            (
                format!("{:.1}", num(&gpu["ms_per_step_after_warm_up"])),
                format!(
                    "{:.0} s, {:.2}%",
                    num(&gpu["wall_s"]),
                    100.0 * num(&gpu["test_accuracy"])
                ),
            )
        } else {
            (
                format!("{:.1}", num(&gpu["ms_per_step_after_warm_up"])),
                format!("~{:.0} s (proj.)", num(&gpu["projected_full_budget_s"])),
            )
        };
        println!(
            "{:<16} {:<34} {:>6} {:>8.2}% {:>8.1} s {:>12} {:>16}",
            r["model"].as_str().unwrap_or("?"),
            format!(
                "{} ({} train)",
                r["data"]
                    .as_str()
                    .and_then(|p| p.rsplit('/').next())
                    .map_or("?", |f| f.trim_end_matches(".safetensors")),
                r["train"]
            ),
            r["epochs"],
            100.0 * num(&r["test_accuracy"]),
            num(&r["cpu"]["wall_s"]),
            gms,
            gfull
        );
    }
    for r in &rows {
        let q = &r["int8"];
        if !q.is_null() {
            println!(
                "int8 {:<11} test acc {:.2}% (f32 {:.2}%, drop {:.2} points), {} bytes vs {} f32 ({:.2}x smaller)",
                r["model"].as_str().unwrap_or("?"),
                100.0 * num(&q["test_accuracy"]),
                100.0 * num(&q["f32_test_accuracy"]),
                num(&q["accuracy_drop_points"]),
                q["int8_bytes"],
                q["f32_bytes"],
                num(&q["ratio"])
            );
        }
    }
    println!("(GPU = the native wgpu backend; on Mesa lavapipe that is the CPU again, so GPU rows");
    println!(" time a few steps after warm-up and project the full budget unless --gpu-full)");
}
