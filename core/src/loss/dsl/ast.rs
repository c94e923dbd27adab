//! The syntax tree: a program is a list of `param` and `let` statements followed by one
//! expression, the loss. Every node keeps its byte span for messages.

use serde::{Deserialize, Serialize};

use super::diagnostic::Span;

/// A parsed loss source.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// The `param` and `let` statements, in source order.
    pub stmts: Vec<Stmt>,
    /// The value to minimize.
    pub result: Expr,
    /// Length of the source it came from (spans are within it).
    pub source_len: usize,
}

impl Program {
    /// The declared sliders, in source order.
    pub fn params(&self) -> impl Iterator<Item = &ParamDecl> {
        self.stmts.iter().filter_map(|s| match s {
            Stmt::Param(p) => Some(p),
            Stmt::Let(_) => None,
        })
    }
}

/// A statement before the result.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// A slider declaration.
    Param(ParamDecl),
    /// A named intermediate value.
    Let(LetBinding),
}

/// `param NAME = DEFAULT in LO..HI`: a named slider the UI shows, within `[lo, hi]`
/// (serializable, so the worker can send the sliders to the page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamDecl {
    /// The slider's name, as the source and the `RunSpec` spell it.
    pub name: String,
    /// Where the name is, for messages about it.
    pub name_span: Span,
    /// The value before the user moves the slider.
    pub default: f64,
    /// Lower end of the slider (inclusive).
    pub lo: f64,
    /// Upper end of the slider (inclusive).
    pub hi: f64,
    /// The whole declaration.
    pub span: Span,
}

/// `let NAME = EXPR`: evaluated once, reused by name.
#[derive(Debug, Clone, PartialEq)]
pub struct LetBinding {
    /// The bound name.
    pub name: String,
    /// Where the name is, for messages about it.
    pub name_span: Span,
    /// The value, evaluated once.
    pub value: Expr,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Its bytes in the source.
    pub span: Span,
}

/// The expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Number(f64),
    /// `true` / `false`: only as the `keepdim` flag of a reduction.
    Bool(bool),
    /// An input, a head, a slider or a `let` name.
    Name(String),
    /// Unary minus.
    Neg(Box<Expr>),
    /// An infix operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A call of a built-in function.
    Call {
        /// The function's name as written.
        name: String,
        /// Where the name is (for unknown-function messages).
        name_span: Span,
        /// The arguments.
        args: Vec<Expr>,
    },
}

/// Infix operators; comparisons give 1.0 / 0.0 and carry no gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^` or `**`
    Pow,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl BinOp {
    /// The operator as written in the loss language.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
        }
    }

    /// True for the comparison operators.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }
}
