//! `cargo xtask test`: every check CI runs, in order, ending with one summary line.
//!
//! Stages: fmt, clippy (native and wasm32), native tests (GPU on Mesa lavapipe with
//! `REQUIRE_GPU=1`, so GPU tests never skip), wasm tests in headless Chromium with WebGPU, and
//! end-to-end tests of the built app driven through the system Chromium.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::{self, command, describe, human_duration, step};

const STAGES: &[&str] = &["fmt", "clippy", "native", "wasm", "e2e"];

/// Test counts gathered from every runner's output.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Tally {
    /// Reads libtest's `test result: ok. 3 passed; 0 failed; 1 ignored; ...` and node's TAP
    /// `# pass 3` / `# fail 0` / `# skipped 1` lines.
    fn observe(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split([';', '.']) {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(what)) = (words.next(), words.next()) {
                    if let Ok(n) = n.parse::<u64>() {
                        match what {
                            "passed" => self.passed += n,
                            "failed" => self.failed += n,
                            "ignored" => self.ignored += n,
                            _ => {}
                        }
                    }
                }
            }
        } else if let Some(rest) = line.strip_prefix("# ") {
            let mut words = rest.split_whitespace();
            if let (Some(what), Some(n)) = (
                words.next(),
                words.next().and_then(|n| n.parse::<u64>().ok()),
            ) {
                match what {
                    "pass" => self.passed += n,
                    "fail" => self.failed += n,
                    "skipped" | "todo" => self.ignored += n,
                    _ => {}
                }
            }
        }
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let selected: Vec<&str> = if args.is_empty() {
        STAGES.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    if let Some(bad) = selected.iter().find(|s| !STAGES.contains(s)) {
        return Err(format!(
            "unknown stage `{bad}`; stages: {}",
            STAGES.join(", ")
        ));
    }
    let start = Instant::now();
    crate::setup::run()?;
    let mut tally = Tally::default();
    let mut failed_stages = Vec::new();
    for stage in STAGES.iter().filter(|s| selected.contains(s)) {
        if let Err(e) = step(&format!("test stage: {stage}"), || {
            run_stage(stage, &mut tally)
        }) {
            eprintln!("    {e}");
            failed_stages.push(*stage);
        }
    }
    let verdict = if failed_stages.is_empty() {
        "ok"
    } else {
        "FAILED"
    };
    println!(
        "xtask test: {verdict}. {} passed; {} failed; {} ignored; stages failed: {}; {}",
        tally.passed,
        tally.failed,
        tally.ignored,
        if failed_stages.is_empty() {
            "none".to_string()
        } else {
            failed_stages.join(", ")
        },
        human_duration(start.elapsed().as_secs_f64())
    );
    if failed_stages.is_empty() {
        Ok(())
    } else {
        Err(format!("failed stages: {}", failed_stages.join(", ")))
    }
}

fn run_stage(stage: &str, tally: &mut Tally) -> Result<(), String> {
    match stage {
        "fmt" => counted(
            command("cargo").args(["fmt", "--all", "--", "--check"]),
            tally,
        ),
        "clippy" => {
            counted(
                command("cargo").args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ]),
                tally,
            )?;
            counted(
                command("cargo").args([
                    "clippy",
                    "-p",
                    "pixelgrad",
                    "-p",
                    "pixelgrad-app",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ]),
                tally,
            )
        }
        "native" => counted(
            command("cargo")
                .args(["test", "--workspace"])
                .env("REQUIRE_GPU", "1"),
            tally,
        ),
        "wasm" => counted(
            command("cargo")
                .args([
                    "test",
                    "--target",
                    "wasm32-unknown-unknown",
                    "-p",
                    "pixelgrad",
                    "--test",
                    "browser",
                ])
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
            tally,
        ),
        "e2e" => e2e(tally),
        other => Err(format!("unknown stage {other}")),
    }
}

/// Builds the app, serves it on a free port and runs the browser tests in `tests/e2e/`.
fn e2e(tally: &mut Tally) -> Result<(), String> {
    let dist = crate::build::build()?;
    let server = crate::serve::start(dist, 0)?;
    let root = util::root();
    let mut node = command("node");
    node.args(["--test", "--test-reporter=tap", "--test-concurrency=1"]);
    // `PIXELGRAD_E2E=training,results` runs only the test files whose names contain one of
    // the words: a quick loop while working on one screen.
    match std::env::var("PIXELGRAD_E2E") {
        Ok(only) if !only.trim().is_empty() => {
            for file in e2e_files(&root.join("tests").join("e2e"))? {
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
                let name = name.unwrap_or_default();
                if only
                    .split(',')
                    .any(|w| !w.is_empty() && name.contains(w.trim()))
                {
                    node.arg(file);
                }
            }
        }
        _ => {
            node.arg(root.join("tests").join("e2e"));
        }
    }
    node.env("PIXELGRAD_URL", &server.url).env(
        "PIXELGRAD_SCREENSHOTS",
        root.join("target").join("screenshots"),
    );
    counted(&mut node, tally)
}

/// The `*.test.mjs` files of the e2e folder, sorted.
fn e2e_files(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    Ok(files)
}

/// Runs a command, echoing its stdout while counting test results from it.
fn counted(cmd: &mut Command, tally: &mut Tally) -> Result<(), String> {
    println!("    $ {}", describe(cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            tally.observe(&line);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("`{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn counts_libtest_and_tap_lines() {
        let mut t = Tally::default();
        t.observe("test result: ok. 12 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.3s");
        t.observe("# pass 3");
        t.observe("# fail 1");
        t.observe("# skipped 0");
        assert_eq!((t.passed, t.failed, t.ignored), (15, 2, 2));
    }
}
