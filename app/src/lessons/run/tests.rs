//! Lesson run blocks: parsing, budgets and the run specs they build.

use super::*;

#[test]
fn a_run_block_becomes_a_valid_run_spec() {
    let run =
        LessonRun::parse("data: mnist\nmodel: lenet5\nlr: 0.05\nmax_steps: 300\nsubset: 6000")
            .expect("parses");
    let spec = run.run_spec(Budget::Steps(40)).expect("builds");
    spec.validate().expect("valid");
    assert_eq!(spec.train.max_steps, Some(40));
    assert_eq!(spec.data.subset, Some(6000));
    assert_eq!(run.steps_under(Budget::Quick), Some(300));
    let quick = LessonRun::parse("data: mnist\nmodel: lenet5\nmax_steps: 300\nquick_steps: 80")
        .expect("parses");
    assert_eq!(
        quick
            .run_spec(Budget::Quick)
            .expect("builds")
            .train
            .max_steps,
        Some(80)
    );
    assert_eq!(Budget::from_query(Some("quick")), Budget::Quick);
    assert_eq!(Budget::from_query(Some("40")), Budget::Steps(40));
    assert_eq!(Budget::from_query(Some("x")), Budget::Full);
    let sized = LessonRun::parse("data: mnist\nmodel: lenet5\ninput: 1x28x28\nmax_steps: 3")
        .expect("parses");
    assert_eq!(
        sized.run_spec(Budget::Full).expect("builds").data.input,
        InputSpec::GREY28
    );
    let custom = LessonRun::parse(
        r#"data: digits
model: {"family": "mlp", "hidden": [32], "activation": "relu", "dropout": 0.0}
optimizer: adam
lr: 0.01"#,
    )
    .expect("parses");
    assert_eq!(custom.model.label(), "mlp");
}

#[test]
fn rejects_unknown_keys_models_and_data() {
    for bad in [
        "data: mnist\nmodel: lenet5\nlearning_rate: 1",
        "data: mnist\nmodel: lenet6",
        "data: cifar\nmodel: lenet5",
        "data: mnist\nmodel: lenet5\noptimizer: lion",
        "data: mnist\nmodel: lenet5\nmax_steps: 100\nquick_steps: 200",
    ] {
        assert!(LessonRun::parse(bad).is_err(), "{bad:?} should fail");
    }
}

#[test]
fn lesson_data_are_bundled_sets() {
    for (id, _, _) in LESSON_DATA {
        assert!(
            crate::worker::datasets::BUNDLED.iter().any(|b| b.id == *id),
            "{id}"
        );
    }
}
