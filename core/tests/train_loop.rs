//! The training loop end to end on a small in-memory set: fit with validation, callbacks,
//! max_steps, early stopping, penalties and plateau reduction.

use pixelgrad::data::{Dataset, Image, InMemoryDataset, LoaderConfig, Pipeline, Transform};
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::nn::parameters;
use pixelgrad::optim::{OptimizerSpec, SgdConfig};
use pixelgrad::train::{Control, Event, Penalty, PlateauConfig, TrainConfig, TrainError, Trainer};
use pixelgrad::Rng;

/// 3 classes told apart by mean brightness, 8×8 grey.
fn set(n: usize, seed: u64) -> InMemoryDataset {
    let mut ds = InMemoryDataset::new(vec!["dark".into(), "mid".into(), "bright".into()]);
    let mut rng = Rng::new(seed);
    for i in 0..n {
        let label = i % 3;
        let noise = rng.uniform(64, -0.1, 0.1);
        let px = noise.iter().map(|v| 0.2 + 0.3 * label as f32 + v).collect();
        ds.push(Image::new(1, 8, 8, px).expect("valid"), label)
            .expect("valid");
    }
    ds
}

fn config() -> TrainConfig {
    TrainConfig {
        loader: LoaderConfig {
            batch_size: 16,
            augment: Pipeline::new(vec![Transform::RandomHorizontalFlip { p: 0.5 }]),
            ..LoaderConfig::default()
        },
        label_smoothing: 0.1,
        clip_grad_norm: Some(10.0),
        seed: 7,
        ..TrainConfig::new(
            8,
            OptimizerSpec::Sgd(SgdConfig {
                momentum: 0.9,
                ..SgdConfig::new(0.05)
            }),
        )
    }
}

const INPUT: InputSpec = InputSpec {
    channels: 1,
    height: 8,
    width: 8,
};

