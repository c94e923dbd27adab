//! Element-wise kernels: unary functions, broadcasting binary functions, comparisons and
//! `where`. Each formula matches PyTorch's forward definition.

use super::alloc::{self, CollectPooled};
use super::layout::{broadcast_strides, coalesce, for_each_row, numel};
use super::Float;
use crate::autograd::{BinaryOp, CmpOp, UnaryOp};

#[inline]
fn c<T: Float>(v: f64) -> T {
    T::from_f64(v)
}

/// Applies `op` to every element.
pub fn unary<T: Float>(op: UnaryOp, x: &[T]) -> Vec<T> {
    let zero = T::ZERO;
    let one = T::ONE;
    match op {
        UnaryOp::Neg => x.iter().map(|&v| -v).pooled(),
        UnaryOp::Exp => x.iter().map(|&v| v.exp()).pooled(),
        UnaryOp::Log => x.iter().map(|&v| v.ln()).pooled(),
        UnaryOp::Sqrt => x.iter().map(|&v| v.sqrt()).pooled(),
        UnaryOp::Abs => x.iter().map(|&v| v.abs()).pooled(),
        UnaryOp::Sign => x
            .iter()
            .map(|&v| {
                if v > zero {
                    one
                } else if v < zero {
                    -one
                } else {
                    v
                }
            })
            .pooled(),
        UnaryOp::Erf => x.iter().map(|&v| v.erf()).pooled(),
        UnaryOp::Relu => x.iter().map(|&v| if v > zero { v } else { zero }).pooled(),
        UnaryOp::LeakyRelu(s) => {
            let s: T = c(s);
            x.iter().map(|&v| if v > zero { v } else { v * s }).pooled()
        }
        UnaryOp::Sigmoid => x.iter().map(|&v| one / (one + (-v).exp())).pooled(),
        UnaryOp::Tanh => x.iter().map(|&v| v.tanh()).pooled(),
        UnaryOp::Silu => x.iter().map(|&v| v / (one + (-v).exp())).pooled(),
        UnaryOp::Gelu { tanh: false } => {
            let r: T = c(std::f64::consts::FRAC_1_SQRT_2);
            let h: T = c(0.5);
            x.iter().map(|&v| h * v * (one + (v * r).erf())).pooled()
        }
        UnaryOp::Gelu { tanh: true } => {
            let k: T = c((2.0 / std::f64::consts::PI).sqrt());
            let a: T = c(0.044715);
            let h: T = c(0.5);
            x.iter()
                .map(|&v| h * v * (one + (k * (v + a * v * v * v)).tanh()))
                .pooled()
        }
        UnaryOp::Hardswish => {
            let (three, six): (T, T) = (c(3.0), c(6.0));
            x.iter()
                .map(|&v| v * clamp(v + three, zero, six) / six)
                .pooled()
        }
        UnaryOp::Hardsigmoid => {
            let (three, six): (T, T) = (c(3.0), c(6.0));
            x.iter()
                .map(|&v| clamp(v + three, zero, six) / six)
                .pooled()
        }
        UnaryOp::PowScalar(p) => pow_scalar(x, p),
        UnaryOp::Clamp { min, max } => {
            let lo = min.map(c::<T>);
            let hi = max.map(c::<T>);
            x.iter()
                .map(|&v| {
                    let v = match lo {
                        Some(l) if v < l => l,
                        _ => v,
                    };
                    match hi {
                        Some(h) if v > h => h,
                        _ => v,
                    }
                })
                .pooled()
        }
    }
}

#[inline]
fn clamp<T: Float>(v: T, lo: T, hi: T) -> T {
    if v < lo {
        lo
    } else if v > hi {
        hi
    } else {
        v
    }
}

