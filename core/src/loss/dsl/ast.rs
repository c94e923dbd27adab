//! The syntax tree: a program is a list of `param` and `let` statements followed by one
//! expression, the loss. Every node keeps its byte span for messages.

use serde::{Deserialize, Serialize};

use super::diagnostic::Span;

/// A parsed loss source.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
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
    Param(ParamDecl),
    Let(LetBinding),
}

/// `param NAME = DEFAULT in LO..HI`: a named slider the UI shows, within `[lo, hi]`
/// (serializable, so the worker can send the sliders to the page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamDecl {
    pub name: String,
    pub name_span: Span,
    pub default: f64,
    pub lo: f64,
    pub hi: f64,
    pub span: Span,
}

/// `let NAME = EXPR`: evaluated once, reused by name.
#[derive(Debug, Clone, PartialEq)]
pub struct LetBinding {
    pub name: String,
    pub name_span: Span,
    pub value: Expr,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// The expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Number(f64),
    /// `true` / `false`: only as the `keepdim` flag of a reduction.
    Bool(bool),
    Name(String),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call {
        name: String,
        name_span: Span,
        args: Vec<Expr>,
    },
}

/// Infix operators; comparisons give 1.0 / 0.0 and carry no gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
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