fn mlp() -> pixelgrad::models::Model {
    let spec: ModelSpec =
        serde_json::from_str(r#"{"family":"mlp","hidden":[16],"activation":"relu","dropout":0.1}"#)
            .expect("spec");
    spec.build(INPUT, 3, 1).expect("builds")
}

#[test]
fn fit_learns_and_reports() {
    let (train, val) = (set(96, 1), set(30, 2));
    let model = mlp();
    let mut trainer = Trainer::new(&model, 3, config()).expect("valid");
    let mut evals = 0;
    let history = trainer
        .fit(&train, Some(&val), |e| {
            if let Event::Eval(_) = e {
                evals += 1;
            }
            Control::Continue
        })
        .expect("trains");
    assert_eq!(
        (history.steps.len(), history.evals.len(), evals),
        (8 * 6, 8, 8)
    );
    let last = history.evals.last().expect("evaluated");
    assert!(last.accuracy > 0.9, "val accuracy {}", last.accuracy);
    assert_eq!(last.confusion.total(), val.len() as u64);
    // Same seed, same run.
    let again = mlp();
    let h2 = Trainer::new(&again, 3, config())
        .expect("valid")
        .fit(&train, None::<&InMemoryDataset>, |_| Control::Continue)
        .expect("trains");
    assert_eq!(
        h2.steps.iter().map(|s| s.loss).collect::<Vec<_>>(),
        history.steps.iter().map(|s| s.loss).collect::<Vec<_>>()
    );
}

#[test]
fn stopping_rules() {
    let train = set(48, 3);
    let model = mlp();
    let cfg = TrainConfig {
        max_steps: Some(5),
        ..config()
    };
    let h = Trainer::new(&model, 3, cfg)
        .expect("valid")
        .fit(&train, None::<&InMemoryDataset>, |_| Control::Continue)
        .expect("trains");
    assert_eq!(
        (h.steps.len(), h.stopped.as_deref()),
        (5, Some("max_steps"))
    );
    let h = Trainer::new(&model, 3, config())
        .expect("valid")
        .fit(&train, None::<&InMemoryDataset>, |_| Control::Stop)
        .expect("trains");
    assert_eq!((h.steps.len(), h.stopped.as_deref()), (1, Some("callback")));
    // Validation accuracy cannot improve on a set with one class only: patience 2 stops at epoch 3.
    let mut one = InMemoryDataset::new(vec!["a".into(), "b".into(), "c".into()]);
    one.push(Image::filled(1, 8, 8, 0.5).expect("valid"), 0)
        .expect("valid");
    let cfg = TrainConfig {
        early_stopping_patience: Some(2),
        optimizer: OptimizerSpec::Sgd(SgdConfig::new(0.0)),
        ..config()
    };
    let h = Trainer::new(&model, 3, cfg)
        .expect("valid")
        .fit(&train, Some(&one), |_| Control::Continue)
        .expect("trains");
    assert_eq!(
        (h.evals.len(), h.stopped.as_deref()),
        (3, Some("early_stopping"))
    );
    // A diverging rate is reported, not silently continued.
    let cfg = TrainConfig {
        optimizer: OptimizerSpec::Sgd(SgdConfig::new(1e30)),
        clip_grad_norm: None,
        ..config()
    };
    let r =
        Trainer::new(&model, 3, cfg)
            .expect("valid")
            .fit(&train, None::<&InMemoryDataset>, |_| Control::Continue);
    assert!(
        matches!(
            r,
            Err(TrainError::NonFinite { .. }) | Err(TrainError::Tensor(_))
        ),
        "{r:?}"
    );
}

#[test]
fn penalty_and_plateau() {
    let train = set(48, 4);
    let model = mlp();
    let batch = pixelgrad::data::DataLoader::new(
        &train,
        LoaderConfig {
            shuffle: false,
            ..LoaderConfig::default()
        },
        0,
    )
    .expect("valid")
    .batch(0, 0)
    .expect("batch");
    let sq: f64 = parameters(&model)
        .iter()
        .map(|p| {
            p.tensor
                .to_vec_f32()
                .expect("read")
                .iter()
                .map(|v| f64::from(*v).powi(2))
                .sum::<f64>()
        })
        .sum();
    let zero_lr = |penalty| TrainConfig {
        optimizer: OptimizerSpec::Sgd(SgdConfig::new(0.0)),
        penalty,
        loader: LoaderConfig::default(),
        ..config()
    };
    let plain = Trainer::new(&model, 3, zero_lr(None))
        .expect("valid")
        .train_step(&batch, 0)
        .expect("step")
        .loss;
    let with = Trainer::new(&model, 3, zero_lr(Some(Penalty::L2(0.5))))
        .expect("valid")
        .train_step(&batch, 0)
        .expect("step")
        .loss;
    assert!(
        (with - plain - 0.5 * sq).abs() < 1e-3 * sq,
        "{with} - {plain} vs {}",
        0.5 * sq
    );
    // At a negligible rate the validation loss cannot improve: after `patience` epochs
    // without improvement the rate is halved, exactly.
    let plateau = PlateauConfig {
        factor: 0.5,
        patience: 1,
        threshold: 1e-4,
        cooldown: 0,
        min_lr: 0.0,
    };
    let cfg = TrainConfig {
        epochs: 4,
        optimizer: OptimizerSpec::Sgd(SgdConfig::new(1e-12)),
        reduce_on_plateau: Some(plateau),
        ..config()
    };
    let h = Trainer::new(&model, 3, cfg)
        .expect("valid")
        .fit(&train, Some(&set(6, 5)), |_| Control::Continue)
        .expect("trains");
    let per_epoch = h.steps.len() / 4;
    let lrs: Vec<f64> = h.steps.iter().step_by(per_epoch).map(|s| s.lr).collect();
    assert_eq!(lrs, vec![1e-12, 1e-12, 1e-12, 0.5e-12]);
}

/// Validation sees the deterministic part of the training pipeline: a model trained on
/// 4×4 random crops of 8×8 images is evaluated on 4×4 resizes, normalized the same way.
#[test]
fn evaluation_applies_the_deterministic_pipeline() {
    let (train, val) = (set(60, 6), set(30, 7));
    let spec: ModelSpec =
        serde_json::from_str(r#"{"family":"mlp","hidden":[16],"activation":"relu","dropout":0.0}"#)
            .expect("spec");
    let model = spec
        .build(
            InputSpec {
                channels: 1,
                height: 4,
                width: 4,
            },
            3,
            0,
        )
        .expect("builds");
    let augment = Pipeline::new(vec![
        Transform::RandomResizedCrop {
            height: 4,
            width: 4,
            scale: [0.5, 1.0],
            ratio: [0.75, 1.33],
        },
        Transform::Normalize {
            mean: vec![0.5],
            std: vec![0.25],
        },
    ]);
    let cfg = TrainConfig {
        epochs: 6,
        loader: LoaderConfig {
            batch_size: 10,
            augment,
            ..LoaderConfig::default()
        },
        ..config()
    };
    let h = Trainer::new(&model, 3, cfg)
        .expect("valid")
        .fit(&train, Some(&val), |_| Control::Continue)
        .expect("trains");
    let acc = h.evals.last().expect("evaluated").accuracy;
    assert!(acc > 0.9, "validation accuracy {acc}");
}
