//! Why the loss editor exists, measured: on the bundled small-digits set with one class made
//! rare (`DataSpec.imbalance`), the playground's MLP trained for the same 100 steps with the
//! focal preset recalls more of the rare class on the balanced test split than with plain
//! cross-entropy. The same settings as the e2e test `loss_editor.test.mjs`, natively.
#![cfg(not(target_arch = "wasm32"))]

use pixelgrad::data::{BundledDataset, DataLoader, Dataset, LoaderConfig, Split, Subset};
use pixelgrad::io::{Imbalance, LossParam, LossSpec};
use pixelgrad::loss::dsl::Preset;
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::optim::{OptimizerSpec, SgdConfig};
use pixelgrad::train::{TrainConfig, Trainer};

/// The class made rare and the share of its training images kept.
pub const RARE: Imbalance = Imbalance {
    class: 3,
    keep: 0.25,
};
const STEPS: usize = 100;
const SEEDS: u64 = 5;

fn config(seed: u64) -> TrainConfig {
    TrainConfig {
        max_steps: Some(STEPS),
        loader: LoaderConfig {
            batch_size: 64,
            drop_last: true,
            ..LoaderConfig::default()
        },
        seed,
        ..TrainConfig::new(
            100,
            OptimizerSpec::Sgd(SgdConfig {
                momentum: 0.9,
                ..SgdConfig::new(0.05)
            }),
        )
    }
}

/// `(recall of the rare class, accuracy)` on the test split after 100 steps with `loss`.
fn train_with(
    train: &Subset<BundledDataset>,
    test: &BundledDataset,
    loss: &LossSpec,
    seed: u64,
) -> (f64, f64) {
    let (h, w) = test.image_size();
    let input = InputSpec {
        channels: 1,
        height: h,
        width: w,
    };
    let classes = test.classes().len();
    let model = ModelSpec::preset("mlp")
        .expect("preset")
        .build(input, classes, seed)
        .expect("builds");
    let mut trainer = Trainer::new(model, classes, config(seed))
        .and_then(|t| t.with_loss(loss))
        .expect("trainer");
    let loader = DataLoader::new(train, config(seed).loader, seed).expect("loader");
    'outer: for epoch in 0..100 {
        for batch in loader.epoch(epoch) {
            trainer.train_step(&batch.expect("batch"), 0).expect("step");
            if trainer.steps() >= STEPS {
                break 'outer;
            }
        }
    }
    let report = trainer.evaluate(test, 256, 0).expect("evaluates");
    let per_class = report.confusion.report().per_class;
    (per_class[RARE.class].recall, report.accuracy)
}

#[test]
fn focal_recalls_the_rare_class_better_than_cross_entropy() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/data/digits.safetensors"
    );
    let Ok(bytes) = std::fs::read(path) else {
        panic!("{path} is missing: run `cargo xtask data`");
    };
    let train_split = BundledDataset::from_safetensors(&bytes, Split::Train).expect("train");
    let test = BundledDataset::from_safetensors(&bytes, Split::Test).expect("test");
    let all: Vec<usize> = (0..train_split.len()).collect();
    let label = |i: usize| train_split.label(i).expect("label");
    let kept = RARE.apply(&all, label);
    let rare_count = kept.iter().filter(|&&i| label(i) == RARE.class).count();
    let train = Subset::new(&train_split, kept).expect("subset");

    let focal = LossSpec::Custom {
        source: Preset::get("focal").expect("preset").source.into(),
        params: vec![LossParam {
            name: "gamma".into(),
            value: 2.0,
        }],
    };
    println!(
        "digits, class {} keeps {rare_count} of its training images ({} in all); \
         {STEPS} steps of 64, SGD 0.05 momentum 0.9",
        RARE.class,
        train.len()
    );
    let (mut ce_sum, mut focal_sum) = (0.0, 0.0);
    for seed in 0..SEEDS {
        let (ce_recall, ce_acc) = train_with(&train, &test, &LossSpec::CrossEntropy, seed);
        let (focal_recall, focal_acc) = train_with(&train, &test, &focal, seed);
        println!(
            "seed {seed}: rare-class recall CE {ce_recall:.3} focal {focal_recall:.3}; \
             accuracy CE {ce_acc:.3} focal {focal_acc:.3}"
        );
        ce_sum += ce_recall;
        focal_sum += focal_recall;
    }
    let (ce, focal) = (ce_sum / SEEDS as f64, focal_sum / SEEDS as f64);
    println!("mean over {SEEDS} seeds: rare-class recall CE {ce:.3} focal {focal:.3}");
    assert!(
        focal > ce,
        "mean rare-class recall: focal {focal} vs CE {ce}"
    );
}
