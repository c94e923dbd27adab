//! Fuzzing the loss language: generated and mutated sources go through the parser and the
//! checker (and, when accepted, the lowering on a tiny batch and the Python export). Nothing
//! may panic or take long, and every diagnostic's span must lie inside the source on `char`
//! boundaries.
//!
//! CI runs a few thousand cases with a fixed seed; the long run is
//! `cargo test -p pixelgrad --test loss_dsl_fuzz -- --ignored` (100,000 cases), or set
//! `PIXELGRAD_LOSS_FUZZ_CASES` to choose the count of the default test.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use pixelgrad::loss::dsl::{analyze, Env, Inputs, PRESETS};
use pixelgrad::Tensor;

mod loss_dsl_support;
#[path = "support/splitmix.rs"]
mod splitmix;
use loss_dsl_support::{mutate, program, typed_program, Gen};

/// Every diagnostic's span lies inside `src` on char boundaries; accepted programs evaluate
/// or fail with a typed error. Returns how many were accepted.
fn check_one(src: &str, env: &Env, inputs: &Inputs) -> bool {
    let a = analyze(src, env);
    for d in &a.diagnostics {
        let s = d.span;
        assert!(
            s.start <= s.end && s.end <= src.len(),
            "span {s:?} outside {src:?}: {d}"
        );
        assert!(
            src.is_char_boundary(s.start) && src.is_char_boundary(s.end),
            "span {s:?} splits a char in {src:?}"
        );
        if let Some(f) = &d.fix {
            assert!(f.span.end <= src.len() && src.is_char_boundary(f.span.end));
        }
    }
    assert_eq!(a.loss.is_some(), !a.has_errors());
    let Some(loss) = a.loss else {
        return false;
    };
    let _ = loss.to_python();
    if let Ok(l) = loss.evaluate(inputs) {
        assert!(l.dims().is_empty(), "{src:?} gave shape {:?}", l.dims());
    }
    true
}

fn tiny_inputs() -> Inputs {
    let x = Tensor::from_vec((0..6).map(|i| i as f32 * 0.3 - 0.5).collect(), [3, 2])
        .unwrap()
        .requires_grad_()
        .unwrap();
    let w = Tensor::from_vec(vec![0.5f32, -1.0, 0.25, 1.5, 0.3, -0.7, 0.1, 0.9], [2, 4]).unwrap();
    let logits = x.matmul(&w).unwrap();
    let target = Tensor::from_vec(vec![0.0f32, 3.0, 1.0], [3]).unwrap();
    Inputs::new(logits.clone(), target)
        .features(x.tanh().unwrap())
        .head("aux", logits.mul_scalar(0.5).unwrap())
        .wrt(x)
}

/// Runs `cases` sources from `seed`; returns (cases, accepted, slowest).
fn run(cases: usize, seed: u64) -> (usize, usize, Duration) {
    let envs = [
        Env::default(),
        Env {
            features: true,
            heads: vec!["aux".into()],
            grad_wrt: true,
        },
    ];
    let inputs = tiny_inputs();
    let mut g = Gen(seed);
    let mut accepted = 0;
    let mut slowest = Duration::ZERO;
    let mut slowest_src = String::new();
    let mut corpus: Vec<String> = PRESETS.iter().map(|p| p.source.to_string()).collect();
    for i in 0..cases {
        let src = match g.below(6) {
            0 => program(&mut g),
            4 => typed_program(&mut g),
            5 => {
                let p = typed_program(&mut g);
                mutate(&mut g, &p)
            }
            1 => {
                let base = corpus[g.below(corpus.len())].clone();
                mutate(&mut g, &base)
            }
            2 => {
                let p = program(&mut g);
                mutate(&mut g, &p)
            }
            _ => {
                let p = PRESETS[g.below(PRESETS.len())].source;
                mutate(&mut g, p)
            }
        };
        let env = &envs[i % 2];
        let start = Instant::now();
        let ok = catch_unwind(AssertUnwindSafe(|| check_one(&src, env, &inputs)))
            .unwrap_or_else(|_| panic!("case {i} panicked on {src:?}"));
        let took = start.elapsed();
        if took > slowest {
            slowest = took;
            slowest_src = src.clone();
        }
        if took > Duration::from_secs(1) {
            // Other builds share the machine: a slow case must be slow again to count.
            let again = Instant::now();
            check_one(&src, env, &inputs);
            let again = again.elapsed();
            assert!(
                again < Duration::from_secs(1),
                "case {i} took {took:?}, then {again:?}: {src:?}"
            );
        }
        if ok {
            accepted += 1;
            if corpus.len() < 256 {
                corpus.push(src);
            }
        }
    }
    if std::env::var_os("PIXELGRAD_LOSS_FUZZ_VERBOSE").is_some() {
        eprintln!("slowest source ({slowest:?}): {slowest_src:?}");
    }
    (cases, accepted, slowest)
}

#[test]
fn generated_and_mutated_sources_never_panic() {
    let cases = std::env::var("PIXELGRAD_LOSS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let start = Instant::now();
    let (n, accepted, slowest) = run(cases, 0x10_55);
    eprintln!(
        "loss fuzz: {n} sources, {accepted} accepted, slowest {slowest:?}, total {:?}",
        start.elapsed()
    );
    assert!(
        accepted > 0,
        "the generator should produce some valid losses"
    );
}

/// 100,000 sources, or with `PIXELGRAD_FUZZ_SECONDS` set, rounds of 10,000 from new seeds
/// until that many seconds have passed (`cargo xtask fuzz` uses this).
#[test]
#[ignore = "long run: 100,000 sources"]
fn hundred_thousand_sources_never_panic() {
    let start = Instant::now();
    let seconds = std::env::var("PIXELGRAD_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let (mut n, mut accepted, mut slowest) = (0, 0, Duration::ZERO);
    let mut round = 0u64;
    loop {
        let (c, a, s) = run(
            if seconds.is_some() { 10_000 } else { 100_000 },
            0xF0_22 + round,
        );
        (n, accepted, slowest, round) = (n + c, accepted + a, slowest.max(s), round + 1);
        if seconds.is_none_or(|s| start.elapsed().as_secs() >= s) {
            break;
        }
    }
    eprintln!(
        "fuzz loss language: {n} sources ({:.0}/s), {accepted} accepted, slowest {slowest:?}, total {:?}",
        n as f64 / start.elapsed().as_secs_f64(),
        start.elapsed()
    );
}
