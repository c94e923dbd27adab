//! The [`Optimizer`] trait and SGD with PyTorch's momentum, dampening, Nesterov and weight
//! decay semantics (`torch.optim.SGD`).

use serde::{Deserialize, Serialize};

use super::OptimError;
use crate::autograd::no_grad;
use crate::tensor::Tensor;

/// Updates parameters from their gradients. Parameters are tensor handles shared with the
/// model, so a step is visible to the model at once; parameters without a gradient (frozen,
/// unused) are skipped, as in PyTorch.
pub trait Optimizer {
    /// One update from the current gradients.
    fn step(&mut self) -> Result<(), OptimError>;

    /// The learning rate (schedulers set it every step or epoch).
    fn lr(&self) -> f64;

    /// Sets the learning rate.
    fn set_lr(&mut self, lr: f64);

    /// The parameters updated.
    fn params(&self) -> &[Tensor];

    /// Clears every gradient (`zero_grad(set_to_none=True)`).
    fn zero_grad(&self) {
        for p in self.params() {
            p.zero_grad();
        }
    }
}

/// `torch.optim.SGD` settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SgdConfig {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub nesterov: bool,
    pub weight_decay: f64,
}

impl SgdConfig {
    /// Plain SGD at `lr`.
    pub fn new(lr: f64) -> SgdConfig {
        SgdConfig {
            lr,
            momentum: 0.0,
            dampening: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), OptimError> {
        let bad = |r: &str| {
            Err(OptimError::InvalidArgument {
                what: "SGD",
                reason: r.into(),
            })
        };
        if !(self.lr >= 0.0 && self.lr.is_finite())
            || self.momentum < 0.0
            || self.weight_decay < 0.0
        {
            return bad("lr, momentum and weight_decay must be non-negative");
        }
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return bad("Nesterov momentum requires a momentum and zero dampening");
        }
        Ok(())
    }
}

/// Stochastic gradient descent.
#[derive(Debug)]
pub struct Sgd {
    config: SgdConfig,
    params: Vec<Tensor>,
    momentum_buffers: Vec<Option<Tensor>>,
}

impl Sgd {
    /// SGD over `params` (see [`crate::nn::trainable_parameters`]).
    pub fn new(params: Vec<Tensor>, config: SgdConfig) -> Result<Sgd, OptimError> {
        config.validate()?;
        let n = params.len();
        Ok(Sgd {
            config,
            params,
            momentum_buffers: vec![None; n],
        })
    }
}

impl Optimizer for Sgd {
    fn step(&mut self) -> Result<(), OptimError> {
        let c = self.config;
        no_grad(|| -> Result<(), OptimError> {
            for (p, buf) in self.params.iter().zip(&mut self.momentum_buffers) {
                let Some(g) = p.grad() else { continue };
                let mut d = g.detach();
                if c.weight_decay != 0.0 {
                    d = d.add(&p.detach().mul_scalar(c.weight_decay)?)?;
                }
                if c.momentum != 0.0 {
                    let b = match buf.take() {
                        None => d.clone(),
                        Some(b) => b
                            .mul_scalar(c.momentum)?
                            .add(&d.mul_scalar(1.0 - c.dampening)?)?,
                    };
                    d = if c.nesterov {
                        d.add(&b.mul_scalar(c.momentum)?)?
                    } else {
                        b.clone()
                    };
                    *buf = Some(b);
                }
                p.set_data(&p.detach().sub(&d.mul_scalar(c.lr)?)?)?;
            }
            Ok(())
        })
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }

    fn params(&self) -> &[Tensor] {
        &self.params
    }
}
