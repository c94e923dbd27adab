//! Adam and AdamW with PyTorch's update (`torch.optim.Adam`, `torch.optim.AdamW`): bias
//! correction folded into the step size, `eps` added after the corrected square root; Adam
//! adds weight decay to the gradient (L2), AdamW decays the weights directly.

use serde::{Deserialize, Serialize};

use super::{OptimError, Optimizer};
use crate::autograd::no_grad;
use crate::tensor::Tensor;

/// Adam/AdamW settings (torch defaults from [`AdamConfig::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    pub lr: f64,
    pub betas: [f64; 2],
    pub eps: f64,
    pub weight_decay: f64,
    /// AdamW's decoupled decay instead of Adam's L2 term.
    pub decoupled: bool,
}

impl AdamConfig {
    /// `Adam(lr)`: betas (0.9, 0.999), eps 1e-8, no decay.
    pub fn new(lr: f64) -> AdamConfig {
        AdamConfig {
            lr,
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
        }
    }

    /// `AdamW(lr)`: torch's default weight decay 0.01.
    pub fn adamw(lr: f64) -> AdamConfig {
        AdamConfig {
            weight_decay: 0.01,
            decoupled: true,
            ..AdamConfig::new(lr)
        }
    }

    pub(crate) fn validate(&self) -> Result<(), OptimError> {
        let ok = self.lr >= 0.0
            && self.lr.is_finite()
            && self.betas.iter().all(|b| (0.0..1.0).contains(b))
            && self.eps >= 0.0
            && self.weight_decay >= 0.0;
        if ok {
            Ok(())
        } else {
            Err(OptimError::InvalidArgument {
                what: "Adam",
                reason: "needs lr, eps, weight_decay >= 0 and betas in [0, 1)".into(),
            })
        }
    }
}

/// Per-parameter moment estimates.
#[derive(Debug, Clone)]
struct Moments {
    step: i32,
    m: Tensor,
    v: Tensor,
}

/// Adam or AdamW.
#[derive(Debug)]
pub struct Adam {
    config: AdamConfig,
    params: Vec<Tensor>,
    state: Vec<Option<Moments>>,
}

impl Adam {
    /// Over `params`.
    pub fn new(params: Vec<Tensor>, config: AdamConfig) -> Result<Adam, OptimError> {
        config.validate()?;
        let n = params.len();
        Ok(Adam {
            config,
            params,
            state: vec![None; n],
        })
    }
}

impl Optimizer for Adam {
    fn step(&mut self) -> Result<(), OptimError> {
        let c = self.config;
        let [b1, b2] = c.betas;
        no_grad(|| -> Result<(), OptimError> {
            for (p, st) in self.params.iter().zip(&mut self.state) {
                let Some(g) = p.grad() else { continue };
                let mut g = g.detach();
                let mut w = p.detach();
                if c.weight_decay != 0.0 {
                    if c.decoupled {
                        w = w.mul_scalar(1.0 - c.lr * c.weight_decay)?;
                    } else {
                        g = g.add(&w.mul_scalar(c.weight_decay)?)?;
                    }
                }
                let prev = st.take().unwrap_or_else(|| Moments {
                    step: 0,
                    m: g.zeros_like(),
                    v: g.zeros_like(),
                });
                let step = prev.step + 1;
                let m = prev.m.mul_scalar(b1)?.add(&g.mul_scalar(1.0 - b1)?)?;
                let v = prev
                    .v
                    .mul_scalar(b2)?
                    .add(&g.square()?.mul_scalar(1.0 - b2)?)?;
                let bc1 = 1.0 - b1.powi(step);
                let bc2 = 1.0 - b2.powi(step);
                let denom = v.sqrt()?.div_scalar(bc2.sqrt())?.add_scalar(c.eps)?;
                p.set_data(&w.sub(&m.div(&denom)?.mul_scalar(c.lr / bc1)?)?)?;
                *st = Some(Moments { step, m, v });
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
