//! Source generators shared by the loss-language fuzz test and the PyTorch differential
//! test: grammar-directed programs over the language's names and functions, and mutations
//! (deletions, insertions of junk and operators, duplications, truncations).

#![allow(dead_code)]

use pixelgrad::loss::dsl::FUNCTIONS;

pub use crate::splitmix::Gen;

pub const NAMES: &[&str] = &[
    "logits",
    "probs",
    "log_probs",
    "target",
    "onehot",
    "class_weights",
    "features",
    "aux",
    "logit",
    "x",
    "y",
    "gamma",
    "w",
    "B",
    "C",
    "true",
    "false",
    "let",
    "param",
    "in",
];
pub const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "0.5",
    "1e-12",
    "1e400",
    ".5",
    "3.",
    "-1",
    "1e",
    "12345678901234567890",
];
pub const OPS: &[&str] = &[
    "+", "-", "*", "/", "^", "**", "<", "<=", ">", ">=", "==", "!=", "=",
];
pub const JUNK: &[&str] = &[
    "(",
    ")",
    ",",
    ";",
    "..",
    "#",
    "//",
    "\n",
    " ",
    "é",
    "∑",
    "\u{202e}",
    "🙂",
    "\0",
    "!",
    "[",
    "\"",
    "\t",
    "let",
    "param g = 1 in 0..2",
    "mean(",
    "))))",
    "((((",
    "-",
    "-----",
];

pub fn expr(g: &mut Gen, depth: usize, out: &mut String) {
    if depth > 6 || g.chance(0.25) {
        if g.chance(0.6) {
            out.push_str(g.pick(NAMES));
        } else {
            out.push_str(g.pick(NUMBERS));
        }
        return;
    }
    match g.below(5) {
        0 => {
            let f = FUNCTIONS[g.below(FUNCTIONS.len())].name;
            out.push_str(if g.chance(0.05) { "mean_" } else { f });
            out.push('(');
            let n = g.below(4);
            for i in 0..n {
                if i > 0 {
                    out.push_str(", ");
                }
                if i > 0 && g.chance(0.5) {
                    out.push_str(g.pick(&["0", "1", "-1", "2", "true", "false", "1.5"]));
                } else {
                    expr(g, depth + 1, out);
                }
            }
            out.push(')');
        }
        1 => {
            expr(g, depth + 1, out);
            out.push(' ');
            out.push_str(g.pick(OPS));
            out.push(' ');
            expr(g, depth + 1, out);
        }
        2 => {
            out.push('-');
            expr(g, depth + 1, out);
        }
        3 => {
            out.push('(');
            expr(g, depth + 1, out);
            out.push(')');
        }
        _ => out.push_str(g.pick(JUNK)),
    }
}

pub fn program(g: &mut Gen) -> String {
    let mut s = String::new();
    for _ in 0..g.below(3) {
        let lo = g.pick(&["0", "-1", "2", "0.1"]);
        let hi = g.pick(&["5", "1", "0", "10"]);
        let name = g.pick(&["gamma", "w", "lambda", "logits", "exp"]);
        s.push_str(&format!(
            "param {name} = {} in {lo}..{hi}\n",
            g.pick(NUMBERS)
        ));
    }
    for _ in 0..g.below(4) {
        s.push_str(&format!(
            "let {} = ",
            g.pick(&["x", "y", "w", "probs", "z"])
        ));
        expr(g, 1, &mut s);
        s.push_str(g.pick(&["\n", "; ", " ", " # note\n"]));
    }
    if g.chance(0.5) {
        s.push_str("mean(");
        expr(g, 1, &mut s);
        s.push(')');
    } else {
        expr(g, 0, &mut s);
    }
    s
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn mutate(g: &mut Gen, src: &str) -> String {
    let mut s = src.to_string();
    for _ in 0..1 + g.below(4) {
        let a = boundary(&s, g.below(s.len() + 1));
        let b = boundary(&s, a + g.below(12));
        match g.below(6) {
            0 => s.replace_range(a..b, ""),
            1 => s.insert_str(a, g.pick(JUNK)),
            2 => s.insert_str(a, g.pick(OPS)),
            3 => {
                let piece = s[a..b].to_string();
                s.insert_str(b, &piece);
            }
            4 => s.truncate(a),
            _ => s.insert_str(a, g.pick(NAMES)),
        }
    }
    s
}

/// Shape classes of the well-typed generator.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Const,
    Rows,
    Table,
    Features,
}

const UNARY: &[&str] = &[
    "exp", "log", "sqrt", "abs", "square", "relu", "sigmoid", "tanh", "softplus", "sign", "detach",
];
const CMP: &[&str] = &["<", "<=", ">", ">=", "==", "!="];

