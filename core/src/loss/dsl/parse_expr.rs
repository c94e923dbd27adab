//! Expressions of the recursive-descent parser. Recursion is bounded by
//! [`MAX_DEPTH`](super::limits::MAX_DEPTH) (chains of `+` or `*` count too, since they nest in
//! the tree), so hostile input cannot overflow the stack of the parser or of the passes after.
//!
//! Precedence, loosest first: comparisons (not chainable), `+ -`, `* /`, unary `-`, `^`
//! (right-associative; `-x^2` is `-(x^2)`), calls and atoms.

use super::ast::{BinOp, Expr, ExprKind};
use super::diagnostic::{Diagnostic, Span};
use super::lexer::TokenKind;
use super::limits::MAX_DEPTH;
use super::parser::{PResult, Parser};

impl Parser {
    fn enter(&mut self, extra: usize) -> PResult<()> {
        if self.depth + extra >= MAX_DEPTH {
            return Err(Diagnostic::error(
                self.here(),
                format!(
                    "the expression is nested too deeply (limit {MAX_DEPTH}); split it with `let`"
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.enter(0)?;
        self.depth += 1;
        let out = self.comparison();
        self.depth -= 1;
        out
    }

    fn comparison(&mut self) -> PResult<Expr> {
        let left = self.additive()?;
        let Some(op) = comparison_op(self.peek()) else {
            return Ok(left);
        };
        self.bump();
        let right = self.additive()?;
        if comparison_op(self.peek()).is_some() {
            return Err(Diagnostic::error(
                self.here(),
                "comparisons cannot be chained; multiply the conditions: `(a < b) * (b < c)`",
            ));
        }
        Ok(binary(op, left, right))
    }

    fn additive(&mut self) -> PResult<Expr> {
        let mut left = self.multiplicative()?;
        let mut chain = 0;
        loop {
            let op = match self.peek() {
                TokenKind::Plus => BinOp::Add,
                TokenKind::Minus => BinOp::Sub,
                _ => return Ok(left),
            };
            chain += 1;
            self.enter(chain)?;
            self.bump();
            self.depth += chain;
            let right = self.multiplicative();
            self.depth -= chain;
            left = binary(op, left, right?);
        }
    }

    fn multiplicative(&mut self) -> PResult<Expr> {
        let mut left = self.unary()?;
        let mut chain = 0;
        loop {
            let op = match self.peek() {
                TokenKind::Star => BinOp::Mul,
                TokenKind::Slash => BinOp::Div,
                _ => return Ok(left),
            };
            chain += 1;
            self.enter(chain)?;
            self.bump();
            self.depth += chain;
            let right = self.unary();
            self.depth -= chain;
            left = binary(op, left, right?);
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        self.enter(0)?;
        if *self.peek() == TokenKind::Minus {
            let start = self.bump().span;
            self.depth += 1;
            let inner = self.unary();
            self.depth -= 1;
            let inner = inner?;
            let span = start.to(inner.span);
            return Ok(Expr {
                kind: ExprKind::Neg(Box::new(inner)),
                span,
            });
        }
        self.power()
    }

    fn power(&mut self) -> PResult<Expr> {
        let base = self.atom()?;
        if *self.peek() != TokenKind::Caret {
            return Ok(base);
        }
        self.bump();
        self.depth += 1;
        let exponent = self.unary();
        self.depth -= 1;
        Ok(binary(BinOp::Pow, base, exponent?))
    }

    fn atom(&mut self) -> PResult<Expr> {
        let t = self.token().clone();
        let kind = match t.kind {
            TokenKind::Number(v) => ExprKind::Number(v),
            TokenKind::True => ExprKind::Bool(true),
            TokenKind::False => ExprKind::Bool(false),
            TokenKind::Ident(name) => {
                self.bump();
                if *self.peek() == TokenKind::LParen {
                    return self.call(name, t.span);
                }
                return Ok(Expr {
                    kind: ExprKind::Name(name),
                    span: t.span,
                });
            }
            TokenKind::LParen => {
                self.bump();
                self.depth += 1;
                let inner = self.expr();
                self.depth -= 1;
                let inner = inner?;
                let close = self.expect(TokenKind::RParen, "`)` to close the parenthesis")?;
                return Ok(Expr {
                    kind: inner.kind,
                    span: t.span.to(close.span),
                });
            }
            _ => return Err(self.unexpected("an expression")),
        };
        self.bump();
        Ok(Expr { kind, span: t.span })
    }

    fn call(&mut self, name: String, name_span: Span) -> PResult<Expr> {
        self.bump();
        let mut args = Vec::new();
        self.depth += 1;
        let close = loop {
            if *self.peek() == TokenKind::RParen {
                break Ok(self.bump());
            }
            match self.expr() {
                Ok(a) => args.push(a),
                Err(e) => break Err(e),
            }
            match self.peek() {
                TokenKind::Comma => {
                    self.bump();
                }
                TokenKind::RParen => {}
                _ => break Err(self.unexpected(&format!("`,` or `)` in the call to `{name}`"))),
            }
        };
        self.depth -= 1;
        let close = close?;
        Ok(Expr {
            kind: ExprKind::Call {
                name,
                name_span,
                args,
            },
            span: name_span.to(close.span),
        })
    }
}

fn comparison_op(t: &TokenKind) -> Option<BinOp> {
    Some(match t {
        TokenKind::Lt => BinOp::Lt,
        TokenKind::Le => BinOp::Le,
        TokenKind::Gt => BinOp::Gt,
        TokenKind::Ge => BinOp::Ge,
        TokenKind::EqEq => BinOp::Eq,
        TokenKind::Ne => BinOp::Ne,
        _ => return None,
    })
}

fn binary(op: BinOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.to(right.span);
    Expr {
        kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
        span,
    }
}
