//! Element-wise kernels: unary functions, broadcasting binary functions, comparisons and
//! `where`. Each formula matches PyTorch's forward definition.

use super::alloc::{self, CollectPooled};
use super::layout::{broadcast_strides, coalesce, for_each_row, numel};
use super::parallel;
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
        UnaryOp::Neg => map1(x, |v| -v),
        UnaryOp::Exp => map1(x, |v| v.exp()),
        UnaryOp::Log => map1(x, |v| v.ln()),
        UnaryOp::Sqrt => map1(x, |v| v.sqrt()),
        UnaryOp::Abs => map1(x, |v| v.abs()),
        UnaryOp::Sign => map1(x, |v| {
            if v > zero {
                one
            } else if v < zero {
                -one
            } else {
                v
            }
        }),
        UnaryOp::Erf => map1(x, |v| v.erf()),
        UnaryOp::Relu => map1(x, |v| if v > zero { v } else { zero }),
        UnaryOp::LeakyRelu(s) => {
            let s: T = c(s);
            map1(x, |v| if v > zero { v } else { v * s })
        }
        UnaryOp::Sigmoid => map1(x, |v| one / (one + (-v).exp())),
        UnaryOp::Tanh => map1(x, |v| v.tanh()),
        UnaryOp::Silu => map1(x, |v| v / (one + (-v).exp())),
        UnaryOp::Gelu { tanh: false } => {
            let r: T = c(std::f64::consts::FRAC_1_SQRT_2);
            let h: T = c(0.5);
            map1(x, |v| h * v * (one + (v * r).erf()))
        }
        UnaryOp::Gelu { tanh: true } => {
            let k: T = c((2.0 / std::f64::consts::PI).sqrt());
            let a: T = c(0.044715);
            let h: T = c(0.5);
            map1(x, |v| h * v * (one + (k * (v + a * v * v * v)).tanh()))
        }
        UnaryOp::Hardswish => {
            let (three, six): (T, T) = (c(3.0), c(6.0));
            map1(x, |v| v * clamp(v + three, zero, six) / six)
        }
        UnaryOp::Hardsigmoid => {
            let (three, six): (T, T) = (c(3.0), c(6.0));
            map1(x, |v| clamp(v + three, zero, six) / six)
        }
        UnaryOp::PowScalar(p) => pow_scalar(x, p),
        UnaryOp::Clamp { min, max } => {
            let lo = min.map(c::<T>);
            let hi = max.map(c::<T>);
            map1(x, |v| {
                let v = match lo {
                    Some(l) if v < l => l,
                    _ => v,
                };
                match hi {
                    Some(h) if v > h => h,
                    _ => v,
                }
            })
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
        map1(x, |v| v * v)
    } else if p == 1.0 {
        x.iter().copied().pooled()
    } else if p == 0.0 {
        alloc::filled(T::ONE, x.len())
    } else if p == 0.5 {
        map1(x, |v| v.sqrt())
    } else if p == -1.0 {
        map1(x, |v| T::ONE / v)
    } else if p == 3.0 {
        map1(x, |v| v * v * v)
    } else {
        let p: T = c(p);
        map1(x, |v| v.powf(p))
    }
}

/// Elements below which a map stays on one thread.
const MIN_PARALLEL: usize = 1 << 15;

/// An output of `n` elements computed by `f(first index, piece)` on pieces spread over the
/// threads.
fn par_fill<T: Float>(n: usize, f: &(dyn Fn(usize, &mut [T]) + Sync)) -> Vec<T> {
    let mut out = alloc::stale(n);
    let parts = parallel::parts(n, MIN_PARALLEL);
    parallel::for_each_piece_mut(&mut out, 1, parts, f);
    out
}

/// `f` applied to every element of `x`.
fn map1<T: Float>(x: &[T], f: impl Fn(T) -> T + Sync) -> Vec<T> {
    par_fill(x.len(), &|s, out| {
        for (o, &v) in out.iter_mut().zip(&x[s..]) {
            *o = f(v);
        }
    })
}

