//! The checker: resolves names, infers symbolic shapes (`B`, `C`, `F`, 1), and reports every
//! problem at the span that caused it: unknown names (with "did you mean"), redefinitions,
//! shape clashes, a non-scalar or untrainable result, and divisions or logarithms that can
//! produce NaN (warnings with a `clamp` fix, in [`super::nan_check`]). Calls are checked in
//! [`super::check_call`].

use std::collections::HashMap;

use super::ast::{BinOp, Expr, ExprKind, Program, Stmt};
use super::builtins::{Func, FUNCTIONS};
use super::diagnostic::{did_you_mean, Diagnostic, Span};
use super::env::{input_types, Env, Ty};
use super::limits::{MAX_LETS, MAX_NODES, MAX_PARAMS};
use super::shape::{broadcast, show, SymShape};
use super::sign::Sign;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Input,
    Head,
    Param,
    Let,
}

struct Binding {
    /// `None` when the definition had errors: uses stay silent instead of piling up.
    ty: Option<Ty>,
    kind: Kind,
    span: Span,
    used: bool,
}

/// Everything the checker learned.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// `(shape, weight)` of every evaluated node: the cost model's terms.
    pub terms: Vec<(SymShape, u64)>,
}

pub(super) struct Checker<'a> {
    pub(super) source: &'a str,
    pub(super) env: &'a Env,
    names: HashMap<String, Binding>,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) terms: Vec<(SymShape, u64)>,
    /// Cost multiplier: arguments of `grad_norm` are differentiated twice.
    pub(super) weight: u64,
    pub(super) in_grad_norm: bool,
    nodes: usize,
}

/// Checks `program` (parsed from `source`) against what `env` provides.
pub fn check(program: &Program, source: &str, env: &Env) -> Checked {
    let mut c = Checker {
        source,
        env,
        names: HashMap::new(),
        diags: Vec::new(),
        terms: Vec::new(),
        weight: 1,
        in_grad_norm: false,
        nodes: 0,
    };
    c.define_inputs();
    let (mut params, mut lets) = (0, 0);
    for stmt in &program.stmts {
        match stmt {
            Stmt::Param(p) => {
                params += 1;
                if params > MAX_PARAMS {
                    c.error(p.span, format!("at most {MAX_PARAMS} sliders"));
                }
                let ty = Ty::constant(Sign::of(p.lo));
                c.define(&p.name, p.name_span, Some(ty), Kind::Param);
            }
            Stmt::Let(l) => {
                lets += 1;
                if lets > MAX_LETS {
                    c.error(l.name_span, format!("at most {MAX_LETS} `let` bindings"));
                }
                let ty = c.expr(&l.value);
                let failed = ty.is_none();
                c.define(&l.name, l.name_span, ty, Kind::Let);
                if failed {
                    if let Some(b) = c.names.get_mut(&l.name) {
                        b.used = true;
                    }
                }
            }
        }
    }
    let result = c.expr(&program.result);
    if let Some(ty) = &result {
        c.check_result(&program.result, ty);
    }
    c.warn_unused();
    c.diags.sort_by_key(|d| (d.span.start, d.span.end));
    Checked {
        diagnostics: c.diags,
        terms: c.terms,
    }
}

