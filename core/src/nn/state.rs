//! Whole-model operations over named tensors: parameter lists, `state_dict`, loading with a
//! report, freezing by name prefix (transfer learning), parameter and MAC counts.

use std::collections::{BTreeMap, HashMap};

use super::{Ctx, Module, NamedTensor, TensorKind};
use crate::autograd::no_grad;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Every parameter and buffer, in registration order (PyTorch's `state_dict()` order).
pub fn state_dict(m: &dyn Module) -> Vec<NamedTensor> {
    let mut out = Vec::new();
    m.named_tensors("", &mut out);
    out
}

/// Moves every parameter and buffer to `device` in place (`model.to(device)`): the tensors keep
/// their identity, so optimizers and hooks built on them stay valid.
pub fn move_to_device(m: &dyn Module, device: crate::device::Device) -> Result<()> {
    for named in state_dict(m) {
        let moved = named.tensor.detach().to_device(device)?;
        named.tensor.set_data(&moved)?;
    }
    Ok(())
}

/// The parameters (`named_parameters()`).
pub fn parameters(m: &dyn Module) -> Vec<NamedTensor> {
    state_dict(m)
        .into_iter()
        .filter(|t| t.kind == TensorKind::Parameter)
        .collect()
}

/// Parameters that currently require gradients (what an optimizer should update).
pub fn trainable_parameters(m: &dyn Module) -> Vec<NamedTensor> {
    parameters(m)
        .into_iter()
        .filter(|t| t.tensor.requires_grad())
        .collect()
}

/// Total number of parameter elements (`sum(p.numel() for p in model.parameters())`).
pub fn count_parameters(m: &dyn Module) -> usize {
    parameters(m).iter().map(|t| t.tensor.numel()).sum()
}

/// Parameter elements that require gradients.
pub fn count_trainable(m: &dyn Module) -> usize {
    trainable_parameters(m)
        .iter()
        .map(|t| t.tensor.numel())
        .sum()
}

fn set_trainable(m: &dyn Module, prefix: &str, on: bool) -> Result<usize> {
    let mut n = 0;
    for t in parameters(m) {
        if t.name.starts_with(prefix) {
            t.tensor.set_requires_grad(on)?;
            n += 1;
        }
    }
    if n == 0 {
        return Err(Error::invalid(
            "freeze",
            format!("no parameter name starts with `{prefix}`"),
        ));
    }
    Ok(n)
}

/// Stops training the parameters whose names start with `prefix` (`""` = all; `features.`
/// = a backbone); returns how many were frozen. Errors when nothing matches (a typo).
pub fn freeze(m: &dyn Module, prefix: &str) -> Result<usize> {
    set_trainable(m, prefix, false)
}

/// Trains again the parameters whose names start with `prefix`.
pub fn unfreeze(m: &dyn Module, prefix: &str) -> Result<usize> {
    set_trainable(m, prefix, true)
}

/// What [`load_state_dict`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadReport {
    /// Model tensors with no entry in the source.
    pub missing: Vec<String>,
    /// Source entries that name nothing in the model.
    pub unexpected: Vec<String>,
    /// Tensors loaded.
    pub loaded: usize,
}

/// Copies values by name into the model. A shape mismatch is an error (nothing is changed);
/// with `strict`, missing or unexpected names are errors too, as in PyTorch. Non-strict
/// loading is how a pretrained backbone meets a new classifier head.
pub fn load_state_dict(
    m: &dyn Module,
    source: &BTreeMap<String, Tensor>,
    strict: bool,
) -> Result<LoadReport> {
    let targets = state_dict(m);
    let mut report = LoadReport::default();
    let names: HashMap<&str, &NamedTensor> = targets.iter().map(|t| (t.name.as_str(), t)).collect();
    for (name, value) in source {
        match names.get(name.as_str()) {
            Some(t) if t.tensor.dims() != value.dims() => {
                return Err(Error::shapes(
                    "load_state_dict",
                    &[t.tensor.dims(), value.dims()],
                    format!("`{name}` has the wrong shape"),
                ));
            }
            Some(_) => {}
            None => report.unexpected.push(name.clone()),
        }
    }
    report.missing = targets
        .iter()
        .filter(|t| !source.contains_key(&t.name))
        .map(|t| t.name.clone())
        .collect();
    if strict && (!report.missing.is_empty() || !report.unexpected.is_empty()) {
        return Err(Error::invalid(
            "load_state_dict",
            format!(
                "missing {:?}, unexpected {:?}",
                report.missing, report.unexpected
            ),
        ));
    }
    no_grad(|| -> Result<()> {
        for t in &targets {
            if let Some(v) = source.get(&t.name) {
                t.tensor.set_data(&v.to_dtype(t.tensor.dtype())?)?;
                report.loaded += 1;
            }
        }
        Ok(())
    })?;
    Ok(report)
}

/// Multiply-accumulates of one forward pass per sample, by module path, measured by running
/// a batch of one of shape `input` (`[C, H, W]` or `[features]`) in evaluation mode.
pub fn macs_per_sample(m: &dyn Module, input: &[usize]) -> Result<Vec<(String, u64)>> {
    let mut shape = vec![1];
    shape.extend_from_slice(input);
    let mut ctx = Ctx::eval().counting_macs();
    no_grad(|| m.forward(&Tensor::zeros(shape), &mut ctx))?;
    Ok(ctx.take_macs())
}
