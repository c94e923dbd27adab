//! Random valid run specs for the link fuzz test: every family, optimizer, schedule,
//! transform and data source, values drawn over their whole allowed ranges (floats with all
//! their bits random, so the JSON round trip must be exact).

use pixelgrad::data::{BatchMix, LoaderConfig, Pipeline, Transform};
use pixelgrad::io::{DataSource, LinkTensor, LinkWeights, LossParam, LossSpec, RunSpec};
use pixelgrad::models::{
    BlockKind, ConvNextConfig, DenseNetConfig, InputSpec, ModelSpec, ResNetConfig, VitConfig,
};
use pixelgrad::nn::Activation;
use pixelgrad::optim::{AdamConfig, Anneal, OptimizerSpec, Schedule, SgdConfig};
use pixelgrad::train::{Penalty, PlateauConfig, TrainConfig};

pub use crate::splitmix::Gen;

fn model(g: &mut Gen, nested: bool) -> ModelSpec {
    let p = |g: &mut Gen| g.f64(0.0, 0.9);
    match g.below(if nested { 9 } else { 10 }) {
        0 => ModelSpec::Mlp {
            hidden: (0..g.range(0, 3)).map(|_| g.range(1, 300)).collect(),
            activation: [
                Activation::Relu,
                Activation::Gelu,
                Activation::LeakyRelu(0.01),
            ][g.below(3)],
            dropout: p(g),
        },
        1 => ModelSpec::LeNet {
            batch_norm: g.bool(),
        },
        2 => ModelSpec::Vgg {
            stages: (0..g.range(1, 3))
                .map(|_| (0..g.range(1, 2)).map(|_| g.range(1, 64)).collect())
                .collect(),
            batch_norm: g.bool(),
            pool: g.range(1, 3),
            hidden: g.range(1, 256),
            dropout: p(g),
        },
        3 => ModelSpec::ResNet(ResNetConfig {
            block: if g.bool() {
                BlockKind::Basic
            } else {
                BlockKind::Bottleneck
            },
            layers: (0..g.range(1, 4)).map(|_| g.range(1, 2)).collect(),
            base_width: 16,
            groups: [1, 2, 4][g.below(3)],
            width_per_group: 64,
            small_input: g.bool(),
        }),
        4 => ModelSpec::DenseNet(DenseNetConfig {
            growth_rate: g.range(1, 32),
            block_config: (0..g.range(1, 4)).map(|_| g.range(1, 6)).collect(),
            num_init_features: g.range(1, 64),
            bn_size: g.range(1, 4),
            small_input: g.bool(),
        }),
        5 => ModelSpec::MobileNetV2 {
            width_mult: g.f64(0.1, 2.0),
            dropout: p(g),
            small_input: g.bool(),
        },
        6 => ModelSpec::EfficientNet {
            width_mult: g.f64(0.1, 2.0),
            depth_mult: g.f64(0.1, 2.0),
            dropout: p(g),
            stochastic_depth: p(g),
            small_input: g.bool(),
        },
        7 => {
            let heads = g.range(1, 4);
            ModelSpec::Vit(VitConfig {
                patch_size: 4,
                num_layers: g.range(1, 4),
                num_heads: heads,
                hidden_dim: heads * g.range(1, 16),
                mlp_dim: g.range(1, 128),
                dropout: p(g),
            })
        }
        8 => {
            let n = g.range(1, 3);
            ModelSpec::ConvNext(ConvNextConfig {
                dims: (0..n).map(|_| g.range(1, 64)).collect(),
                depths: (0..n).map(|_| g.range(1, 3)).collect(),
                stem: g.range(1, 4),
                stochastic_depth: p(g),
                layer_scale: g.f64(0.0, 1.0),
            })
        }
        _ => ModelSpec::Ensemble {
            members: (0..g.range(1, 3)).map(|_| model(g, true)).collect(),
        },
    }
}

fn schedule(g: &mut Gen, depth: usize) -> Schedule {
    let gamma = g.f64(0.01, 1.0);
    match g.below(if depth < 2 { 8 } else { 7 }) {
        0 => Schedule::Constant,
        1 => Schedule::Step {
            step_size: g.range(1, 100),
            gamma,
        },
        2 => Schedule::MultiStep {
            milestones: (0..g.range(1, 5)).map(|_| g.range(0, 1000)).collect(),
            gamma,
        },
        3 => Schedule::Exponential { gamma },
        4 => Schedule::Cosine {
            t_max: g.range(1, 100),
            eta_min: g.f64(0.0, 1e-3),
        },
        5 => Schedule::CosineWarmRestarts {
            t_0: g.range(1, 50),
            t_mult: g.range(1, 3),
            eta_min: g.f64(0.0, 1e-3),
        },
        6 => Schedule::OneCycle {
            max_lr: g.f64(1e-4, 1.0),
            total_steps: g.range(2, 10_000),
            pct_start: g.f64(0.0, 1.0),
            anneal: if g.bool() {
                Anneal::Cos
            } else {
                Anneal::Linear
            },
            div_factor: g.f64(1.0, 100.0),
            final_div_factor: g.f64(1.0, 1e5),
        },
        _ => Schedule::Warmup {
            steps: g.range(0, 100),
            start_factor: g.f64(0.01, 1.0),
            then: Box::new(schedule(g, depth + 1)),
        },
    }
}

