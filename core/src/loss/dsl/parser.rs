//! Recursive-descent parser from tokens to [`Program`], stopping at the first syntax error
//! with a message anchored at the offending token. This file holds the token cursor and the
//! statements; expressions are in [`super::parse_expr`].

use super::ast::{LetBinding, ParamDecl, Program, Stmt};
use super::diagnostic::{Diagnostic, Span};
use super::lexer::{lex, Token, TokenKind};
use super::limits::MAX_SOURCE_BYTES;

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

pub(super) struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Current nesting, bounded by `MAX_DEPTH` (see [`super::parse_expr`]).
    pub(super) depth: usize,
    source_len: usize,
}

pub(super) type PResult<T> = Result<T, Diagnostic>;

impl Parser {
    pub(super) fn peek(&self) -> &TokenKind {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].kind
    }

    pub(super) fn token(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    pub(super) fn bump(&mut self) -> Token {
        let t = self.token().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    /// Where to point for "found X": the token, or the last token when at the end.
    pub(super) fn here(&self) -> Span {
        let t = self.token();
        if t.kind != TokenKind::Eof {
            return t.span;
        }
        match self.pos.checked_sub(1).map(|i| self.tokens[i].span) {
            Some(prev) => prev,
            None => Span::new(0, self.source_len),
        }
    }

    pub(super) fn unexpected(&self, wanted: &str) -> Diagnostic {
        Diagnostic::error(
            self.here(),
            format!("expected {wanted}, found {}", self.peek().describe()),
        )
    }

    pub(super) fn expect(&mut self, kind: TokenKind, wanted: &str) -> PResult<Token> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::dsl::ast::{BinOp, ExprKind};

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
