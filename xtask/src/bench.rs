//! `cargo xtask bench`: native CPU timings of pixelgrad (LeNet-5 and MLP training steps, a
//! 1024^3 matmul) from the `bench_cpu` binary, the same workloads in PyTorch CPU with 2 threads
//! when a Python with torch is available, ratios printed, everything written as JSON under
//! `bench-results/`.
//!
//! Options: `--W <warmup>` `--N <timed>` (default 5, 30), `--no-torch`. Environment:
//! `PIXELGRAD_TORCH_PYTHON` picks the Python (else `/opt/torchenv/bin/python`, else `python3`),
//! `WAIT_IDLE_S` bounds the wait for a quiet machine (default 120 s; 0 disables it).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// Busy and total jiffies of all CPUs, from /proc/stat (Linux); None elsewhere.
fn cpu_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 5 {
        return None;
    }
    let total: u64 = v.iter().take(8).sum();
    Some((total - v[3] - v[4], total))
}

/// Waits until the whole machine is less than 15% busy over 2 s (other builds distort timings
/// on a 2-core box), at most `WAIT_IDLE_S` seconds. Returns the last busy fraction seen.
fn wait_for_quiet_machine() -> Option<f64> {
    let max_wait: u64 = std::env::var("WAIT_IDLE_S")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let start = Instant::now();
    loop {
        let (b0, t0) = cpu_jiffies()?;
        std::thread::sleep(Duration::from_secs(2));
        let (b1, t1) = cpu_jiffies()?;
        let busy = (b1 - b0) as f64 / (t1 - t0).max(1) as f64;
        if busy < 0.15 || start.elapsed().as_secs() >= max_wait {
            return Some(busy);
        }
        eprintln!("  waiting for a quiet machine: {:.0}% busy", busy * 100.0);
    }
}

fn run_json(cmd: &mut Command, what: &str) -> Result<Value, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(format!("{what} failed with {}", out.status));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("{what}: unreadable JSON: {e}"))
}

/// A Python interpreter that can import torch, if any.
fn torch_python() -> Option<String> {
    let candidates = [
        std::env::var("PIXELGRAD_TORCH_PYTHON").ok(),
        Some("/opt/torchenv/bin/python".to_string()),
        Some("python3".to_string()),
    ];
    candidates.into_iter().flatten().find(|py| {
        Command::new(py)
            .args(["-c", "import torch"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn arg<'a>(args: &'a [String], name: &str, default: &'a str) -> &'a str {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, String::as_str)
}

fn find<'a>(report: &'a Value, workload: &str) -> Option<&'a Value> {
    report["results"]
        .as_array()?
        .iter()
        .find(|r| r["workload"] == workload)
}

/// `cargo xtask bench [native|browser|accuracy] [options]`: every suite by default, or one.
pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("native") => native(&args[1..]),
        Some("browser") => crate::bench_browser::run(&args[1..]),
        Some("accuracy") => crate::bench_accuracy::run(&args[1..]),
        _ => native(args)
            .and_then(|()| crate::bench_browser::run(args))
            .and_then(|()| crate::bench_accuracy::run(&[])),
    }
}

/// pixelgrad native CPU against PyTorch CPU.
fn native(args: &[String]) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    let (w, n) = (arg(args, "--W", "5"), arg(args, "--N", "30"));

    eprintln!("building bench_cpu (release)...");
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "pixelgrad-tests",
            "--bin",
            "bench_cpu",
        ])
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err("building bench_cpu failed".into());
    }
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root.join("target"), Into::into);
    let busy_before = wait_for_quiet_machine();
    let ours = run_json(
        Command::new(target.join("release/bench_cpu")).args(["--W", w, "--N", n]),
        "bench_cpu",
    )?;

    let torch = if args.iter().any(|a| a == "--no-torch") {
        None
    } else if let Some(py) = torch_python() {
        eprintln!("PyTorch reference with {py} (2 threads)...");
        wait_for_quiet_machine();
        let script = root.join("tests/bench/torch_cpu.py");
        Some(run_json(
            Command::new(&py)
                .arg(script)
                .args(["--threads", "2", "--W", w, "--N", n]),
            "torch_cpu.py",
        )?)
    } else {
        eprintln!(
            "no Python with torch found (set PIXELGRAD_TORCH_PYTHON); skipping the PyTorch rows"
        );
        None
    };

    println!(
        "\n{:<8} {:>14} {:>16} {:>14} {:>8}",
        "workload", "pixelgrad ms", "(cpu ms/step)", "pytorch ms", "ratio"
    );
    let mut ratios = serde_json::Map::new();
    for work in ["lenet", "mlp", "matmul"] {
        let Some(p) = find(&ours, work) else { continue };
        let pm = p["median_ms"].as_f64().unwrap_or(f64::NAN);
        let tm = torch
            .as_ref()
            .and_then(|t| find(t, work))
            .and_then(|r| r["median_ms"].as_f64());
        let ratio = tm.map(|t| pm / t);
        let fmt = |v: Option<f64>, d: usize| v.map_or("-".to_string(), |v| format!("{v:.d$}"));
        let cpu = p["cpu_ms_per_step"].as_f64();
        println!(
            "{:<8} {:>14.3} {:>16} {:>14} {:>8}",
            work,
            pm,
            fmt(cpu, 2),
            fmt(tm, 3),
            fmt(ratio, 2)
        );
        if let Some(r) = ratio {
            ratios.insert(work.to_string(), json!(r));
        }
        if work == "matmul" {
            let g = |r: &Value| r["gflops"].as_f64();
            let tg = torch.as_ref().and_then(|t| find(t, work)).and_then(g);
            println!(
                "{:<8} {:>9} GF/s {:>16} {:>9} GF/s",
                "",
                fmt(g(p), 1),
                "",
                fmt(tg, 1)
            );
        }
    }
    println!("(ratio = pixelgrad / pytorch median step time, below 1 means pixelgrad is faster;");
    println!(
        " cpu ms/step = pixelgrad process CPU time per step, all threads, robust to contention)"
    );

    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let report = json!({
        "kind": "cpu-native",
        "unix_time": stamp,
        "machine_busy_before": busy_before,
        "pixelgrad": ours,
        "pytorch": torch,
        "ratio_pixelgrad_over_pytorch": ratios,
    });
    let dir = root.join("bench-results");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    for name in [
        format!("cpu-native-{stamp}.json"),
        "cpu-native-latest.json".to_string(),
    ] {
        std::fs::write(dir.join(&name), &text).map_err(|e| format!("{name}: {e}"))?;
    }
    println!("wrote bench-results/cpu-native-{stamp}.json");
    Ok(())
}
