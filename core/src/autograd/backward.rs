//! One table of gradient rules. Every rule is written with tensor ops, so when the engine runs
//! with `create_graph` the gradients are graph nodes themselves and can be differentiated again.
//! Linear ops with a dedicated backward kernel (conv, pooling, gather) come in adjoint pairs
//! whose rules point at each other.

use super::op::{BinaryOp, Op, UnaryOp};
use crate::error::Result;
use crate::tensor::Tensor;

/// Reduces a broadcast gradient back to `shape` (sums the stretched dimensions).
pub(crate) fn sum_to(g: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if g.dims() == shape {
        return Ok(g.clone());
    }
    let lead = g.rank() - shape.len();
    let axes: Vec<isize> = (0..g.rank())
        .filter(|&d| d < lead || (shape[d - lead] == 1 && g.dims()[d] != 1))
        .map(|d| d as isize)
        .collect();
    let s = if axes.is_empty() {
        g.clone()
    } else {
        g.sum(&axes, true)?
    };
    s.reshape_to(shape)
}

/// `g` with the reduced `axes` of `x` re-inserted as size 1 (undoes `keepdim = false`).
fn keepdim_shape(x: &Tensor, axes: &[usize]) -> Vec<usize> {
    (0..x.rank())
        .map(|d| if axes.contains(&d) { 1 } else { x.dims()[d] })
        .collect()
}

