//! The closed set of primitive operations. Every tensor made by computation records one `Op`
//! (with its parameters; the inputs sit in the graph node). Composite operations (mean, softmax
//! cross-entropy, batch norm, ...) are built from these, so a primitive is the unit that needs a
//! kernel per device and a rule in [`super::backward`].

use serde::{Deserialize, Serialize};

/// Element-wise functions of one tensor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Exp,
    Log,
    Sqrt,
    Abs,
    /// -1, 0 or 1; zero gradient (used by the `abs` rule).
    Sign,
    /// Gauss error function (used by the exact GELU rule).
    Erf,
    Relu,
    LeakyRelu(f64),
    Sigmoid,
    Tanh,
    Silu,
    /// GELU with the exact erf form (`tanh: false`) or torch's tanh approximation.
    Gelu {
        tanh: bool,
    },
    Hardswish,
    Hardsigmoid,
    /// `x^p` for a constant exponent.
    PowScalar(f64),
    /// torch.clamp: bounds are optional.
    Clamp {
        min: Option<f64>,
        max: Option<f64>,
    },
}

/// Element-wise functions of two tensors with NumPy/PyTorch broadcasting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
}

/// Comparisons with broadcasting; the result is 1.0 where true and 0.0 elsewhere and carries
/// no gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    Gt,
    Ge,
    Eq,
}

/// Geometry shared by conv2d and its two backward ops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conv2dParams {
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
    pub groups: usize,
}

impl Default for Conv2dParams {
    /// torch.nn.functional.conv2d defaults.
    fn default() -> Self {
        Conv2dParams {
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
            groups: 1,
        }
    }
}

/// Geometry of max/avg pooling (torch defaults: stride = kernel, padding 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool2dParams {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    /// Only for average pooling: count padded zeros in the divisor (torch default true).
    pub count_include_pad: bool,
    /// Only for max pooling: spacing between window taps (torch default 1; absent in specs
    /// saved before it existed).
    #[serde(default = "unit_dilation")]
    pub dilation: [usize; 2],
    /// Round the output size up instead of down (torch's `ceil_mode`); the last window must
    /// still start inside the input or its left padding.
    #[serde(default)]
    pub ceil_mode: bool,
    /// Only for average pooling: divide every window by this instead (torch's
    /// `divisor_override`).
    #[serde(default)]
    pub divisor_override: Option<usize>,
}

/// Serde default of [`Pool2dParams::dilation`].
fn unit_dilation() -> [usize; 2] {
    [1, 1]
}

impl Pool2dParams {
    /// Kernel `k`, stride `k`, no padding: the usual `max_pool2d(x, k)`.
    pub fn square(k: usize) -> Self {
        Pool2dParams {
            kernel: [k, k],
            stride: [k, k],
            padding: [0, 0],
            count_include_pad: true,
            dilation: [1, 1],
            ceil_mode: false,
            divisor_override: None,
        }
    }

    /// Taps one window spans along `axis`: `dilation * (kernel - 1) + 1`.
    pub fn effective_kernel(&self, axis: usize) -> usize {
        self.dilation[axis] * (self.kernel[axis].saturating_sub(1)) + 1
    }

    /// Pooled size along `axis` for an input of `size`, torch's `pooling_output_shape`
    /// (`None` when no window fits).
    pub fn output_size(&self, axis: usize, size: usize) -> Option<usize> {
        let (pad, stride) = (self.padding[axis], self.stride[axis]);
        let span = (size + 2 * pad).checked_sub(self.effective_kernel(axis))?;
        let round = if self.ceil_mode { stride - 1 } else { 0 };
        let mut out = (span + round) / stride + 1;
        // torch: the last window must start inside the input or the left padding.
        if self.ceil_mode && (out - 1) * stride >= size + pad {
            out -= 1;
        }
        Some(out)
    }
}

