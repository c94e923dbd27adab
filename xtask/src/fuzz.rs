//! `cargo xtask fuzz [--seconds N]`: the long runs of every fuzz target (images, safetensors
//! and `.pixelgrad` files, share links, the loss language) for N seconds each (default 600),
//! in an optimized build with overflow checks. `cargo xtask test` runs the same targets for a
//! bounded number of cases.

use crate::util::{command, run as exec, step};

/// The test binaries of `core` that hold the long fuzz runs (each an `#[ignore]`d test).
const TARGETS: &[&str] = &["input_fuzz", "link_fuzz", "loss_dsl_fuzz"];

/// Runs every target's long test for the given duration.
pub fn run(args: &[String]) -> Result<(), String> {
    let seconds = match args {
        [] => 600,
        [flag, n] if flag == "--seconds" => n
            .parse::<u64>()
            .map_err(|_| format!("--seconds wants a number of seconds, not `{n}`"))?,
        _ => return Err("usage: cargo xtask fuzz [--seconds N]".into()),
    };
    let mut failed = Vec::new();
    for target in TARGETS {
        let outcome = step(&format!("fuzz {target} ({seconds} s a target)"), || {
            exec(
                command("cargo")
                    .args([
                        "test",
                        "--profile",
                        "fuzz",
                        "-p",
                        "pixelgrad",
                        "--test",
                        target,
                    ])
                    .args(["--", "--ignored", "--nocapture", "--test-threads=1"])
                    .env("PIXELGRAD_FUZZ_SECONDS", seconds.to_string()),
            )
        });
        if outcome.is_err() {
            failed.push(*target);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "crashes in {} (inputs in target/fuzz-crashes/)",
            failed.join(", ")
        ))
    }
}
