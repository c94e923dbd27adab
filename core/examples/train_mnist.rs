//! Trains a preset on a bundled data set (or the generated colour shapes) with the library's
//! one training loop and prints the curve, test accuracy and time: the numbers quoted in
//! reports and the README.
//!
//! `cargo run -p pixelgrad --release --example train_mnist -- [preset] [dataset] [epochs]`
//! (defaults: `lenet5 mnist 3`; datasets: `mnist`, `fashion-mnist`, `digits` (need
//! `cargo xtask data`) or `shapes` (generated, 32×32 RGB)).

use std::time::Instant;

use pixelgrad::data::{
    train_val_split, BundledDataset, ClassBalance, Dataset, LoaderConfig, ShapesDataset, Split,
    Subset,
};
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::nn::count_parameters;
use pixelgrad::optim::{AdamConfig, OptimizerSpec, Schedule};
use pixelgrad::train::{evaluate, Control, Event, TrainConfig, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map_or("lenet5", String::as_str);
    let name = args.get(2).map_or("mnist", String::as_str);
    let epochs: usize = args.get(3).map_or(Ok(3), |s| s.parse())?;
    if name == "shapes" {
        let input = InputSpec::RGB32;
        return run(
            preset,
            epochs,
            &ShapesDataset::new(3000, 32, 0)?,
            &ShapesDataset::new(600, 32, 1)?,
            input,
        );
    }
    let bytes = std::fs::read(format!(
        "{}/../public/data/{name}.safetensors",
        env!("CARGO_MANIFEST_DIR")
    ))?;
    let train = BundledDataset::from_safetensors(&bytes, Split::Train)?;
    let test = BundledDataset::from_safetensors(&bytes, Split::Test)?;
    let (h, w) = train.image_size();
    run(
        preset,
        epochs,
        &train,
        &test,
        InputSpec {
            channels: 1,
            height: h,
            width: w,
        },
    )
}

fn run<D: Dataset>(
    preset: &str,
    epochs: usize,
    train_all: &D,
    test: &D,
    input: InputSpec,
) -> Result<(), Box<dyn std::error::Error>> {
    let (train_idx, val_idx) = train_val_split(train_all, 0.1, 0)?;
    let (train, val) = (
        Subset::new(train_all, train_idx)?,
        Subset::new(train_all, val_idx)?,
    );
    let balance = ClassBalance::of(&train)?;
    println!(
        "{} train / {} val / {} test, imbalance {:.2}",
        train.len(),
        val.len(),
        test.len(),
        balance.imbalance_ratio()
    );
    let classes = train_all.classes().len();
    let model = ModelSpec::preset(preset)
        .ok_or("unknown preset")?
        .build(input, classes, 0)?;
    println!("{preset}: {} parameters", count_parameters(&model));
    let steps_per_epoch = train.len().div_ceil(64);
    let config = TrainConfig {
        schedule: Schedule::one_cycle(3e-3, epochs * steps_per_epoch),
        loader: LoaderConfig {
            batch_size: 64,
            ..LoaderConfig::default()
        },
        early_stopping_patience: Some(3),
        ..TrainConfig::new(epochs, OptimizerSpec::Adam(AdamConfig::new(1e-3)))
    };
    let mut trainer = Trainer::new(&model, classes, config)?;
    let t0 = Instant::now();
    let history = trainer.fit(&train, Some(&val), |e| {
        match e {
            Event::Step(s) if s.step % 50 == 0 => {
                println!(
                    "step {:5}  loss {:.4}  lr {:.5}  {:.1}s",
                    s.step,
                    s.loss,
                    s.lr,
                    t0.elapsed().as_secs_f64()
                )
            }
            Event::Eval(r) => println!(
                "epoch {}  val loss {:.4}  val acc {:.4}  ece {:.4}",
                r.epoch, r.loss, r.accuracy, r.ece
            ),
            _ => {}
        }
        Control::Continue
    })?;
    let train_time = t0.elapsed().as_secs_f64();
    let report = evaluate(&model, test, classes, 256, epochs)?;
    println!(
        "test accuracy {:.4}  top-5 {:.4}  macro F1 {:.4}  ece {:.4}  ({} steps in {:.1}s, {:.1} ms/step)",
        report.accuracy,
        report.top5,
        report.confusion.report().macro_avg.f1,
        report.ece,
        history.steps.len(),
        train_time,
        1000.0 * train_time / history.steps.len().max(1) as f64
    );
    Ok(())
}
