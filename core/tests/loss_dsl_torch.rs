//! The presets against PyTorch: `fixtures/loss_dsl/torch_fixture.json` holds, for random f64
//! batches of a tiny linear model, the loss and gradients that PyTorch computed with the
//! exported Python of each preset (itself checked there against torch's built-in losses by
//! `gen_torch_fixture.py`). Here the loss language must give the same numbers, and the
//! exports must still be the ones the fixture was made from.

use std::collections::BTreeMap;

use pixelgrad::autograd::grad;
use pixelgrad::loss::dsl::{compile, Env, Inputs, Loss, PRESETS};
use pixelgrad::Tensor;
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/loss_dsl/torch_fixture.json");
const EXPORTS: &str = include_str!("fixtures/loss_dsl/exports.json");

fn env() -> Env {
    Env {
        heads: vec!["aux".into()],
        ..Env::default()
    }
}

fn loss(name: &str) -> Loss {
    let p = PRESETS.iter().find(|p| p.name == name).expect("preset");
    compile(p.source, &env()).expect("preset compiles")
}

fn floats(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} missing"))
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn leaf(v: Vec<f64>, shape: [usize; 2]) -> Tensor {
    Tensor::from_vec(v, shape)
        .unwrap()
        .requires_grad_()
        .unwrap()
}

#[test]
fn presets_match_pytorch() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let dim = |k: &str| fixture[k].as_u64().unwrap() as usize;
    let (b, c, d) = (dim("batch"), dim("classes"), dim("width"));
    let cases = fixture["cases"].as_array().unwrap();
    let mut seen = BTreeMap::new();
    for case in cases {
        let name = case["preset"].as_str().unwrap();
        *seen.entry(name).or_insert(0) += 1;
        let x = leaf(floats(case, "x"), [b, d]);
        let w = leaf(floats(case, "w"), [d, c]);
        let w_aux = leaf(floats(case, "w_aux"), [d, c]);
        let target = Tensor::from_vec(floats(case, "target"), [b]).unwrap();
        let cw = Tensor::from_vec(floats(case, "class_weights"), [c]).unwrap();
        let mut inputs = Inputs::new(x.matmul(&w).unwrap(), target)
            .head("aux", x.matmul(&w_aux).unwrap())
            .wrt(x.clone())
            .class_weights(cw);
        for (k, v) in case["params"].as_object().unwrap() {
            inputs = inputs.param(k, v.as_f64().unwrap());
        }
        let l = loss(name).evaluate(&inputs).unwrap();
        let want = case["loss"].as_f64().unwrap();
        let got = l.item().unwrap();
        assert!(
            (got - want).abs() < 1e-9 * (1.0 + want.abs()),
            "{name}: loss {got} vs torch {want}"
        );
        let g = grad(std::slice::from_ref(&l), &[w, w_aux], false).unwrap();
        for (gi, key) in g.iter().zip(["grad_w", "grad_w_aux"]) {
            let got: Vec<f64> = gi.to_vec().unwrap();
            for (i, (a, e)) in got.iter().zip(floats(case, key)).enumerate() {
                assert!(
                    (a - e).abs() < 1e-9 * (1.0 + e.abs()),
                    "{name}: {key}[{i}] {a} vs torch {e}"
                );
            }
        }
    }
    for p in PRESETS {
        assert!(seen.contains_key(p.name), "no PyTorch case for {}", p.name);
    }
}

fn exports() -> BTreeMap<String, String> {
    PRESETS
        .iter()
        .map(|p| (p.name.to_string(), loss(p.name).to_python()))
        .collect()
}

#[test]
fn fixture_was_made_from_the_current_exports() {
    let stored: BTreeMap<String, String> = serde_json::from_str(EXPORTS).unwrap();
    assert_eq!(
        stored,
        exports(),
        "the Python export changed: rerun the steps in gen_torch_fixture.py"
    );
}

/// Writes `exports.json` for `gen_torch_fixture.py`.
#[test]
#[ignore = "refreshes the fixture's inputs; run by hand"]
fn write_exports() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/loss_dsl/exports.json"
    );
    let json = serde_json::to_string_pretty(&exports()).unwrap();
    std::fs::write(path, json + "\n").unwrap();
}
