//! The little language of the computation-graph widget: one assignment per line, scalars only.
//!
//! ```text
//! x = 2.0          # a leaf (requires_grad=True)
//! w = -3.0
//! b = 1.0
//! z = x * w + b    # + - * / with the usual precedence, and parentheses
//! y = tanh(z)      # tanh relu sigmoid exp log sqrt abs square
//! ```
//!
//! The last name is the output whose gradients the widget shows. The worker evaluates the
//! program with the core's tensors and autograd (`graph_eval`); this module only parses, so the
//! page can validate a learner's edit without loading the model code.

use serde::{Deserialize, Serialize};

use super::error::LessonError;

/// Longest program accepted (lines): a widget is a teaching aid, not a calculator.
pub const MAX_LINES: usize = 24;

/// A unary function the language offers, each one core op (or two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Func {
    Tanh,
    Relu,
    Sigmoid,
    Exp,
    Log,
    Sqrt,
    Abs,
    Square,
}

impl Func {
    fn parse(name: &str) -> Option<Func> {
        Some(match name {
            "tanh" => Func::Tanh,
            "relu" => Func::Relu,
            "sigmoid" => Func::Sigmoid,
            "exp" => Func::Exp,
            "log" => Func::Log,
            "sqrt" => Func::Sqrt,
            "abs" => Func::Abs,
            "square" => Func::Square,
            _ => return None,
        })
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// An expression over earlier names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    /// A constant inside an expression (not a leaf: it gets no gradient).
    Const(f64),
    /// An earlier name.
    Var(String),
    /// `f(e)`.
    Call(Func, Box<Expr>),
    /// `a op b`.
    Bin(BinOp, Box<Expr>, Box<Expr>),
}

/// One line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    /// `name = 2.0`: a leaf tensor that requires grad.
    Leaf { name: String, value: f64 },
    /// `name = expression`.
    Assign { name: String, expr: Expr },
}

impl Line {
    /// The name the line defines.
    pub fn name(&self) -> &str {
        match self {
            Line::Leaf { name, .. } | Line::Assign { name, .. } => name,
        }
    }
}

/// A parsed program: at least one leaf, the output last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphProgram {
    /// The lines in order.
    pub lines: Vec<Line>,
}

impl GraphProgram {
    /// Parses and checks a program: names defined before use, defined once, at least one
    /// leaf, and an output computed from the leaves.
    pub fn parse(text: &str) -> Result<GraphProgram, LessonError> {
        let err = |why: String| LessonError::widget("graph", why);
        let mut lines: Vec<Line> = Vec::new();
        for raw in text.lines() {
            let code = raw.split('#').next().unwrap_or("").trim();
            if code.is_empty() {
                continue;
            }
            let (name, rhs) = code
                .split_once('=')
                .ok_or_else(|| err(format!("`{code}` is not `name = expression`")))?;
            let name = name.trim();
            if !is_name(name) || Func::parse(name).is_some() {
                return Err(err(format!("`{name}` is not a usable name")));
            }
            if lines.iter().any(|l| l.name() == name) {
                return Err(err(format!("`{name}` is defined twice")));
            }
            let rhs = rhs.trim();
            let line = match rhs.parse::<f64>() {
                Ok(value) if value.is_finite() => Line::Leaf {
                    name: name.to_string(),
                    value,
                },
                Ok(_) => return Err(err(format!("`{name}` must be a finite number"))),
                Err(_) => {
                    let mut p = Parser {
                        tokens: tokenize(rhs).map_err(&err)?,
                        at: 0,
                    };
                    let expr = p.sum().map_err(&err)?;
                    if p.at != p.tokens.len() {
                        return Err(err(format!("unexpected text in `{rhs}`")));
                    }
                    check_names(&expr, &lines).map_err(&err)?;
                    Line::Assign {
                        name: name.to_string(),
                        expr,
                    }
                }
            };
            lines.push(line);
        }
        if lines.len() > MAX_LINES {
            return Err(err(format!("at most {MAX_LINES} lines")));
        }
        if !lines.iter().any(|l| matches!(l, Line::Leaf { .. })) {
            return Err(err("define at least one leaf, like `x = 2.0`".into()));
        }
        if !matches!(lines.last(), Some(Line::Assign { .. })) {
            return Err(err(
                "the last line must compute the output from the leaves".into()
            ));
        }
        Ok(GraphProgram { lines })
    }

