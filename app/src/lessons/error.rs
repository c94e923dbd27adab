//! What can be wrong with a lesson file. The native test parses every lesson, so these surface
//! in `cargo test` with the lesson, the step and the offending text.

/// A lesson file that does not follow the format (see `app/lessons/README.md`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LessonError {
    /// The file does not start with a `---` front matter block, or it is not closed.
    #[error("the file must start with front matter between two `---` lines")]
    NoFrontMatter,
    /// A front matter line is not `key: value`, or the key is unknown or repeated.
    #[error("front matter: {0}")]
    FrontMatter(String),
    /// A step-level problem: which step (1-based) and what.
    #[error("step {step} (\"{title}\"): {source}")]
    InStep {
        /// 1-based step number.
        step: usize,
        /// The step's heading.
        title: String,
        /// What is wrong.
        #[source]
        source: Box<LessonError>,
    },
    /// Text before the first `## ` step heading other than blank lines.
    #[error("prose before the first `## ` step heading")]
    ProseBeforeFirstStep,
    /// A fenced block names a widget the engine does not know.
    #[error("unknown block `{0}` (graph, conv, model, run, quiz, check)")]
    UnknownBlock(String),
    /// A check line does not parse.
    #[error("check `{text}`: {why}")]
    Check {
        /// The line.
        text: String,
        /// What is wrong.
        why: String,
    },
    /// A widget block does not parse.
    #[error("{widget} block: {why}")]
    Widget {
        /// The block name.
        widget: &'static str,
        /// What is wrong.
        why: String,
    },
    /// A check needs a widget the step does not have.
    #[error("check `{check}` needs a `{needs}` block in the same step")]
    CheckWithoutWidget {
        /// The check.
        check: String,
        /// The widget kinds that report it.
        needs: String,
    },
    /// No `## ` step heading at all (an empty or cut-off file).
    #[error("the lesson has no steps: each step starts with a `## ` heading")]
    NoSteps,
    /// A step has no widget to look at or use.
    #[error("a step needs at least one widget (graph, conv, model, run or quiz)")]
    NoWidget,
    /// Too many widgets of a kind whose state a check reads.
    #[error("at most one `{0}` block per step")]
    Duplicate(&'static str),
}

impl LessonError {
    /// Shorthand for a widget parse error.
    pub fn widget(widget: &'static str, why: impl Into<String>) -> LessonError {
        LessonError::Widget {
            widget,
            why: why.into(),
        }
    }
}
