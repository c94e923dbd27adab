//! Differential test of the Python export on generated programs: PyTorch's values for the
//! exports of a few hundred random accepted losses (`fixtures/loss_dsl/random_torch.json`, made
//! by `gen_torch_fixture.py`) must equal the loss language's own values and gradients.

use pixelgrad::autograd::grad;
use pixelgrad::loss::dsl::{analyze, Env, Inputs};
use pixelgrad::Tensor;
use serde_json::{json, Value};

mod loss_dsl_support;
#[path = "support/splitmix.rs"]
mod splitmix;
use loss_dsl_support::{program, typed_program, Gen};

const RESULTS: &str = include_str!("fixtures/loss_dsl/random_torch.json");
const B: usize = 3;
const C: usize = 4;
const D: usize = 2;
const F: usize = 2;

fn env() -> Env {
    Env {
        features: true,
        heads: vec!["aux".into()],
        grad_wrt: true,
    }
}

/// Fixed, exactly representable batch values.
fn values(n: usize, mul: usize, modulo: usize) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * mul + 3) % modulo) as f64 / 4.0 - 1.1)
        .collect()
}

struct Model {
    x: Vec<f64>,
    w: Vec<f64>,
    w_aux: Vec<f64>,
    w_f: Vec<f64>,
    target: Vec<f64>,
    class_weights: Vec<f64>,
}

fn model() -> Model {
    Model {
        x: values(B * D, 7, 11),
        w: values(D * C, 5, 13),
        w_aux: values(D * C, 3, 7),
        w_f: values(D * F, 2, 9),
        target: vec![0.0, 3.0, 1.0],
        class_weights: vec![0.5, 1.0, 1.5, 2.0],
    }
}

fn leaf(v: &[f64], shape: [usize; 2]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape)
        .unwrap()
        .requires_grad_()
        .unwrap()
}

/// The loss and its gradients w.r.t. W, W_aux and W_f, or None when rejected or not finite.
fn evaluate(source: &str, m: &Model) -> Option<(f64, Vec<f64>)> {
    let loss = analyze(source, &env()).loss?;
    let x = leaf(&m.x, [B, D]);
    let ws = [
        leaf(&m.w, [D, C]),
        leaf(&m.w_aux, [D, C]),
        leaf(&m.w_f, [D, F]),
    ];
    let inputs = Inputs::new(
        x.matmul(&ws[0]).ok()?,
        Tensor::from_vec(m.target.clone(), [B]).ok()?,
    )
    .head("aux", x.matmul(&ws[1]).ok()?)
    .features(x.matmul(&ws[2]).ok()?.tanh().ok()?)
    .class_weights(Tensor::from_vec(m.class_weights.clone(), [C]).ok()?)
    .wrt(x);
    let l = loss.evaluate(&inputs).ok()?;
    let value = l.item().ok()?;
    let mut grads = Vec::new();
    if l.requires_grad() {
        for g in grad(std::slice::from_ref(&l), &ws, false).ok()? {
            grads.extend(g.to_vec::<f64>().ok()?);
        }
    }
    let finite = value.is_finite() && grads.iter().all(|g| g.is_finite());
    // Values this large or small lose the digits a comparison needs.
    let tame = value.abs() < 1e6 && grads.iter().all(|g| g.abs() < 1e6);
    (finite && tame).then_some((value, grads))
}

#[test]
fn exports_of_random_losses_match_pytorch() {
    let results: Value = serde_json::from_str(RESULTS).unwrap();
    let m = model();
    let cases = results["cases"].as_array().unwrap();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    for case in cases {
        let src = case["source"].as_str().unwrap();
        let (value, grads) =
            evaluate(src, &m).unwrap_or_else(|| panic!("{src:?} stopped evaluating"));
        let want = case["loss"].as_f64().unwrap();
        let tol = |e: f64| 1e-7 * (1.0 + e.abs());
        assert!(
            (value - want).abs() < tol(want),
            "{src:?}: {value} vs torch {want}"
        );
        let tg: Vec<f64> = case["grads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        if grads.is_empty() {
            continue;
        }
        for (i, (a, e)) in grads.iter().zip(&tg).enumerate() {
            assert!(
                (a - e).abs() < tol(*e),
                "{src:?}: grad[{i}] {a} vs torch {e}"
            );
        }
    }
}

/// Writes `random_programs.json` (sources, exports and the batch) for `gen_torch_fixture.py`.
#[test]
#[ignore = "refreshes the fixture's inputs; run by hand"]
fn write_random_programs() {
    let m = model();
    let mut g = Gen(0x70_2C4);
    let mut cases = Vec::new();
    while cases.len() < 400 {
        // A quarter from the fuzz grammar (mostly short), the rest well-typed and deeper.
        let src = if cases.len() % 4 == 0 {
            program(&mut g)
        } else {
            typed_program(&mut g)
        };
        if evaluate(&src, &m).is_none() {
            continue;
        }
        let python = analyze(&src, &env()).loss.expect("accepted").to_python();
        cases.push(json!({ "source": src, "python": python }));
    }
    let out = json!({
        "batch": B, "classes": C, "width": D, "features": F,
        "x": m.x, "w": m.w, "w_aux": m.w_aux, "w_f": m.w_f,
        "target": m.target, "class_weights": m.class_weights,
        "cases": cases,
    });
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/loss_dsl/random_programs.json"
    );
    std::fs::write(path, serde_json::to_string_pretty(&out).unwrap() + "\n").unwrap();
}

#[test]
fn random_fixture_was_made_from_the_current_exports() {
    const PROGRAMS: &str = include_str!("fixtures/loss_dsl/random_programs.json");
    let spec: Value = serde_json::from_str(PROGRAMS).unwrap();
    for case in spec["cases"].as_array().unwrap() {
        let src = case["source"].as_str().unwrap();
        let loss = analyze(src, &env()).loss.expect("accepted");
        assert_eq!(
            loss.to_python(),
            case["python"].as_str().unwrap(),
            "the export of {src:?} changed: rerun the steps in gen_torch_fixture.py"
        );
    }
}