/// `x^p` with cheap paths for the exponents models actually use.
fn pow_scalar<T: Float>(x: &[T], p: f64) -> Vec<T> {
    if p == 2.0 {
        x.iter().map(|&v| v * v).pooled()
    } else if p == 1.0 {
        x.iter().copied().pooled()
    } else if p == 0.0 {
        alloc::filled(T::ONE, x.len())
    } else if p == 0.5 {
        x.iter().map(|&v| v.sqrt()).pooled()
    } else if p == -1.0 {
        x.iter().map(|&v| T::ONE / v).pooled()
    } else if p == 3.0 {
        x.iter().map(|&v| v * v * v).pooled()
    } else {
        let p: T = c(p);
        x.iter().map(|&v| v.powf(p)).pooled()
    }
}

/// Broadcasting binary map; rows with unit or zero inner strides run as tight loops.
pub fn broadcast_map<T: Float>(
    a: &[T],
    sa: &[usize],
    b: &[T],
    sb: &[usize],
    out: &[usize],
    f: impl Fn(T, T) -> T,
) -> Vec<T> {
    if sa == sb {
        return a.iter().zip(b).map(|(&x, &y)| f(x, y)).pooled();
    }
    let st_a = broadcast_strides(sa, out);
    let st_b = broadcast_strides(sb, out);
    let (dims, st) = coalesce(out, [&st_a, &st_b]);
    let mut v = alloc::take(numel(out));
    for_each_row(&dims, &st, |[oa, ob], len, inner| match inner {
        [1, 1] => v.extend(
            a[oa..oa + len]
                .iter()
                .zip(&b[ob..ob + len])
                .map(|(&x, &y)| f(x, y)),
        ),
        [1, 0] => {
            let y = b[ob];
            v.extend(a[oa..oa + len].iter().map(|&x| f(x, y)))
        }
        [0, 1] => {
            let x = a[oa];
            v.extend(b[ob..ob + len].iter().map(|&y| f(x, y)))
        }
        [ia, ib] => v.extend((0..len).map(|i| f(a[oa + i * ia], b[ob + i * ib]))),
    });
    v
}

/// Binary arithmetic with broadcasting.
pub fn binary<T: Float>(
    op: BinaryOp,
    a: &[T],
    sa: &[usize],
    b: &[T],
    sb: &[usize],
    out: &[usize],
) -> Vec<T> {
    match op {
        BinaryOp::Add => broadcast_map(a, sa, b, sb, out, |x, y| x + y),
        BinaryOp::Sub => broadcast_map(a, sa, b, sb, out, |x, y| x - y),
        BinaryOp::Mul => broadcast_map(a, sa, b, sb, out, |x, y| x * y),
        BinaryOp::Div => broadcast_map(a, sa, b, sb, out, |x, y| x / y),
        BinaryOp::Pow => broadcast_map(a, sa, b, sb, out, |x, y| x.powf(y)),
        // NaN-propagating like torch: a NaN on either side wins.
        BinaryOp::Maximum => {
            broadcast_map(
                a,
                sa,
                b,
                sb,
                out,
                |x, y| if x.is_nan() || x >= y { x } else { y },
            )
        }
        BinaryOp::Minimum => {
            broadcast_map(
                a,
                sa,
                b,
                sb,
                out,
                |x, y| if x.is_nan() || x <= y { x } else { y },
            )
        }
    }
}

/// Comparison with broadcasting, 1.0 where true.
pub fn compare<T: Float>(
    op: CmpOp,
    a: &[T],
    sa: &[usize],
    b: &[T],
    sb: &[usize],
    out: &[usize],
) -> Vec<T> {
    let t = |p: bool| if p { T::ONE } else { T::ZERO };
    match op {
        CmpOp::Gt => broadcast_map(a, sa, b, sb, out, |x, y| t(x > y)),
        CmpOp::Ge => broadcast_map(a, sa, b, sb, out, |x, y| t(x >= y)),
        CmpOp::Eq => broadcast_map(a, sa, b, sb, out, |x, y| t(x == y)),
    }
}

/// `cond != 0 ? a : b` on equal shapes.
pub fn where_select<T: Float>(cond: &[T], a: &[T], b: &[T]) -> Vec<T> {
    cond.iter()
        .zip(a.iter().zip(b))
        .map(|(&c, (&x, &y))| if c != T::ZERO { x } else { y })
        .pooled()
}
