//! Splits a loss source into coloured pieces for the editor's overlay: token classes for
//! syntax highlighting, grouped under the checker's diagnostic spans for the squiggles. A
//! best-effort scanner of its own (rather than the language's lexer), so text the lexer
//! rejects is still coloured up to and past the error.

use pixelgrad::loss::dsl::{Diagnostic, Severity, FUNCTIONS, INPUTS};

/// What a piece of source is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenClass {
    /// `# ...` or `// ...` to the end of the line.
    Comment,
    /// A number literal.
    Number,
    /// `param`, `let`, `in`, `true`, `false`.
    Keyword,
    /// A built-in function's name.
    Function,
    /// A model input (`logits`, `target`, ...).
    Input,
    /// Any other name, operator, bracket or space.
    Plain,
}

impl TokenClass {
    /// The CSS class that colours it.
    pub fn css(self) -> &'static str {
        match self {
            TokenClass::Comment => "tok-comment",
            TokenClass::Number => "tok-number",
            TokenClass::Keyword => "tok-keyword",
            TokenClass::Function => "tok-function",
            TokenClass::Input => "tok-input",
            TokenClass::Plain => "tok-plain",
        }
    }
}

/// A run of source text of one class.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The text.
    pub text: String,
    /// Its colour.
    pub class: TokenClass,
}

/// A stretch of source under at most one diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Index into the diagnostics, when the stretch is squiggled.
    pub diagnostic: Option<usize>,
    /// Byte range in the source (a zero-width diagnostic gets an empty range).
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The coloured pieces.
    pub tokens: Vec<Token>,
}

/// The source as regions: squiggled ones for diagnostics (errors before warnings; one that
/// overlaps an earlier-kept one is left out of the overlay but still listed below it) and
/// plain ones between them.
pub fn regions(source: &str, diagnostics: &[Diagnostic]) -> Vec<Region> {
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by_key(|&i| (diagnostics[i].severity != Severity::Error, i));
    let mut kept: Vec<(usize, usize, usize)> = Vec::new();
    for i in order {
        let span = diagnostics[i].span;
        let (start, end) = (span.start.min(source.len()), span.end.min(source.len()));
        if !source.is_char_boundary(start) || !source.is_char_boundary(end) {
            continue;
        }
        let overlaps = kept
            .iter()
            .any(|&(s, e, _)| start < e && s < end || (start == end && (s..e).contains(&start)));
        if !overlaps {
            kept.push((start, end, i));
        }
    }
    kept.sort();
    let tokens = tokens(source);
    let mut out = Vec::new();
    let mut at = 0;
    for (start, end, i) in kept {
        if start > at {
            out.push(plain_region(&tokens, at, start));
        }
        out.push(Region {
            diagnostic: Some(i),
            ..plain_region(&tokens, start, end)
        });
        at = at.max(end);
    }
    if at < source.len() || out.is_empty() {
        out.push(plain_region(&tokens, at, source.len()));
    }
    out
}

fn plain_region(tokens: &[(usize, usize, TokenClass, &str)], start: usize, end: usize) -> Region {
    let pieces = tokens
        .iter()
        .filter(|(s, e, _, _)| *s < end && start < *e)
        .map(|&(s, e, class, text)| {
            let (from, to) = (s.max(start) - s, e.min(end) - s);
            Token {
                text: text[from..to].to_string(),
                class,
            }
        })
        .collect();
    Region {
        diagnostic: None,
        start,
        end,
        tokens: pieces,
    }
}

/// `(start, end, class, text)` of every token, covering the whole source.
fn tokens(source: &str) -> Vec<(usize, usize, TokenClass, &str)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &source[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let (len, class) = if c == '#' || rest.starts_with("//") {
            (rest.find('\n').unwrap_or(rest.len()), TokenClass::Comment)
        } else if c.is_ascii_digit()
            || (c == '.'
                && !source[..i].ends_with('.')
                && rest[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            (number_len(rest), TokenClass::Number)
        } else if c.is_ascii_alphabetic() || c == '_' {
            let len = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            (len, name_class(&rest[..len]))
        } else {
            (c.len_utf8(), TokenClass::Plain)
        };
        out.push((i, i + len, class, &source[i..i + len]));
        i += len.max(1);
    }
    out
}