/// A well-typed expression of shape class `k` (`Rows` = `[B]`, `Table` = `[B, C]`,
/// `Features` = `[B, F]`), so most generated programs pass the checker and exercise the
/// lowering and the export deeply.
pub fn typed(g: &mut Gen, k: Kind, depth: usize, grad_norm_ok: bool, out: &mut String) {
    let leaf = depth > 4 || g.chance(0.2);
    match k {
        Kind::Const => {
            if leaf || g.chance(0.5) {
                out.push_str(g.pick(&["2", "0.5", "1e-3", "gamma", "3", "-1.5"]));
            } else {
                out.push('(');
                typed(g, Kind::Const, depth + 1, grad_norm_ok, out);
                out.push_str(g.pick(&[" + ", " * ", " - ", " / "]));
                typed(g, Kind::Const, depth + 1, grad_norm_ok, out);
                out.push(')');
            }
        }
        Kind::Features if leaf => out.push_str("features"),
        Kind::Table if leaf => {
            out.push_str(g.pick(&["logits", "probs", "log_probs", "aux", "(onehot * logits)"]))
        }
        Kind::Rows if leaf => {
            let t = g.pick(&["logits", "log_probs", "probs", "aux"]);
            out.push_str(&format!("gather({t}, target)"));
        }
        _ => {
            let choice = g.below(7);
            match choice {
                0 => {
                    out.push_str(g.pick(UNARY));
                    out.push('(');
                    typed(g, k, depth + 1, grad_norm_ok, out);
                    out.push(')');
                }
                1 | 2 => {
                    out.push('(');
                    typed(g, k, depth + 1, grad_norm_ok, out);
                    out.push_str(g.pick(&[" + ", " * ", " - ", " / ", " ^ "]));
                    let rhs = if g.chance(0.5) { Kind::Const } else { k };
                    typed(g, rhs, depth + 1, grad_norm_ok, out);
                    out.push(')');
                }
                3 => {
                    let f = g.pick(&["maximum", "minimum", "pow"]);
                    out.push_str(&format!("{f}("));
                    typed(g, k, depth + 1, grad_norm_ok, out);
                    out.push_str(", ");
                    typed(g, Kind::Const, depth + 1, grad_norm_ok, out);
                    out.push(')');
                }
                4 => {
                    out.push_str("where(");
                    typed(g, k, depth + 1, grad_norm_ok, out);
                    out.push_str(&format!(" {} ", g.pick(CMP)));
                    typed(g, Kind::Const, depth + 1, grad_norm_ok, out);
                    out.push_str(", ");
                    typed(g, k, depth + 1, grad_norm_ok, out);
                    out.push_str(", ");
                    typed(g, k, depth + 1, grad_norm_ok, out);
                    out.push(')');
                }
                5 => {
                    out.push_str("clamp(");
                    typed(g, k, depth + 1, grad_norm_ok, out);
                    out.push_str(g.pick(&[", -1)", ", -0.5, 0.5)", ", 0.1, 3)"]));
                }
                _ => match k {
                    Kind::Table => {
                        let f = g.pick(&["softmax", "log_softmax", "center"]);
                        if f == "center" {
                            out.push('(');
                            typed(g, k, depth + 1, grad_norm_ok, out);
                            let r = g.pick(&["mean", "sum", "max", "min", "logsumexp", "norm"]);
                            out.push_str(&format!(" - {r}(logits, 1, true))"));
                        } else {
                            out.push_str(&format!("{f}("));
                            typed(g, k, depth + 1, grad_norm_ok, out);
                            out.push_str(g.pick(&[", 1)", ", -1)", ")"]));
                        }
                    }
                    Kind::Rows => {
                        if grad_norm_ok && g.chance(0.2) {
                            out.push_str("grad_norm(");
                            typed(g, Kind::Rows, depth + 1, false, out);
                            out.push(')');
                        } else {
                            let r = g.pick(&["mean", "sum", "max", "min", "logsumexp", "norm"]);
                            let src = if g.chance(0.8) {
                                Kind::Table
                            } else {
                                Kind::Features
                            };
                            out.push_str(&format!("{r}("));
                            typed(g, src, depth + 1, grad_norm_ok, out);
                            out.push_str(", 1)");
                        }
                    }
                    _ => {
                        out.push_str("tanh(");
                        typed(g, k, depth + 1, grad_norm_ok, out);
                        out.push(')');
                    }
                },
            }
        }
    }
}

/// A well-typed program: a slider, a `let` or two, and a scalar result.
pub fn typed_program(g: &mut Gen) -> String {
    let mut s = String::from("param gamma = 1.5 in 0..4\n");
    let mut kinds = Vec::new();
    for name in ["a", "b"] {
        if g.chance(0.6) {
            let k = [Kind::Table, Kind::Rows][g.below(2)];
            s.push_str(&format!("let {name} = "));
            typed(g, k, 1, true, &mut s);
            s.push('\n');
            kinds.push((name, k));
        }
    }
    let r = g.pick(&["mean", "sum", "max", "logsumexp", "norm"]);
    s.push_str(&format!("{r}("));
    let k = [Kind::Table, Kind::Rows][g.below(2)];
    typed(g, k, 1, true, &mut s);
    s.push(')');
    for (name, k) in kinds {
        let r = g.pick(&["mean", "sum", "min"]);
        let _ = k;
        s.push_str(&format!(" + gamma * {r}({name})"));
    }
    if !s.contains("gamma *") && !s.contains("gamma") {
        s.push_str(" * gamma");
    }
    s
}
