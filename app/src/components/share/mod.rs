//! Sharing a run: the Share button and dialog (a `pg1.` link, or a `.pixelgrad` file when the
//! link would be too long), opening a shared link on load, and predictions to compare runs.

pub mod browser;
pub mod link_opener;
pub mod predict_strip;
pub mod share_panel;
