//! Model families, each built from a serde [`ModelSpec`] so a model can live in a URL, a
//! lesson file or a PyTorch export. Parameter names follow PyTorch/torchvision `state_dict`
//! names, so checkpoints move both ways.
//!
//! The whole path from a spec to metrics:
//!
//! ```
//! use pixelgrad::data::{Image, InMemoryDataset, LoaderConfig};
//! use pixelgrad::models::{InputSpec, ModelSpec};
//! use pixelgrad::optim::{AdamConfig, OptimizerSpec, Schedule};
//! use pixelgrad::train::{Control, Event, TrainConfig, Trainer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut data = InMemoryDataset::new(vec!["dark".into(), "bright".into()]);
//! for i in 0..32 {
//!     data.push(Image::filled(1, 28, 28, (i % 2) as f32)?, i % 2)?;
//! }
//! let model = ModelSpec::preset("mlp").unwrap().build(InputSpec::GREY28, 2, 0)?;
//! let config = TrainConfig {
//!     epochs: 2,
//!     max_steps: None,
//!     optimizer: OptimizerSpec::Adam(AdamConfig::new(1e-3)),
//!     schedule: Schedule::Constant,
//!     loader: LoaderConfig { batch_size: 8, ..LoaderConfig::default() },
//!     label_smoothing: 0.0,
//!     clip_grad_norm: None,
//!     early_stopping_patience: None,
//!     seed: 0,
//!     penalty: None,
//!     reduce_on_plateau: None,
//! };
//! let mut trainer = Trainer::new(&model, 2, config)?;
//! let history = trainer.fit(&data, Some(&data), |event| {
//!     if let Event::Eval(report) = event {
//!         println!("epoch {} accuracy {:.3}", report.epoch, report.accuracy);
//!     }
//!     Control::Continue
//! })?;
//! assert_eq!(history.evals.last().unwrap().accuracy, 1.0);
//! # Ok(()) }
//! ```
mod blocks;
mod convnext;
mod densenet;
mod efficientnet;
mod ensemble;
mod feature_cache;
mod lenet;
mod mlp;
mod mobilenet;
mod presets;
mod resnet;
mod transfer;
mod vgg;
mod vit;

pub use convnext::ConvNextConfig;
pub use densenet::DenseNetConfig;
pub use ensemble::Ensemble;
pub use feature_cache::{features_repeat, FeatureCache};
pub use presets::PRESETS;
pub use resnet::{BlockKind, ResNetConfig};
pub use transfer::{cache_features, cache_features_async, Features, TransferHead};
pub use vit::VitConfig;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::nn::{Activation, Ctx, Module, NamedTensor};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// The input a model is built for: `[channels, height, width]` images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSpec {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl InputSpec {
    /// Grey 28×28 (MNIST, Fashion-MNIST).
    pub const GREY28: InputSpec = InputSpec {
        channels: 1,
        height: 28,
        width: 28,
    };
    /// Colour 32×32.
    pub const RGB32: InputSpec = InputSpec {
        channels: 3,
        height: 32,
        width: 32,
    };

    /// `[C, H, W]`.
    pub fn dims(&self) -> [usize; 3] {
        [self.channels, self.height, self.width]
    }
}

/// A model family with its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum ModelSpec {
    Mlp {
        hidden: Vec<usize>,
        activation: Activation,
        dropout: f64,
    },
    LeNet {
        batch_norm: bool,
    },
    Vgg {
        stages: Vec<Vec<usize>>,
        batch_norm: bool,
        pool: usize,
        hidden: usize,
        dropout: f64,
    },
    ResNet(ResNetConfig),
    DenseNet(DenseNetConfig),
    MobileNetV2 {
        width_mult: f64,
        dropout: f64,
        small_input: bool,
    },
    EfficientNet {
        width_mult: f64,
        depth_mult: f64,
        dropout: f64,
        stochastic_depth: f64,
        small_input: bool,
    },
    Vit(VitConfig),
    ConvNext(ConvNextConfig),
    Ensemble {
        members: Vec<ModelSpec>,
    },
}

