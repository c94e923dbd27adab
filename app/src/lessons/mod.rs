//! The lesson engine: lessons are Markdown files in `app/lessons/` (front matter, one `## `
//! section per step, fenced blocks for widgets and checks), compiled in and parsed into typed
//! [`document::Lesson`]s. The page shows one step at a time; a step's checks unlock "Next".
//! Computation that needs the model zoo or autograd (graph values, model summaries) runs in
//! the training worker ([`query`]), so the page's wasm stays small.

pub mod attention;
pub mod catalog;
pub mod check;
pub mod conv_math;
pub mod document;
pub mod error;
pub mod graph_eval;
pub mod graph_program;
pub mod parse;
pub mod progress;
pub mod query;
pub mod run;
pub mod step_view;
pub mod widgets;

#[cfg(test)]
mod tests;
