//! The augmentation preview's messages: which training images to augment and how, and the
//! pictures the worker sends back, ready to draw.

use pixelgrad::data::base64_bytes;
use serde::{Deserialize, Serialize};

/// Which training images to augment, how, and with which seed: the first `count` images of
/// the loaded set's training split, in epochs `0..epochs`, drawn from the same seeded streams
/// training uses (so the preview is exactly what a run with this seed sees, when it holds
/// nothing out for validation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentPreviewRequest {
    /// Chosen by the asking widget, to match its answer.
    pub id: u64,
    /// The augmentation recipe.
    pub pipeline: pixelgrad::data::Pipeline,
    /// The run's seed.
    pub seed: u64,
    /// Images to show (at most 16).
    pub count: usize,
    /// Epochs to draw each image in (at most 4).
    pub epochs: usize,
}

/// One image for the page to draw: 8-bit, interleaved channels (1 grey or 3 RGB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewImage {
    /// 1 or 3.
    pub channels: usize,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// `height * width * channels` bytes.
    #[serde(with = "base64_bytes")]
    pub pixels: Vec<u8>,
}

/// The answer to [`Command::PreviewAugment`](super::Command::PreviewAugment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentPreview {
    /// The request's id.
    pub id: u64,
    /// The untouched images, then for each epoch the augmented ones (`rows[0]` is original).
    pub rows: Vec<Vec<PreviewImage>>,
    /// Class names of the images, in column order.
    pub labels: Vec<String>,
    /// Why no preview could be made (no data set loaded, an invalid pipeline), if so.
    pub error: Option<String>,
}