/// A primitive operation with its parameters. Shapes of outputs are stored in the node, so
/// variants only hold what the output shape cannot tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    Unary(UnaryOp),
    Binary(BinaryOp),
    Compare(CmpOp),
    /// `where(cond, a, b)` on equal shapes (the public function broadcasts first).
    Where,
    /// Sum over sorted, distinct axes.
    Sum {
        axes: Vec<usize>,
        keepdim: bool,
    },
    /// Maximum values over sorted, distinct axes (torch.amax).
    Max {
        axes: Vec<usize>,
        keepdim: bool,
    },
    /// Batched matrix product of rank-3 tensors `[B, M, K] x [B, K, N]`; a transposed operand is
    /// stored as `[B, K, M]` / `[B, N, K]` and read through strides, never copied.
    Matmul {
        transpose_a: bool,
        transpose_b: bool,
    },
    /// Inputs `(x [N,C,H,W], w [O, C/groups, kh, kw])`.
    Conv2d(Conv2dParams),
    /// Gradient of conv2d w.r.t. its input: inputs `(grad_out, w)`, output shape = x's.
    Conv2dBackwardInput(Conv2dParams),
    /// Gradient of conv2d w.r.t. its weight: inputs `(x, grad_out)`, output shape = w's.
    Conv2dBackwardWeight(Conv2dParams),
    MaxPool2d(Pool2dParams),
    /// Inputs `(x, g)`: scatters `g` (pooled shape) onto the arg-max positions of `x`'s windows.
    MaxPool2dScatter(Pool2dParams),
    /// Inputs `(x, h)`: picks `h` (x's shape) at the arg-max positions of `x`'s windows.
    MaxPool2dGather(Pool2dParams),
    AvgPool2d(Pool2dParams),
    /// Adjoint of [`Op::AvgPool2d`]: input pooled grads, output shape = x's.
    AvgPool2dBackward(Pool2dParams),
    /// torch.nn.functional.adaptive_avg_pool2d; the output size is the node's shape.
    AdaptiveAvgPool2d,
    /// Adjoint of [`Op::AdaptiveAvgPool2d`]; the output size is the node's shape.
    AdaptiveAvgPool2dBackward,
    Softmax {
        dim: usize,
    },
    LogSoftmax {
        dim: usize,
    },
    /// Inputs `(x, index)`: torch.gather; `index` holds integer values and has no gradient.
    Gather {
        dim: usize,
    },
    /// Inputs `(index, src)`: zeros of the node's shape with `src` added at `index` along `dim`.
    ScatterAdd {
        dim: usize,
    },
    /// Same data, new shape (shares storage).
    Reshape,
    Permute {
        perm: Vec<usize>,
    },
    /// Broadcast to the node's shape (materialized copy).
    Expand,
    Narrow {
        dim: usize,
        start: usize,
    },
    Cat {
        dim: usize,
    },
}

macro_rules! op_kinds {
    ($($kind:ident),* $(,)?) => {
        /// One entry per primitive (unary and binary functions counted separately), so tests can
        /// iterate [`OpKind::ALL`] and demand a sample case for each.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OpKind { $($kind),* }

        impl OpKind {
            /// Every primitive, generated from the same list as the enum.
            pub const ALL: &'static [OpKind] = &[$(OpKind::$kind),*];
        }
    };
}

op_kinds!(
    Neg,
    Exp,
    Log,
    Sqrt,
    Abs,
    Sign,
    Erf,
    Relu,
    LeakyRelu,
    Sigmoid,
    Tanh,
    Silu,
    Gelu,
    GeluTanh,
    Hardswish,
    Hardsigmoid,
    PowScalar,
    Clamp,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
    Gt,
    Ge,
    Eq,
    Where,
    Sum,
    Max,
    Matmul,
    Conv2d,
    Conv2dBackwardInput,
    Conv2dBackwardWeight,
    MaxPool2d,
    MaxPool2dScatter,
    MaxPool2dGather,
    AvgPool2d,
    AvgPool2dBackward,
    AdaptiveAvgPool2d,
    AdaptiveAvgPool2dBackward,
    Softmax,
    LogSoftmax,
    Gather,
    ScatterAdd,
    Reshape,
    Permute,
    Expand,
    Narrow,
    Cat,
);

