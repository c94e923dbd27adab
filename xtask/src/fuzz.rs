//! `cargo xtask fuzz [--seconds N] [TARGET...]`: the long runs of every fuzz target (images,
//! zips, safetensors and `.pixelgrad` files, share links, the loss language, lesson files) for
//! N seconds each (default 600), in an optimized build with overflow checks; naming targets
//! (`lesson_fuzz`, `input_fuzz`...) runs only those. `cargo xtask test` runs the same targets
//! for a bounded number of cases.

use crate::util::{command, run as exec, step};

/// `(package, test binary)` of every long fuzz run (each an `#[ignore]`d test).
const TARGETS: &[(&str, &str)] = &[
    ("pixelgrad", "input_fuzz"),
    ("pixelgrad", "link_fuzz"),
    ("pixelgrad", "loss_dsl_fuzz"),
    ("pixelgrad-app", "lesson_fuzz"),
];

const USAGE: &str = "usage: cargo xtask fuzz [--seconds N] [TARGET...]";

/// Runs the named targets' (or every target's) long test for the given duration.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut seconds = 600;
    let mut only = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            let n = args.next().ok_or(USAGE)?;
            seconds = n
                .parse::<u64>()
                .map_err(|_| format!("--seconds wants a number of seconds, not `{n}`"))?;
        } else if TARGETS.iter().any(|(_, t)| t == arg) {
            only.push(arg.as_str());
        } else {
            let names: Vec<&str> = TARGETS.iter().map(|(_, t)| *t).collect();
            return Err(format!(
                "{USAGE}\nunknown target `{arg}`; targets: {}",
                names.join(", ")
            ));
        }
    }
    let mut failed = Vec::new();
    for (package, target) in TARGETS {
        if !only.is_empty() && !only.contains(target) {
            continue;
        }
        let outcome = step(&format!("fuzz {target} ({seconds} s a target)"), || {
            exec(
                command("cargo")
                    .args(["test", "--profile", "fuzz", "-p", package, "--test", target])
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
