//! Every loss preset, evaluated through the loss language, equals the core's built-in loss or
//! an independent plain-f64 reference on random batches: value, and gradient with respect to
//! the logits (or the weights of a small model for the gradient penalty).

use pixelgrad::autograd::grad;
use pixelgrad::loss::dsl::{compile, gradcheck, Env, Inputs, Loss, Preset, PRESETS};
use pixelgrad::{CrossEntropyOptions, Reduction, Rng, Tensor};

const B: usize = 6;
const C: usize = 5;

struct Batch {
    logits: Vec<f64>,
    target: Vec<f64>,
    class_weights: Vec<f64>,
}

fn batch(seed: u64) -> Batch {
    let mut rng = Rng::new(seed);
    Batch {
        logits: rng
            .normal(B * C, 0.0, 2.0)
            .into_iter()
            .map(f64::from)
            .collect(),
        target: rng
            .uniform(B, 0.0, C as f32)
            .into_iter()
            .map(|v| f64::from(v).floor().min((C - 1) as f64))
            .collect(),
        class_weights: rng
            .uniform(C, 0.2, 3.0)
            .into_iter()
            .map(f64::from)
            .collect(),
    }
}

fn leaf(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape.to_vec())
        .unwrap()
        .requires_grad_()
        .unwrap()
}

fn preset(name: &str) -> Loss {
    let p = Preset::get(name).expect("preset exists");
    let env = Env {
        heads: p.heads.iter().map(|h| h.to_string()).collect(),
        ..Env::default()
    };
    let loss = compile(p.source, &env).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(loss.warnings().is_empty(), "{name}: {:?}", loss.warnings());
    loss
}

/// Value and d/d(logits) of `name` with the slider values `params`.
fn dsl_value_grad(name: &str, b: &Batch, params: &[(&str, f64)]) -> (f64, Vec<f64>) {
    let logits = leaf(&b.logits, &[B, C]);
    let mut inputs = Inputs::new(
        logits.clone(),
        Tensor::from_vec(b.target.clone(), [B]).unwrap(),
    )
    .class_weights(Tensor::from_vec(b.class_weights.clone(), [C]).unwrap());
    for (n, v) in params {
        inputs = inputs.param(n, *v);
    }
    let l = preset(name).evaluate(&inputs).unwrap();
    assert_eq!(l.dims(), &[] as &[usize]);
    let g = grad(std::slice::from_ref(&l), &[logits], false).unwrap();
    (l.item().unwrap(), g[0].to_vec().unwrap())
}

/// Value and gradient of a core-tensor reference.
fn core_value_grad(b: &Batch, f: impl Fn(&Tensor, &Tensor) -> Tensor) -> (f64, Vec<f64>) {
    let logits = leaf(&b.logits, &[B, C]);
    let l = f(&logits, &Tensor::from_vec(b.target.clone(), [B]).unwrap());
    let g = grad(std::slice::from_ref(&l), &[logits], false).unwrap();
    (l.item().unwrap(), g[0].to_vec().unwrap())
}

/// Central differences of a plain-f64 function (independent of autograd).
fn numeric_grad(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let h = 1e-6;
    (0..x.len())
        .map(|i| {
            let mut p = x.to_vec();
            p[i] += h;
            let up = f(&p);
            p[i] -= 2.0 * h;
            (up - f(&p)) / (2.0 * h)
        })
        .collect()
}

fn assert_close(what: &str, got: (f64, Vec<f64>), want: (f64, Vec<f64>), tol: f64) {
    let scale = |x: f64| tol * (1.0 + x.abs());
    assert!(
        (got.0 - want.0).abs() < scale(want.0),
        "{what}: value {} vs {}",
        got.0,
        want.0
    );
    for (i, (a, b)) in got.1.iter().zip(&want.1).enumerate() {
        assert!((a - b).abs() < scale(*b), "{what}: grad[{i}] {a} vs {b}");
    }
}

fn log_softmax_rows(logits: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; logits.len()];
    for r in 0..logits.len() / C {
        let row = &logits[r * C..(r + 1) * C];
        let m = row.iter().cloned().fold(f64::MIN, f64::max);
        let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        for c in 0..C {
            out[r * C + c] = row[c] - lse;
        }
    }
    out
}

const SEEDS: [u64; 3] = [1, 22, 333];

#[test]
fn cross_entropy_equals_builtin() {
    for seed in SEEDS {
        let b = batch(seed);
        let want = core_value_grad(&b, |x, t| x.cross_entropy(t, &Default::default()).unwrap());
        assert_close(
            "cross_entropy",
            dsl_value_grad("cross_entropy", &b, &[]),
            want,
            1e-10,
        );
    }
}

