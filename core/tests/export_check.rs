//! The pixelgrad half of the PyTorch export check (`tests/export_check/check_export.py` runs
//! it, then the PyTorch half): for each checked model, trains a few steps on MNIST (so weights
//! and batch-norm statistics are not the initial ones), exports the run to
//! `$PIXELGRAD_EXPORT_DIR/<preset>/`, and writes `check.safetensors` with 32 test images and
//! pixelgrad's logits for them in evaluation mode. Ignored in CI: it needs the bundled data
//! (`cargo xtask data`) and is only useful next to a PyTorch install.

use std::path::PathBuf;

use pixelgrad::data::{BatchMix, BundledDataset, Dataset, Split};
use pixelgrad::io::{export_pytorch, write_safetensors, LossParam, LossSpec, RunSpec};
use pixelgrad::models::{InputSpec, ModelSpec, VitConfig};
use pixelgrad::nn::{Ctx, Module};
use pixelgrad::train::{Control, Penalty, PlateauConfig, TrainConfig, Trainer};
use pixelgrad::{no_grad, Tensor};

/// Presets checked: LeNet-5 (with and without batch norm), a residual network, and the
/// other families `model.py` covers.
const MODELS: &[&str] = &[
    "lenet5",
    "lenet5_bn",
    "resnet18_small",
    "mobilenet_v2_small",
    "densenet_small",
    "convnext_tiny_small",
    "mlp",
    "vgg_small",
    "ensemble_mlp_lenet",
];

fn train_config() -> TrainConfig {
    serde_json::from_value(serde_json::json!({
        "epochs": 1, "max_steps": 3,
        "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.9, "dampening": 0.0,
                      "nesterov": false, "weight_decay": 0.0005},
        "schedule": {"kind": "warmup", "steps": 2, "start_factor": 0.1,
                     "then": {"kind": "cosine", "t_max": 3, "eta_min": 0.0}},
        "loader": {"batch_size": 16, "shuffle": true, "drop_last": true,
                   "augment": {"transforms": [
                       {"kind": "random_rotation", "degrees": 10.0},
                       {"kind": "normalize", "mean": [0.1307], "std": [0.3081]}]},
                   "mix": null},
        "label_smoothing": 0.1, "clip_grad_norm": 5.0, "early_stopping_patience": null,
        "seed": 7
    }))
    .expect("a valid TrainConfig")
}

#[test]
#[ignore = "needs public/data/mnist.safetensors and a directory in PIXELGRAD_EXPORT_DIR"]
fn export_models_for_the_pytorch_check() {
    let out = PathBuf::from(std::env::var("PIXELGRAD_EXPORT_DIR").expect("PIXELGRAD_EXPORT_DIR"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public/data/mnist.safetensors");
    let bytes = std::fs::read(&root).expect("run `cargo xtask data` first");
    let train = BundledDataset::from_safetensors(&bytes, Split::Train).expect("train split");
    let test = BundledDataset::from_safetensors(&bytes, Split::Test).expect("test split");
    let mut pixels = Vec::new();
    for i in 0..32 {
        // Normalized as in the run's pipeline, which evaluation in train.py applies too.
        let s = test.get(i).expect("sample");
        pixels.extend(s.image.data().iter().map(|v| (v - 0.1307) / 0.3081));
    }
    let images = Tensor::from_vec(pixels, [32, 1, 28, 28]).expect("images");
    // The last export also carries the optional settings: a custom (focal) loss, an L2
    // penalty, a plateau schedule and cutmix, so train.py runs with each of them.
    let presets = MODELS
        .iter()
        .map(|m| (*m, ModelSpec::preset(m).expect("preset"), false));
    // vit_tiny's 8 px patches do not tile 28 px digits; 4 px patches do.
    let vit = ModelSpec::Vit(VitConfig {
        patch_size: 4,
        num_layers: 2,
        num_heads: 2,
        hidden_dim: 32,
        mlp_dim: 64,
        dropout: 0.0,
    });
    let lenet = ModelSpec::preset("lenet5").expect("preset");
    let variants = presets.chain([("vit_patch4", vit, false), ("lenet5_extras", lenet, true)]);
    for (name, model_spec, extras) in variants {
        let mut spec = RunSpec::bundled("mnist", InputSpec::GREY28, 10, model_spec, train_config());
        if extras {
            spec.loss = LossSpec::Custom {
                source: "param gamma = 2.0 in 0..5\nlet pt = gather(probs, target)\n\
                         mean(-(1 - pt)^gamma * gather(log_probs, target))"
                    .into(),
                params: vec![LossParam {
                    name: "gamma".into(),
                    value: 1.5,
                }],
            };
            spec.train.penalty = Some(Penalty::L2(1e-4));
            spec.train.reduce_on_plateau = Some(PlateauConfig {
                factor: 0.5,
                patience: 0,
                threshold: 1e-4,
                cooldown: 0,
                min_lr: 0.0,
            });
            spec.train.loader.mix = Some(BatchMix::Cutmix { alpha: 1.0 });
        }
        let model = spec.build_model().expect("build");
        let mut trainer = Trainer::new(&model, 10, spec.train.clone()).expect("trainer");
        trainer
            .fit(&train, None::<&BundledDataset>, |_| Control::Continue)
            .expect("train");
        let logits = no_grad(|| model.forward(&images, &mut Ctx::eval())).expect("forward");
        let dir = out.join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for f in export_pytorch(&spec, &model).expect("export") {
            std::fs::write(dir.join(&f.name), &f.bytes).expect("write");
        }
        let check = write_safetensors(
            &[("images".into(), images.clone()), ("logits".into(), logits)],
            None,
        )
        .expect("write");
        std::fs::write(dir.join("check.safetensors"), check).expect("write");
        eprintln!("exported {name} to {}", dir.display());
    }
}
