//! Arithmetic, math functions, comparisons and `where`, with PyTorch broadcasting.

use crate::autograd::{BinaryOp, CmpOp, Op, UnaryOp};
use crate::error::{Error, Result};
use crate::tensor::shape::broadcast_shapes;
use crate::tensor::Tensor;

impl Tensor {
    fn binary(&self, op: BinaryOp, other: &Tensor) -> Result<Tensor> {
        let out = broadcast_shapes(Op::Binary(op).name(), self.dims(), other.dims())?;
        Tensor::from_op(Op::Binary(op), vec![self.clone(), other.clone()], out)
    }

    pub(crate) fn unary(&self, op: UnaryOp) -> Result<Tensor> {
        Tensor::from_op(Op::Unary(op), vec![self.clone()], self.dims().to_vec())
    }

    /// `self + other` with broadcasting.
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Add, other)
    }

    /// `self - other` with broadcasting.
    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Sub, other)
    }

    /// `self * other` with broadcasting.
    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Mul, other)
    }

    /// `self / other` with broadcasting.
    pub fn div(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Div, other)
    }

    /// `self ^ other` element-wise with broadcasting (torch.pow with a tensor exponent).
    pub fn pow(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Pow, other)
    }

    /// Element-wise maximum (torch.maximum; ties split the gradient).
    pub fn maximum(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Maximum, other)
    }

    /// Element-wise minimum (torch.minimum).
    pub fn minimum(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Minimum, other)
    }

    /// `self + c`.
    pub fn add_scalar(&self, c: f64) -> Result<Tensor> {
        self.add(&self.scalar_like(c))
    }

    /// `self - c`.
    pub fn sub_scalar(&self, c: f64) -> Result<Tensor> {
        self.sub(&self.scalar_like(c))
    }

    /// `self * c`.
    pub fn mul_scalar(&self, c: f64) -> Result<Tensor> {
        self.mul(&self.scalar_like(c))
    }

    /// `self / c`.
    pub fn div_scalar(&self, c: f64) -> Result<Tensor> {
        self.div(&self.scalar_like(c))
    }

    /// `-self`.
    pub fn neg(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Neg)
    }

    /// `e^self`.
    pub fn exp(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Exp)
    }

    /// Natural logarithm.
    pub fn log(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Log)
    }

    /// Square root.
    pub fn sqrt(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Sqrt)
    }

    /// Absolute value.
    pub fn abs(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Abs)
    }

    /// -1, 0 or 1 (no gradient).
    pub fn sign(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Sign)
    }

    /// Gauss error function.
    pub fn erf(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Erf)
    }

    /// `self ^ p` for a constant exponent (torch.pow with a scalar exponent).
    pub fn pow_scalar(&self, p: f64) -> Result<Tensor> {
        self.unary(UnaryOp::PowScalar(p))
    }

    /// `self * self`.
    pub fn square(&self) -> Result<Tensor> {
        self.pow_scalar(2.0)
    }

    /// torch.clamp: at least one bound; if `min > max` every element becomes `max`, as in torch.
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Result<Tensor> {
        if min.is_none() && max.is_none() {
            return Err(Error::invalid(
                "clamp",
                "at least one of min and max must be given",
            ));
        }
        self.unary(UnaryOp::Clamp { min, max })
    }

    fn compare(&self, op: CmpOp, other: &Tensor, name: &'static str) -> Result<Tensor> {
        let out = broadcast_shapes(name, self.dims(), other.dims())?;
        Tensor::from_op(Op::Compare(op), vec![self.clone(), other.clone()], out)
    }

    /// `self > other` as 1.0 / 0.0.
    pub fn gt(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(CmpOp::Gt, other, "gt")
    }

    /// `self >= other` as 1.0 / 0.0.
    pub fn ge(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(CmpOp::Ge, other, "ge")
    }

    /// `self < other` as 1.0 / 0.0.
    pub fn lt(&self, other: &Tensor) -> Result<Tensor> {
        other.compare(CmpOp::Gt, self, "lt")
    }

    /// `self <= other` as 1.0 / 0.0.
    pub fn le(&self, other: &Tensor) -> Result<Tensor> {
        other.compare(CmpOp::Ge, self, "le")
    }

    /// `self == other` as 1.0 / 0.0.
    pub fn eq(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(CmpOp::Eq, other, "eq")
    }

    /// `self != other` as 1.0 / 0.0.
    pub fn ne(&self, other: &Tensor) -> Result<Tensor> {
        self.eq(other)?.neg()?.add_scalar(1.0)
    }

    /// torch.where(cond, a, b): `a` where `cond` is non-zero, else `b`; all three broadcast.
    pub fn where_cond(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        let ab = broadcast_shapes("where", a.dims(), b.dims())?;
        let out = broadcast_shapes("where", cond.dims(), &ab).map_err(|_| {
            Error::shapes(
                "where",
                &[cond.dims(), a.dims(), b.dims()],
                "condition does not broadcast",
            )
        })?;
        let c = cond.expand_to(&out)?;
        let a = a.expand_to(&out)?;
        let b = b.expand_to(&out)?;
        Tensor::from_op(Op::Where, vec![c, a, b], out)
    }
}
