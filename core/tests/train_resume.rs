//! Resuming a run from a checkpoint (after a lost GPU, a crashed worker or a reload): with the
//! checkpoint's weights and `Trainer::resume_at`, the learning-rate schedule and the losses go on
//! exactly as in the uninterrupted run (SGD without momentum has no other state).

use pixelgrad::data::Batch;
use pixelgrad::io::{load_model, save_model};
use pixelgrad::models::{InputSpec, Model, ModelSpec};
use pixelgrad::train::{TrainConfig, Trainer};
use pixelgrad::Rng;

fn config() -> TrainConfig {
    serde_json::from_value(serde_json::json!({
        "epochs": 1, "max_steps": null,
        "optimizer": {"kind": "sgd", "lr": 0.1, "momentum": 0.0, "dampening": 0.0,
                      "nesterov": false, "weight_decay": 0.0},
        "schedule": {"kind": "cosine", "t_max": 8, "eta_min": 0.001},
        "loader": {"batch_size": 8, "shuffle": true, "drop_last": false,
                   "augment": {"transforms": []}, "mix": null},
        "label_smoothing": 0.0, "clip_grad_norm": null, "early_stopping_patience": null,
        "seed": 11
    }))
    .expect("a valid TrainConfig")
}

fn batch(step: usize) -> Batch {
    let n = 8;
    let mut rng = Rng::new(500 + step as u64);
    Batch {
        images: rng.uniform(n * 28 * 28, 0.0, 1.0),
        shape: [n, 1, 28, 28],
        labels: (0..n).map(|i| (i * 3 + step) % 10).collect(),
        soft_targets: None,
        indices: (0..n).collect(),
    }
}

fn model() -> Model {
    ModelSpec::preset("mlp")
        .expect("preset")
        .build(InputSpec::GREY28, 10, 5)
        .expect("builds")
}

#[test]
fn a_resumed_run_continues_the_schedule_and_the_loss_curve() {
    let mut whole = Trainer::new(model(), 10, config()).expect("trainer");
    let mut checkpoint = Vec::new();
    let mut want = Vec::new();
    for step in 0..7 {
        if step == 3 {
            checkpoint = save_model(whole.model().net(), None).expect("checkpoint");
        }
        let r = whole.train_step(&batch(step), 0).expect("step");
        want.push((r.loss, r.lr));
    }
    let resumed_model = model();
    load_model(resumed_model.net(), &checkpoint, true).expect("loads");
    let mut resumed = Trainer::new(resumed_model, 10, config()).expect("trainer");
    resumed.resume_at(3, 0);
    assert_eq!(resumed.steps(), 3);
    for (step, &(loss, lr)) in want.iter().enumerate().skip(3) {
        let r = resumed.train_step(&batch(step), 0).expect("step");
        assert_eq!(r.lr, lr, "learning rate at step {step}");
        assert!(
            (r.loss - loss).abs() <= 1e-6 * loss.abs(),
            "step {step}: resumed {} vs uninterrupted {loss}",
            r.loss
        );
    }
}
