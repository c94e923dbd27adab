//! Lowering: evaluates a checked program on one batch with core tensor ops, so the loss is an
//! ordinary graph whose gradients reach the logits (and, through `grad_norm`, second-order
//! terms reach the model). Numbers and sliders fold to `f64` constants; each `let` is computed
//! once.

use std::collections::HashMap;

use super::ast::{BinOp, Expr, ExprKind, Program, Stmt};
use super::builtins::Func;
use super::checker::literal;
use super::diagnostic::Span;
use super::error::{AtSpan, LossError};
use super::inputs::Inputs;
use super::shape::Sizes;
use crate::autograd::grad;
use crate::tensor::Tensor;

/// A value during evaluation: a folded constant or a tensor.
#[derive(Debug, Clone)]
pub(super) enum Val {
    Const(f64),
    T(Tensor),
}

pub(super) struct Lowering<'a> {
    pub(super) inputs: &'a Inputs,
    pub(super) sizes: Sizes,
    values: HashMap<String, Val>,
}

type LResult<T> = Result<T, LossError>;

/// Evaluates `program` with slider values `params` (already validated, declaration order).
pub(super) fn evaluate(
    program: &Program,
    inputs: &Inputs,
    sizes: Sizes,
    params: &[f64],
) -> LResult<Tensor> {
    let mut l = Lowering {
        inputs,
        sizes,
        values: HashMap::new(),
    };
    let mut next_param = params.iter();
    for stmt in &program.stmts {
        match stmt {
            Stmt::Param(p) => {
                let v = next_param.next().copied().unwrap_or(p.default);
                l.values.insert(p.name.clone(), Val::Const(v));
            }
            Stmt::Let(b) => {
                let v = l.eval(&b.value)?;
                l.values.insert(b.name.clone(), v);
            }
        }
    }
    let span = program.result.span;
    match l.eval(&program.result)? {
        Val::T(t) => t.reshape_to(&[]).at(span),
        Val::Const(c) => Ok(l.inputs.logits.scalar_like(c)),
    }
}

