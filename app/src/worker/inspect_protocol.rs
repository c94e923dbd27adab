//! What the page asks the worker about the current model's insides, and the answers: held-out
//! predictions (for confusion-matrix cells and confident mistakes), example images, first-layer
//! filters, activation maps and saliency. Pictures travel as bytes ready to draw, so the page
//! does no numeric work and stays small.

use pixelgrad::data::base64_bytes;
use serde::{Deserialize, Serialize};

/// Channels a single activation answer carries at most (deep layers have hundreds).
pub const MAX_ACTIVATION_CHANNELS: usize = 64;
/// Filters a single filters answer carries at most.
pub const MAX_FILTERS: usize = 64;
/// Example images one request may ask for.
pub const MAX_EXAMPLES: usize = 64;

/// A question about the current model (the last run's, or the one a link or file brought).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InspectQuery {
    /// The model's prediction for every held-out example of its run.
    HeldOut,
    /// The images of these held-out examples (indices into the run's held-out split).
    Examples {
        /// Held-out indices, at most [`MAX_EXAMPLES`].
        indices: Vec<usize>,
    },
    /// The first layer's weights as pictures.
    Filters,
    /// One held-out example's output of one layer, channel by channel.
    Activations {
        /// Held-out index.
        index: usize,
        /// Dotted module path; `None` for the first layer with a spatial output.
        layer: Option<String>,
    },
    /// The gradient of a class score with respect to one held-out example's pixels.
    Saliency {
        /// Held-out index.
        index: usize,
        /// The class whose score is differentiated; `None` for the predicted class.
        class: Option<usize>,
    },
}

/// A small picture ready to draw: `channels` is 1 (grey) or 3 (RGB), bytes planar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Picture {
    /// 1 or 3.
    pub channels: usize,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// `channels * height * width` bytes, one plane after another.
    #[serde(with = "base64_bytes")]
    pub pixels: Vec<u8>,
}

/// The model's verdict on every held-out example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldOutPredictions {
    /// Optimizer steps the model has had (tells a fresh answer from a stale one).
    pub steps: u64,
    /// Class names, by label.
    pub classes: Vec<String>,
    /// True class of each held-out example.
    pub labels: Vec<usize>,
    /// Predicted class of each.
    pub predicted: Vec<usize>,
    /// Softmax probability of the predicted class.
    pub confidence: Vec<f32>,
}

/// One held-out example's image and true class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExampleImage {
    /// Held-out index.
    pub index: usize,
    /// True class.
    pub label: usize,
    /// The image as stored (before normalization).
    pub picture: Picture,
}

/// The first layer's weights, one picture per output unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    /// The weight's name (`conv1.weight`).
    pub name: String,
    /// Output units in the layer (more than the pictures when capped).
    pub total: usize,
    /// Largest absolute weight: mid-grey is 0, white is `+scale`, black is `-scale`.
    pub scale: f32,
    /// One picture per unit, at most [`MAX_FILTERS`].
    pub pictures: Vec<Picture>,
}

/// One example's output of one layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activations {
    /// Held-out index.
    pub index: usize,
    /// The layer shown.
    pub layer: String,
    /// Layers with a spatial output, in execution order, with their `[C, H, W]` shapes.
    pub layers: Vec<(String, Vec<usize>)>,
    /// Channels the layer has (more than the pictures when capped).
    pub channels: usize,
    /// Smallest and largest value in the layer's output (black and white).
    pub range: (f32, f32),
    /// One grey picture per channel, at most [`MAX_ACTIVATION_CHANNELS`].
    pub pictures: Vec<Picture>,
}

/// Where the class score is most sensitive to the input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saliency {
    /// Held-out index.
    pub index: usize,
    /// The class differentiated.
    pub class: usize,
    /// The example's true class.
    pub label: usize,
    /// Softmax probabilities of the example.
    pub probabilities: Vec<f32>,
    /// The example as the model sees it (stored form).
    pub image: Picture,
    /// `|∂score/∂pixel|`, largest over colour channels, scaled so the peak is 255.
    pub heat: Picture,
}

/// The worker's answer to an [`InspectQuery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InspectAnswer {
    /// Answer to [`InspectQuery::HeldOut`].
    HeldOut(HeldOutPredictions),
    /// Answer to [`InspectQuery::Examples`].
    Examples {
        /// The images asked for.
        images: Vec<ExampleImage>,
    },
    /// Answer to [`InspectQuery::Filters`].
    Filters(Filters),
    /// Answer to [`InspectQuery::Activations`].
    Activations(Activations),
    /// Answer to [`InspectQuery::Saliency`].
    Saliency(Saliency),
    /// A query could not be answered, in words.
    Failed {
        /// Which query (`held_out`, `filters`, ...).
        query: String,
        /// Why, and what to do.
        message: String,
    },
}

impl InspectQuery {
    /// The query's kind, as [`InspectAnswer::Failed`] names it.
    pub fn kind(&self) -> &'static str {
        match self {
            InspectQuery::HeldOut => "held_out",
            InspectQuery::Examples { .. } => "examples",
            InspectQuery::Filters => "filters",
            InspectQuery::Activations { .. } => "activations",
            InspectQuery::Saliency { .. } => "saliency",
        }
    }
}
