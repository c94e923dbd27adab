//! Hand-written lexer: the token set is tiny and a hand-written loop gives exact byte spans and
//! our own messages without a dependency. Newlines are whitespace; `#` and `//` start comments.

use super::diagnostic::{Diagnostic, Span};
use super::limits::{MAX_IDENT_LEN, MAX_TOKENS};

/// What a token is; identifiers and numbers carry their value.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Ident(String),
    Number(f64),
    Let,
    Param,
    In,
    True,
    False,
    LParen,
    RParen,
    Comma,
    Semi,
    Assign,
    DotDot,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    Eof,
}

impl TokenKind {
    /// How the token reads in a message.
    pub fn describe(&self) -> String {
        let s = match self {
            TokenKind::Ident(name) => return format!("`{name}`"),
            TokenKind::Number(v) => return format!("the number {v}"),
            TokenKind::Let => "`let`",
            TokenKind::Param => "`param`",
            TokenKind::In => "`in`",
            TokenKind::True => "`true`",
            TokenKind::False => "`false`",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::Comma => "`,`",
            TokenKind::Semi => "`;`",
            TokenKind::Assign => "`=`",
            TokenKind::DotDot => "`..`",
            TokenKind::Plus => "`+`",
            TokenKind::Minus => "`-`",
            TokenKind::Star => "`*`",
            TokenKind::Slash => "`/`",
            TokenKind::Caret => "`^`",
            TokenKind::Lt => "`<`",
            TokenKind::Le => "`<=`",
            TokenKind::Gt => "`>`",
            TokenKind::Ge => "`>=`",
            TokenKind::EqEq => "`==`",
            TokenKind::Ne => "`!=`",
            TokenKind::Eof => "the end of the source",
        };
        s.to_string()
    }
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Splits `source` into tokens ending with one `Eof` (whose span is empty at the end), or the
/// first lexical error.
pub fn lex(source: &str) -> Result<Vec<Token>, Diagnostic> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if tokens.len() >= MAX_TOKENS {
            return Err(Diagnostic::error(
                Span::new(i, next_char_end(source, i)),
                format!("the loss is too long: at most {MAX_TOKENS} tokens"),
            ));
        }
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'#' || source[i..].starts_with("//") {
            i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        let start = i;
        let kind = if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &source[start..i];
            if word.len() > MAX_IDENT_LEN {
                return Err(Diagnostic::error(
                    Span::new(start, i),
                    format!("names are at most {MAX_IDENT_LEN} characters long"),
                ));
            }
            keyword(word).unwrap_or_else(|| TokenKind::Ident(word.to_string()))
        } else if c.is_ascii_digit()
            || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i = number_end(bytes, i);
            number(&source[start..i], Span::new(start, i))?
        } else {
            let two = bytes.get(i + 1).copied();
            let (kind, len) = match (c, two) {
                (b'.', Some(b'.')) => (TokenKind::DotDot, 2),
                (b'*', Some(b'*')) => (TokenKind::Caret, 2),
                (b'<', Some(b'=')) => (TokenKind::Le, 2),
                (b'>', Some(b'=')) => (TokenKind::Ge, 2),
                (b'=', Some(b'=')) => (TokenKind::EqEq, 2),
                (b'!', Some(b'=')) => (TokenKind::Ne, 2),
                (b'(', _) => (TokenKind::LParen, 1),
                (b')', _) => (TokenKind::RParen, 1),
                (b',', _) => (TokenKind::Comma, 1),
                (b';', _) => (TokenKind::Semi, 1),
                (b'=', _) => (TokenKind::Assign, 1),
                (b'+', _) => (TokenKind::Plus, 1),
                (b'-', _) => (TokenKind::Minus, 1),
                (b'*', _) => (TokenKind::Star, 1),
                (b'/', _) => (TokenKind::Slash, 1),
                (b'^', _) => (TokenKind::Caret, 1),
                (b'<', _) => (TokenKind::Lt, 1),
                (b'>', _) => (TokenKind::Gt, 1),
                _ => return Err(unexpected_char(source, i)),
            };
            i += len;
            kind
        };
        tokens.push(Token {
            kind,
            span: Span::new(start, i),
        });
    }
    tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::new(bytes.len(), bytes.len()),
    });
    Ok(tokens)
}

fn keyword(word: &str) -> Option<TokenKind> {
    Some(match word {
        "let" => TokenKind::Let,
        "param" => TokenKind::Param,
        "in" => TokenKind::In,
        "true" => TokenKind::True,
        "false" => TokenKind::False,
        _ => return None,
    })
}

/// End of `digits [. digits] [e [+-] digits]`; a `.` only counts when a digit follows, so
/// `0..5` lexes as `0`, `..`, `5`.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(i);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        }
    }
    i
}

fn number(text: &str, span: Span) -> Result<TokenKind, Diagnostic> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(TokenKind::Number(v)),
        _ => Err(Diagnostic::error(
            span,
            format!("`{text}` is not a finite number"),
        )),
    }
}

fn next_char_end(source: &str, i: usize) -> usize {
    source[i..].chars().next().map_or(i, |c| i + c.len_utf8())
}

fn unexpected_char(source: &str, i: usize) -> Diagnostic {
    let span = Span::new(i, next_char_end(source, i));
    let c = span.text(source);
    let hint = match c {
        "!" => "; write `1 - x` for logical not, or `!=` to compare",
        "&" | "|" => "; combine conditions with `*` (and) or `maximum` (or)",
        "[" | "]" | "{" | "}" => "; only `(` and `)` group expressions",
        "\"" | "'" => "; the loss language has no strings",
        _ => "",
    };
    Diagnostic::error(span, format!("unexpected character `{c}`{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokenKind> {
        lex(s).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn ranges_numbers_and_comments() {
        use TokenKind::*;
        assert_eq!(
            kinds("param g = 2.0 in 0..5 # slider\n x**2"),
            vec![
                Param,
                Ident("g".into()),
                Assign,
                Number(2.0),
                In,
                Number(0.0),
                DotDot,
                Number(5.0),
                Ident("x".into()),
                Caret,
                Number(2.0),
                Eof
            ]
        );
        assert_eq!(kinds("1e-3 .5 // c"), vec![Number(1e-3), Number(0.5), Eof]);
    }

    #[test]
    fn bad_characters_point_at_themselves() {
        let e = lex("a + é").unwrap_err();
        assert_eq!(e.span, Span::new(4, 6));
        assert!(lex("1e999").unwrap_err().message.contains("finite"));
    }
}