impl Lowering<'_> {
    /// A tensor for `v`, with the logits' dtype for constants.
    pub(super) fn tensor(&self, v: Val) -> Tensor {
        match v {
            Val::T(t) => t,
            Val::Const(c) => self.inputs.logits.scalar_like(c),
        }
    }

    fn input(&mut self, name: &str, span: Span) -> LResult<Val> {
        let x = &self.inputs.logits;
        let dtype = x.dtype();
        let missing = |name: &str| LossError::MissingInput {
            name: name.to_string(),
        };
        let t = match name {
            "logits" => x.clone(),
            "probs" => x.softmax(1).at(span)?,
            "log_probs" => x.log_softmax(1).at(span)?,
            "target" => self.target().at(span)?,
            "onehot" => self.onehot().at(span)?,
            "class_weights" => match &self.inputs.class_weights {
                Some(w) => w.detach().to_dtype(dtype).at(span)?,
                None => Tensor::full_dtype([self.sizes.classes], 1.0, dtype),
            },
            "features" => self.inputs.features.clone().ok_or_else(|| missing(name))?,
            head => self
                .inputs
                .heads
                .iter()
                .find(|(n, _)| n == head)
                .map(|(_, t)| t.clone())
                .ok_or_else(|| missing(head))?,
        };
        let v = Val::T(t);
        self.values.insert(name.to_string(), v.clone());
        Ok(v)
    }

    /// `target[:, None] == arange(C)[None, :]`: built on the target's device without reading
    /// it back (a training step reads back only the loss); a row whose target is out of range
    /// is all zeros.
    fn onehot(&self) -> crate::Result<Tensor> {
        let Sizes { batch, classes, .. } = self.sizes;
        let ids = Tensor::arange(0.0, classes as f64, 1.0)?
            .to_dtype(self.inputs.logits.dtype())?
            .reshape_to(&[1, classes])?;
        self.target()?.reshape_to(&[batch, 1])?.eq(&ids)
    }

    fn target(&self) -> crate::Result<Tensor> {
        let t = self.inputs.target.detach();
        if t.dtype() == self.inputs.logits.dtype() {
            Ok(t)
        } else {
            t.to_dtype(self.inputs.logits.dtype())
        }
    }

    pub(super) fn eval(&mut self, e: &Expr) -> LResult<Val> {
        match &e.kind {
            ExprKind::Number(v) => Ok(Val::Const(*v)),
            ExprKind::Bool(b) => Ok(Val::Const(f64::from(u8::from(*b)))),
            ExprKind::Name(n) => match self.values.get(n) {
                Some(v) => Ok(v.clone()),
                None => self.input(n, e.span),
            },
            ExprKind::Neg(inner) => match self.eval(inner)? {
                Val::Const(c) => Ok(Val::Const(-c)),
                Val::T(t) => Ok(Val::T(t.neg().at(e.span)?)),
            },
            ExprKind::Binary(op, a, b) => {
                let va = self.eval(a)?;
                let vb = self.eval(b)?;
                binary(*op, va, vb).at(e.span)
            }
            ExprKind::Call { name, args, .. } => {
                let f = Func::lookup(name)
                    .map(|i| i.func)
                    .ok_or_else(|| LossError::Invalid(vec![]))?;
                self.call(e, f, args)
            }
        }
    }

    fn call(&mut self, e: &Expr, f: Func, args: &[Expr]) -> LResult<Val> {
        let span = e.span;
        if f == Func::GradNorm {
            return self.grad_norm(&args[0], span);
        }
        if f.is_reduction() {
            let x = self.eval(&args[0])?;
            let axis = args.get(1).and_then(literal).map(|a| a as isize);
            let keep = matches!(args.get(2).map(|a| &a.kind), Some(ExprKind::Bool(true)));
            return reduce(f, x, axis, keep).at(span);
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        let out = match f {
            Func::Softmax | Func::LogSoftmax => {
                let axis = args.get(1).and_then(literal).unwrap_or(-1.0) as isize;
                let t = self.tensor(vals.swap_remove(0));
                let r = if f == Func::Softmax {
                    t.softmax(axis)
                } else {
                    t.log_softmax(axis)
                };
                Val::T(r.at(span)?)
            }
            Func::Gather => {
                let x = self.tensor(vals[0].clone());
                let i = self.tensor(vals[1].clone());
                let b = x.dims().first().copied().unwrap_or(0);
                let picked = i
                    .detach()
                    .reshape_to(&[b, 1])
                    .and_then(|i| x.gather(1, &i))
                    .and_then(|g| g.reshape_to(&[b]));
                Val::T(picked.at(span)?)
            }
            Func::Clamp => {
                let lo = as_const(&vals[1]);
                let hi = vals.get(2).map(as_const);
                match &vals[0] {
                    Val::Const(c) => Val::Const(hi.map_or(c.max(lo), |h| c.max(lo).min(h))),
                    Val::T(t) => Val::T(t.clamp(Some(lo), hi).at(span)?),
                }
            }
            Func::Where => self.where_(&vals).at(span)?,
            Func::Maximum => binary_fn(f, &vals[0], &vals[1]).at(span)?,
            Func::Minimum => binary_fn(f, &vals[0], &vals[1]).at(span)?,
            Func::Pow => binary(BinOp::Pow, vals[0].clone(), vals[1].clone()).at(span)?,
            _ => unary(f, &vals[0]).at(span)?,
        };
        Ok(out)
    }

    fn where_(&self, vals: &[Val]) -> crate::Result<Val> {
        if let [Val::Const(c), Val::Const(a), Val::Const(b)] = vals {
            return Ok(Val::Const(if *c != 0.0 { *a } else { *b }));
        }
        let [c, a, b] = [0, 1, 2].map(|i| self.tensor(vals[i].clone()));
        Ok(Val::T(Tensor::where_cond(&c, &a, &b)?))
    }

    /// Per-sample `sqrt(sum(g^2) + 1e-12)` of `g = d sum(x) / d wrt`, kept differentiable.
    fn grad_norm(&mut self, arg: &Expr, span: Span) -> LResult<Val> {
        let wrt = self
            .inputs
            .wrt
            .clone()
            .ok_or_else(|| LossError::MissingInput {
                name: "wrt (the input of grad_norm)".to_string(),
            })?;
        let x = self.eval(arg)?;
        let g = match x {
            Val::T(t) if t.requires_grad() => {
                let s = t.sum_all().at(span)?;
                let mut gs = grad(&[s], std::slice::from_ref(&wrt), true).at(span)?;
                gs.pop().unwrap_or_else(|| wrt.zeros_like())
            }
            _ => wrt.zeros_like(),
        };
        let b = self.sizes.batch as isize;
        let norm = g
            .reshape(&[b, -1])
            .and_then(|g| g.square())
            .and_then(|g| g.sum(&[1], false))
            .and_then(|g| g.add_scalar(1e-12))
            .and_then(|g| g.sqrt());
        Ok(Val::T(norm.at(span)?))
    }
}

fn as_const(v: &Val) -> f64 {
    match v {
        Val::Const(c) => *c,
        Val::T(t) => t.item().unwrap_or(f64::NAN),
    }
}

