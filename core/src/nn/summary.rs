//! A per-module summary for the UI's model panel: output shapes, parameters and MACs by
//! module path, from one evaluation-mode forward pass of a single zero sample.

use serde::{Deserialize, Serialize};

use super::{state_dict, Ctx, Module};
use crate::autograd::no_grad;
use crate::error::Result;
use crate::tensor::Tensor;

/// One row of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerSummary {
    /// Dotted module path (`layer1.0.conv1`).
    pub name: String,
    /// Output shape for a batch of one.
    pub output_shape: Vec<usize>,
    /// Parameter elements under this path (its own and its children's).
    pub parameters: usize,
    /// Multiply-accumulates under this path, per sample.
    pub macs: u64,
}

/// Summarizes `m` for inputs of shape `input` (`[C, H, W]`), in execution order.
pub fn summary(m: &dyn Module, input: &[usize]) -> Result<Vec<LayerSummary>> {
    let mut shape = vec![1];
    shape.extend_from_slice(input);
    let mut ctx = Ctx::eval().recording().counting_macs();
    no_grad(|| m.forward(&Tensor::zeros(shape), &mut ctx))?;
    let macs = ctx.take_macs();
    let params = state_dict(m);
    let under = |path: &str, name: &str| name == path || name.starts_with(&format!("{path}."));
    Ok(ctx
        .take_records()
        .into_iter()
        .map(|r| LayerSummary {
            parameters: params
                .iter()
                .filter(|p| p.kind == super::TensorKind::Parameter && under(&r.name, &p.name))
                .map(|p| p.tensor.numel())
                .sum(),
            macs: macs
                .iter()
                .filter(|(n, _)| under(&r.name, n))
                .map(|(_, v)| v)
                .sum(),
            output_shape: r.tensor.dims().to_vec(),
            name: r.name,
        })
        .collect())
}
