//! `Trainer::observe_epoch_eval`: the hook a caller that drives steps itself (the browser
//! worker) uses so reduce-on-plateau and early stopping act as they do inside `fit`.

use pixelgrad::metrics::ConfusionMatrix;
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::optim::{OptimizerSpec, SgdConfig};
use pixelgrad::train::{EvalReport, PlateauConfig, TrainConfig, Trainer};

fn config(patience: Option<usize>, plateau: Option<PlateauConfig>) -> TrainConfig {
    TrainConfig {
        early_stopping_patience: patience,
        reduce_on_plateau: plateau,
        ..TrainConfig::new(10, OptimizerSpec::Sgd(SgdConfig::new(0.1)))
    }
}

fn report(epoch: usize, loss: f64, accuracy: f64) -> EvalReport {
    EvalReport {
        epoch,
        loss,
        accuracy,
        top5: 1.0,
        ece: 0.0,
        confusion: ConfusionMatrix::new(2),
    }
}

fn model() -> pixelgrad::models::Model {
    let spec: ModelSpec =
        serde_json::from_str(r#"{"family":"mlp","hidden":[4],"activation":"relu","dropout":0.0}"#)
            .expect("spec");
    let input = InputSpec {
        channels: 1,
        height: 2,
        width: 2,
    };
    spec.build(input, 2, 1).expect("builds")
}

#[test]
fn early_stopping_counts_epochs_without_better_accuracy() {
    let m = model();
    let mut trainer = Trainer::new(&m, 2, config(Some(2), None)).expect("valid");
    assert!(!trainer.observe_epoch_eval(&report(0, 1.0, 0.5)));
    assert!(
        !trainer.observe_epoch_eval(&report(1, 0.9, 0.6)),
        "improved"
    );
    assert!(
        !trainer.observe_epoch_eval(&report(2, 0.9, 0.6)),
        "1 epoch without"
    );
    assert!(
        trainer.observe_epoch_eval(&report(3, 0.9, 0.55)),
        "2 epochs without"
    );
    let mut never = Trainer::new(&m, 2, config(None, None)).expect("valid");
    assert!((0..20).all(|e| !never.observe_epoch_eval(&report(e, 1.0, 0.1))));
}

#[test]
fn plateau_lowers_the_rate_of_the_next_steps() {
    let m = model();
    let plateau = PlateauConfig {
        factor: 0.5,
        patience: 1,
        threshold: 1e-4,
        cooldown: 0,
        min_lr: 0.0,
    };
    let mut trainer = Trainer::new(&m, 2, config(None, Some(plateau))).expect("valid");
    assert!((trainer.lr() - 0.1).abs() < 1e-12);
    for epoch in 0..3 {
        trainer.observe_epoch_eval(&report(epoch, 1.0, 0.5));
    }
    // Epoch 0 sets the best loss; epochs 1 and 2 do not improve: past patience 1, halved.
    let batch = pixelgrad::data::Batch {
        images: vec![0.0; 8],
        shape: [2, 1, 2, 2],
        labels: vec![0, 1],
        soft_targets: None,
        indices: vec![0, 1],
    };
    let step = trainer.train_step(&batch, 3).expect("steps");
    assert!((step.lr - 0.05).abs() < 1e-12, "lr {}", step.lr);
}