    /// The output's name (the last line).
    pub fn output(&self) -> &str {
        self.lines.last().map_or("", Line::name)
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_names(expr: &Expr, defined: &[Line]) -> Result<(), String> {
    match expr {
        Expr::Const(_) => Ok(()),
        Expr::Var(v) if defined.iter().any(|l| l.name() == v) => Ok(()),
        Expr::Var(v) => Err(format!("`{v}` is used before it is defined")),
        Expr::Call(_, e) => check_names(e, defined),
        Expr::Bin(_, a, b) => check_names(a, defined).and(check_names(b, defined)),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Ident(String),
    Sym(char),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push(Token::Sym(c));
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            out.push(Token::Num(
                s.parse().map_err(|_| format!("`{s}` is not a number"))?,
            ));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            return Err(format!("unexpected `{c}`"));
        }
    }
    Ok(out)
}

/// Recursive descent: sum := product (('+'|'-') product)*; product := unary (('*'|'/') unary)*;
/// unary := '-' unary | atom; atom := number | name | func '(' sum ')' | '(' sum ')'.
struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Token::Sym(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat('+') {
                BinOp::Add
            } else if self.eat('-') {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            left = Expr::Bin(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat('*') {
                BinOp::Mul
            } else if self.eat('/') {
                BinOp::Div
            } else {
                return Ok(left);
            };
            left = Expr::Bin(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat('-') {
            let inner = self.unary()?;
            return Ok(Expr::Bin(
                BinOp::Sub,
                Box::new(Expr::Const(0.0)),
                Box::new(inner),
            ));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let token = self.peek().cloned().ok_or("an expression ends too early")?;
        self.at += 1;
        match token {
            Token::Num(v) => Ok(Expr::Const(v)),
            Token::Sym('(') => {
                let inner = self.sum()?;
                if !self.eat(')') {
                    return Err("a `(` is not closed".into());
                }
                Ok(inner)
            }
            Token::Ident(name) => match Func::parse(&name) {
                Some(f) => {
                    if !self.eat('(') {
                        return Err(format!("`{name}` needs parentheses: {name}(x)"));
                    }
                    let arg = self.sum()?;
                    if !self.eat(')') {
                        return Err(format!("`{name}(` is not closed"));
                    }
                    Ok(Expr::Call(f, Box::new(arg)))
                }
                None => Ok(Expr::Var(name)),
            },
            Token::Sym(c) => Err(format!("unexpected `{c}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence_calls_and_comments() {
        let p = GraphProgram::parse("x = 2\nw = -3 # weight\nb = 1\ny = tanh(x * w + b) - -x / 2")
            .expect("parses");
        assert_eq!(p.output(), "y");
        let Some(Line::Assign { expr, .. }) = p.lines.last() else {
            panic!("last line is an assignment")
        };
        let Expr::Bin(BinOp::Sub, left, _) = expr else {
            panic!("subtraction binds last: {expr:?}")
        };
        assert!(matches!(**left, Expr::Call(Func::Tanh, _)));
    }

    #[test]
    fn rejects_bad_programs() {
        for bad in [
            "y = x * 2",
            "x = 1\nx = 2\ny = x",
            "x = 1",
            "x = 1\ny = foo(x)",
            "x = 1\ny = (x",
            "x = 1\ny = x $ 2",
        ] {
            assert!(GraphProgram::parse(bad).is_err(), "{bad:?} should fail");
        }
    }
}