/// Gradients for each input of `op` given the output `y` and its gradient `g`. `needs[i]` is
/// false for inputs that need no gradient, whose entry may then be `None`.
pub(crate) fn backward_rule(
    op: &Op,
    inputs: &[Tensor],
    y: &Tensor,
    g: &Tensor,
    needs: &[bool],
) -> Result<Vec<Option<Tensor>>> {
    let x = &inputs[0];
    let one = |t: Result<Tensor>| -> Result<Vec<Option<Tensor>>> { Ok(vec![Some(t?)]) };
    match op {
        Op::Unary(u) => one(unary_rule(*u, x, y, g)),
        Op::Binary(b) => binary_rule(*b, x, &inputs[1], y, g, needs),
        Op::Compare(_) => Ok(vec![None, None]),
        Op::Where => {
            let cond = x;
            let zeros = g.zeros_like();
            let ga = if needs[1] {
                Some(sum_to(
                    &Tensor::where_cond(cond, g, &zeros)?,
                    inputs[1].dims(),
                )?)
            } else {
                None
            };
            let gb = if needs[2] {
                Some(sum_to(
                    &Tensor::where_cond(cond, &zeros, g)?,
                    inputs[2].dims(),
                )?)
            } else {
                None
            };
            Ok(vec![None, ga, gb])
        }
        Op::Sum { axes, .. } => one(g.reshape_to(&keepdim_shape(x, axes))?.expand_to(x.dims())),
        Op::Max { axes, .. } => {
            let shape = keepdim_shape(x, axes);
            let yk = y.reshape_to(&shape)?;
            let gk = g.reshape_to(&shape)?;
            let mask = x.eq(&yk)?;
            let count = mask.sum(&axes.iter().map(|&a| a as isize).collect::<Vec<_>>(), true)?;
            one(mask.mul(&gk.div(&count)?))
        }
        Op::Matmul {
            transpose_a: ta,
            transpose_b: tb,
        } => {
            let b = &inputs[1];
            let ga = if !needs[0] {
                None
            } else if !*ta {
                Some(Tensor::matmul_raw(g, b, false, !*tb)?)
            } else {
                Some(Tensor::matmul_raw(b, g, *tb, true)?)
            };
            let gb = if !needs[1] {
                None
            } else if !*tb {
                Some(Tensor::matmul_raw(x, g, !*ta, false)?)
            } else {
                Some(Tensor::matmul_raw(g, x, true, *ta)?)
            };
            Ok(vec![ga, gb])
        }
        Op::Conv2d(p) => {
            let w = &inputs[1];
            let gx = if needs[0] {
                Some(Tensor::conv2d_backward_input(g, w, *p, x.dims())?)
            } else {
                None
            };
            let gw = if needs[1] {
                Some(Tensor::conv2d_backward_weight(x, g, *p, w.dims())?)
            } else {
                None
            };
            Ok(vec![gx, gw])
        }
        Op::Conv2dBackwardInput(p) => {
            // y = Bi(gi, w); <h, Bi(gi, w)> = <conv(h, w), gi>
            let (gi, w) = (x, &inputs[1]);
            let d_gi = if needs[0] {
                Some(Tensor::conv2d_raw(g, w, *p)?)
            } else {
                None
            };
            let d_w = if needs[1] {
                Some(Tensor::conv2d_backward_weight(g, gi, *p, w.dims())?)
            } else {
                None
            };
            Ok(vec![d_gi, d_w])
        }
        Op::Conv2dBackwardWeight(p) => {
            // y = Bw(xx, gi); <k, Bw(xx, gi)> = <conv(xx, k), gi>
            let (xx, gi) = (x, &inputs[1]);
            let d_x = if needs[0] {
                Some(Tensor::conv2d_backward_input(gi, g, *p, xx.dims())?)
            } else {
                None
            };
            let d_gi = if needs[1] {
                Some(Tensor::conv2d_raw(xx, g, *p)?)
            } else {
                None
            };
            Ok(vec![d_x, d_gi])
        }
        Op::MaxPool2d(p) => one(Tensor::from_op(
            Op::MaxPool2dScatter(*p),
            vec![x.clone(), g.clone()],
            x.dims().to_vec(),
        )),
        Op::MaxPool2dScatter(p) => {
            let pooled = inputs[1].dims().to_vec();
            Ok(vec![
                None,
                Some(Tensor::from_op(
                    Op::MaxPool2dGather(*p),
                    vec![x.clone(), g.clone()],
                    pooled,
                )?),
            ])
        }
        Op::MaxPool2dGather(p) => Ok(vec![
            None,
            Some(Tensor::from_op(
                Op::MaxPool2dScatter(*p),
                vec![x.clone(), g.clone()],
                x.dims().to_vec(),
            )?),
        ]),
        Op::AvgPool2d(p) => one(Tensor::from_op(
            Op::AvgPool2dBackward(*p),
            vec![g.clone()],
            x.dims().to_vec(),
        )),
        Op::AvgPool2dBackward(p) => one(Tensor::from_op(
            Op::AvgPool2d(*p),
            vec![g.clone()],
            x.dims().to_vec(),
        )),
        Op::AdaptiveAvgPool2d => one(Tensor::from_op(
            Op::AdaptiveAvgPool2dBackward,
            vec![g.clone()],
            x.dims().to_vec(),
        )),
        Op::AdaptiveAvgPool2dBackward => one(Tensor::from_op(
            Op::AdaptiveAvgPool2d,
            vec![g.clone()],
            x.dims().to_vec(),
        )),
        Op::Softmax { dim } => {
            let d = [*dim as isize];
            one(y.mul(&g.sub(&g.mul(y)?.sum(&d, true)?)?))
        }
        Op::LogSoftmax { dim } => {
            let d = [*dim as isize];
            one(g.sub(&y.exp()?.mul(&g.sum(&d, true)?)?))
        }
        Op::Gather { dim } => Ok(vec![
            Some(Tensor::from_op(
                Op::ScatterAdd { dim: *dim },
                vec![inputs[1].clone(), g.clone()],
                x.dims().to_vec(),
            )?),
            None,
        ]),
        Op::ScatterAdd { dim } => {
            let index = x;
            Ok(vec![
                None,
                Some(Tensor::from_op(
                    Op::Gather { dim: *dim },
                    vec![g.clone(), index.clone()],
                    index.dims().to_vec(),
                )?),
            ])
        }
        Op::Reshape => one(g.reshape_to(x.dims())),
        Op::Permute { perm } => {
            let mut inv = vec![0isize; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inv[p] = i as isize;
            }
            one(g.permute(&inv))
        }
        Op::Expand => one(sum_to(g, x.dims())),
        Op::Narrow { dim, start } => {
            let full = x.dims()[*dim];
            let len = y.dims()[*dim];
            let mut parts = Vec::with_capacity(3);
            let zeros = |n: usize| {
                let mut s = g.dims().to_vec();
                s[*dim] = n;
                Tensor::full_dtype(s, 0.0, g.dtype())
            };
            if *start > 0 {
                parts.push(zeros(*start));
            }
            parts.push(g.clone());
            if start + len < full {
                parts.push(zeros(full - start - len));
            }
            one(Tensor::cat(&parts, *dim as isize))
        }
        Op::Cat { dim } => {
            let mut offset = 0;
            let mut out = Vec::with_capacity(inputs.len());
            for (i, t) in inputs.iter().enumerate() {
                let n = t.dims()[*dim];
                out.push(if needs[i] {
                    Some(g.narrow(*dim as isize, offset, n)?)
                } else {
                    None
                });
                offset += n;
            }
            Ok(out)
        }
    }
}

