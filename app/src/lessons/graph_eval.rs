//! Evaluates a [`GraphProgram`] with the core's tensors in f64: forward values, every node's
//! gradient from reverse-mode autograd (`pixelgrad::grad`), the graph as the core recorded it
//! (walking each tensor's `Op` node and inputs), and a comparison with central finite
//! differences (`pixelgrad::gradcheck`). Runs in the worker; the page draws the result.

use std::collections::HashMap;

use pixelgrad::autograd::{BinaryOp, UnaryOp};
use pixelgrad::{grad, gradcheck, DType, Op, Tensor};
use serde::{Deserialize, Serialize};

use super::graph_program::{BinOp, Expr, Func, GraphProgram, Line};

/// One tensor of the recorded graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// The program's name for it, if the learner named it.
    pub name: Option<String>,
    /// The op that made it (`mul`, `tanh`, ...), `leaf` or `const`.
    pub op: String,
    /// Forward value.
    pub value: f64,
    /// d(output)/d(this node), for nodes that require grad.
    pub grad: Option<f64>,
    /// Indices of its inputs in the node list.
    pub inputs: Vec<usize>,
}

/// A leaf's gradient two ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeafGradient {
    /// The leaf's name.
    pub name: String,
    /// From backward.
    pub autograd: f64,
    /// `(f(x + h) - f(x - h)) / 2h`.
    pub numeric: f64,
}

/// Everything the graph widget shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphReport {
    /// Nodes in topological order (inputs before the nodes that use them); the output last.
    pub nodes: Vec<GraphNode>,
    /// Per-leaf gradient comparison.
    pub leaves: Vec<LeafGradient>,
    /// `gradcheck`'s worst relative error over all leaves.
    pub gradcheck_error: f64,
}

/// Step of the finite differences shown per leaf (f64, central).
const H: f64 = 1e-6;

fn scalar(v: f64) -> pixelgrad::Result<Tensor> {
    Tensor::from_vec(vec![v], [0usize; 0])
}

/// Forward pass of the program with the given leaf tensors (in program order); returns the
/// output and the named tensors.
fn forward(
    program: &GraphProgram,
    leaves: &[Tensor],
) -> pixelgrad::Result<(Tensor, Vec<(String, Tensor)>)> {
    let mut named: Vec<(String, Tensor)> = Vec::new();
    let mut next_leaf = leaves.iter();
    for line in &program.lines {
        let t = match line {
            Line::Leaf { .. } => next_leaf
                .next()
                .cloned()
                .ok_or_else(|| pixelgrad::Error::invalid("graph", "missing leaf value"))?,
            Line::Assign { expr, .. } => eval(expr, &named)?,
        };
        named.push((line.name().to_string(), t));
    }
    let out = named
        .last()
        .map(|(_, t)| t.clone())
        .ok_or_else(|| pixelgrad::Error::invalid("graph", "empty program"))?;
    Ok((out, named))
}

fn eval(expr: &Expr, named: &[(String, Tensor)]) -> pixelgrad::Result<Tensor> {
    Ok(match expr {
        Expr::Const(c) => scalar(*c)?,
        Expr::Var(v) => named
            .iter()
            .rev()
            .find(|(n, _)| n == v)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| pixelgrad::Error::invalid("graph", format!("`{v}` is not defined")))?,
        Expr::Call(f, e) => {
            let x = eval(e, named)?;
            match f {
                Func::Tanh => x.tanh()?,
                Func::Relu => x.relu()?,
                Func::Sigmoid => x.sigmoid()?,
                Func::Exp => x.exp()?,
                Func::Log => x.log()?,
                Func::Sqrt => x.sqrt()?,
                Func::Abs => x.abs()?,
                Func::Square => x.square()?,
            }
        }
        Expr::Bin(BinOp::Sub, a, b) if **a == Expr::Const(0.0) => eval(b, named)?.neg()?,
        Expr::Bin(op, a, b) => {
            let (a, b) = (eval(a, named)?, eval(b, named)?);
            match op {
                BinOp::Add => a.add(&b)?,
                BinOp::Sub => a.sub(&b)?,
                BinOp::Mul => a.mul(&b)?,
                BinOp::Div => a.div(&b)?,
            }
        }
    })
}

fn op_name(op: Option<&Op>, requires_grad: bool) -> String {
    match op {
        None if requires_grad => "leaf".into(),
        None => "const".into(),
        Some(Op::Unary(UnaryOp::PowScalar(p))) => format!("pow {p}"),
        Some(Op::Unary(u)) => format!("{u:?}").to_lowercase(),
        Some(Op::Binary(b)) => match b {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            other => return format!("{other:?}").to_lowercase(),
        }
        .into(),
        Some(other) => format!("{other:?}").to_lowercase(),
    }
}

/// Evaluates `program`; errors (log of a negative number gives NaN, which is shown, not an
/// error) are the core's, in words.
pub fn evaluate(program: &GraphProgram) -> Result<GraphReport, String> {
    evaluate_inner(program).map_err(|e| e.to_string())
}

fn leaf_values(program: &GraphProgram) -> Vec<(String, f64)> {
    program
        .lines
        .iter()
        .filter_map(|l| match l {
            Line::Leaf { name, value } => Some((name.clone(), *value)),
            Line::Assign { .. } => None,
        })
        .collect()
}

