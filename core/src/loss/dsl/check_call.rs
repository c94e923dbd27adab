//! Type rules of the built-in functions: arity, axis and keepdim arguments, shapes, and what
//! each does to gradients and signs.

use super::ast::{Expr, ExprKind};
use super::builtins::Func;
use super::checker::{literal, Checker};
use super::diagnostic::{Diagnostic, Span};
use super::env::Ty;
use super::shape::{show, Dim};
use super::sign::Sign;

impl Checker<'_> {
    /// The type of the call `e` to `name`.
    pub(super) fn call(
        &mut self,
        e: &Expr,
        name: &str,
        name_span: Span,
        args: &[Expr],
    ) -> Option<Ty> {
        let Some(info) = Func::lookup(name) else {
            self.unknown_function(name, name_span);
            for a in args {
                self.expr(a);
            }
            return None;
        };
        if args.len() < info.min_args || args.len() > info.max_args {
            let expected = if info.min_args == info.max_args {
                format!("{}", info.min_args)
            } else {
                format!("{} to {}", info.min_args, info.max_args)
            };
            let plural = if info.max_args == 1 { "" } else { "s" };
            self.error(
                e.span,
                format!(
                    "`{name}` takes {expected} argument{plural} ({}), got {}",
                    info.signature,
                    args.len()
                ),
            );
            return None;
        }
        let f = info.func;
        if f.is_reduction() {
            return self.reduction(f, args);
        }
        match f {
            Func::Softmax | Func::LogSoftmax => {
                let x = self.expr(&args[0])?;
                if x.shape.is_empty() {
                    self.error(
                        args[0].span,
                        format!("`{name}` needs at least one dimension"),
                    );
                    return None;
                }
                if let Some(a) = args.get(1) {
                    self.axis(a, &x.shape)?;
                }
                let sign = if f == Func::Softmax {
                    Sign::Pos
                } else {
                    Sign::Any
                };
                Some(Ty { sign, ..x })
            }
            Func::Gather => self.gather(args),
            Func::Clamp => self.clamp(args),
            Func::Where => {
                let tc = self.expr(&args[0]);
                let ta = self.expr(&args[1]);
                let tb = self.expr(&args[2]);
                let (tc, ta, tb) = (tc?, ta?, tb?);
                let ab = self.broadcast(e.span, "`where`", &ta, &tb)?;
                let ab_ty = Ty {
                    shape: ab,
                    ..ta.clone()
                };
                let shape = self.broadcast(e.span, "`where` condition", &tc, &ab_ty)?;
                Some(Ty {
                    shape,
                    constant: tc.constant && ta.constant && tb.constant,
                    grad: ta.grad || tb.grad,
                    sign: ta.sign.min(tb.sign),
                })
            }
            Func::Maximum | Func::Minimum | Func::Pow => {
                let ta = self.expr(&args[0]);
                let tb = self.expr(&args[1]);
                let (ta, tb) = (ta?, tb?);
                let shape = self.broadcast(e.span, &format!("`{name}`"), &ta, &tb)?;
                let sign = match f {
                    Func::Maximum => Sign::maximum(ta.sign, tb.sign),
                    Func::Minimum => ta.sign.min(tb.sign),
                    _ => Sign::pow(ta.sign, literal(&args[1])),
                };
                Some(Ty {
                    shape,
                    constant: ta.constant && tb.constant,
                    grad: ta.grad || tb.grad,
                    sign,
                })
            }
            Func::GradNorm => self.grad_norm(e, args),
            _ => {
                let x = self.expr(&args[0])?;
                if f == Func::Log {
                    self.check_log_arg(&args[0], &x);
                }
                let sign = match f {
                    Func::Exp | Func::Sigmoid | Func::Softplus => Sign::Pos,
                    Func::Abs | Func::Square | Func::Relu | Func::Sqrt => Sign::NonNeg,
                    Func::Detach => x.sign,
                    _ => Sign::Any,
                };
                let grad = x.grad && !matches!(f, Func::Sign | Func::Detach);
                Some(Ty { sign, grad, ..x })
            }
        }
    }

    /// Checks an axis argument: a whole-number literal within the rank.
    fn axis(&mut self, arg: &Expr, shape: &[Dim]) -> Option<usize> {
        let rank = shape.len() as f64;
        match literal(arg) {
            Some(v) if v.fract() == 0.0 && v >= -rank && v < rank => {
                Some(if v < 0.0 { v + rank } else { v } as usize)
            }
            Some(v) if v.fract() == 0.0 => {
                self.error(
                    arg.span,
                    format!("axis {v} is out of range for {}", show(shape)),
                );
                None
            }
            _ => {
                self.error(
                    arg.span,
                    "the axis must be a whole number such as 0, 1 or -1",
                );
                None
            }
        }
    }

    fn reduction(&mut self, f: Func, args: &[Expr]) -> Option<Ty> {
        let x = self.expr(&args[0])?;
        let sign = match f {
            Func::Norm => Sign::Pos,
            Func::Logsumexp => Sign::Any,
            _ => x.sign,
        };
        let Some(axis_arg) = args.get(1) else {
            return Some(Ty {
                shape: vec![],
                sign,
                ..x
            });
        };
        if x.shape.is_empty() {
            self.error(axis_arg.span, "a scalar has no axis to reduce");
            return None;
        }
        let axis = self.axis(axis_arg, &x.shape)?;
        let keepdim = match args.get(2).map(|a| (&a.kind, a.span)) {
            None => false,
            Some((ExprKind::Bool(b), _)) => *b,
            Some((_, span)) => {
                self.error(span, "keepdim must be `true` or `false`");
                return None;
            }
        };
        let mut shape = x.shape.clone();
        if keepdim {
            shape[axis] = Dim::One;
        } else {
            shape.remove(axis);
        }
        Some(Ty { shape, sign, ..x })
    }

    fn gather(&mut self, args: &[Expr]) -> Option<Ty> {
        let x = self.expr(&args[0]);
        let i = self.expr(&args[1]);
        let (x, i) = (x?, i?);
        if x.shape.len() != 2 {
            self.error(
                args[0].span,
                format!(
                    "gather picks one entry per row of a [B, K] table, but this is {}",
                    show(&x.shape)
                ),
            );
            return None;
        }
        if i.grad || i.shape.len() != 1 || i.shape[0] != x.shape[0] {
            self.error(
                args[1].span,
                format!(
                    "gather's index must be one class index per row ({}), without gradient, \
                     such as `target`; this is {}",
                    show(&x.shape[..1]),
                    show(&i.shape)
                ),
            );
            return None;
        }
        Some(Ty {
            shape: vec![x.shape[0]],
            ..x
        })
    }

    fn clamp(&mut self, args: &[Expr]) -> Option<Ty> {
        let x = self.expr(&args[0]);
        let mut bounds = Vec::new();
        for b in &args[1..] {
            let t = self.expr(b)?;
            if !t.constant {
                self.error(
                    b.span,
                    "clamp's bounds must be numbers or sliders; use maximum(x, y) or \
                     minimum(x, y) for tensor bounds",
                );
                return None;
            }
            bounds.push(t);
        }
        let x = x?;
        let sign = Sign::maximum(x.sign, bounds[0].sign);
        Some(Ty { sign, ..x })
    }

    fn grad_norm(&mut self, e: &Expr, args: &[Expr]) -> Option<Ty> {
        if !self.env.grad_wrt {
            self.error(
                e.span,
                "grad_norm needs the model's input batch, which this run does not provide",
            );
            return None;
        }
        if self.in_grad_norm {
            self.error(e.span, "grad_norm cannot be nested");
            return None;
        }
        self.in_grad_norm = true;
        self.weight *= 3;
        let x = self.expr(&args[0]);
        self.weight /= 3;
        self.in_grad_norm = false;
        let x = x?;
        if !x.grad {
            let text = args[0].span.text(self.source);
            self.diags.push(Diagnostic::warning(
                args[0].span,
                format!("`{text}` does not depend on the model, so its gradient is zero"),
            ));
        }
        Some(Ty {
            shape: vec![Dim::B],
            constant: false,
            grad: x.grad,
            sign: Sign::Pos,
        })
    }
}