/// A built model: the network plus the spec and input it was built from.
pub struct Model {
    pub spec: ModelSpec,
    pub input: InputSpec,
    pub classes: usize,
    net: Box<dyn Module>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("spec", &self.spec)
            .field("input", &self.input)
            .field("classes", &self.classes)
            .finish()
    }
}

impl ModelSpec {
    /// The preset named `name` (see [`PRESETS`]).
    pub fn preset(name: &str) -> Option<ModelSpec> {
        presets::preset(name)
    }

    /// Builds the network for `input` and `classes`, initialized from `seed`.
    pub fn build(&self, input: InputSpec, classes: usize, seed: u64) -> Result<Model> {
        if classes == 0 || input.channels == 0 || input.height == 0 || input.width == 0 {
            return Err(Error::invalid(
                "ModelSpec",
                "classes and input dimensions must be positive",
            ));
        }
        let mut rng = Rng::new(seed);
        let net = self.network(input, classes, &mut rng)?;
        Ok(Model {
            spec: self.clone(),
            input,
            classes,
            net,
        })
    }

    fn network(&self, input: InputSpec, classes: usize, rng: &mut Rng) -> Result<Box<dyn Module>> {
        let c = input.channels;
        Ok(match self {
            ModelSpec::Mlp {
                hidden,
                activation,
                dropout,
            } => Box::new(mlp::build(
                input.dims().iter().product(),
                hidden,
                *activation,
                *dropout,
                classes,
                rng,
            )?),
            ModelSpec::LeNet { batch_norm } => Box::new(lenet::LeNet::new(
                c,
                input.height,
                input.width,
                *batch_norm,
                classes,
                rng,
            )?),
            ModelSpec::Vgg {
                stages,
                batch_norm,
                pool,
                hidden,
                dropout,
            } => Box::new(vgg::build(
                c,
                stages,
                *batch_norm,
                *pool,
                *hidden,
                *dropout,
                classes,
                rng,
            )?),
            ModelSpec::ResNet(cfg) => Box::new(resnet::ResNet::new(c, cfg, classes, rng)?),
            ModelSpec::DenseNet(cfg) => Box::new(densenet::DenseNet::new(c, cfg, classes, rng)?),
            ModelSpec::MobileNetV2 {
                width_mult,
                dropout,
                small_input,
            } => Box::new(mobilenet::build(
                c,
                *width_mult,
                *dropout,
                classes,
                *small_input,
                rng,
            )?),
            ModelSpec::EfficientNet {
                width_mult,
                depth_mult,
                dropout,
                stochastic_depth,
                small_input,
            } => Box::new(efficientnet::build(
                c,
                *width_mult,
                *depth_mult,
                *dropout,
                *stochastic_depth,
                classes,
                *small_input,
                rng,
            )?),
            ModelSpec::Vit(cfg) => {
                if input.height != input.width {
                    return Err(Error::invalid("ViT", "expects square images"));
                }
                Box::new(vit::VisionTransformer::new(
                    c,
                    input.height,
                    cfg,
                    classes,
                    rng,
                )?)
            }
            ModelSpec::ConvNext(cfg) => {
                if cfg.dims.is_empty() || cfg.dims.len() != cfg.depths.len() || cfg.stem == 0 {
                    return Err(Error::invalid(
                        "ConvNeXt",
                        "dims and depths must be non-empty and of equal length",
                    ));
                }
                Box::new(convnext::build(c, cfg, classes, rng)?)
            }
            ModelSpec::Ensemble { members } => {
                if members.is_empty() {
                    return Err(Error::invalid("Ensemble", "needs at least one member"));
                }
                let nets = members
                    .iter()
                    .map(|m| m.network(input, classes, rng))
                    .collect::<Result<Vec<_>>>()?;
                Box::new(Ensemble { members: nets })
            }
        })
    }
}

impl Model {
    /// The network as a module.
    pub fn net(&self) -> &dyn Module {
        self.net.as_ref()
    }
}

impl Module for Model {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        self.net.forward(x, ctx)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        self.net.named_tensors(prefix, out);
    }

    fn type_name(&self) -> &'static str {
        self.net.type_name()
    }
}