fn unary_rule(u: UnaryOp, x: &Tensor, y: &Tensor, g: &Tensor) -> Result<Tensor> {
    let c = |v: f64| x.scalar_like(v);
    match u {
        UnaryOp::Neg => g.neg(),
        UnaryOp::Exp => g.mul(y),
        UnaryOp::Log => g.div(x),
        UnaryOp::Sqrt => g.div(&y.mul_scalar(2.0)?),
        UnaryOp::Abs => g.mul(&x.sign()?),
        UnaryOp::Sign => Ok(g.zeros_like()),
        UnaryOp::Erf => {
            let k = 2.0 / std::f64::consts::PI.sqrt();
            g.mul(&x.square()?.neg()?.exp()?.mul_scalar(k)?)
        }
        UnaryOp::Relu => g.mul(&x.gt(&c(0.0))?),
        UnaryOp::LeakyRelu(s) => g.mul(&x.gt(&c(0.0))?.mul_scalar(1.0 - s)?.add_scalar(s)?),
        UnaryOp::Sigmoid => g.mul(&y.mul(&y.neg()?.add_scalar(1.0)?)?),
        UnaryOp::Tanh => g.mul(&y.square()?.neg()?.add_scalar(1.0)?),
        UnaryOp::Silu => {
            let s = x.sigmoid()?;
            g.mul(&s.mul(&x.mul(&s.neg()?.add_scalar(1.0)?)?.add_scalar(1.0)?)?)
        }
        UnaryOp::Gelu { tanh: false } => {
            let cdf = x
                .mul_scalar(std::f64::consts::FRAC_1_SQRT_2)?
                .erf()?
                .add_scalar(1.0)?
                .mul_scalar(0.5)?;
            let pdf = x
                .square()?
                .mul_scalar(-0.5)?
                .exp()?
                .mul_scalar(1.0 / (2.0 * std::f64::consts::PI).sqrt())?;
            g.mul(&cdf.add(&x.mul(&pdf)?)?)
        }
        UnaryOp::Gelu { tanh: true } => {
            let beta = (2.0 / std::f64::consts::PI).sqrt();
            let kappa = 0.044715;
            let x2 = x.square()?;
            let inner = x
                .mul(&x2.mul_scalar(kappa)?.add_scalar(1.0)?)?
                .mul_scalar(beta)?;
            let t = inner.tanh()?;
            let left = t.add_scalar(1.0)?.mul_scalar(0.5)?;
            let right = x
                .mul_scalar(0.5)?
                .mul(&t.square()?.neg()?.add_scalar(1.0)?)?
                .mul(&x2.mul_scalar(3.0 * kappa * beta)?.add_scalar(beta)?)?;
            g.mul(&left.add(&right)?)
        }
        UnaryOp::Hardswish => {
            let mid = x.mul_scalar(1.0 / 3.0)?.add_scalar(0.5)?;
            let upper = Tensor::where_cond(&x.le(&c(3.0))?, &mid, &c(1.0))?;
            let d = Tensor::where_cond(&x.lt(&c(-3.0))?, &c(0.0), &upper)?;
            g.mul(&d)
        }
        UnaryOp::Hardsigmoid => {
            let inside = x.gt(&c(-3.0))?.mul(&x.lt(&c(3.0))?)?;
            g.mul(&inside.mul_scalar(1.0 / 6.0)?)
        }
        UnaryOp::PowScalar(p) => {
            if p == 0.0 {
                Ok(g.zeros_like())
            } else {
                g.mul(&x.pow_scalar(p - 1.0)?.mul_scalar(p)?)
            }
        }
        UnaryOp::Clamp { min, max } => {
            let mut mask = x.ones_like();
            if let Some(lo) = min {
                mask = mask.mul(&x.ge(&c(lo))?)?;
            }
            if let Some(hi) = max {
                mask = mask.mul(&x.le(&c(hi))?)?;
            }
            g.mul(&mask)
        }
    }
}

