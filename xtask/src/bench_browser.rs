//! `cargo xtask bench browser`: pixelgrad's training steps beside TensorFlow.js 4.22 and jax-js
//! 0.1.25 in one headless Chromium session on this machine (issue 5's benchmark).
//!
//! Installs the peers into `tests/bench/browser/node_modules` (never into the app), builds the
//! wasm entry `tests/bench/wasm` into `tests/bench/browser/pkg`, serves that folder with the app's
//! COOP/COEP headers, runs `driver.mjs` (playwright-core, system Chromium, one fresh context per
//! lib:backend), then writes `bench-results/browser-<time>.json` and prints ratios against the
//! best peer per workload.

mod report;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::util::{self, command, run as exec, step};

const TARGET: &str = "wasm32-unknown-unknown";

const USAGE: &str = "usage: cargo xtask bench browser [options]
  --configs LIST   lib:backend list (default: every one), e.g. pixelgrad:cpu,jax:wasm
  --work LIST      workloads (default lenet,mlp,matmul)
  --steps N, --N N timed steps per workload (default 30; median reported)
  --warmup W, --W W  warm-up steps (default 5)
  --cap MS         stop timing a workload after MS of timed wall-clock (default 60000)
  --wait-idle S    wait up to S seconds for an idle machine before each config (default 60)
  --attempts K     rerun a config up to K times while other processes contend (default 1)
  --no-build       use the wasm already in tests/bench/browser/pkg
  --report FILE    only print the table of an earlier results file";

pub fn run(args: &[String]) -> Result<(), String> {
    let mut driver_args: Vec<String> = Vec::new();
    let mut build = true;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--no-build" => {
                build = false;
                continue;
            }
            // The native bench's own flag; `cargo xtask bench` passes its arguments to both.
            "--no-torch" => continue,
            _ => {}
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let name = match flag.as_str() {
            "--report" => return report::print_file(Path::new(value)),
            "--steps" | "--N" => "--N",
            "--warmup" | "--W" => "--W",
            "--configs" | "--work" | "--cap" | "--wait-idle" | "--attempts" => flag,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        };
        driver_args.extend([name.to_string(), value.clone()]);
    }
    let root = util::root();
    let site = root.join("tests").join("bench").join("browser");
    step(
        "node packages (playwright-core; peers in tests/bench/browser)",
        || {
            npm_ci_if_stale(&root)?;
            npm_ci_if_stale(&site)
        },
    )?;
    if build {
        step("pixelgrad-bench wasm (release, simd128)", || {
            build_wasm(&site.join("pkg"))
        })?;
    }
    let out_dir = root.join("bench-results");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let out = out_dir.join(format!("browser-{}.json", unix_seconds()));
    let server = crate::serve::start(site.clone(), 0)?;
    step("Chromium: every lib:backend", || {
        exec(
            command("node")
                .arg(site.join("driver.mjs"))
                .args(["--url", &server.url, "--out"])
                .arg(&out)
                .args(&driver_args),
        )
    })?;
    drop(server);
    report::summarize(&out)
}

/// `npm ci` in `dir` unless its node_modules was installed from the same package-lock.json
/// (a stamp file records it), so repeated benchmark runs cost nothing here.
fn npm_ci_if_stale(dir: &Path) -> Result<(), String> {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules").join(".pixelgrad-lock");
    let lock_text = std::fs::read_to_string(&lock)
        .map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock_text.as_str()) {
        println!("    {}: node_modules up to date", dir.display());
        return Ok(());
    }
    exec(
        command("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir),
    )?;
    std::fs::write(&stamp, lock_text).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}

/// Builds the wasm entry exactly as the app ships its wasm: the app's cargo profile and
/// rustflags (`.cargo/config.toml`: SIMD128, as the peers' wasm backends use), then the same
/// `wasm-opt` pass, so the figures are those of the product, not of a faster build of it.
fn build_wasm(pkg: &Path) -> Result<(), String> {
    exec(command("cargo").args([
        "build",
        "-p",
        "pixelgrad-bench",
        "--profile",
        crate::build::PROFILE,
        "--target",
        TARGET,
    ]))?;
    let wasm = util::target_dir()
        .join(TARGET)
        .join(crate::build::PROFILE)
        .join("pixelgrad_bench.wasm");
    exec(
        command("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(pkg)
            .arg(&wasm),
    )?;
    crate::build::wasm_opt(&pkg.join("pixelgrad_bench_bg.wasm"))
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
