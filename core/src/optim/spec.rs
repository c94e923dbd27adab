//! The optimizer choice as serde data (part of a run's spec).

use serde::{Deserialize, Serialize};

use super::{Adam, AdamConfig, OptimError, Optimizer, Sgd, SgdConfig};
use crate::tensor::Tensor;

/// Which optimizer, with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerSpec {
    Sgd(SgdConfig),
    Adam(AdamConfig),
}

impl OptimizerSpec {
    /// The initial learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            OptimizerSpec::Sgd(c) => c.lr,
            OptimizerSpec::Adam(c) => c.lr,
        }
    }

    /// Builds the optimizer over `params`.
    pub fn build(&self, params: Vec<Tensor>) -> Result<Box<dyn Optimizer>, OptimError> {
        Ok(match self {
            OptimizerSpec::Sgd(c) => Box::new(Sgd::new(params, *c)?),
            OptimizerSpec::Adam(c) => Box::new(Adam::new(params, *c)?),
        })
    }
}