#[test]
fn weighted_cross_entropy_equals_builtin() {
    for seed in SEEDS {
        let b = batch(seed);
        let w = Tensor::from_vec(b.class_weights.clone(), [C]).unwrap();
        let opts = CrossEntropyOptions {
            weight: Some(&w),
            ..Default::default()
        };
        let want = core_value_grad(&b, |x, t| x.cross_entropy(t, &opts).unwrap());
        let got = dsl_value_grad("weighted_cross_entropy", &b, &[]);
        assert_close("weighted_cross_entropy", got, want, 1e-10);
    }
}

#[test]
fn label_smoothing_equals_builtin() {
    for (seed, eps) in SEEDS.into_iter().zip([0.1, 0.3, 0.9]) {
        let b = batch(seed);
        let opts = CrossEntropyOptions {
            label_smoothing: eps,
            ..Default::default()
        };
        let want = core_value_grad(&b, |x, t| x.cross_entropy(t, &opts).unwrap());
        let got = dsl_value_grad("label_smoothing", &b, &[("eps", eps)]);
        assert_close("label_smoothing", got, want, 1e-10);
    }
}

#[test]
fn mse_onehot_equals_builtin() {
    for seed in SEEDS {
        let b = batch(seed);
        let want = core_value_grad(&b, |x, t| {
            let onehot = t.one_hot(Some(C)).unwrap();
            x.softmax(1)
                .unwrap()
                .mse_loss(&onehot, Reduction::Mean)
                .unwrap()
        });
        assert_close(
            "mse_onehot",
            dsl_value_grad("mse_onehot", &b, &[]),
            want,
            1e-10,
        );
    }
}

/// Focal loss in plain f64: mean over rows of -(1 - p_t)^gamma log p_t.
fn focal_reference(logits: &[f64], target: &[f64], gamma: f64) -> f64 {
    let lp = log_softmax_rows(logits);
    let rows = target.len();
    (0..rows)
        .map(|r| {
            let logpt = lp[r * C + target[r] as usize];
            -(1.0 - logpt.exp()).powf(gamma) * logpt
        })
        .sum::<f64>()
        / rows as f64
}

#[test]
fn focal_equals_reference() {
    for (seed, gamma) in SEEDS.into_iter().zip([2.0, 0.0, 4.5]) {
        let b = batch(seed);
        let f = |x: &[f64]| focal_reference(x, &b.target, gamma);
        let want = (f(&b.logits), numeric_grad(&f, &b.logits));
        let got = dsl_value_grad("focal", &b, &[("gamma", gamma)]);
        assert_close("focal", got, want, 1e-7);
    }
}

/// torch's multi_margin_loss(p=1): mean over rows of sum_{j != y} max(0, m - x_y + x_j) / C.
fn hinge_reference(logits: &[f64], target: &[f64], margin: f64) -> f64 {
    let rows = target.len();
    let mut total = 0.0;
    for r in 0..rows {
        let y = target[r] as usize;
        let row = &logits[r * C..(r + 1) * C];
        for (j, &xj) in row.iter().enumerate() {
            if j != y {
                total += (margin - row[y] + xj).max(0.0) / C as f64;
            }
        }
    }
    total / rows as f64
}

#[test]
fn hinge_equals_reference() {
    for (seed, margin) in SEEDS.into_iter().zip([1.0, 0.5, 3.0]) {
        let b = batch(seed);
        let f = |x: &[f64]| hinge_reference(x, &b.target, margin);
        let want = (f(&b.logits), numeric_grad(&f, &b.logits));
        let got = dsl_value_grad("hinge", &b, &[("margin", margin)]);
        assert_close("hinge", got, want, 1e-7);
    }
}

#[test]
fn multi_task_equals_builtin_sum() {
    for seed in SEEDS {
        let b = batch(seed);
        let aux_v: Vec<f64> = batch(seed + 1000).logits;
        let run = |dsl: bool| {
            let logits = leaf(&b.logits, &[B, C]);
            let aux = leaf(&aux_v, &[B, C]);
            let target = Tensor::from_vec(b.target.clone(), [B]).unwrap();
            let l = if dsl {
                let inputs = Inputs::new(logits.clone(), target)
                    .head("aux", aux.clone())
                    .param("aux_weight", 0.7);
                preset("multi_task").evaluate(&inputs).unwrap()
            } else {
                let opts = CrossEntropyOptions::default();
                let main = logits.cross_entropy(&target, &opts).unwrap();
                let side = aux.cross_entropy(&target, &opts).unwrap();
                main.add(&side.mul_scalar(0.7).unwrap()).unwrap()
            };
            let g = grad(std::slice::from_ref(&l), &[logits, aux], false).unwrap();
            let mut gv: Vec<f64> = g[0].to_vec().unwrap();
            gv.extend(g[1].to_vec::<f64>().unwrap());
            (l.item().unwrap(), gv)
        };
        assert_close("multi_task", run(true), run(false), 1e-10);
    }
}

