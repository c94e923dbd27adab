//! An ensemble: members run on the same input and their logits are averaged (members are
//! named `members.{i}`), so it trains and evaluates like any model.

use super::blocks::run;
use crate::error::{Error, Result};
use crate::nn::{Ctx, Module, NamedTensor};
use crate::tensor::Tensor;

/// Averages the members' outputs.
pub struct Ensemble {
    pub members: Vec<Box<dyn Module>>,
}

impl Module for Ensemble {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let mut sum: Option<Tensor> = None;
        for (i, m) in self.members.iter().enumerate() {
            let y = run(ctx, &format!("members.{i}"), m.as_ref(), x)?;
            sum = Some(match sum {
                Some(s) => s.add(&y)?,
                None => y,
            });
        }
        sum.ok_or_else(|| Error::invalid("Ensemble", "no members"))?
            .div_scalar(self.members.len() as f64)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        for (i, m) in self.members.iter().enumerate() {
            m.named_tensors(&format!("{prefix}members.{i}."), out);
        }
    }

    fn type_name(&self) -> &'static str {
        "Ensemble"
    }
}