impl Checker<'_> {
    pub(super) fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(span, message));
    }

    fn define_inputs(&mut self) {
        for (name, ty, is_head) in input_types(self.env) {
            if !self.names.contains_key(&name) && Func::lookup(&name).is_none() {
                let kind = if is_head { Kind::Head } else { Kind::Input };
                self.insert(&name, ty, kind);
            }
        }
    }

    fn insert(&mut self, name: &str, ty: Ty, kind: Kind) {
        let b = Binding {
            ty: Some(ty),
            kind,
            span: Span::default(),
            used: true,
        };
        self.names.insert(name.to_string(), b);
    }

    fn define(&mut self, name: &str, span: Span, ty: Option<Ty>, kind: Kind) {
        if Func::lookup(name).is_some() {
            self.error(span, format!("`{name}` is a function; choose another name"));
            return;
        }
        if let Some(prev) = self.names.get(name) {
            let what = match prev.kind {
                Kind::Input => "an input of the loss",
                Kind::Head => "an output head of the model",
                Kind::Param => "a slider",
                Kind::Let => "a `let` binding",
            };
            self.error(
                span,
                format!("`{name}` is already defined as {what}; choose another name"),
            );
            return;
        }
        let used = kind == Kind::Input;
        self.names.insert(
            name.to_string(),
            Binding {
                ty,
                kind,
                span,
                used,
            },
        );
    }

    fn warn_unused(&mut self) {
        let mut unused: Vec<(Span, String, Kind)> = self
            .names
            .iter()
            .filter(|(_, b)| !b.used && matches!(b.kind, Kind::Let | Kind::Param))
            .map(|(n, b)| (b.span, n.clone(), b.kind))
            .collect();
        unused.sort_by_key(|u| u.0.start);
        for (span, name, kind) in unused {
            let what = if kind == Kind::Param {
                "slider"
            } else {
                "binding"
            };
            self.diags.push(Diagnostic::warning(
                span,
                format!("the {what} `{name}` is never used"),
            ));
        }
    }

    fn check_result(&mut self, e: &Expr, ty: &Ty) {
        if !ty.shape.is_empty() {
            let text = e.span.text(self.source).to_string();
            self.diags.push(
                Diagnostic::error(
                    e.span,
                    format!(
                        "the loss must be a single number, but this is {}; reduce it with \
                         `mean(...)` or `sum(...)`",
                        show(&ty.shape)
                    ),
                )
                .with_fix("take the mean", e.span, format!("mean({text})")),
            );
        } else if !ty.grad {
            self.error(
                e.span,
                "the loss does not depend on the model's outputs (logits, probs, log_probs, \
                 features or heads), so training cannot change it",
            );
        }
    }

    /// The type of `e`, or `None` after reporting why it has none.
    pub(super) fn expr(&mut self, e: &Expr) -> Option<Ty> {
        self.nodes += 1;
        if self.nodes == MAX_NODES + 1 {
            self.error(
                e.span,
                format!("the loss is too large: at most {MAX_NODES} operations"),
            );
        }
        let ty = match &e.kind {
            ExprKind::Number(v) => Some(Ty::constant(Sign::of(*v))),
            ExprKind::Bool(_) => {
                self.error(
                    e.span,
                    "`true` and `false` are only allowed as the keepdim flag of a reduction, \
                     e.g. `sum(x, 1, true)`",
                );
                None
            }
            ExprKind::Name(name) => self.name(name, e.span),
            ExprKind::Neg(inner) => self.expr(inner).map(|t| Ty {
                sign: Sign::Any,
                ..t
            }),
            ExprKind::Binary(op, a, b) => self.binary(e, *op, a, b),
            ExprKind::Call {
                name,
                name_span,
                args,
            } => self.call(e, name, *name_span, args),
        }?;
        if !ty.constant {
            self.terms.push((ty.shape.clone(), self.weight));
        }
        Some(ty)
    }

    fn name(&mut self, name: &str, span: Span) -> Option<Ty> {
        if let Some(b) = self.names.get_mut(name) {
            b.used = true;
            return b.ty.clone();
        }
        let mut suggestion = None;
        let message = if Func::lookup(name).is_some() {
            format!("`{name}` is a function; call it like `{name}(x)`")
        } else if name == "features" {
            "this model does not expose `features`".to_string()
        } else {
            let candidates = self.names.keys().map(String::as_str);
            match did_you_mean(name, candidates).map(str::to_string) {
                Some(s) => {
                    // The user meant it: do not also call it unused.
                    if let Some(b) = self.names.get_mut(&s) {
                        b.used = true;
                    }
                    let message = format!("unknown name `{name}`; did you mean `{s}`?");
                    suggestion = Some(s);
                    message
                }
                None => format!(
                    "unknown name `{name}`; the inputs are logits, probs, log_probs, target, \
                     onehot and class_weights"
                ),
            }
        };
        self.error(span, message);
        self.suggest(span, suggestion);
        None
    }

    /// Offers the "did you mean" name as a one-click fix of the last error.
    fn suggest(&mut self, span: Span, name: Option<String>) {
        if let (Some(name), Some(d)) = (name, self.diags.last_mut()) {
            *d = d.clone().with_fix(format!("use `{name}`"), span, name);
        }
    }

    /// Broadcasts two shapes, reporting a clash at `span`.
    pub(super) fn broadcast(&mut self, span: Span, what: &str, a: &Ty, b: &Ty) -> Option<SymShape> {
        match broadcast(&a.shape, &b.shape) {
            Ok(s) => Some(s),
            Err((x, y)) => {
                self.error(
                    span,
                    format!(
                        "{what}: shapes {} and {} do not broadcast ({x} against {y}; trailing \
                         dimensions align, as in PyTorch); keep a reduced axis with \
                         `mean(x, 1, true)`",
                        show(&a.shape),
                        show(&b.shape)
                    ),
                );
                None
            }
        }
    }

    fn binary(&mut self, e: &Expr, op: BinOp, a: &Expr, b: &Expr) -> Option<Ty> {
        let ta = self.expr(a);
        let tb = self.expr(b);
        let (ta, tb) = (ta?, tb?);
        let shape = self.broadcast(e.span, &format!("`{}`", op.symbol()), &ta, &tb)?;
        let sign = match op {
            BinOp::Add => Sign::add(ta.sign, tb.sign),
            BinOp::Mul => Sign::mul(ta.sign, tb.sign),
            BinOp::Div => {
                self.check_divisor(b, &tb);
                Sign::mul(ta.sign, tb.sign)
            }
            BinOp::Pow => Sign::pow(ta.sign, literal(b)),
            BinOp::Sub => Sign::Any,
            _ => Sign::NonNeg,
        };
        Some(Ty {
            shape,
            constant: ta.constant && tb.constant,
            grad: !op.is_comparison() && (ta.grad || tb.grad),
            sign,
        })
    }

    /// Reports a call to something that is not a function.
    pub(super) fn unknown_function(&mut self, name: &str, span: Span) {
        let mut suggestion = None;
        let message = if self.names.contains_key(name) {
            format!("`{name}` is a value, not a function")
        } else {
            match did_you_mean(name, FUNCTIONS.iter().map(|f| f.name)) {
                Some(s) => {
                    suggestion = Some(s.to_string());
                    format!("unknown function `{name}`; did you mean `{s}`?")
                }
                None => format!("unknown function `{name}`"),
            }
        };
        self.error(span, message);
        self.suggest(span, suggestion);
    }
}

/// The value of a number literal, possibly negated.
pub(super) fn literal(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Number(v) => Some(*v),
        ExprKind::Neg(inner) => literal(inner).map(|v| -v),
        _ => None,
    }
}
