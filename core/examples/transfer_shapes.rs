//! Transfer learning as the webcam page does it: MobileNetV2 with the bundled ImageNet weights,
//! backbone frozen, a new linear head trained on the generated colour shapes. A linear probe on
//! random (untrained) features is the baseline: the gap shows the pretrained weights load with
//! their meaning, not just their names.
//!
//! `cargo run -p pixelgrad --release --example transfer_shapes -- [size] [epochs]`
//! (defaults 64 px, 3 epochs; needs `cargo xtask data` for the weights).

use std::collections::BTreeMap;
use std::time::Instant;

use pixelgrad::data::{LoaderConfig, Pipeline, ShapesDataset, Transform};
use pixelgrad::io::read_safetensors;
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::nn::{count_trainable, freeze, load_state_dict};
use pixelgrad::optim::{AdamConfig, OptimizerSpec};
use pixelgrad::train::{Control, TrainConfig, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let size: usize = args.get(1).map_or(Ok(64), |s| s.parse())?;
    let epochs: usize = args.get(2).map_or(Ok(3), |s| s.parse())?;
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/weights/mobilenet_v2.safetensors"
    ))?;
    let weights: BTreeMap<_, _> = read_safetensors(&bytes)?
        .into_iter()
        .filter(|(k, _)| !k.starts_with("classifier."))
        .collect();
    let (train, test) = (
        ShapesDataset::new(1200, size, 0)?,
        ShapesDataset::new(600, size, 1)?,
    );
    let input = InputSpec {
        channels: 3,
        height: size,
        width: size,
    };
    let normalize = Transform::Normalize {
        mean: vec![0.485, 0.456, 0.406],
        std: vec![0.229, 0.224, 0.225],
    };
    for pretrained in [true, false] {
        let spec = ModelSpec::MobileNetV2 {
            width_mult: 1.0,
            dropout: 0.2,
            small_input: false,
        };
        let model = spec.build(input, 6, 0)?;
        if pretrained {
            let report = load_state_dict(&model, &weights, false)?;
            assert_eq!(report.missing, ["classifier.1.weight", "classifier.1.bias"]);
        }
        freeze(&model, "features.")?;
        let config = TrainConfig {
            loader: LoaderConfig {
                batch_size: 32,
                augment: Pipeline::new(vec![normalize.clone()]),
                ..LoaderConfig::default()
            },
            ..TrainConfig::new(epochs, OptimizerSpec::Adam(AdamConfig::new(3e-3)))
        };
        let t0 = Instant::now();
        let mut trainer = Trainer::new(&model, 6, config)?;
        trainer.fit(&train, None::<&ShapesDataset>, |_| Control::Continue)?;
        let secs = t0.elapsed().as_secs_f64();
        let report = trainer.evaluate(&test, 100, epochs)?;
        println!(
            "{} features: {} trainable, test accuracy {:.4} after {epochs} epochs ({secs:.1}s)",
            if pretrained { "ImageNet" } else { "random" },
            count_trainable(&model),
            report.accuracy
        );
    }
    Ok(())
}
