//! A frozen backbone's features computed once: the head trained on cached features (keyed by
//! image content, so flipped images are their own entries) follows the loss curve of the whole
//! model trained on the images, step for step, and ends with the same weights; evaluation on
//! cached held-out features gives the whole model's report. Tiny MobileNetV2 (width 0.25).

use pixelgrad::data::{
    Batch, BatchMix, DataLoader, Image, InMemoryDataset, LoaderConfig, Pipeline, Transform,
};
use pixelgrad::models::{
    cache_features, features_repeat, FeatureCache, InputSpec, Model, ModelSpec, TransferHead,
};
use pixelgrad::nn::{freeze, parameters, unfreeze};
use pixelgrad::optim::{AdamConfig, OptimizerSpec};
use pixelgrad::train::{evaluate, evaluate_preprocessed, TrainConfig, Trainer};
use pixelgrad::Rng;

/// The small MobileNetV2 preset for 32² RGB and two classes, same weights for the same seed.
fn model() -> Model {
    ModelSpec::preset("mobilenet_v2_small")
        .expect("preset")
        .build(InputSpec::RGB32, 2, 7)
        .expect("builds")
}

/// The same model with its backbone frozen: only `classifier` trains.
fn frozen_model() -> Model {
    let model = model();
    freeze(&model, "features.").expect("backbone exists");
    model
}

/// `n` random 32² RGB images whose class shifts their brightness.
fn images(n: usize, seed: u64) -> InMemoryDataset {
    let mut rng = Rng::new(seed);
    let mut data = InMemoryDataset::new(vec!["dark".into(), "bright".into()]);
    for i in 0..n {
        let label = i % 2;
        let pixels = rng.uniform(3 * 32 * 32, 0.0, 0.6 + 0.4 * label as f32);
        data.push(Image::new(3, 32, 32, pixels).expect("image"), label)
            .expect("push");
    }
    data
}

/// The webcam/upload runs' recipe: random horizontal flips, then normalization.
fn config() -> TrainConfig {
    TrainConfig {
        loader: LoaderConfig {
            batch_size: 8,
            augment: Pipeline::new(vec![
                Transform::RandomHorizontalFlip { p: 0.5 },
                Transform::Normalize {
                    mean: vec![0.485, 0.456, 0.406],
                    std: vec![0.229, 0.224, 0.225],
                },
            ]),
            ..LoaderConfig::default()
        },
        seed: 3,
        ..TrainConfig::new(3, OptimizerSpec::Adam(AdamConfig::new(1e-2)))
    }
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-4 * a.abs().max(1.0),
        "{what}: {a} (whole model) vs {b} (cached features)"
    );
}

#[test]
fn the_head_on_cached_features_trains_as_the_whole_model_does() {
    let data = images(24, 1);
    let (whole, cached) = (frozen_model(), frozen_model());
    let head = TransferHead::of(&cached).expect("only the head trains");
    assert!(features_repeat(&config().loader));
    let mut on_images = Trainer::new(&whole, 2, config()).expect("trainer");
    let mut on_features = Trainer::new(&head, 2, config()).expect("trainer");
    let loader = DataLoader::new(&data, config().loader, config().seed).expect("loader");
    let mut cache = FeatureCache::new();
    let mut losses = Vec::new();
    for epoch in 0..3 {
        for b in 0..loader.num_batches() {
            let batch = loader.batch(epoch, b).expect("batch");
            let a = on_images.train_step(&batch, epoch as usize).expect("step");
            let features = cache
                .features_batch(&cached, head.cut(), &batch)
                .expect("features");
            let c = on_features
                .train_step(&features, epoch as usize)
                .expect("step");
            close(a.loss, c.loss, &format!("loss at step {}", a.step));
            losses.push(a.loss);
        }
    }
    assert_eq!(losses.len(), 9);
    assert!(losses[8] < losses[0], "the head learns: {losses:?}");
    // Every image seen once is computed once: a sample is one of two images (flipped or not).
    assert_eq!(cache.computed() + cache.reused(), 3 * 24);
    assert!(
        cache.computed() <= 2 * 24 && cache.reused() >= 24,
        "{cache:?}"
    );
    // The head's tensors are the model's: the cached run's model holds the trained head, and
    // its backbone is the untouched one.
    for (a, c) in parameters(&whole).iter().zip(parameters(&cached)) {
        assert_eq!(a.name, c.name);
        let values = |t: &pixelgrad::Tensor| t.to_vec_f32().expect("reads");
        for (x, y) in values(&a.tensor).iter().zip(values(&c.tensor)) {
            close(f64::from(*x), f64::from(y), &a.name);
        }
    }
    // Evaluation from cached held-out features reports what the whole model does on images.
    let held_out = images(10, 2);
    let pre = config().loader.augment.for_evaluation();
    let full = evaluate_preprocessed(&whole, &held_out, 2, 4, 0, &pre).expect("evaluates");
    let features = cache_features(&cached, &held_out, &pre, head.cut(), 4).expect("features");
    let from_features = evaluate(&head, &features, 2, 4, 0).expect("evaluates");
    close(full.loss, from_features.loss, "held-out loss");
    assert_eq!(full.accuracy, from_features.accuracy);
    assert_eq!(full.confusion, from_features.confusion);
}

