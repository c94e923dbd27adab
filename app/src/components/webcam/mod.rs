//! The webcam: camera access, hold-to-record capture per class, and live prediction.

pub mod camera;
pub mod live_prediction;
pub mod prediction_bars;
pub mod record_button;
pub mod webcam_panel;
