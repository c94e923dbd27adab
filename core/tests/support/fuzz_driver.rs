//! The driver every mutation fuzzer shares (user files in `core/tests/input_fuzz.rs`, lesson
//! files in `app/tests/lesson_fuzz.rs`): runs the seeded cases of one target, each under
//! `catch_unwind` and the counting allocator, checks its memory and time, and names every
//! failure with the seed and the saved input that reproduce it. Included by path
//! (`#[path = ".../support/fuzz_driver.rs"] mod fuzz_driver;`); the including test binary
//! must have `mod peak_alloc` at its root, installed as its `#[global_allocator]`.
#![allow(dead_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::peak_alloc;

/// One fuzz target as the driver runs it.
pub struct FuzzTarget<'a, I> {
    /// Names the target in reports, failures and crash files (`image`, `lesson`).
    pub name: &'a str,
    /// The extension of a saved crashing input (`bin`, `md`).
    pub crash_ext: &'a str,
    /// The input of a seed: the same seed always gives the same input.
    pub derive: &'a dyn Fn(u64) -> I,
    /// `Ok` when the input is accepted, else the message a user would read.
    pub parse: &'a dyn Fn(&I) -> Result<(), String>,
    /// Most bytes a case may hold at once, given the input's length.
    pub max_bytes: fn(usize) -> usize,
    /// Slowest a case may be, if the target bounds it.
    pub max_case: Option<Duration>,
}

/// What a run of one target did.
#[derive(Debug, Default)]
pub struct Stats {
    pub cases: usize,
    pub accepted: usize,
    pub slowest: Duration,
    pub peak_bytes: usize,
    /// One line per failing case: target, seed, problem and the saved input's path.
    pub failures: Vec<String>,
}

/// One case's verdict: `Ok(true)` accepted, `Ok(false)` refused with a message, or the
/// problem (a panic, an empty error message).
pub fn outcome(parse: impl FnOnce() -> Result<(), String>) -> Result<bool, String> {
    match catch_unwind(AssertUnwindSafe(parse)) {
        Err(_) => Err("panicked".into()),
        Ok(Ok(())) => Ok(true),
        Ok(Err(message)) if message.trim().is_empty() => Err("empty error message".into()),
        Ok(Err(_)) => Ok(false),
    }
}

/// Writes a crashing input to `target/fuzz-crashes/<name>-<seed>.<ext>` and returns its path.
fn save_crash(name: &str, ext: &str, seed: u64, input: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-crashes");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{name}-{seed:016x}.{ext}"));
    let _ = std::fs::write(&path, input);
    path
}

/// The regression inputs kept in `dir` (files named `crash-*`), as `(file name, path)` in name
/// order: inputs that once crashed a target and must now be handled like any other.
pub fn past_crashes(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .expect("the fuzz folder")
        .map(|entry| {
            let path = entry.expect("an entry").path();
            let name = path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into());
            (name, path)
        })
        .filter(|(name, _)| name.starts_with("crash-"))
        .collect();
    found.sort();
    found
}

/// Runs `target` for `cases` inputs from `first_seed` on, or until `deadline`.
pub fn run<I: AsRef<[u8]>>(
    target: &FuzzTarget<'_, I>,
    first_seed: u64,
    cases: usize,
    deadline: Option<Instant>,
) -> Stats {
    let mut stats = Stats::default();
    for i in 0..cases {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let seed = first_seed.wrapping_add(i as u64);
        let input = (target.derive)(seed);
        let started = Instant::now();
        let (verdict, peak) = peak_alloc::measure(|| outcome(|| (target.parse)(&input)));
        let took = started.elapsed();
        stats.cases += 1;
        stats.slowest = stats.slowest.max(took);
        stats.peak_bytes = stats.peak_bytes.max(peak);
        let bound = (target.max_bytes)(input.as_ref().len());
        let problem = match verdict {
            Err(problem) => Some(problem),
            Ok(_) if peak > bound => Some(format!("held {peak} bytes, bound {bound}")),
            Ok(_) if target.max_case.is_some_and(|max| took > max) => {
                Some(format!("took {took:?}"))
            }
            Ok(accepted) => {
                stats.accepted += usize::from(accepted);
                None
            }
        };
        if let Some(problem) = problem {
            let path = save_crash(target.name, target.crash_ext, seed, input.as_ref());
            stats.failures.push(format!(
                "{} seed {seed:#x}: {problem} ({})",
                target.name,
                path.display()
            ));
        }
    }
    stats
}

/// Prints a run's numbers (shown with `--nocapture`).
pub fn report(name: &str, s: &Stats, elapsed: Duration) {
    println!(
        "fuzz {name}: {} cases ({:.0}/s), {} accepted, slowest {:.1} ms, peak {:.1} MiB",
        s.cases,
        s.cases as f64 / elapsed.as_secs_f64().max(1e-9),
        s.accepted,
        s.slowest.as_secs_f64() * 1e3,
        s.peak_bytes as f64 / (1 << 20) as f64
    );
}

/// Cases per target in CI; `PIXELGRAD_FUZZ_CASES` overrides.
pub fn ci_cases(default: usize) -> usize {
    std::env::var("PIXELGRAD_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The long run's first seed (from the clock, so repeated runs explore new cases) and its
/// time per target (`PIXELGRAD_FUZZ_SECONDS`, default 60).
pub fn long_run_plan() -> (u64, Duration) {
    let seconds: u64 = std::env::var("PIXELGRAD_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let first_seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    (first_seed, Duration::from_secs(seconds))
}