fn binary(op: BinOp, a: Val, b: Val) -> crate::Result<Val> {
    let (a, b) = match (a, b) {
        (Val::Const(x), Val::Const(y)) => return Ok(Val::Const(fold(op, x, y))),
        (Val::T(t), Val::Const(p)) if op == BinOp::Pow => return Ok(Val::T(t.pow_scalar(p)?)),
        (Val::T(t), Val::Const(c)) => {
            let c = t.scalar_like(c);
            (t, c)
        }
        (Val::Const(c), Val::T(t)) => (t.scalar_like(c), t),
        (Val::T(x), Val::T(y)) => (x, y),
    };
    Ok(Val::T(match op {
        BinOp::Add => a.add(&b)?,
        BinOp::Sub => a.sub(&b)?,
        BinOp::Mul => a.mul(&b)?,
        BinOp::Div => a.div(&b)?,
        BinOp::Pow => a.pow(&b)?,
        BinOp::Lt => a.lt(&b)?,
        BinOp::Le => a.le(&b)?,
        BinOp::Gt => a.gt(&b)?,
        BinOp::Ge => a.ge(&b)?,
        BinOp::Eq => a.eq(&b)?,
        BinOp::Ne => a.ne(&b)?,
    }))
}

fn fold(op: BinOp, x: f64, y: f64) -> f64 {
    let flag = |b: bool| f64::from(u8::from(b));
    match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Pow => x.powf(y),
        BinOp::Lt => flag(x < y),
        BinOp::Le => flag(x <= y),
        BinOp::Gt => flag(x > y),
        BinOp::Ge => flag(x >= y),
        BinOp::Eq => flag(x == y),
        BinOp::Ne => flag(x != y),
    }
}

fn binary_fn(f: Func, a: &Val, b: &Val) -> crate::Result<Val> {
    let max = f == Func::Maximum;
    Ok(match (a, b) {
        (Val::Const(x), Val::Const(y)) => Val::Const(if max { x.max(*y) } else { x.min(*y) }),
        (Val::T(t), Val::Const(c)) | (Val::Const(c), Val::T(t)) => {
            let c = t.scalar_like(*c);
            Val::T(if max { t.maximum(&c)? } else { t.minimum(&c)? })
        }
        (Val::T(x), Val::T(y)) => Val::T(if max { x.maximum(y)? } else { x.minimum(y)? }),
    })
}

fn unary(f: Func, v: &Val) -> crate::Result<Val> {
    if let Val::Const(c) = v {
        let c = *c;
        return Ok(Val::Const(match f {
            Func::Exp => c.exp(),
            Func::Log => c.ln(),
            Func::Sqrt => c.sqrt(),
            Func::Abs => c.abs(),
            Func::Square => c * c,
            Func::Relu => c.max(0.0),
            Func::Sigmoid => 1.0 / (1.0 + (-c).exp()),
            Func::Tanh => c.tanh(),
            Func::Softplus => c.max(0.0) + (-c.abs()).exp().ln_1p(),
            Func::Sign if c == 0.0 => 0.0,
            Func::Sign => c.signum(),
            _ => c,
        }));
    }
    let Val::T(t) = v else {
        return Ok(v.clone());
    };
    Ok(Val::T(match f {
        Func::Exp => t.exp()?,
        Func::Log => t.log()?,
        Func::Sqrt => t.sqrt()?,
        Func::Abs => t.abs()?,
        Func::Square => t.square()?,
        Func::Relu => t.relu()?,
        Func::Sigmoid => t.sigmoid()?,
        Func::Tanh => t.tanh()?,
        Func::Softplus => t
            .relu()?
            .add(&t.abs()?.neg()?.exp()?.add_scalar(1.0)?.log()?)?,
        Func::Sign => t.sign()?,
        Func::Detach => t.detach(),
        _ => t.clone(),
    }))
}

fn reduce(f: Func, x: Val, axis: Option<isize>, keep: bool) -> crate::Result<Val> {
    let t = match x {
        Val::Const(c) => {
            return Ok(Val::Const(match f {
                Func::Norm => (c * c + 1e-12).sqrt(),
                _ => c,
            }))
        }
        Val::T(t) => t,
    };
    let axes: Vec<isize> = axis.into_iter().collect();
    Ok(Val::T(match f {
        Func::Sum => t.sum(&axes, keep)?,
        Func::Mean => t.mean(&axes, keep)?,
        Func::Max => t.amax(&axes, keep)?,
        Func::Min => t.neg()?.amax(&axes, keep)?.neg()?,
        Func::Norm => t.square()?.sum(&axes, keep)?.add_scalar(1e-12)?.sqrt()?,
        _ => {
            let m = t.amax(&axes, true)?.detach();
            let lse = t.sub(&m)?.exp()?.sum(&axes, true)?.log()?.add(&m)?;
            if keep {
                lse
            } else {
                let mut dims = t.dims().to_vec();
                match axis {
                    None => dims.clear(),
                    Some(a) => {
                        let a = if a < 0 { a + dims.len() as isize } else { a } as usize;
                        if a < dims.len() {
                            dims.remove(a);
                        }
                    }
                }
                lse.reshape_to(&dims)?
            }
        }
    }))
}