#[test]
fn only_a_model_training_just_its_head_has_a_transfer_head() {
    let model = model();
    assert!(TransferHead::of(&model).is_none(), "the backbone trains");
    freeze(&model, "features.").expect("freezes");
    let head = TransferHead::of(&model).expect("only the head trains");
    let names: Vec<String> = parameters(&head).into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["classifier.1.weight", "classifier.1.bias"]);
    unfreeze(&model, "features.18.").expect("last stage exists");
    assert!(TransferHead::of(&model).is_none(), "the last stage trains");
    // EfficientNet's frozen backbone still drops residual branches in training (stochastic
    // depth), so its features differ from step to step: no cached head.
    let efficientnet = ModelSpec::preset("efficientnet_b0_small")
        .expect("preset")
        .build(InputSpec::RGB32, 2, 0)
        .expect("builds");
    freeze(&efficientnet, "features.").expect("freezes");
    assert!(TransferHead::of(&efficientnet).is_none(), "not MobileNetV2");
}

#[test]
fn flips_repeat_but_crops_and_mixing_do_not() {
    let mut loader = config().loader;
    assert!(features_repeat(&loader));
    loader
        .augment
        .transforms
        .push(Transform::random_resized_crop(32, 32));
    assert!(!features_repeat(&loader));
    let mut mixed = config().loader;
    mixed.mix = Some(BatchMix::Mixup { alpha: 0.2 });
    assert!(!features_repeat(&mixed));
}

#[test]
fn a_cache_computes_each_distinct_image_once() {
    let model = frozen_model();
    let image = |v: f32| vec![v; 3 * 32 * 32];
    let batch = Batch {
        images: [image(0.1), image(0.2), image(0.1)].concat(),
        shape: [3, 3, 32, 32],
        labels: vec![0, 1, 0],
        soft_targets: None,
        indices: vec![0, 1, 2],
    };
    let mut cache = FeatureCache::new();
    let first = cache.features_batch(&model, "pool", &batch).expect("runs");
    assert_eq!(first.shape, [3, 1, 1, 1280]);
    assert_eq!((cache.computed(), cache.reused()), (2, 0));
    assert_eq!(first.images[..1280], first.images[2 * 1280..]);
    assert_ne!(first.images[..1280], first.images[1280..2 * 1280]);
    let again = cache.features_batch(&model, "pool", &batch).expect("runs");
    assert_eq!((cache.computed(), cache.reused()), (2, 3));
    assert_eq!(again, first);
    assert!(cache
        .features_batch(
            &model,
            "nope",
            &Batch {
                images: image(0.3),
                shape: [1, 3, 32, 32],
                ..batch
            }
        )
        .is_err());
}

#[test]
fn a_full_cache_computes_new_images_each_time() {
    let model = frozen_model();
    let image = |v: f32| vec![v; 3 * 32 * 32];
    let batch = Batch {
        images: [image(0.1), image(0.2)].concat(),
        shape: [2, 3, 32, 32],
        labels: vec![0, 1],
        soft_targets: None,
        indices: vec![0, 1],
    };
    // Room for one 1280-value feature vector.
    let mut cache = FeatureCache::with_limit(1280 * 4);
    let first = cache.features_batch(&model, "pool", &batch).expect("runs");
    assert_eq!(cache.len(), 1);
    let again = cache.features_batch(&model, "pool", &batch).expect("runs");
    assert_eq!((cache.computed(), cache.reused()), (3, 1));
    assert_eq!(again, first);
}
