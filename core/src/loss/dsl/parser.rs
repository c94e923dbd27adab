//! Recursive-descent parser from tokens to [`Program`], stopping at the first syntax error
//! with a message anchored at the offending token. Recursion is bounded by
//! [`MAX_DEPTH`](super::limits::MAX_DEPTH), so hostile input cannot overflow the stack.
//!
//! Precedence, loosest first: comparisons (not chainable), `+ -`, `* /`, unary `-`, `^`
//! (right-associative; `-x^2` is `-(x^2)`), calls and atoms.

use super::ast::{BinOp, Expr, ExprKind, LetBinding, ParamDecl, Program, Stmt};
use super::diagnostic::{Diagnostic, Span};
use super::lexer::{lex, Token, TokenKind};
use super::limits::{MAX_DEPTH, MAX_SOURCE_BYTES};

/// Parses a whole loss source.
pub fn parse(source: &str) -> Result<Program, Diagnostic> {
    if source.len() > MAX_SOURCE_BYTES {
        let mut end = MAX_SOURCE_BYTES;
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        return Err(Diagnostic::error(
            Span::new(end, source.len()),
            format!("the loss is too long: at most {MAX_SOURCE_BYTES} bytes"),
        ));
    }
    let tokens = lex(source)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        source_len: source.len(),
    };
    p.program()
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    source_len: usize,
}

type PResult<T> = Result<T, Diagnostic>;

impl Parser {
    fn peek(&self) -> &TokenKind {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].kind
    }

    fn token(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.token().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    /// Where to point for "found X": the token, or the last token when at the end.
    fn here(&self) -> Span {
        let t = self.token();
        if t.kind != TokenKind::Eof {
            return t.span;
        }
        match self.pos.checked_sub(1).map(|i| self.tokens[i].span) {
            Some(prev) => prev,
            None => Span::new(0, self.source_len),
        }
    }

    fn unexpected(&self, wanted: &str) -> Diagnostic {
        Diagnostic::error(
            self.here(),
            format!("expected {wanted}, found {}", self.peek().describe()),
        )
    }

    fn expect(&mut self, kind: TokenKind, wanted: &str) -> PResult<Token> {
        if *self.peek() == kind {
            Ok(self.bump())
        } else {
            Err(self.unexpected(wanted))
        }
    }

    fn ident(&mut self, wanted: &str) -> PResult<(String, Span)> {
        match self.peek().clone() {
            TokenKind::Ident(name) => {
                let t = self.bump();
                Ok((name, t.span))
            }
            _ => Err(self.unexpected(wanted)),
        }
    }

    fn program(&mut self) -> PResult<Program> {
        let mut stmts = Vec::new();
        loop {
            match self.peek() {
                TokenKind::Semi => {
                    self.bump();
                }
                TokenKind::Param => stmts.push(Stmt::Param(self.param()?)),
                TokenKind::Let => stmts.push(Stmt::Let(self.let_binding()?)),
                TokenKind::Eof => {
                    return Err(Diagnostic::error(
                        self.here(),
                        "the loss needs a final expression: the value to minimize, e.g. \
                         `mean(-gather(log_probs, target))`",
                    ))
                }
                _ => break,
            }
        }
        let result = self.expr()?;
        while *self.peek() == TokenKind::Semi {
            self.bump();
        }
        match self.peek() {
            TokenKind::Eof => Ok(Program {
                stmts,
                result,
                source_len: self.source_len,
            }),
            TokenKind::Let | TokenKind::Param => Err(Diagnostic::error(
                self.here(),
                "statements must come before the loss: the last expression is the value to \
                 minimize",
            )),
            other => Err(Diagnostic::error(
                self.here(),
                format!(
                    "unexpected {} after the loss expression; a program ends with exactly one \
                     expression (use `let` to name parts)",
                    other.describe()
                ),
            )),
        }
    }

    fn param(&mut self) -> PResult<ParamDecl> {
        let start = self.bump().span;
        let (name, name_span) = self.ident("a slider name after `param`")?;
        self.expect(TokenKind::Assign, "`=` and the default value")?;
        let (default, dspan) = self.signed_number("the slider's default value")?;
        self.expect(TokenKind::In, "`in LO..HI`, the slider's range")?;
        let (lo, lspan) = self.signed_number("the lower end of the range")?;
        self.expect(TokenKind::DotDot, "`..` between the ends of the range")?;
        let (hi, hspan) = self.signed_number("the upper end of the range")?;
        if lo >= hi {
            return Err(Diagnostic::error(
                lspan.to(hspan),
                format!("the range {lo}..{hi} is empty: the lower end must be below the upper"),
            ));
        }
        if !(lo..=hi).contains(&default) {
            return Err(Diagnostic::error(
                dspan,
                format!("the default {default} is outside the range {lo}..{hi}"),
            ));
        }
        Ok(ParamDecl {
            name,
            name_span,
            default,
            lo,
            hi,
            span: start.to(hspan),
        })
    }

    fn signed_number(&mut self, wanted: &str) -> PResult<(f64, Span)> {
        let neg = if *self.peek() == TokenKind::Minus {
            Some(self.bump().span)
        } else {
            None
        };
        match *self.peek() {
            TokenKind::Number(v) => {
                let span = self.bump().span;
                Ok(match neg {
                    Some(n) => (-v, n.to(span)),
                    None => (v, span),
                })
            }
            _ => Err(self.unexpected(&format!("{wanted} (a number)"))),
        }
    }

    fn let_binding(&mut self) -> PResult<LetBinding> {
        self.bump();
        let (name, name_span) = self.ident("a name after `let`")?;
        self.expect(TokenKind::Assign, "`=` after the name")?;
        let value = self.expr()?;
        Ok(LetBinding {
            name,
            name_span,
            value,
        })
    }

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

    fn expr(&mut self) -> PResult<Expr> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_statements() {
        let p = parse("param g = 2 in 0..5\nlet a = -x^2 * 3 + 1; a").unwrap();
        assert_eq!(p.stmts.len(), 2);
        let Stmt::Let(l) = &p.stmts[1] else {
            panic!("expected let")
        };
        let ExprKind::Binary(BinOp::Add, lhs, _) = &l.value.kind else {
            panic!("+ should be loosest: {:?}", l.value.kind)
        };
        let ExprKind::Binary(BinOp::Mul, neg, _) = &lhs.kind else {
            panic!("* next")
        };
        assert!(matches!(neg.kind, ExprKind::Neg(_)));
    }

    #[test]
    fn errors_point_at_tokens() {
        let e = parse("mean(logits,").unwrap_err();
        assert_eq!(e.span, Span::new(11, 12));
        let e = parse("let x = 1").unwrap_err();
        assert!(e.message.contains("final expression"), "{e}");
        let e = parse("param g = 9 in 0..5\n g").unwrap_err();
        assert_eq!(e.span, Span::new(10, 11));
        let deep = "(".repeat(500) + "1" + &")".repeat(500);
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
        let chain = vec!["x"; 300].join("+");
        assert!(parse(&chain).unwrap_err().message.contains("nested"));
    }
}
