//! The accuracy benchmark's recipes: the textbook ones, fixed before looking at test accuracy.

use pixelgrad::data::Transform;
use pixelgrad::optim::{AdamConfig, OptimizerSpec, SgdConfig};

/// One training recipe: model, data and budget.
pub(crate) struct Recipe {
    pub(crate) name: &'static str,
    pub(crate) preset: &'static str,
    pub(crate) data: &'static str,
    pub(crate) epochs: usize,
    pub(crate) batch_size: usize,
    pub(crate) optimizer: OptimizerSpec,
    pub(crate) max_lr: f64,
    pub(crate) augment: Vec<Transform>,
    pub(crate) label_smoothing: f64,
    /// Also report int8 weight quantization of the trained model.
    pub(crate) quantize: bool,
}

/// Mean and std of MNIST-like grey pixels, as in the PyTorch examples.
pub(crate) fn normalize(mean: f32, std: f32) -> Transform {
    Transform::Normalize {
        mean: vec![mean],
        std: vec![std],
    }
}

/// Small shifts, zooms and rotations: digits and clothes stay what they are.
pub(crate) fn jitter(size: usize) -> Vec<Transform> {
    vec![
        Transform::RandomResizedCrop {
            height: size,
            width: size,
            scale: [0.85, 1.0],
            ratio: [0.9, 1.1],
        },
        Transform::RandomRotation { degrees: 10.0 },
    ]
}

pub(crate) fn recipes() -> Vec<Recipe> {
    let adam = OptimizerSpec::Adam(AdamConfig::new(1e-3));
    let mnist_aug = [jitter(28), vec![normalize(0.1307, 0.3081)]].concat();
    vec![
        Recipe {
            name: "lenet5_bn_mnist",
            preset: "lenet5_bn",
            data: "mnist",
            epochs: 20,
            batch_size: 64,
            optimizer: adam,
            max_lr: 4e-3,
            augment: mnist_aug.clone(),
            label_smoothing: 0.0,
            quantize: true,
        },
        Recipe {
            name: "lenet5_mnist",
            preset: "lenet5",
            data: "mnist",
            epochs: 20,
            batch_size: 64,
            optimizer: adam,
            max_lr: 3e-3,
            augment: mnist_aug,
            label_smoothing: 0.0,
            quantize: true,
        },
        Recipe {
            name: "resnet18_small_fashion",
            preset: "resnet18_small",
            data: "fashion-mnist",
            epochs: 3,
            batch_size: 128,
            optimizer: OptimizerSpec::Sgd(SgdConfig {
                momentum: 0.9,
                nesterov: true,
                weight_decay: 5e-4,
                ..SgdConfig::new(0.1)
            }),
            max_lr: 0.1,
            augment: vec![
                Transform::RandomHorizontalFlip { p: 0.5 },
                Transform::RandomResizedCrop {
                    height: 28,
                    width: 28,
                    scale: [0.8, 1.0],
                    ratio: [0.9, 1.1],
                },
                normalize(0.2860, 0.3530),
            ],
            label_smoothing: 0.1,
            quantize: false,
        },
    ]
}
