//! What the app keeps in the browser: runs (spec, curves, state) and their checkpoints in
//! IndexedDB, so a reload, even mid-run, loses nothing that was saved; and what the page says
//! when a save fails.

pub mod alert;
pub mod idb;
pub mod recorder;
pub mod runs;
