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

use pixelgrad::loss::dsl::{analyze, Env, Inputs, FUNCTIONS, PRESETS};
use pixelgrad::Tensor;

/// splitmix64: tiny, seedable, good enough to pick tokens.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NAMES: &[&str] = &[
    "logits",
    "probs",
    "log_probs",
    "target",
    "onehot",
    "class_weights",
    "features",
    "aux",
    "logit",
    "x",
    "y",
    "gamma",
    "w",
    "B",
    "C",
    "true",
    "false",
    "let",
    "param",
    "in",
];
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "0.5",
    "1e-12",
    "1e400",
    ".5",
    "3.",
    "-1",
    "1e",
    "12345678901234567890",
];
const OPS: &[&str] = &[
    "+", "-", "*", "/", "^", "**", "<", "<=", ">", ">=", "==", "!=", "=",
];
const JUNK: &[&str] = &[
    "(",
    ")",
    ",",
    ";",
    "..",
    "#",
    "//",
    "\n",
    " ",
    "é",
    "∑",
    "\u{202e}",
    "🙂",
    "\0",
    "!",
    "[",
    "\"",
    "\t",
    "let",
    "param g = 1 in 0..2",
    "mean(",
    "))))",
    "((((",
    "-",
    "-----",
];

fn expr(g: &mut Gen, depth: usize, out: &mut String) {
    if depth > 6 || g.chance(0.25) {
        if g.chance(0.6) {
            out.push_str(g.pick(NAMES));
        } else {
            out.push_str(g.pick(NUMBERS));
        }
        return;
    }
    match g.below(5) {
        0 => {
            let f = FUNCTIONS[g.below(FUNCTIONS.len())].name;
            out.push_str(if g.chance(0.05) { "mean_" } else { f });
            out.push('(');
            let n = g.below(4);
            for i in 0..n {
                if i > 0 {
                    out.push_str(", ");
                }
                if i > 0 && g.chance(0.5) {
                    out.push_str(g.pick(&["0", "1", "-1", "2", "true", "false", "1.5"]));
                } else {
                    expr(g, depth + 1, out);
                }
            }
            out.push(')');
        }
        1 => {
            expr(g, depth + 1, out);
            out.push(' ');
            out.push_str(g.pick(OPS));
            out.push(' ');
            expr(g, depth + 1, out);
        }
        2 => {
            out.push('-');
            expr(g, depth + 1, out);
        }
        3 => {
            out.push('(');
            expr(g, depth + 1, out);
            out.push(')');
        }
        _ => out.push_str(g.pick(JUNK)),
    }
}

fn program(g: &mut Gen) -> String {
    let mut s = String::new();
    for _ in 0..g.below(3) {
        let lo = g.pick(&["0", "-1", "2", "0.1"]);
        let hi = g.pick(&["5", "1", "0", "10"]);
        let name = g.pick(&["gamma", "w", "lambda", "logits", "exp"]);
        s.push_str(&format!(
            "param {name} = {} in {lo}..{hi}\n",
            g.pick(NUMBERS)
        ));
    }
    for _ in 0..g.below(4) {
        s.push_str(&format!(
            "let {} = ",
            g.pick(&["x", "y", "w", "probs", "z"])
        ));
        expr(g, 1, &mut s);
        s.push_str(g.pick(&["\n", "; ", " ", " # note\n"]));
    }
    if g.chance(0.5) {
        s.push_str("mean(");
        expr(g, 1, &mut s);
        s.push(')');
    } else {
        expr(g, 0, &mut s);
    }
    s
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(g: &mut Gen, src: &str) -> String {
    let mut s = src.to_string();
    for _ in 0..1 + g.below(4) {
        let a = boundary(&s, g.below(s.len() + 1));
        let b = boundary(&s, a + g.below(12));
        match g.below(6) {
            0 => s.replace_range(a..b, ""),
            1 => s.insert_str(a, g.pick(JUNK)),
            2 => s.insert_str(a, g.pick(OPS)),
            3 => {
                let piece = s[a..b].to_string();
                s.insert_str(b, &piece);
            }
            4 => s.truncate(a),
            _ => s.insert_str(a, g.pick(NAMES)),
        }
    }
    s
}

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
    let mut corpus: Vec<String> = PRESETS.iter().map(|p| p.source.to_string()).collect();
    for i in 0..cases {
        let src = match g.below(4) {
            0 => program(&mut g),
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
        slowest = slowest.max(took);
        assert!(
            took < Duration::from_secs(2),
            "case {i} took {took:?}: {src:?}"
        );
        if ok {
            accepted += 1;
            if corpus.len() < 256 {
                corpus.push(src);
            }
        }
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

#[test]
#[ignore = "long run: 100,000 sources"]
fn hundred_thousand_sources_never_panic() {
    let start = Instant::now();
    let (n, accepted, slowest) = run(100_000, 0xF0_22);
    eprintln!(
        "loss fuzz (long): {n} sources, {accepted} accepted, slowest {slowest:?}, total {:?}",
        start.elapsed()
    );
}