const D: usize = 3;

/// The gradient-penalty preset on logits = x W in plain f64: per-sample CE, its input gradient
/// `W (p - onehot)` in closed form, and `mean(ce) + lambda * mean(|g|^2 + 1e-12)`.
fn penalty_reference(w: &[f64], x: &[f64], target: &[f64], lambda: f64) -> f64 {
    let logits: Vec<f64> = (0..B * C)
        .map(|i| (0..D).map(|k| x[(i / C) * D + k] * w[k * C + i % C]).sum())
        .collect();
    let lp = log_softmax_rows(&logits);
    let mut ce = 0.0;
    let mut pen = 0.0;
    for r in 0..B {
        let y = target[r] as usize;
        ce -= lp[r * C + y];
        let mut sq = 0.0;
        for k in 0..D {
            let gk: f64 = (0..C)
                .map(|c| w[k * C + c] * (lp[r * C + c].exp() - f64::from(u8::from(c == y))))
                .sum();
            sq += gk * gk;
        }
        pen += sq + 1e-12;
    }
    ce / B as f64 + lambda * pen / B as f64
}

#[test]
fn gradient_penalty_equals_reference_and_core_double_backward() {
    for (seed, lambda) in SEEDS.into_iter().zip([0.1, 1.0, 5.0]) {
        let b = batch(seed);
        let mut rng = Rng::new(seed + 7);
        let xv: Vec<f64> = rng
            .normal(B * D, 0.0, 1.0)
            .into_iter()
            .map(f64::from)
            .collect();
        let wv: Vec<f64> = rng
            .normal(D * C, 0.0, 1.0)
            .into_iter()
            .map(f64::from)
            .collect();
        let target = Tensor::from_vec(b.target.clone(), [B]).unwrap();
        let run = |dsl: bool| {
            let x = leaf(&xv, &[B, D]);
            let w = leaf(&wv, &[D, C]);
            let logits = x.matmul(&w).unwrap();
            let l = if dsl {
                let inputs = Inputs::new(logits, target.clone())
                    .wrt(x.clone())
                    .param("lambda", lambda);
                preset("gradient_penalty").evaluate(&inputs).unwrap()
            } else {
                let opts = CrossEntropyOptions {
                    reduction: Reduction::None,
                    ..Default::default()
                };
                let ce = logits.cross_entropy(&target, &opts).unwrap();
                let s = ce.sum_all().unwrap();
                let g = grad(&[s], std::slice::from_ref(&x), true)
                    .unwrap()
                    .remove(0);
                let sq = g.square().unwrap().sum(&[1], false).unwrap();
                let pen = sq.add_scalar(1e-12).unwrap().mean_all().unwrap();
                ce.mean_all()
                    .unwrap()
                    .add(&pen.mul_scalar(lambda).unwrap())
                    .unwrap()
            };
            let g = grad(std::slice::from_ref(&l), &[w], false).unwrap();
            (l.item().unwrap(), g[0].to_vec::<f64>().unwrap())
        };
        let got = run(true);
        assert_close("gradient_penalty vs core", got.clone(), run(false), 1e-10);
        let f = |w: &[f64]| penalty_reference(w, &xv, &b.target, lambda);
        let want = (f(&wv), numeric_grad(&f, &wv));
        assert_close("gradient_penalty vs plain f64", got, want, 1e-6);
    }
}

#[test]
fn every_preset_passes_gradcheck() {
    for p in PRESETS {
        let loss = preset(p.name);
        let report = gradcheck(&loss, 4, 3, 9).unwrap();
        assert!(report.passes(1e-6), "{}: {report:?}", p.name);
    }
}

#[test]
fn presets_run_in_f32_too() {
    for p in PRESETS {
        let loss = preset(p.name);
        let mut rng = Rng::new(5);
        let x = Tensor::randn([B, D], &mut rng).requires_grad_().unwrap();
        let w = Tensor::randn([D, C], &mut rng).requires_grad_().unwrap();
        let logits = x.matmul(&w).unwrap();
        let target = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0, 4.0, 0.0], [B]).unwrap();
        let mut inputs = Inputs::new(logits.clone(), target).wrt(x);
        for h in p.heads {
            inputs = inputs.head(h, logits.mul_scalar(0.5).unwrap());
        }
        let l = loss.evaluate(&inputs).unwrap();
        l.backward().unwrap();
        assert!(l.item().unwrap().is_finite(), "{}", p.name);
        assert!(
            w.grad().is_some(),
            "{}: no gradient reached the weights",
            p.name
        );
    }
}
