//! The course: every lesson file, compiled in with `include_str!` and parsed once.

use std::sync::OnceLock;

use super::document::Lesson;
use super::error::LessonError;
use super::parse::parse_lesson;

/// `(file name, text)` of every lesson, in course order.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "01-tensors-autograd.md",
        include_str!("../../lessons/01-tensors-autograd.md"),
    ),
    ("02-mlp.md", include_str!("../../lessons/02-mlp.md")),
    (
        "03-convolutions.md",
        include_str!("../../lessons/03-convolutions.md"),
    ),
    ("04-lenet.md", include_str!("../../lessons/04-lenet.md")),
    (
        "05-overfitting.md",
        include_str!("../../lessons/05-overfitting.md"),
    ),
    ("06-losses.md", include_str!("../../lessons/06-losses.md")),
    ("07-metrics.md", include_str!("../../lessons/07-metrics.md")),
    ("08-resnet.md", include_str!("../../lessons/08-resnet.md")),
    ("09-resnext.md", include_str!("../../lessons/09-resnext.md")),
    (
        "10-densenet.md",
        include_str!("../../lessons/10-densenet.md"),
    ),
    (
        "11-mobilenet.md",
        include_str!("../../lessons/11-mobilenet.md"),
    ),
    (
        "12-efficientnet.md",
        include_str!("../../lessons/12-efficientnet.md"),
    ),
    ("13-vit.md", include_str!("../../lessons/13-vit.md")),
    (
        "14-convnext.md",
        include_str!("../../lessons/14-convnext.md"),
    ),
    (
        "15-transfer-learning.md",
        include_str!("../../lessons/15-transfer-learning.md"),
    ),
    (
        "16-ensembles-quantization.md",
        include_str!("../../lessons/16-ensembles-quantization.md"),
    ),
    ("17-pytorch.md", include_str!("../../lessons/17-pytorch.md")),
];

/// A lesson file that failed to parse: its name and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenLesson {
    /// The file name under `app/lessons/`.
    pub file: &'static str,
    /// What is wrong.
    pub error: LessonError,
}

/// Every lesson file parsed, in course order (parsed on first use).
pub fn all() -> &'static [Result<Lesson, BrokenLesson>] {
    static PARSED: OnceLock<Vec<Result<Lesson, BrokenLesson>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(file, text)| parse_lesson(text).map_err(|error| BrokenLesson { file, error }))
            .collect()
    })
}

/// The lesson with this id, if it parsed.
pub fn find(id: &str) -> Option<&'static Lesson> {
    all()
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .find(|l| l.id == id)
}

/// The lessons that parsed, in course order.
pub fn lessons() -> impl Iterator<Item = &'static Lesson> {
    all().iter().filter_map(|l| l.as_ref().ok())
}
