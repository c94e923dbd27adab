//! What the caller passes to evaluate a loss on one batch, and its validation against the
//! symbolic shapes the checker assumed.

use super::error::LossError;
use super::shape::Sizes;
use crate::tensor::Tensor;

/// The tensors of one batch. `logits` and `target` are required; the rest only when the
/// loss names them. Gradients flow to `logits`, `features` and the heads.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `[B, C]` model outputs.
    pub logits: Tensor,
    /// `[B]` class indices (any float dtype; integer values).
    pub target: Tensor,
    /// `[B, F]` model features, for losses that name `features`.
    pub features: Option<Tensor>,
    /// Extra `[B, C]` output heads by name.
    pub heads: Vec<(String, Tensor)>,
    /// The tensor `grad_norm` differentiates with respect to: the model's input batch
    /// `[B, ...]` (marked `requires_grad` before the forward pass), or the features.
    pub wrt: Option<Tensor>,
    /// `[C]` per-class weights; ones when absent.
    pub class_weights: Option<Tensor>,
    /// Slider values by name; sliders not listed take their default.
    pub params: Vec<(String, f64)>,
}

impl Inputs {
    /// The two required inputs; add the others with the builder methods.
    pub fn new(logits: Tensor, target: Tensor) -> Inputs {
        Inputs {
            logits,
            target,
            features: None,
            heads: Vec::new(),
            wrt: None,
            class_weights: None,
            params: Vec::new(),
        }
    }

    /// Sets the features.
    pub fn features(mut self, f: Tensor) -> Self {
        self.features = Some(f);
        self
    }

    /// Adds an output head.
    pub fn head(mut self, name: &str, t: Tensor) -> Self {
        self.heads.push((name.to_string(), t));
        self
    }

    /// Sets what `grad_norm` differentiates with respect to.
    pub fn wrt(mut self, x: Tensor) -> Self {
        self.wrt = Some(x);
        self
    }

    /// Sets the class weights.
    pub fn class_weights(mut self, w: Tensor) -> Self {
        self.class_weights = Some(w);
        self
    }

    /// Sets a slider.
    pub fn param(mut self, name: &str, value: f64) -> Self {
        self.params.push((name.to_string(), value));
        self
    }

    /// Checks every given tensor against `[B, C]` from the logits and returns the sizes.
    pub(super) fn sizes(&self) -> Result<Sizes, LossError> {
        let bad = |name: &str, expected: &str, t: &Tensor| LossError::BadInput {
            name: name.to_string(),
            expected: expected.to_string(),
            got: t.dims().to_vec(),
        };
        let &[batch, classes] = self.logits.dims() else {
            return Err(bad("logits", "[B, C]", &self.logits));
        };
        if self.target.dims() != [batch] {
            return Err(bad("target", "[B]", &self.target));
        }
        let mut features = 0;
        if let Some(f) = &self.features {
            match f.dims() {
                &[b, w] if b == batch => features = w,
                _ => return Err(bad("features", "[B, F]", f)),
            }
        }
        for (name, h) in &self.heads {
            if h.dims() != [batch, classes] {
                return Err(bad(name, "[B, C]", h));
            }
        }
        if let Some(w) = &self.class_weights {
            if w.dims() != [classes] {
                return Err(bad("class_weights", "[C]", w));
            }
        }
        if let Some(x) = &self.wrt {
            if x.dims().first() != Some(&batch) {
                return Err(bad("wrt", "[B, ...]", x));
            }
        }
        Ok(Sizes {
            batch,
            classes,
            features,
        })
    }
}
