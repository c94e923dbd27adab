//! The loss language: users write a loss as a few lines over the model's outputs, and it is
//! parsed here (never evaluated as JavaScript), checked for shapes with messages anchored at
//! byte spans, bounded in size and cost, lowered to core tensor ops, gradchecked on demand and
//! exported as an equivalent PyTorch function.
//!
//! # Language
//!
//! ```text
//! # focal loss: down-weights easy examples
//! param gamma = 2.0 in 0..5          # a slider: default, then its range
//! let pt = gather(probs, target)     # [B]: each sample's probability of its class
//! mean(-(1 - pt)^gamma * gather(log_probs, target))
//! ```
//!
//! A program is `param` and `let` statements (optionally ended by `;`) and then one
//! expression, the loss, which must be a scalar. Comments start with `#` or `//`; newlines
//! are whitespace. Operators, loosest first: comparisons `< <= > >= == !=` (1.0 or 0.0, no
//! gradient, not chainable), `+ -`, `* /`, unary `-`, `^` or `**` (right-associative).
//! Inputs: `logits`, `probs`, `log_probs`, `onehot` `[B, C]`; `target` `[B]`;
//! `class_weights` `[C]`; `features` `[B, F]` where the model exposes them; each extra
//! output head by name (`[B, C]`). Functions: see [`FUNCTIONS`]. Axes are whole-number
//! literals (negative counts from the end); `keepdim` is `true` or `false`. Broadcasting is
//! PyTorch's, checked symbolically: `B`, `C` and `F` never match each other.
//!
//! `grad_norm(x)` is `sqrt(sum(g^2) + 1e-12)` per sample (`[B]`) where
//! `g = d sum(x) / d wrt` and `wrt` is [`Inputs::wrt`], the model's input batch (or its
//! features); `g` is built with `create_graph`, so the penalty itself trains the model.
//!
//! # Use from the editor
//!
//! ```
//! use pixelgrad::loss::dsl::{analyze, compile, gradcheck, Env, Inputs, PRESETS};
//! use pixelgrad::Tensor;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let env = Env::default();
//! let a = analyze("mean(-gather(log_prob, target))", &env);
//! assert!(a.diagnostics[0].message.contains("did you mean `log_probs`"));
//!
//! let focal = PRESETS.iter().find(|p| p.name == "focal").unwrap();
//! let loss = compile(focal.source, &env)?;
//! let logits = Tensor::from_vec(vec![1.0f32, -1.0, 0.5, 2.0], [2, 2])?.requires_grad_()?;
//! let target = Tensor::from_vec(vec![0.0f32, 1.0], [2])?;
//! let value = loss.evaluate(&Inputs::new(logits.clone(), target).param("gamma", 1.0))?;
//! value.backward()?;
//! assert!(logits.grad().is_some());
//! assert!(gradcheck(&loss, 4, 3, 0)?.passes(1e-6));
//! assert!(loss.to_python().starts_with("import torch"));
//! # Ok(()) }
//! ```
//!
//! [`analyze`] on every keystroke (diagnostics and sliders, never fails), [`compile`] when
//! training starts, [`Loss::evaluate`] per batch, [`gradcheck`] for "check gradient",
//! [`to_python`] for the export, [`PRESETS`] for the menu.

#![warn(missing_docs)]

mod ast;
mod builtins;
mod check_call;
mod checker;
mod cost;
mod diagnostic;
mod env;
mod error;
mod gradcheck;
mod inputs;
mod lexer;
pub mod limits;
mod lower;
mod nan_check;
mod parse_expr;
mod parser;
mod presets;
mod python;
mod shape;
mod sign;

pub use ast::{BinOp, Expr, ExprKind, LetBinding, ParamDecl, Program, Stmt};
pub use builtins::{Func, FuncInfo, FUNCTIONS};
pub use diagnostic::{Diagnostic, Fix, Severity, Span};
pub use env::{Env, Ty, INPUTS};
pub use error::LossError;
pub use gradcheck::gradcheck;
pub use inputs::Inputs;
pub use parser::parse;
pub use presets::{Preset, PRESETS};
pub use python::to_python;
pub use shape::{Dim, Sizes};

use crate::tensor::Tensor;
use shape::SymShape;

/// The editor's view of a source: all diagnostics, and the sliders it declares.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Errors and warnings in source order; empty for a clean loss.
    pub diagnostics: Vec<Diagnostic>,
    /// Declared sliders (empty when the source does not parse).
    pub params: Vec<ParamDecl>,
    /// The checked loss when there are no errors.
    pub loss: Option<Loss>,
}

impl Analysis {
    /// True when the source is rejected.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and checks `source` for a model and caller described by `env`. Never panics and
/// runs in time linear in the (bounded) source length.
pub fn analyze(source: &str, env: &Env) -> Analysis {
    let program = match parse(source) {
        Ok(p) => p,
        Err(d) => {
            return Analysis {
                diagnostics: vec![d],
                params: Vec::new(),
                loss: None,
            }
        }
    };
    let checked = checker::check(&program, source, env);
    let params: Vec<ParamDecl> = program.params().cloned().collect();
    let ok = !checked.diagnostics.iter().any(Diagnostic::is_error);
    let loss = ok.then(|| Loss {
        program,
        env: env.clone(),
        terms: checked.terms,
        warnings: checked.diagnostics.clone(),
    });
    Analysis {
        diagnostics: checked.diagnostics,
        params,
        loss,
    }
}

/// [`analyze`], failing with every diagnostic when the source has errors.
pub fn compile(source: &str, env: &Env) -> Result<Loss, LossError> {
    let a = analyze(source, env);
    a.loss.ok_or(LossError::Invalid(a.diagnostics))
}

/// A checked loss, ready to evaluate on batches.
#[derive(Debug, Clone)]
pub struct Loss {
    program: Program,
    env: Env,
    terms: Vec<(SymShape, u64)>,
    warnings: Vec<Diagnostic>,
}

impl Loss {
    /// The syntax tree.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// What the loss was checked against.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The warnings the checker gave (a compiled loss has no errors).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The declared sliders.
    pub fn params(&self) -> impl Iterator<Item = &ParamDecl> {
        self.program.params()
    }

    /// Element operations one evaluation costs at `sizes` (the bound is
    /// [`limits::MAX_COST`]; the model's own backward pass is not included).
    pub fn cost(&self, sizes: Sizes) -> u64 {
        cost::estimate(&self.terms, sizes)
    }

    /// The scalar loss on one batch. Refuses before computing anything if the inputs do not
    /// fit, a slider is unknown or out of range, or the cost is over the limit.
    pub fn evaluate(&self, inputs: &Inputs) -> Result<Tensor, LossError> {
        let sizes = inputs.sizes()?;
        let params = cost::param_values(&self.program, &inputs.params)?;
        cost::check(&self.terms, sizes)?;
        lower::evaluate(&self.program, inputs, sizes, &params)
    }

    /// The slider values an evaluation with `given` would use, in declaration order
    /// (defaults for sliders not given); fails on an unknown slider or one out of its range.
    pub fn param_values(&self, given: &[(String, f64)]) -> Result<Vec<f64>, LossError> {
        cost::param_values(&self.program, given)
    }

    /// The equivalent PyTorch function.
    pub fn to_python(&self) -> String {
        to_python(&self.program)
    }
}
