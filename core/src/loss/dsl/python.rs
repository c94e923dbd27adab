//! Export of a loss as an equivalent PyTorch function, for the "continue in PyTorch" script:
//! `def loss_fn(logits, target, *, features=None, heads=None, wrt=None, class_weights=None,
//! <sliders>)`, with the same semantics as [`super::lower`] (comparisons as 0/1 floats,
//! `gather` per row, the `+ 1e-12` under the roots of `norm` and `grad_norm`).

use std::collections::HashSet;
use std::fmt::Write;

use super::ast::{BinOp, Expr, ExprKind, Program, Stmt};
use super::builtins::Func;
use super::checker::literal;
use super::env::INPUTS;

/// Names a loss may use that would break the generated Python; they get a trailing `_`.
const RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
    "yield", "torch", "F", "heads", "wrt", "loss_fn", "abs", "min", "max", "sum", "float", "int",
    "len", "print", "range", "type", "input", "id", "object", "math", "match", "case",
];

fn py_name(name: &str) -> String {
    if RESERVED.contains(&name) || name.starts_with('_') {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// The PyTorch function equivalent to `program`.
pub fn to_python(program: &Program) -> String {
    let mut e = Emitter::default();
    let mut used = Vec::new();
    for s in &program.stmts {
        match s {
            Stmt::Let(l) => {
                e.collect(&l.value, &mut used);
                e.locals.insert(l.name.clone());
            }
            Stmt::Param(p) => {
                e.locals.insert(p.name.clone());
            }
        }
    }
    e.collect(&program.result, &mut used);
    let mut sig = String::from("logits, target, *, features=None, heads=None, wrt=None");
    sig.push_str(", class_weights=None");
    let mut doc = Vec::new();
    for p in program.params() {
        let _ = write!(sig, ", {}={:?}", py_name(&p.name), p.default);
        doc.push(format!("{} in [{:?}, {:?}]", p.name, p.lo, p.hi));
    }
    let mut out = String::from("import torch\nimport torch.nn.functional as F\n\n\n");
    let _ = writeln!(out, "def loss_fn({sig}):");
    let _ = writeln!(out, "    \"\"\"Exported from the pixelgrad loss editor.");
    if !doc.is_empty() {
        let _ = writeln!(out, "\n    Sliders: {}.", doc.join(", "));
    }
    out.push_str("    \"\"\"\n");
    out.push_str(
        "    def _t(v):\n        return torch.as_tensor(v, dtype=logits.dtype, device=logits.device)\n\n",
    );
    if e.grad_norm {
        out.push_str(GRAD_NORM);
    }
    for name in &used {
        out.push_str(&input_line(name));
    }
    e.consts = program.params().map(|p| p.name.clone()).collect();
    for s in &program.stmts {
        if let Stmt::Let(l) = s {
            if e.is_const(&l.value) {
                e.consts.insert(l.name.clone());
            }
            let _ = writeln!(out, "    {} = {}", py_name(&l.name), e.expr(&l.value));
        }
    }
    let _ = writeln!(
        out,
        "    return _t({}).reshape(())",
        e.expr(&program.result)
    );
    out
}

const GRAD_NORM: &str = "    def _grad_norm(v):
        if not (torch.is_tensor(v) and v.requires_grad):
            return torch.sqrt(torch.zeros_like(wrt).flatten(1).square().sum(1) + 1e-12)
        g, = torch.autograd.grad(v.sum(), wrt, create_graph=True, allow_unused=True)
        if g is None:
            g = torch.zeros_like(wrt)
        return torch.sqrt(g.flatten(1).square().sum(1) + 1e-12)

";

fn input_line(name: &str) -> String {
    let n = py_name(name);
    match name {
        "probs" => "    probs = torch.softmax(logits, 1)\n".into(),
        "log_probs" => "    log_probs = torch.log_softmax(logits, 1)\n".into(),
        "target" => "    target = target.to(logits.dtype)\n".into(),
        "onehot" => {
            "    onehot = F.one_hot(target.long(), logits.shape[1]).to(logits.dtype)\n".into()
        }
        "class_weights" => "    if class_weights is None:\n        class_weights = torch.ones(logits.shape[1], dtype=logits.dtype, device=logits.device)\n".into(),
        "logits" | "features" => String::new(),
        head => format!("    {n} = heads[{head:?}]\n"),
    }
}

#[derive(Default)]
struct Emitter {
    /// Names bound to constants (sliders and `let`s of numbers): wrapped in `_t` where
    /// torch needs a tensor.
    consts: HashSet<String>,
    /// Sliders and `let` names seen so far while collecting inputs.
    locals: HashSet<String>,
    grad_norm: bool,
}

impl Emitter {
    /// Inputs and heads referenced by `e`, in first-use order.
    fn collect(&mut self, e: &Expr, used: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Name(n) => {
                let is_input = INPUTS.iter().any(|(i, _)| i == n);
                if (is_input || !self.locals.contains(n)) && !used.contains(n) {
                    used.push(n.clone());
                }
            }
            ExprKind::Neg(a) => self.collect(a, used),
            ExprKind::Binary(_, a, b) => {
                self.collect(a, used);
                self.collect(b, used);
            }
            ExprKind::Call { name, args, .. } => {
                if name == "grad_norm" {
                    self.grad_norm = true;
                }
                for a in args {
                    self.collect(a, used);
                }
            }
            ExprKind::Number(_) | ExprKind::Bool(_) => {}
        }
    }

    fn is_const(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Number(_) | ExprKind::Bool(_) => true,
            ExprKind::Name(n) => self.consts.contains(n),
            ExprKind::Neg(a) => self.is_const(a),
            ExprKind::Binary(_, a, b) => self.is_const(a) && self.is_const(b),
            ExprKind::Call { name, args, .. } => {
                name != "grad_norm" && args.iter().all(|a| self.is_const(a))
            }
        }
    }

    /// `e` as a tensor expression (constants wrapped).
    fn tensor(&self, e: &Expr) -> String {
        if self.is_const(e) {
            format!("_t({})", self.expr(e))
        } else {
            self.expr(e)
        }
    }

    fn expr(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Number(v) => format!("{v:?}"),
            ExprKind::Bool(b) => (if *b { "True" } else { "False" }).into(),
            ExprKind::Name(n) => py_name(n),
            ExprKind::Neg(a) => format!("(-{})", self.expr(a)),
            ExprKind::Binary(op, a, b) => {
                // Python floats raise on `/ 0` and turn `(-x) ** 0.5` complex; tensors give
                // inf and NaN like the loss language.
                let a = if matches!(op, BinOp::Div | BinOp::Pow) {
                    self.tensor(a)
                } else {
                    self.expr(a)
                };
                let b = self.expr(b);
                match op {
                    BinOp::Pow => format!("({a} ** {b})"),
                    op if op.is_comparison() => format!("_t({a} {} {b})", op.symbol()),
                    op => format!("({a} {} {b})", op.symbol()),
                }
            }
            ExprKind::Call { name, args, .. } => match Func::lookup(name) {
                Some(info) => self.call(info.func, args),
                None => format!("{}()", py_name(name)),
            },
        }
    }

    fn call(&self, f: Func, args: &[Expr]) -> String {
        let x = args.first().map(|a| self.tensor(a)).unwrap_or_default();
        let arg = |i: usize| args.get(i).map(|a| self.expr(a));
        // Axes are whole-number literals (checked); torch wants them as ints.
        let axis = |i: usize| {
            args.get(i)
                .and_then(literal)
                .map(|v| format!("{}", v as i64))
        };
        let torch1 = |name: &str| format!("torch.{name}({x})");
        match f {
            Func::Exp => torch1("exp"),
            Func::Log => torch1("log"),
            Func::Sqrt => torch1("sqrt"),
            Func::Abs => torch1("abs"),
            Func::Square => torch1("square"),
            Func::Relu => torch1("relu"),
            Func::Sigmoid => torch1("sigmoid"),
            Func::Tanh => torch1("tanh"),
            Func::Sign => torch1("sign"),
            Func::Softplus => format!("F.softplus({x})"),
            Func::Detach => format!("{x}.detach()"),
            Func::Maximum | Func::Minimum => {
                let y = args.get(1).map(|a| self.tensor(a)).unwrap_or_default();
                let n = if f == Func::Maximum {
                    "maximum"
                } else {
                    "minimum"
                };
                format!("torch.{n}({x}, {y})")
            }
            Func::Pow => format!("({x} ** {})", arg(1).unwrap_or_default()),
            Func::Clamp => match arg(2) {
                Some(hi) => format!(
                    "torch.clamp({x}, min={}, max={hi})",
                    arg(1).unwrap_or_default()
                ),
                None => format!("torch.clamp({x}, min={})", arg(1).unwrap_or_default()),
            },
            Func::Where => {
                let t = |i: usize| args.get(i).map(|a| self.tensor(a)).unwrap_or_default();
                format!("torch.where({x} != 0, {}, {})", t(1), t(2))
            }
            Func::Softmax | Func::LogSoftmax => {
                let n = if f == Func::Softmax {
                    "softmax"
                } else {
                    "log_softmax"
                };
                format!("torch.{n}({x}, {})", axis(1).unwrap_or_else(|| "-1".into()))
            }
            Func::Gather => format!(
                "{x}.gather(1, {}.long().unsqueeze(1)).squeeze(1)",
                arg(1).unwrap_or_default()
            ),
            Func::GradNorm => format!("_grad_norm({})", arg(0).unwrap_or_default()),
            _ => self.reduction(f, &x, axis(1), args.get(2)),
        }
    }

    fn reduction(&self, f: Func, x: &str, axis: Option<String>, keep: Option<&Expr>) -> String {
        let keep = matches!(keep.map(|k| &k.kind), Some(ExprKind::Bool(true)));
        let dims = match &axis {
            Some(a) => format!(", dim={a}, keepdim={}", if keep { "True" } else { "False" }),
            None => String::new(),
        };
        match f {
            Func::Sum => format!("torch.sum({x}{dims})"),
            Func::Mean => format!("torch.mean({x}{dims})"),
            Func::Max => format!("torch.amax({x}{dims})"),
            Func::Min => format!("torch.amin({x}{dims})"),
            Func::Norm => format!("torch.sqrt(torch.sum(torch.square({x}){dims}) + 1e-12)"),
            _ => match axis {
                Some(_) => format!("torch.logsumexp({x}{dims})"),
                None => format!("torch.logsumexp({x}.flatten(), 0)"),
            },
        }
    }
}
