//! What the checker tells the editor: a severity, a byte span into the source, a message and
//! optionally a fix the editor can apply with one click.

use serde::{Deserialize, Serialize};

/// A byte range `start..end` of the loss source. Every span the language reports satisfies
/// `start <= end <= source.len()` and lies on `char` boundaries, so the editor can slice with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The covered text (empty if the span does not fit the source).
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// Errors reject the source; warnings are shown but the loss still trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The source is rejected.
    Error,
    /// Accepted, but likely not what the user wants.
    Warning,
}

/// A suggested edit: replace the text at `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// What the button says, e.g. "clamp the divisor away from zero".
    pub label: String,
    /// The text to replace.
    pub span: Span,
    /// What to put there.
    pub replacement: String,
}

/// One message about the source, anchored at the span that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The bytes that caused it.
    pub span: Span,
    /// What is wrong and what to do, in one or two sentences.
    pub message: String,
    /// An edit that resolves it, when there is an obvious one.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            fix: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    /// Attaches a fix.
    pub fn with_fix(mut self, label: impl Into<String>, span: Span, replacement: String) -> Self {
        self.fix = Some(Fix {
            label: label.into(),
            span,
            replacement,
        });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{kind} at {}..{}: {}",
            self.span.start, self.span.end, self.message
        )
    }
}

/// The closest of `candidates` to `name` by edit distance, if close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1) + 1;
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}

/// Levenshtein distance on chars (names are at most 64 characters, so O(n·m) is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["logits", "log_probs", "probs", "target"];
        assert_eq!(did_you_mean("logit", names.into_iter()), Some("logits"));
        assert_eq!(did_you_mean("prob", names.into_iter()), Some("probs"));
        assert_eq!(did_you_mean("zzzzzz", names.into_iter()), None);
    }
}