/// Broadcasting binary map; rows with unit or zero inner strides run as tight loops, and the
/// outermost dimension is split over the threads.
pub fn broadcast_map<T: Float>(
    a: &[T],
    sa: &[usize],
    b: &[T],
    sb: &[usize],
    out: &[usize],
    f: impl Fn(T, T) -> T + Sync,
) -> Vec<T> {
    if sa == sb {
        return par_fill(a.len(), &|s, o| {
            for ((o, &x), &y) in o.iter_mut().zip(&a[s..]).zip(&b[s..]) {
                *o = f(x, y);
            }
        });
    }
    let st_a = broadcast_strides(sa, out);
    let st_b = broadcast_strides(sb, out);
    let (dims, st) = coalesce(out, [&st_a, &st_b]);
    let total = numel(out);
    let mut v = alloc::stale(total);
    if dims.is_empty() || total == 0 {
        for_each_row(&dims, &st, |[oa, ob], len, inner| {
            write_row(&mut v[..len], a, oa, b, ob, inner, &f)
        });
        return v;
    }
    let inner_len: usize = dims[1..].iter().product();
    let parts = parallel::parts(total, MIN_PARALLEL).min(dims[0]);
    parallel::for_each_piece_mut(&mut v, inner_len, parts, &|o0, piece| {
        let mut sub = dims.clone();
        sub[0] = piece.len() / inner_len.max(1);
        let (ba, bb) = (o0 * st[0][0], o0 * st[1][0]);
        let mut pos = 0;
        for_each_row(&sub, &st, |[oa, ob], len, inner| {
            write_row(
                &mut piece[pos..pos + len],
                a,
                ba + oa,
                b,
                bb + ob,
                inner,
                &f,
            );
            pos += len;
        });
    });
    v
}

/// One row of [`broadcast_map`]: `dst[i] = f(a[oa + i*ia], b[ob + i*ib])`.
#[inline(always)]
fn write_row<T: Float>(
    dst: &mut [T],
    a: &[T],
    oa: usize,
    b: &[T],
    ob: usize,
    [ia, ib]: [usize; 2],
    f: &impl Fn(T, T) -> T,
) {
    let len = dst.len();
    match (ia, ib) {
        (1, 1) => {
            for ((d, &x), &y) in dst.iter_mut().zip(&a[oa..oa + len]).zip(&b[ob..ob + len]) {
                *d = f(x, y);
            }
        }
        (1, 0) => {
            let y = b[ob];
            for (d, &x) in dst.iter_mut().zip(&a[oa..oa + len]) {
                *d = f(x, y);
            }
        }
        (0, 1) => {
            let x = a[oa];
            for (d, &y) in dst.iter_mut().zip(&b[ob..ob + len]) {
                *d = f(x, y);
            }
        }
        _ => {
            for (i, d) in dst.iter_mut().enumerate() {
                *d = f(a[oa + i * ia], b[ob + i * ib]);
            }
        }
    }
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
    par_fill(cond.len(), &|s, out| {
        for ((o, &c), (&x, &y)) in out
            .iter_mut()
            .zip(&cond[s..])
            .zip(a[s..].iter().zip(&b[s..]))
        {
            *o = if c != T::ZERO { x } else { y };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs big enough to be split over threads match an index-by-index evaluation.
    #[test]
    fn parallel_broadcast_matches_indexing() {
        let (out, sb) = ([64usize, 6, 28, 28], [1usize, 6, 1, 1]);
        let n: usize = out.iter().product();
        let a: Vec<f32> = (0..n).map(|i| (i % 97) as f32 * 0.5).collect();
        let b = [1.0f32, -2.0, 3.0, -4.0, 5.0, -6.0];
        let got = binary(BinaryOp::Sub, &a, &out, &b, &sb, &out);
        for (i, &g) in got.iter().enumerate() {
            assert_eq!(g, a[i] - b[(i / 784) % 6], "element {i}");
        }
        let got = binary(BinaryOp::Mul, &b, &sb, &a, &out, &out);
        for (i, &g) in got.iter().enumerate() {
            assert_eq!(g, b[(i / 784) % 6] * a[i], "element {i}");
        }
        let same = binary(BinaryOp::Add, &a, &out, &a, &out, &out);
        assert!(same.iter().zip(&a).all(|(s, x)| *s == x + x));
        let r = unary(UnaryOp::Neg, &a);
        assert!(r.iter().zip(&a).all(|(s, x)| *s == -x));
    }
}
