//! What a loss may name: the environment the model and caller provide, the inputs' symbolic
//! types, and the static type of every value.

use super::builtins::Func;
use super::shape::{Dim, SymShape};
use super::sign::Sign;

/// What the model and the caller provide, which decides the names a loss may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Env {
    /// The model exposes `features` `[B, F]` (its penultimate activations).
    pub features: bool,
    /// Names of extra output heads, each `[B, C]` scored against the same `target`
    /// (auxiliary classifiers, deep supervision, ensemble members).
    pub heads: Vec<String>,
    /// The caller can pass the tensor `grad_norm` differentiates with respect to (the model's
    /// input batch, marked as requiring grad).
    pub grad_wrt: bool,
}

impl Default for Env {
    /// A plain classifier: logits and targets, and the input batch for gradient penalties.
    fn default() -> Self {
        Env {
            features: false,
            heads: Vec::new(),
            grad_wrt: true,
        }
    }
}

/// The inputs every loss can name, with their shapes, for the editor's completion list.
pub const INPUTS: &[(&str, &str)] = &[
    ("logits", "[B, C] raw class scores of the model"),
    ("probs", "[B, C] softmax(logits, 1)"),
    ("log_probs", "[B, C] log_softmax(logits, 1)"),
    ("target", "[B] class index of each sample (no gradient)"),
    ("onehot", "[B, C] one-hot encoding of target (no gradient)"),
    (
        "class_weights",
        "[C] per-class weights from the data panel, ones by default",
    ),
    (
        "features",
        "[B, F] the model's features, where the model exposes them",
    ),
];

/// The static type of a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Ty {
    /// Symbolic shape; empty for a scalar.
    pub shape: SymShape,
    /// Made only of numbers and sliders (foldable to one `f64`).
    pub constant: bool,
    /// Gradient flows from it to the model.
    pub grad: bool,
    /// What is known about the sign of its elements (for the NaN warnings).
    pub sign: Sign,
}

impl Ty {
    pub(super) fn constant(sign: Sign) -> Ty {
        Ty {
            shape: vec![],
            constant: true,
            grad: false,
            sign,
        }
    }

    pub(super) fn input(shape: SymShape, grad: bool, sign: Sign) -> Ty {
        Ty {
            shape,
            constant: false,
            grad,
            sign,
        }
    }
}

/// `(name, type, is_head)` of every input `env` provides; heads that collide with an input or
/// a function name are left out (the input or function wins).
pub(super) fn input_types(env: &Env) -> Vec<(String, Ty, bool)> {
    use Dim::{B, C, F};
    let mut inputs = vec![
        ("logits", Ty::input(vec![B, C], true, Sign::Any)),
        ("probs", Ty::input(vec![B, C], true, Sign::Pos)),
        ("log_probs", Ty::input(vec![B, C], true, Sign::Any)),
        ("target", Ty::input(vec![B], false, Sign::NonNeg)),
        ("onehot", Ty::input(vec![B, C], false, Sign::NonNeg)),
        ("class_weights", Ty::input(vec![C], false, Sign::NonNeg)),
    ];
    if env.features {
        inputs.push(("features", Ty::input(vec![B, F], true, Sign::Any)));
    }
    let mut out: Vec<(String, Ty, bool)> = inputs
        .into_iter()
        .map(|(n, t)| (n.to_string(), t, false))
        .collect();
    for head in &env.heads {
        let taken = out.iter().any(|(n, _, _)| n == head) || Func::lookup(head).is_some();
        if !taken {
            out.push((head.clone(), Ty::input(vec![B, C], true, Sign::Any), true));
        }
    }
    out
}
