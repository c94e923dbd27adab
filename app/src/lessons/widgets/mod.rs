//! Widgets lessons share, one per file. Each reads its block's settings and writes what it
//! measures into the step's [`Observed`](crate::lessons::check::Observed), where the step's
//! checks read it.

pub mod ask;
pub mod attention_view;
pub mod conv_explorer;
pub mod graph_view;
pub mod model_diagram;
pub mod quiz_view;
pub mod train_view;
