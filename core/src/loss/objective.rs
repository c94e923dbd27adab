//! What a training run minimizes: the built-in cross-entropy or a compiled loss-language
//! program with its slider values. [`Objective::from_spec`] turns a run's [`LossSpec`] into
//! one (compiling and range-checking once, before the first step); the trainer then calls
//! [`Objective::loss`] on every batch. Every custom evaluation is bounded by
//! [`MAX_COST`](super::dsl::limits::MAX_COST), checked before anything is computed, so a loss
//! can never hang the worker.

use super::dsl::{compile, Env, ExprKind, Func, Inputs, Loss, LossError, Program, Sizes, Stmt};
use crate::io::LossSpec;
use crate::ops::CrossEntropyOptions;
use crate::tensor::Tensor;

/// The training loss of a run.
#[derive(Debug, Clone)]
pub enum Objective {
    /// `F.cross_entropy` with this label smoothing (soft targets under mixing).
    CrossEntropy {
        /// In `[0, 1]`.
        label_smoothing: f64,
    },
    /// A loss written in the loss language.
    Custom(Box<CustomObjective>),
}

/// A compiled custom loss with everything its evaluation needs besides the batch.
#[derive(Debug, Clone)]
pub struct CustomObjective {
    loss: Loss,
    params: Vec<(String, f64)>,
    class_weights: Option<Vec<f32>>,
    needs_input_grad: bool,
}

impl Objective {
    /// Compiles `spec` for a model described by `env` and checks its slider values, so a bad
    /// source or slider fails before training starts rather than at the first step.
    pub fn from_spec(
        spec: &LossSpec,
        label_smoothing: f64,
        env: &Env,
    ) -> Result<Objective, LossError> {
        match spec {
            LossSpec::CrossEntropy => Ok(Objective::CrossEntropy { label_smoothing }),
            LossSpec::Custom { source, params } => {
                let loss = compile(source, env)?;
                let params: Vec<(String, f64)> =
                    params.iter().map(|p| (p.name.clone(), p.value)).collect();
                // Resolves and range-checks the sliders now (the cost is checked per batch).
                loss.param_values(&params)?;
                let needs_input_grad = uses_grad_norm(loss.program());
                Ok(Objective::Custom(Box::new(CustomObjective {
                    loss,
                    params,
                    class_weights: None,
                    needs_input_grad,
                })))
            }
        }
    }

    /// Sets the per-class weights a custom loss reads as `class_weights` (`[C]`; ones when
    /// never set). The built-in cross-entropy ignores them.
    pub fn with_class_weights(mut self, weights: Vec<f32>) -> Objective {
        if let Objective::Custom(c) = &mut self {
            c.class_weights = Some(weights);
        }
        self
    }

    /// True for a loss-language program.
    pub fn is_custom(&self) -> bool {
        matches!(self, Objective::Custom(_))
    }

    /// True when the loss differentiates with respect to the model's input (`grad_norm`),
    /// so the input batch must be marked as requiring grad before the forward pass.
    pub fn needs_input_grad(&self) -> bool {
        matches!(self, Objective::Custom(c) if c.needs_input_grad)
    }

    /// Refuses a batch shape whose evaluation would cost more than the bound, so a run fails
    /// with a message at its start instead of at its first step.
    pub fn check_batch(&self, batch: usize, classes: usize) -> Result<(), LossError> {
        match self {
            Objective::CrossEntropy { .. } => Ok(()),
            Objective::Custom(c) => {
                let sizes = Sizes {
                    batch,
                    classes,
                    features: 0,
                };
                let cost = c.loss.cost(sizes);
                if cost > super::dsl::limits::MAX_COST {
                    return Err(LossError::TooCostly {
                        cost,
                        limit: super::dsl::limits::MAX_COST,
                    });
                }
                Ok(())
            }
        }
    }

