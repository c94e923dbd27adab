//! Every lesson file parses, every step's widgets and checks fit together, every run is a
//! valid `RunSpec`, every model builds, and every graph evaluates: a broken lesson fails
//! `cargo test`, not a learner's page.

use std::collections::BTreeSet;

use super::catalog::{all, SOURCES};
use super::document::Widget;
use super::graph_eval::evaluate;
use super::query::summarize;
use super::run::Budget;

/// Lessons the course promises (issue 8), in order.
const COURSE_LEN: usize = 17;

#[test]
fn every_lesson_parses_and_validates() {
    let mut ids = BTreeSet::new();
    for (parsed, (file, _)) in all().iter().zip(SOURCES) {
        let lesson = match parsed {
            Ok(l) => l,
            Err(b) => panic!("{file}: {}", b.error),
        };
        assert!(
            ids.insert(lesson.id.clone()),
            "{file}: id {} is used twice",
            lesson.id
        );
        assert!(
            file.starts_with(&format!("{:02}-", lesson.number)),
            "{file}: number {} does not match the file name",
            lesson.number
        );
        assert!(
            lesson.steps.len() >= 5,
            "{file}: {} steps, at least 5 expected",
            lesson.steps.len()
        );
        let last = lesson.steps.last().expect("has steps");
        assert!(
            last.widgets.iter().any(|w| matches!(w, Widget::Quiz(_))) || !last.checks.is_empty(),
            "{file}: the last step must be a quiz or a challenge with a check"
        );
        assert!(
            lesson
                .steps
                .iter()
                .any(|s| s.widgets.iter().any(|w| matches!(w, Widget::Train(_)))),
            "{file}: every lesson trains something"
        );
        for (i, step) in lesson.steps.iter().enumerate() {
            let at = format!("{file} step {} ({})", i + 1, step.title);
            assert!(
                step.html.len() > 40,
                "{at}: the prose is too short to teach anything"
            );
            for w in &step.widgets {
                match w {
                    Widget::Train(run) => {
                        let spec = run
                            .run_spec(Budget::Full)
                            .unwrap_or_else(|e| panic!("{at}: {e}"));
                        spec.validate()
                            .unwrap_or_else(|e| panic!("{at}: invalid run: {e}"));
                        assert!(
                            spec.train.max_steps.is_some(),
                            "{at}: a lesson run needs a step budget (max_steps)"
                        );
                        assert!(
                            run.quick_steps.is_some(),
                            "{at}: a lesson run needs a quick budget (quick_steps) for the course walk"
                        );
                        let quick = run
                            .run_spec(Budget::Quick)
                            .unwrap_or_else(|e| panic!("{at}: {e}"));
                        quick
                            .validate()
                            .unwrap_or_else(|e| panic!("{at}: invalid quick run: {e}"));
                        summarize(&spec.model, spec.data.input, spec.data.classes)
                            .unwrap_or_else(|e| panic!("{at}: {e}"));
                    }
                    Widget::Model(m) => {
                        let (input, classes) = m.input();
                        let spec = m.model.spec().unwrap_or_else(|e| panic!("{at}: {e}"));
                        summarize(&spec, input, classes).unwrap_or_else(|e| panic!("{at}: {e}"));
                    }
                    Widget::Graph(p) => {
                        let r = evaluate(p).unwrap_or_else(|e| panic!("{at}: {e}"));
                        assert!(
                            r.nodes.iter().all(|n| n.value.is_finite()),
                            "{at}: the graph has a non-finite value"
                        );
                    }
                    Widget::Conv(_) | Widget::Quiz(_) | Widget::Attention(_) => {}
                }
            }
        }
    }
    assert!(
        SOURCES.len() <= COURSE_LEN,
        "the course has {COURSE_LEN} lessons"
    );
}

/// Per-run cost for estimating lesson training time on other hardware: steps × batch × MACs
/// per image (`cargo test -p pixelgrad-app --lib run_costs -- --ignored --nocapture`).
#[test]
#[ignore = "prints a table; not a check"]
fn run_costs() {
    for lesson in super::catalog::lessons() {
        for (i, step) in lesson.steps.iter().enumerate() {
            for w in &step.widgets {
                if let Widget::Train(run) = w {
                    let spec = run.run_spec(Budget::Full).expect("valid");
                    let s =
                        summarize(&spec.model, spec.data.input, spec.data.classes).expect("builds");
                    let steps = spec.train.max_steps.unwrap_or(0);
                    let batch = spec.train.loader.batch_size;
                    println!(
                        "{:>2} {:<24} step {} {:>4} steps x {:>3} images x {:>9} MACs = {:.2e} MAC-images",
                        lesson.number,
                        lesson.id,
                        i + 1,
                        steps,
                        batch,
                        s.macs,
                        (steps * batch) as f64 * s.macs as f64
                    );
                }
            }
        }
    }
}
