//! Small presets sized for the browser: 28×28 grey (MNIST-like) and 32–96 px colour inputs.

use super::{BlockKind, ConvNextConfig, DenseNetConfig, ModelSpec, ResNetConfig, VitConfig};
use crate::nn::Activation;

/// Preset names with the input each is meant for (`grey28` or `rgb32`).
pub const PRESETS: &[(&str, &str)] = &[
    ("mlp", "grey28"),
    ("lenet5", "grey28"),
    ("lenet5_bn", "grey28"),
    ("vgg_small", "rgb32"),
    ("resnet18_small", "rgb32"),
    ("resnet_bottleneck_small", "rgb32"),
    ("resnext_small", "rgb32"),
    ("densenet_small", "rgb32"),
    ("mobilenet_v2_small", "rgb32"),
    ("efficientnet_b0_small", "rgb32"),
    ("vit_tiny", "rgb32"),
    ("convnext_tiny_small", "rgb32"),
    ("ensemble_mlp_lenet", "grey28"),
];

/// The spec of a preset.
pub(crate) fn preset(name: &str) -> Option<ModelSpec> {
    let resnet = |block, layers: Vec<usize>, base_width, groups, width_per_group| {
        ModelSpec::ResNet(ResNetConfig {
            block,
            layers,
            base_width,
            groups,
            width_per_group,
            small_input: true,
        })
    };
    Some(match name {
        "mlp" => ModelSpec::Mlp {
            hidden: vec![128, 64],
            activation: Activation::Relu,
            dropout: 0.0,
        },
        "lenet5" => ModelSpec::LeNet { batch_norm: false },
        "lenet5_bn" => ModelSpec::LeNet { batch_norm: true },
        "vgg_small" => ModelSpec::Vgg {
            stages: vec![vec![16], vec![32], vec![64, 64]],
            batch_norm: true,
            pool: 1,
            hidden: 128,
            dropout: 0.5,
        },
        "resnet18_small" => resnet(BlockKind::Basic, vec![2, 2, 2, 2], 16, 1, 64),
        "resnet_bottleneck_small" => resnet(BlockKind::Bottleneck, vec![1, 1, 1, 1], 8, 1, 64),
        "resnext_small" => resnet(BlockKind::Bottleneck, vec![1, 1, 1, 1], 8, 4, 16),
        "densenet_small" => ModelSpec::DenseNet(DenseNetConfig {
            growth_rate: 8,
            block_config: vec![2, 2, 2],
            num_init_features: 16,
            bn_size: 2,
            small_input: true,
        }),
        "mobilenet_v2_small" => ModelSpec::MobileNetV2 {
            width_mult: 0.25,
            dropout: 0.2,
            small_input: true,
        },
        "efficientnet_b0_small" => ModelSpec::EfficientNet {
            width_mult: 0.25,
            depth_mult: 0.34,
            dropout: 0.2,
            stochastic_depth: 0.2,
            small_input: true,
        },
        "vit_tiny" => ModelSpec::Vit(VitConfig {
            patch_size: 8,
            num_layers: 2,
            num_heads: 2,
            hidden_dim: 32,
            mlp_dim: 64,
            dropout: 0.0,
        }),
        "convnext_tiny_small" => ModelSpec::ConvNext(ConvNextConfig {
            dims: vec![16, 32, 64],
            depths: vec![1, 1, 2],
            stem: 2,
            stochastic_depth: 0.1,
            layer_scale: 1e-6,
        }),
        "ensemble_mlp_lenet" => ModelSpec::Ensemble {
            members: vec![preset("mlp")?, preset("lenet5")?],
        },
        _ => return None,
    })
}