fn evaluate_inner(program: &GraphProgram) -> pixelgrad::Result<GraphReport> {
    let values = leaf_values(program);
    let leaves: Vec<Tensor> = values
        .iter()
        .map(|(_, v)| scalar(*v)?.requires_grad_())
        .collect::<pixelgrad::Result<_>>()?;
    let (out, named) = forward(program, &leaves)?;

    // Walk the recorded graph from the output: depth-first, inputs before users.
    let mut order: Vec<Tensor> = Vec::new();
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut stack = vec![(out.clone(), false)];
    while let Some((t, expanded)) = stack.pop() {
        if index.contains_key(&t.id()) {
            continue;
        }
        let inputs: Vec<Tensor> = t.node().map(|n| n.inputs.clone()).unwrap_or_default();
        if expanded || inputs.iter().all(|i| index.contains_key(&i.id())) {
            index.insert(t.id(), order.len());
            order.push(t);
        } else {
            stack.push((t, true));
            for i in inputs.into_iter().rev() {
                if !index.contains_key(&i.id()) {
                    stack.push((i, false));
                }
            }
        }
    }
    let differentiable: Vec<Tensor> = order
        .iter()
        .filter(|t| t.requires_grad())
        .cloned()
        .collect();
    let grads = if out.requires_grad() {
        grad(std::slice::from_ref(&out), &differentiable, false)?
    } else {
        differentiable.iter().map(Tensor::zeros_like).collect()
    };
    let grad_of: HashMap<u64, f64> = differentiable
        .iter()
        .zip(&grads)
        .map(|(t, g)| Ok((t.id(), g.item()?)))
        .collect::<pixelgrad::Result<_>>()?;
    let mut nodes = Vec::with_capacity(order.len());
    for t in &order {
        nodes.push(GraphNode {
            name: named
                .iter()
                .rev()
                .find(|(_, n)| n.id() == t.id())
                .map(|(n, _)| n.clone()),
            op: op_name(t.op(), t.requires_grad()),
            value: t.item()?,
            grad: grad_of.get(&t.id()).copied(),
            inputs: t
                .node()
                .map(|n| {
                    n.inputs
                        .iter()
                        .filter_map(|i| index.get(&i.id()).copied())
                        .collect()
                })
                .unwrap_or_default(),
        });
    }

    let run = |vals: &[f64]| -> pixelgrad::Result<f64> {
        let ts: Vec<Tensor> = vals
            .iter()
            .map(|v| scalar(*v))
            .collect::<pixelgrad::Result<_>>()?;
        pixelgrad::no_grad(|| forward(program, &ts))?.0.item()
    };
    let mut leaf_report = Vec::new();
    for (i, (name, _)) in values.iter().enumerate() {
        let mut plus: Vec<f64> = values.iter().map(|(_, v)| *v).collect();
        let mut minus = plus.clone();
        plus[i] += H;
        minus[i] -= H;
        leaf_report.push(LeafGradient {
            name: name.clone(),
            autograd: grad_of.get(&leaves[i].id()).copied().unwrap_or(0.0),
            numeric: (run(&plus)? - run(&minus)?) / (2.0 * H),
        });
    }
    let check = gradcheck(
        |xs: &[Tensor]| {
            let (o, _) = forward(program, xs)?;
            if o.dtype() == DType::F64 {
                Ok(o)
            } else {
                o.to_dtype(DType::F64)
            }
        },
        &leaves.iter().map(Tensor::detach).collect::<Vec<_>>(),
    )?;
    Ok(GraphReport {
        nodes,
        leaves: leaf_report,
        gradcheck_error: check.max_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_gradients_match_calculus() {
        // y = tanh(x * w + b) at x=2, w=-3, b=6.5: z = 0.5, dy/dz = 1 - tanh(0.5)^2.
        let p = GraphProgram::parse("x = 2\nw = -3\nb = 6.5\nz = x * w + b\ny = tanh(z)")
            .expect("parses");
        let r = evaluate(&p).expect("evaluates");
        let y = r.nodes.last().expect("output");
        assert_eq!(y.name.as_deref(), Some("y"));
        assert_eq!(y.op, "tanh");
        assert!((y.value - 0.5f64.tanh()).abs() < 1e-12);
        let dz = 1.0 - 0.5f64.tanh().powi(2);
        let w = r.leaves.iter().find(|l| l.name == "w").expect("leaf w");
        assert!((w.autograd - 2.0 * dz).abs() < 1e-12, "{w:?}");
        assert!((w.numeric - w.autograd).abs() < 1e-6);
        assert!(r.gradcheck_error < 1e-6);
        // Every input index points to an earlier node.
        for (i, n) in r.nodes.iter().enumerate() {
            assert!(n.inputs.iter().all(|&j| j < i));
        }
        let z = r
            .nodes
            .iter()
            .find(|n| n.name.as_deref() == Some("z"))
            .expect("z");
        assert!((z.grad.expect("z has a gradient") - dz).abs() < 1e-12);
    }

    #[test]
    fn a_leaf_used_twice_accumulates() {
        let p = GraphProgram::parse("x = 3\ny = x * x + x").expect("parses");
        let r = evaluate(&p).expect("evaluates");
        assert!((r.leaves[0].autograd - 7.0).abs() < 1e-12);
    }
}
