//! The controls' mapping to the run spec: every schedule, regulariser and augmentation set in
//! the panel comes back from the spec it made (so links restore exactly what was chosen).

use super::*;

#[test]
fn schedules_round_trip_through_the_controls() {
    let schedules = [
        Schedule::Constant,
        Schedule::Step {
            step_size: 2,
            gamma: 0.3,
        },
        Schedule::Cosine {
            t_max: 4,
            eta_min: 0.0,
        },
        Schedule::CosineWarmRestarts {
            t_0: 1,
            t_mult: 2,
            eta_min: 0.0,
        },
        Schedule::one_cycle(0.05, 300),
        Schedule::Warmup {
            steps: 2,
            start_factor: WARMUP_START_FACTOR,
            then: Box::new(Schedule::Cosine {
                t_max: 4,
                eta_min: 0.0,
            }),
        },
    ];
    for s in schedules {
        let c = ScheduleControls::of(&s);
        assert_ne!(c.kind, "shared", "{s:?}");
        assert_eq!(c.schedule(4, 300, 0.05, None).expect("valid"), s);
    }
    let odd = Schedule::Exponential { gamma: 0.9 };
    let c = ScheduleControls::of(&odd);
    assert_eq!(c.kind, "shared");
    assert_eq!(c.schedule(4, 300, 0.05, Some(&odd)).expect("kept"), odd);
    let bad = ScheduleControls {
        kind: "step".into(),
        gamma: "1.5".into(),
        ..ScheduleControls::default()
    };
    assert!(bad
        .schedule(4, 300, 0.05, None)
        .expect_err("gamma > 1")
        .contains("factor"));
}

#[test]
fn toggles_keep_a_links_settings_and_insert_in_order() {
    let all = AugmentToggles {
        crop: true,
        flip: true,
        rotate: true,
        jitter: true,
        normalize: true,
        erase: true,
    };
    let p = all.pipeline(None, 1, 28, 28);
    assert_eq!(p.transforms.len(), 6);
    p.validate().expect("valid");
    assert_eq!(AugmentToggles::of(&p), all);
    let ranks: Vec<u8> = p.transforms.iter().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    // A link's rotation of 40° and its resize stay; flip is added after the resize.
    let base = Pipeline::new(vec![
        Transform::Resize {
            height: 28,
            width: 28,
        },
        Transform::RandomRotation { degrees: 40.0 },
        Transform::Normalize {
            mean: vec![0.1307],
            std: vec![0.3081],
        },
    ]);
    let toggles = AugmentToggles {
        flip: true,
        rotate: true,
        ..AugmentToggles::default()
    };
    let p = toggles.pipeline(Some(&base), 1, 28, 28);
    assert_eq!(
        p.transforms,
        vec![
            base.transforms[0].clone(),
            Transform::RandomHorizontalFlip { p: 0.5 },
            base.transforms[1].clone(),
        ]
    );
    let same = AugmentToggles::of(&base).pipeline(Some(&base), 1, 28, 28);
    assert_eq!(same, base);
}

#[test]
fn dropout_is_set_only_where_a_model_has_it() {
    let mlp = ModelSpec::preset("mlp").expect("preset");
    assert_eq!(model_dropout(&mlp), Some(0.0));
    assert_eq!(model_dropout(&with_dropout(&mlp, 0.3)), Some(0.3));
    let lenet = ModelSpec::preset("lenet5").expect("preset");
    assert_eq!(model_dropout(&lenet), None);
    assert_eq!(with_dropout(&lenet, 0.3), lenet);
}