    /// The scalar loss of one batch: `logits` `[B, C]`, `target` class indices `[B]` (or
    /// soft targets `[B, C]` for the built-in loss), `input` the batch the model saw (what
    /// `grad_norm` differentiates with respect to).
    pub fn loss(
        &self,
        logits: &Tensor,
        target: &Tensor,
        input: &Tensor,
    ) -> Result<Tensor, ObjectiveError> {
        match self {
            Objective::CrossEntropy { label_smoothing } => {
                let opts = CrossEntropyOptions {
                    label_smoothing: *label_smoothing,
                    ..Default::default()
                };
                Ok(logits.cross_entropy(target, &opts)?)
            }
            Objective::Custom(c) => {
                if target.rank() != 1 {
                    return Err(ObjectiveError::SoftTargets);
                }
                let mut inputs = Inputs::new(logits.clone(), target.clone());
                inputs.params = c.params.clone();
                if c.needs_input_grad {
                    inputs = inputs.wrt(input.clone());
                }
                if let Some(w) = &c.class_weights {
                    let w = Tensor::from_vec(w.clone(), [w.len()])?;
                    inputs = inputs.class_weights(w);
                }
                Ok(c.loss.evaluate(&inputs)?)
            }
        }
    }
}

/// Why the loss of a batch could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ObjectiveError {
    /// The built-in loss or building an input failed.
    #[error(transparent)]
    Tensor(#[from] crate::Error),
    /// The custom loss refused the batch or failed on it.
    #[error("the custom loss: {0}")]
    Loss(#[from] LossError),
    /// Mixup/CutMix gave soft targets, which the loss language does not take.
    #[error("custom losses take class-index targets; turn off mixup and cutmix")]
    SoftTargets,
}

/// True when `program` calls `grad_norm` anywhere.
fn uses_grad_norm(program: &Program) -> bool {
    fn walk(e: &super::dsl::Expr) -> bool {
        match &e.kind {
            ExprKind::Call { name, args, .. } => {
                Func::lookup(name).is_some_and(|f| f.func == Func::GradNorm)
                    || args.iter().any(walk)
            }
            ExprKind::Neg(inner) => walk(inner),
            ExprKind::Binary(_, a, b) => walk(a) || walk(b),
            ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::Name(_) => false,
        }
    }
    program.stmts.iter().any(|s| match s {
        Stmt::Let(b) => walk(&b.value),
        Stmt::Param(_) => false,
    }) || walk(&program.result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::LossParam;
    use crate::loss::dsl::Preset;

    fn custom(name: &str, params: Vec<LossParam>) -> Result<Objective, LossError> {
        let source = Preset::get(name).map(|p| p.source.to_string());
        let spec = LossSpec::Custom {
            source: source.unwrap_or_default(),
            params,
        };
        Objective::from_spec(&spec, 0.0, &Env::default())
    }

    #[test]
    fn finds_grad_norm_and_checks_sliders_up_front() {
        assert!(custom("gradient_penalty", vec![])
            .expect("compiles")
            .needs_input_grad());
        assert!(!custom("focal", vec![])
            .expect("compiles")
            .needs_input_grad());
        let out_of_range = vec![LossParam {
            name: "gamma".into(),
            value: 9.0,
        }];
        assert!(matches!(
            custom("focal", out_of_range),
            Err(LossError::ParamOutOfRange { .. })
        ));
        let unknown = vec![LossParam {
            name: "gama".into(),
            value: 1.0,
        }];
        assert!(matches!(
            custom("focal", unknown),
            Err(LossError::UnknownParam { .. })
        ));
    }

    #[test]
    fn refuses_a_batch_over_the_cost_bound() {
        let focal = custom("focal", vec![]).expect("compiles");
        assert!(focal.check_batch(64, 10).is_ok());
        assert!(matches!(
            focal.check_batch(1_000_000, 1000),
            Err(LossError::TooCostly { .. })
        ));
    }
}
