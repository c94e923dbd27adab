//! Schedules against learning rates recorded from torch.optim.lr_scheduler
//! (`tests/fixtures/training/generate_lr_schedules.py`).

use serde::Deserialize;

use super::{Mode, ReduceLrOnPlateau, Schedule, Scheduler, ThresholdMode};

#[derive(Deserialize)]
struct Case {
    name: String,
    spec: serde_json::Value,
    base_lr: f64,
    metrics: Option<Vec<f64>>,
    lrs: Vec<f64>,
}

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct PlateauSpec {
    mode: Mode,
    factor: f64,
    patience: usize,
    threshold: f64,
    threshold_mode: ThresholdMode,
    cooldown: usize,
    min_lr: f64,
}

#[test]
fn schedules_match_pytorch() {
    let file: File = serde_json::from_str(include_str!(
        "../../../tests/fixtures/training/lr_schedules.json"
    ))
    .expect("fixture parses");
    assert!(file.cases.len() >= 12);
    for case in file.cases {
        let got: Vec<f64> = if let Some(metrics) = &case.metrics {
            let p: PlateauSpec = serde_json::from_value(case.spec.clone()).expect("plateau spec");
            let mut s = ReduceLrOnPlateau::new(case.base_lr, p.mode)
                .with(
                    p.factor,
                    p.patience,
                    p.threshold,
                    p.threshold_mode,
                    p.cooldown,
                    p.min_lr,
                )
                .expect("valid");
            metrics.iter().map(|&m| s.step(m)).collect()
        } else {
            let spec: Schedule = serde_json::from_value(case.spec.clone())
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let mut s = Scheduler::new(spec, case.base_lr).expect("valid");
            let mut v = vec![s.lr()];
            for _ in 1..case.lrs.len() {
                v.push(s.step());
            }
            v
        };
        for (t, (g, w)) in got.iter().zip(&case.lrs).enumerate() {
            assert!(
                (g - w).abs() <= 1e-9 + 1e-7 * w.abs(),
                "{} at t = {t}: got {g}, torch {w}\n{got:?}",
                case.name
            );
        }
    }
}

#[test]
fn invalid_schedules_are_rejected() {
    for bad in [
        Schedule::Step {
            step_size: 0,
            gamma: 0.1,
        },
        Schedule::Exponential { gamma: -1.0 },
        Schedule::CosineWarmRestarts {
            t_0: 0,
            t_mult: 1,
            eta_min: 0.0,
        },
        Schedule::one_cycle(0.1, 1),
        Schedule::Warmup {
            steps: 2,
            start_factor: 0.0,
            then: Box::new(Schedule::Constant),
        },
    ] {
        assert!(Scheduler::new(bad.clone(), 0.1).is_err(), "{bad:?}");
    }
    assert!(ReduceLrOnPlateau::new(0.1, Mode::Min)
        .with(1.5, 1, 0.0, ThresholdMode::Abs, 0, 0.0)
        .is_err());
}

#[derive(Deserialize)]
struct OptimCase {
    name: String,
    spec: super::OptimizerSpec,
    clip_norm: Option<f64>,
    clip_value: Option<f64>,
    params: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct OptimFile {
    weights: Vec<f64>,
    targets: Vec<f64>,
    cases: Vec<OptimCase>,
}

/// Trajectories of `sum(w (p - t)^2)` under each optimizer, in f64, against torch.optim.
#[test]
fn optimizers_match_pytorch() {
    use crate::tensor::Tensor;
    let file: OptimFile = serde_json::from_str(include_str!(
        "../../../tests/fixtures/training/optimizers.json"
    ))
    .expect("fixture parses");
    let w = Tensor::from_vec(file.weights.clone(), [6]).expect("valid");
    let t = Tensor::from_vec(file.targets.clone(), [6]).expect("valid");
    assert!(file.cases.len() >= 10);
    for case in file.cases {
        let p0: Vec<f64> = (0..6).map(|i| -1.0 + 2.0 * i as f64 / 5.0).collect();
        let p = Tensor::from_vec(p0, [6])
            .expect("valid")
            .requires_grad_()
            .expect("leaf");
        let mut opt = case.spec.build(vec![p.clone()]).expect("valid spec");
        for (step, want) in case.params.iter().enumerate() {
            opt.zero_grad();
            let loss = p
                .sub(&t)
                .and_then(|d| d.square())
                .and_then(|d| d.mul(&w))
                .and_then(|d| d.sum_all())
                .expect("loss");
            loss.backward().expect("backward");
            if let Some(n) = case.clip_norm {
                super::clip_grad_norm(opt.params(), n).expect("clip");
            }
            if let Some(v) = case.clip_value {
                super::clip_grad_value(opt.params(), v).expect("clip");
            }
            opt.step().expect("step");
            let got = p.to_vec::<f64>().expect("read");
            for (g, e) in got.iter().zip(want) {
                assert!(
                    (g - e).abs() < 1e-10,
                    "{} step {step}: got {got:?}, torch {want:?}",
                    case.name
                );
            }
        }
    }
}
