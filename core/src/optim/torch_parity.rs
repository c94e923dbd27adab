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