/// Digits, one dot, and an exponent; stops before `..` (a slider range).
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
    };
    digits(&mut i);
    if i < b.len() && b[i] == b'.' && b.get(i + 1) != Some(&b'.') {
        i += 1;
        digits(&mut i);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = j;
            digits(&mut i);
        }
    }
    i.max(1)
}

fn name_class(name: &str) -> TokenClass {
    if matches!(name, "param" | "let" | "in" | "true" | "false") {
        TokenClass::Keyword
    } else if FUNCTIONS.iter().any(|f| f.name == name) {
        TokenClass::Function
    } else if INPUTS.iter().any(|(n, _)| *n == name) {
        TokenClass::Input
    } else {
        TokenClass::Plain
    }
}

/// 1-based line and column (in characters) of byte `at`, for messages.
pub fn line_col(source: &str, at: usize) -> (usize, usize) {
    let before = source.get(..at.min(source.len())).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pixelgrad::loss::dsl::{analyze, Env};

    fn flat(regions: &[Region]) -> String {
        regions
            .iter()
            .flat_map(|r| r.tokens.iter().map(|t| t.text.as_str()))
            .collect()
    }

    #[test]
    fn classes_cover_the_source_exactly() {
        let src = "param gamma = 2.0 in 0..5  # focal\nlet pt = exp(gather(log_probs, target))\nmean(-(1 - pt)^gamma * 1e-3)";
        let r = regions(src, &[]);
        assert_eq!(flat(&r), src);
        let classes: Vec<(String, TokenClass)> = r[0]
            .tokens
            .iter()
            .filter(|t| t.class != TokenClass::Plain)
            .map(|t| (t.text.clone(), t.class))
            .collect();
        let want = [
            ("param", TokenClass::Keyword),
            ("2.0", TokenClass::Number),
            ("in", TokenClass::Keyword),
            ("0", TokenClass::Number),
            ("5", TokenClass::Number),
            ("# focal", TokenClass::Comment),
            ("let", TokenClass::Keyword),
            ("exp", TokenClass::Function),
            ("gather", TokenClass::Function),
            ("log_probs", TokenClass::Input),
            ("target", TokenClass::Input),
            ("mean", TokenClass::Function),
            ("1", TokenClass::Number),
            ("1e-3", TokenClass::Number),
        ];
        let want: Vec<(String, TokenClass)> =
            want.iter().map(|(t, c)| (t.to_string(), *c)).collect();
        assert_eq!(classes, want);
    }

    #[test]
    fn a_typo_is_one_squiggled_region_at_its_bytes() {
        let src = "let pt = exp(gather(log_prob, target))\nmean(-pt)";
        let a = analyze(src, &Env::default());
        let r = regions(src, &a.diagnostics);
        assert_eq!(flat(&r), src);
        let squiggled: Vec<&Region> = r.iter().filter(|r| r.diagnostic.is_some()).collect();
        assert_eq!(squiggled.len(), 1);
        assert_eq!((squiggled[0].start, squiggled[0].end), (20, 28));
        assert_eq!(&src[20..28], "log_prob");
        assert_eq!(line_col(src, 20), (1, 21));
        assert_eq!(line_col(src, 40), (2, 2));
    }

    #[test]
    fn odd_text_and_zero_width_spans_never_panic() {
        for src in ["", "é + ∑", "mean(", "1..", ".5e+", "param = in", "#"] {
            let a = analyze(src, &Env::default());
            let r = regions(src, &a.diagnostics);
            assert_eq!(flat(&r), src, "{src:?}");
        }
    }
}
