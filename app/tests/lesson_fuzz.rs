//! Fuzzing lesson files (`app/lessons/*.md`): mutants of the 17 real lessons (front matter,
//! Markdown, widget blocks, checks) must be parsed or refused with a typed [`LessonError`]
//! whose message names the problem, never panic, and stay within bounded memory (measured per
//! case by a counting allocator) and time. What the page then computes from an accepted
//! lesson runs too: a conv widget's shape, parameters and MACs, a graph's values and
//! gradients, and a run's `RunSpec` with its validation.
//!
//! CI runs a fixed number of cases with fixed seeds. The long run:
//! `cargo xtask fuzz --seconds 600 lesson_fuzz`. A crashing input is written to
//! `target/fuzz-crashes/lesson-<seed>.md`; once fixed, it joins the regression inputs as
//! `tests/lesson_fuzz/crash-*.md`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pixelgrad_app::lessons::catalog::SOURCES;
use pixelgrad_app::lessons::document::{Lesson, Widget};
use pixelgrad_app::lessons::graph_eval::evaluate;
use pixelgrad_app::lessons::parse::parse_lesson;

#[path = "../../core/tests/support/fuzz_driver.rs"]
mod fuzz_driver;
#[allow(dead_code)]
#[path = "../../core/tests/input_fuzz/mutate.rs"]
mod mutate;
#[path = "lesson_fuzz/mutate_text.rs"]
mod mutate_text;
#[path = "../../core/tests/input_fuzz/peak_alloc.rs"]
mod peak_alloc;
#[path = "../../core/tests/support/splitmix.rs"]
mod splitmix;

use fuzz_driver::{ci_cases, report, FuzzTarget, Stats};
use splitmix::Gen;

#[global_allocator]
static ALLOC: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

/// Most bytes one case may hold at once: the text, its HTML and the parsed lesson are a small
/// multiple of the input; graph evaluation holds a bounded tape (at most `MAX_LINES` lines).
fn max_bytes(len: usize) -> usize {
    64 * len + (16 << 20)
}

/// Slowest a case may be (debug build in CI; the long run is optimized).
const MAX_CASE: Duration = Duration::from_secs(5);

/// What the page computes from a parsed lesson, so those paths see fuzzed values too.
fn use_lesson(lesson: &Lesson) {
    assert!(
        !lesson.steps.is_empty(),
        "a lesson without steps was accepted"
    );
    for step in &lesson.steps {
        assert!(
            !step.widgets.is_empty(),
            "a step without widgets was accepted"
        );
        for widget in &step.widgets {
            match widget {
                Widget::Conv(c) if c.validate().is_ok() => {
                    let [_, out, h, w] = c.output_shape().expect("validated settings");
                    assert!(out > 0 && h > 0 && w > 0);
                    let _ = (c.parameters(), c.macs());
                }
                // Refused settings still show why, and their counts.
                Widget::Conv(c) => {
                    let _ = (c.output_shape(), c.parameters(), c.macs());
                }
                Widget::Graph(p) => {
                    let _ = evaluate(p);
                }
                Widget::Train(run) => {
                    if let Ok(spec) = run.run_spec(Default::default()) {
                        let _ = spec.validate();
                    }
                }
                Widget::Model(m) => {
                    let _ = m.input();
                    if let Ok(run) = m.as_run() {
                        let _ = run.run_spec(Default::default()).map(|s| s.validate());
                    }
                }
                Widget::Quiz(q) => assert!(q.answer < q.options.len()),
                // Widgets without numbers of their own to compute with.
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
    }
}

/// Parses one text and uses what was accepted: `Ok` or the message a user would read.
fn parse(text: &str) -> Result<(), String> {
    let lesson = parse_lesson(text).map_err(|e| e.to_string())?;
    use_lesson(&lesson);
    Ok(())
}

/// One text's verdict: `Ok(accepted)` or the problem a user of the fuzzer reads.
fn case(text: &str) -> Result<bool, String> {
    fuzz_driver::outcome(|| parse(text))
}

fn derive(seed: u64) -> String {
    let mut g = Gen(seed);
    let a = SOURCES[g.below(SOURCES.len())].1;
    let b = SOURCES[g.below(SOURCES.len())].1;
    mutate_text::mutate(&mut g, a, b)
}

/// Runs `cases` mutants from `first_seed` on, or until `deadline`.
fn run(first_seed: u64, cases: usize, deadline: Option<Instant>) -> Stats {
    let fuzz = FuzzTarget {
        name: "lesson",
        crash_ext: "md",
        derive: &derive,
        parse: &|text: &String| parse(text),
        max_bytes,
        max_case: Some(MAX_CASE),
    };
    fuzz_driver::run(&fuzz, first_seed, cases, deadline)
}

#[test]
fn mutated_lessons_are_parsed_or_refused_with_a_typed_error() {
    let started = Instant::now();
    let stats = run(0x1E55_0000, ci_cases(1500), None);
    report("lesson", &stats, started.elapsed());
    assert!(stats.failures.is_empty(), "{}", stats.failures.join("\n"));
    // The mutator must leave enough lessons intact to reach the widgets behind them.
    assert!(
        stats.accepted * 20 > stats.cases,
        "only {} of {} mutants parsed: the mutator breaks too much",
        stats.accepted,
        stats.cases
    );
}

#[test]
fn the_seeds_themselves_are_accepted() {
    assert_eq!(SOURCES.len(), 17);
    for (file, text) in SOURCES {
        if let Err(e) = parse_lesson(text) {
            panic!("{file}: {e}");
        }
        assert_eq!(case(text), Ok(true), "{file}");
    }
}

/// Inputs that once crashed the target, kept as `tests/lesson_fuzz/crash-*.md`: each must now
/// be parsed or refused like any other input.
#[test]
fn past_crashes_stay_fixed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lesson_fuzz");
    for (name, path) in fuzz_driver::past_crashes(&dir) {
        let text = std::fs::read_to_string(&path).expect("a UTF-8 lesson");
        let (outcome, peak) = peak_alloc::measure(|| case(&text));
        assert!(outcome.is_ok(), "{name}: {outcome:?}");
        assert!(peak <= max_bytes(text.len()), "{name}: held {peak} bytes");
    }
}

/// The long run: `PIXELGRAD_FUZZ_SECONDS` (default 60), seeds from the clock so repeated runs
/// explore new cases (each failure names its seed).
#[test]
#[ignore = "long run: minutes"]
fn long_run() {
    let (first_seed, seconds) = fuzz_driver::long_run_plan();
    let started = Instant::now();
    let stats = run(first_seed, usize::MAX, Some(started + seconds));
    report("lesson", &stats, started.elapsed());
    assert!(stats.failures.is_empty(), "{}", stats.failures.join("\n"));
}