fn transform(g: &mut Gen, channels: usize) -> Transform {
    let side = |g: &mut Gen| g.range(1, 64);
    match g.below(10) {
        0 => Transform::Resize {
            height: side(g),
            width: side(g),
        },
        1 => Transform::CenterCrop {
            height: side(g),
            width: side(g),
        },
        2 => {
            let lo = g.f32(0.05, 1.0);
            Transform::RandomResizedCrop {
                height: side(g),
                width: side(g),
                scale: [lo, g.f32(lo, 1.0)],
                ratio: [0.75, 4.0 / 3.0],
            }
        }
        3 => Transform::RandomHorizontalFlip { p: g.f32(0.0, 1.0) },
        4 => Transform::RandomVerticalFlip { p: g.f32(0.0, 1.0) },
        5 => Transform::RandomRotation {
            degrees: g.f32(0.0, 180.0),
        },
        6 => Transform::ColorJitter {
            brightness: g.f32(0.0, 1.0),
            contrast: g.f32(0.0, 1.0),
            saturation: g.f32(0.0, 1.0),
            hue: g.f32(0.0, 0.5),
        },
        7 => Transform::Normalize {
            mean: (0..channels).map(|_| g.f32(-1.0, 1.0)).collect(),
            std: (0..channels).map(|_| g.f32(0.1, 2.0)).collect(),
        },
        8 => Transform::random_erasing(),
        _ => Transform::Grayscale,
    }
}

fn weights(g: &mut Gen) -> LinkWeights {
    let tensors = (0..g.range(1, 6))
        .map(|_| {
            if g.bool() {
                LinkTensor::F32((0..g.range(0, 20)).map(|_| g.f32(-3.0, 3.0)).collect())
            } else {
                let rows = g.range(1, 4);
                LinkTensor::Int8 {
                    scales: (0..rows).map(|_| g.f32(1e-4, 1.0)).collect(),
                    values: (0..rows * g.range(1, 9))
                        .map(|_| g.below(255) as i8)
                        .collect(),
                }
            }
        })
        .collect();
    LinkWeights { tensors }
}

/// A random spec within every limit.
pub fn spec(g: &mut Gen) -> RunSpec {
    let side = [8, 16, 28, 32][g.below(4)];
    let input = InputSpec {
        channels: if g.bool() { 1 } else { 3 },
        height: side.max(16),
        width: side.max(16),
    };
    let optimizer = if g.bool() {
        let momentum = g.f64(0.0, 0.99);
        OptimizerSpec::Sgd(SgdConfig {
            lr: g.f64(0.0, 1.0),
            momentum,
            dampening: 0.0,
            nesterov: momentum > 0.0 && g.bool(),
            weight_decay: g.f64(0.0, 0.1),
        })
    } else {
        OptimizerSpec::Adam(AdamConfig {
            lr: g.f64(0.0, 0.1),
            betas: [g.f64(0.0, 0.99), g.f64(0.0, 0.999)],
            eps: g.f64(0.0, 1e-6),
            weight_decay: g.f64(0.0, 0.1),
            decoupled: g.bool(),
        })
    };
    let loader = LoaderConfig {
        batch_size: g.range(1, 1024),
        shuffle: g.bool(),
        drop_last: g.bool(),
        augment: Pipeline::new(
            (0..g.range(0, 5))
                .map(|_| transform(g, input.channels))
                .collect(),
        ),
        mix: match g.below(3) {
            0 => None,
            1 => Some(BatchMix::Mixup {
                alpha: g.f32(0.01, 2.0),
            }),
            _ => Some(BatchMix::Cutmix {
                alpha: g.f32(0.01, 2.0),
            }),
        },
    };
    let mut train: TrainConfig = serde_json::from_value(serde_json::json!({
        "epochs": g.range(1, 10_000), "max_steps": null, "optimizer": optimizer,
        "schedule": schedule(g, 0), "loader": loader, "label_smoothing": g.f64(0.0, 1.0),
        "clip_grad_norm": null, "early_stopping_patience": null, "seed": g.u64(),
    }))
    .expect("a valid TrainConfig");
    train.max_steps = g.bool().then(|| g.range(1, 100_000));
    train.clip_grad_norm = g.bool().then(|| g.f64(0.01, 100.0));
    train.early_stopping_patience = g.bool().then(|| g.range(1, 50));
    train.penalty = match g.below(3) {
        0 => None,
        1 => Some(Penalty::L1(g.f64(0.0, 1e-3))),
        _ => Some(Penalty::L2(g.f64(0.0, 1e-3))),
    };
    train.reduce_on_plateau = g.bool().then(|| PlateauConfig {
        factor: g.f64(0.01, 0.99),
        patience: g.range(0, 20),
        threshold: g.f64(0.0, 0.01),
        cooldown: g.range(0, 5),
        min_lr: g.f64(0.0, 1e-3),
    });
    let classes = g.range(1, 20);
    let mut s = RunSpec::bundled("mnist", input, classes, model(g, false), train);
    if g.bool() {
        s.data.source = DataSource::User {
            sha256: (0..64)
                .map(|_| char::from(b"0123456789abcdef"[g.below(16)]))
                .collect(),
            class_names: (0..classes).map(|_| g.text(20)).collect(),
        };
    } else {
        s.data.source = DataSource::Bundled {
            name: ["mnist", "fashion-mnist", "digits", "shapes_v2"][g.below(4)].into(),
        };
    }
    s.data.subset = g.bool().then(|| g.range(1, 60_000));
    s.data.val_fraction = g.f64(0.0, 0.5);
    if g.bool() {
        s.loss = LossSpec::Custom {
            source: g.text(200),
            params: (0..g.range(0, 4))
                .map(|i| LossParam {
                    name: format!("gamma_{i}"),
                    value: g.f64(-10.0, 10.0),
                })
                .collect(),
        };
    }
    s.steps = g.u64() % 1_000_000;
    if g.below(4) == 0 {
        s.weights = Some(weights(g));
    }
    s
}