/// torch's rule for maximum/minimum: the winner gets the gradient, ties split it in half.
fn winner_mask(first: &Tensor, second: &Tensor) -> Result<Tensor> {
    first.gt(second)?.add(&first.eq(second)?.mul_scalar(0.5)?)
}

/// Gradient w.r.t. the first operand, before reducing broadcast dimensions.
fn binary_grad_a(op: BinaryOp, a: &Tensor, b: &Tensor, g: &Tensor) -> Result<Tensor> {
    match op {
        BinaryOp::Add | BinaryOp::Sub => Ok(g.clone()),
        BinaryOp::Mul => g.mul(b),
        BinaryOp::Div => g.div(b),
        BinaryOp::Pow => g.mul(&b.mul(&a.pow(&b.add_scalar(-1.0)?)?)?),
        BinaryOp::Maximum => g.mul(&winner_mask(a, b)?),
        BinaryOp::Minimum => g.mul(&winner_mask(b, a)?),
    }
}

/// Gradient w.r.t. the second operand, before reducing broadcast dimensions.
fn binary_grad_b(op: BinaryOp, a: &Tensor, b: &Tensor, y: &Tensor, g: &Tensor) -> Result<Tensor> {
    match op {
        BinaryOp::Add => Ok(g.clone()),
        BinaryOp::Sub => g.neg(),
        BinaryOp::Mul => g.mul(a),
        BinaryOp::Div => g.mul(a)?.div(&b.square()?)?.neg(),
        BinaryOp::Pow => {
            // torch zeroes the exponent's gradient where the base is 0.
            let base_zero = a.eq(&a.scalar_like(0.0))?;
            let safe_log = Tensor::where_cond(&base_zero, &a.ones_like(), a)?.log()?;
            g.mul(&y.mul(&safe_log)?)
        }
        BinaryOp::Maximum => g.mul(&winner_mask(b, a)?),
        BinaryOp::Minimum => g.mul(&winner_mask(a, b)?),
    }
}

fn binary_rule(
    op: BinaryOp,
    a: &Tensor,
    b: &Tensor,
    y: &Tensor,
    g: &Tensor,
    needs: &[bool],
) -> Result<Vec<Option<Tensor>>> {
    let ga = if needs[0] {
        Some(sum_to(&binary_grad_a(op, a, b, g)?, a.dims())?)
    } else {
        None
    };
    let gb = if needs[1] {
        Some(sum_to(&binary_grad_b(op, a, b, y, g)?, b.dims())?)
    } else {
        None
    };
    Ok(vec![ga, gb])
}
