//! The typed form of a lesson file: what the page shows and what the tests validate. A lesson
//! is a list of steps; each step has prose (already HTML), widgets, and checks that must pass
//! before the learner may go on.

use super::check::Check;
use super::conv_math::ConvSettings;
use super::graph_program::GraphProgram;
use super::run::{LessonModel, LessonRun};

/// One lesson, as parsed from `app/lessons/<id>.md`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// URL segment (`/lesson/<id>`), from the front matter.
    pub id: String,
    /// Position in the course, from 1.
    pub number: u32,
    /// Heading.
    pub title: String,
    /// One sentence for the course outline.
    pub summary: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step: a `## ` section of the lesson file.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The section heading.
    pub title: String,
    /// The prose rendered to HTML (trusted: lessons are compiled into the app).
    pub html: String,
    /// Interactive figures, in the order they appear.
    pub widgets: Vec<Widget>,
    /// Conditions that unlock "Next"; all must hold.
    pub checks: Vec<Check>,
}

/// A figure the learner can interact with.
#[derive(Debug, Clone, PartialEq)]
pub enum Widget {
    /// A small expression's computation graph with values, gradients and a gradient check.
    Graph(GraphProgram),
    /// Convolution geometry: output size formula and parameter count.
    Conv(ConvSettings),
    /// A model's block diagram with output shapes and parameter counts.
    Model(LessonModel),
    /// A training run with live curves and the confusion matrix.
    Train(Box<LessonRun>),
    /// A multiple-choice question.
    Quiz(Quiz),
    /// The current ViT's attention maps on the learner's picture; the flag is whether the
    /// invert box starts ticked.
    Attention(bool),
}

impl Widget {
    /// The fenced-block name that introduces this widget in a lesson file.
    pub fn kind(&self) -> &'static str {
        match self {
            Widget::Graph(_) => "graph",
            Widget::Conv(_) => "conv",
            Widget::Model(_) => "model",
            Widget::Train(_) => "run",
            Widget::Quiz(_) => "quiz",
            Widget::Attention(_) => "attention",
        }
    }
}

/// A multiple-choice question with one right answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Quiz {
    /// The question.
    pub question: String,
    /// The choices, shown in this order.
    pub options: Vec<String>,
    /// Index of the right choice.
    pub answer: usize,
    /// Why the answer is right, shown once it is chosen.
    pub explanation: String,
}
