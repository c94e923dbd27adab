//! The function table: names, arities and one-line docs the editor shows for completion and
//! hover. The checker, the lowering and the Python export all match on [`Func`].

/// A built-in function of the loss language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    /// `exp(x)`
    Exp,
    /// `log(x)`
    Log,
    /// `sqrt(x)`
    Sqrt,
    /// `abs(x)`
    Abs,
    /// `square(x)`
    Square,
    /// `relu(x)`
    Relu,
    /// `sigmoid(x)`
    Sigmoid,
    /// `tanh(x)`
    Tanh,
    /// `softplus(x)`
    Softplus,
    /// `sign(x)`
    Sign,
    /// `detach(x)`
    Detach,
    /// `maximum(a, b)`
    Maximum,
    /// `minimum(a, b)`
    Minimum,
    /// `pow(x, p)`
    Pow,
    /// `clamp(x, lo[, hi])`
    Clamp,
    /// `where(cond, a, b)`
    Where,
    /// `softmax(x[, axis])`
    Softmax,
    /// `log_softmax(x[, axis])`
    LogSoftmax,
    /// `gather(x, index)`
    Gather,
    /// `sum(x[, axis[, keepdim]])`
    Sum,
    /// `mean(x[, axis[, keepdim]])`
    Mean,
    /// `max(x[, axis[, keepdim]])`
    Max,
    /// `min(x[, axis[, keepdim]])`
    Min,
    /// `logsumexp(x[, axis[, keepdim]])`
    Logsumexp,
    /// `norm(x[, axis[, keepdim]])`
    Norm,
    /// `grad_norm(x)`
    GradNorm,
}

/// Editor-facing description of a function.
#[derive(Debug, Clone, Copy)]
pub struct FuncInfo {
    /// Which function.
    pub func: Func,
    /// Its name in the source.
    pub name: &'static str,
    /// Fewest arguments accepted.
    pub min_args: usize,
    /// Most arguments accepted.
    pub max_args: usize,
    /// How the call reads, e.g. `clamp(x, lo[, hi])`.
    pub signature: &'static str,
    /// One sentence for hover help.
    pub doc: &'static str,
}

const fn f(
    func: Func,
    name: &'static str,
    min_args: usize,
    max_args: usize,
    signature: &'static str,
    doc: &'static str,
) -> FuncInfo {
    FuncInfo {
        func,
        name,
        min_args,
        max_args,
        signature,
        doc,
    }
}

/// Every function, in the order the editor lists them.
pub const FUNCTIONS: &[FuncInfo] = &[
    f(Func::Exp, "exp", 1, 1, "exp(x)", "e to the power x, element-wise"),
    f(Func::Log, "log", 1, 1, "log(x)", "natural logarithm; -inf at 0, NaN below"),
    f(Func::Sqrt, "sqrt", 1, 1, "sqrt(x)", "square root"),
    f(Func::Abs, "abs", 1, 1, "abs(x)", "absolute value"),
    f(Func::Square, "square", 1, 1, "square(x)", "x * x"),
    f(Func::Relu, "relu", 1, 1, "relu(x)", "max(x, 0): a hinge"),
    f(Func::Sigmoid, "sigmoid", 1, 1, "sigmoid(x)", "1 / (1 + exp(-x))"),
    f(Func::Tanh, "tanh", 1, 1, "tanh(x)", "hyperbolic tangent"),
    f(Func::Softplus, "softplus", 1, 1, "softplus(x)", "log(1 + exp(x)), computed stably"),
    f(Func::Sign, "sign", 1, 1, "sign(x)", "-1, 0 or 1; no gradient"),
    f(Func::Detach, "detach", 1, 1, "detach(x)", "the value of x, but no gradient flows through it"),
    f(Func::Maximum, "maximum", 2, 2, "maximum(a, b)", "element-wise larger of a and b"),
    f(Func::Minimum, "minimum", 2, 2, "minimum(a, b)", "element-wise smaller of a and b"),
    f(Func::Pow, "pow", 2, 2, "pow(x, p)", "x ^ p"),
    f(Func::Clamp, "clamp", 2, 3, "clamp(x, lo[, hi])", "limit x to [lo, hi]; lo and hi are numbers or sliders"),
    f(Func::Where, "where", 3, 3, "where(cond, a, b)", "a where cond is non-zero, else b"),
    f(Func::Softmax, "softmax", 1, 2, "softmax(x[, axis])", "softmax along axis (default -1)"),
    f(Func::LogSoftmax, "log_softmax", 1, 2, "log_softmax(x[, axis])", "log of softmax, computed stably"),
    f(Func::Gather, "gather", 2, 2, "gather(x, index)", "x[i, index[i]] for x [B, K] and index [B]: each row's entry at its class"),
    f(Func::Sum, "sum", 1, 3, "sum(x[, axis[, keepdim]])", "sum over one axis, or all"),
    f(Func::Mean, "mean", 1, 3, "mean(x[, axis[, keepdim]])", "mean over one axis, or all"),
    f(Func::Max, "max", 1, 3, "max(x[, axis[, keepdim]])", "largest value over one axis, or all"),
    f(Func::Min, "min", 1, 3, "min(x[, axis[, keepdim]])", "smallest value over one axis, or all"),
    f(Func::Logsumexp, "logsumexp", 1, 3, "logsumexp(x[, axis[, keepdim]])", "log(sum(exp(x))), computed stably"),
    f(Func::Norm, "norm", 1, 3, "norm(x[, axis[, keepdim]])", "Euclidean norm sqrt(sum(x^2) + 1e-12)"),
    f(Func::GradNorm, "grad_norm", 1, 1, "grad_norm(x)", "per-sample norm [B] of the gradient of sum(x) with respect to the model's input: a gradient penalty"),
];

impl Func {
    /// The entry of `name`, if it is a function.
    pub fn lookup(name: &str) -> Option<&'static FuncInfo> {
        FUNCTIONS.iter().find(|i| i.name == name)
    }

    /// This function's table entry.
    pub fn info(self) -> &'static FuncInfo {
        FUNCTIONS
            .iter()
            .find(|i| i.func == self)
            .expect("every Func has a table entry")
    }

    /// True for functions that reduce over an optional axis.
    pub fn is_reduction(self) -> bool {
        matches!(
            self,
            Func::Sum | Func::Mean | Func::Max | Func::Min | Func::Logsumexp | Func::Norm
        )
    }

    /// True for one-argument element-wise functions.
    pub fn is_elementwise_unary(self) -> bool {
        self.info().max_args == 1 && !matches!(self, Func::GradNorm)
    }
}