impl Op {
    /// The flat kind of this op (exhaustive: a new variant must be classified here).
    pub fn kind(&self) -> OpKind {
        use OpKind as K;
        match self {
            Op::Unary(u) => match u {
                UnaryOp::Neg => K::Neg,
                UnaryOp::Exp => K::Exp,
                UnaryOp::Log => K::Log,
                UnaryOp::Sqrt => K::Sqrt,
                UnaryOp::Abs => K::Abs,
                UnaryOp::Sign => K::Sign,
                UnaryOp::Erf => K::Erf,
                UnaryOp::Relu => K::Relu,
                UnaryOp::LeakyRelu(_) => K::LeakyRelu,
                UnaryOp::Sigmoid => K::Sigmoid,
                UnaryOp::Tanh => K::Tanh,
                UnaryOp::Silu => K::Silu,
                UnaryOp::Gelu { tanh: false } => K::Gelu,
                UnaryOp::Gelu { tanh: true } => K::GeluTanh,
                UnaryOp::Hardswish => K::Hardswish,
                UnaryOp::Hardsigmoid => K::Hardsigmoid,
                UnaryOp::PowScalar(_) => K::PowScalar,
                UnaryOp::Clamp { .. } => K::Clamp,
            },
            Op::Binary(b) => match b {
                BinaryOp::Add => K::Add,
                BinaryOp::Sub => K::Sub,
                BinaryOp::Mul => K::Mul,
                BinaryOp::Div => K::Div,
                BinaryOp::Pow => K::Pow,
                BinaryOp::Maximum => K::Maximum,
                BinaryOp::Minimum => K::Minimum,
            },
            Op::Compare(c) => match c {
                CmpOp::Gt => K::Gt,
                CmpOp::Ge => K::Ge,
                CmpOp::Eq => K::Eq,
            },
            Op::Where => K::Where,
            Op::Sum { .. } => K::Sum,
            Op::Max { .. } => K::Max,
            Op::Matmul { .. } => K::Matmul,
            Op::Conv2d(_) => K::Conv2d,
            Op::Conv2dBackwardInput(_) => K::Conv2dBackwardInput,
            Op::Conv2dBackwardWeight(_) => K::Conv2dBackwardWeight,
            Op::MaxPool2d(_) => K::MaxPool2d,
            Op::MaxPool2dScatter(_) => K::MaxPool2dScatter,
            Op::MaxPool2dGather(_) => K::MaxPool2dGather,
            Op::AvgPool2d(_) => K::AvgPool2d,
            Op::AvgPool2dBackward(_) => K::AvgPool2dBackward,
            Op::AdaptiveAvgPool2d => K::AdaptiveAvgPool2d,
            Op::AdaptiveAvgPool2dBackward => K::AdaptiveAvgPool2dBackward,
            Op::Softmax { .. } => K::Softmax,
            Op::LogSoftmax { .. } => K::LogSoftmax,
            Op::Gather { .. } => K::Gather,
            Op::ScatterAdd { .. } => K::ScatterAdd,
            Op::Reshape => K::Reshape,
            Op::Permute { .. } => K::Permute,
            Op::Expand => K::Expand,
            Op::Narrow { .. } => K::Narrow,
            Op::Cat { .. } => K::Cat,
        }
    }

    /// Short lowercase name for error messages and graph drawings.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Unary(u) => match u {
                UnaryOp::Neg => "neg",
                UnaryOp::Exp => "exp",
                UnaryOp::Log => "log",
                UnaryOp::Sqrt => "sqrt",
                UnaryOp::Abs => "abs",
                UnaryOp::Sign => "sign",
                UnaryOp::Erf => "erf",
                UnaryOp::Relu => "relu",
                UnaryOp::LeakyRelu(_) => "leaky_relu",
                UnaryOp::Sigmoid => "sigmoid",
                UnaryOp::Tanh => "tanh",
                UnaryOp::Silu => "silu",
                UnaryOp::Gelu { .. } => "gelu",
                UnaryOp::Hardswish => "hardswish",
                UnaryOp::Hardsigmoid => "hardsigmoid",
                UnaryOp::PowScalar(_) => "pow",
                UnaryOp::Clamp { .. } => "clamp",
            },
            Op::Binary(b) => match b {
                BinaryOp::Add => "add",
                BinaryOp::Sub => "sub",
                BinaryOp::Mul => "mul",
                BinaryOp::Div => "div",
                BinaryOp::Pow => "pow",
                BinaryOp::Maximum => "maximum",
                BinaryOp::Minimum => "minimum",
            },
            Op::Compare(c) => match c {
                CmpOp::Gt => "gt",
                CmpOp::Ge => "ge",
                CmpOp::Eq => "eq",
            },
            Op::Where => "where",
            Op::Sum { .. } => "sum",
            Op::Max { .. } => "amax",
            Op::Matmul { .. } => "matmul",
            Op::Conv2d(_) => "conv2d",
            Op::Conv2dBackwardInput(_) => "conv2d_backward_input",
            Op::Conv2dBackwardWeight(_) => "conv2d_backward_weight",
            Op::MaxPool2d(_) => "max_pool2d",
            Op::MaxPool2dScatter(_) => "max_pool2d_scatter",
            Op::MaxPool2dGather(_) => "max_pool2d_gather",
            Op::AvgPool2d(_) => "avg_pool2d",
            Op::AvgPool2dBackward(_) => "avg_pool2d_backward",
            Op::AdaptiveAvgPool2d => "adaptive_avg_pool2d",
            Op::AdaptiveAvgPool2dBackward => "adaptive_avg_pool2d_backward",
            Op::Softmax { .. } => "softmax",
            Op::LogSoftmax { .. } => "log_softmax",
            Op::Gather { .. } => "gather",
            Op::ScatterAdd { .. } => "scatter_add",
            Op::Reshape => "reshape",
            Op::Permute { .. } => "permute",
            Op::Expand => "expand",
            Op::Narrow { .. } => "narrow",
            Op::Cat { .. } => "cat",
        }
    }

    /// False for ops whose output is piecewise constant in every input (no gradient flows).
    pub fn is_differentiable(&self) -> bool {
        !matches!(self, Op::Compare(_) | Op::Unary(UnaryOp::Sign))
    }
}
