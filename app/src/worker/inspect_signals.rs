//! The page's copy of the worker's look-inside answers, one signal per kind of answer, so the
//! results and inspect panels each redraw only when their own answer changes.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::inspect_protocol::{
    Activations, ExampleImage, Filters, HeldOutPredictions, InspectAnswer, Saliency,
};

/// The latest answer of each kind, and the held-out images fetched so far.
#[derive(Clone, Copy)]
pub struct InspectSignals {
    /// Predictions on every held-out example of the current model's run.
    pub held_out: RwSignal<Option<HeldOutPredictions>>,
    /// Held-out images by index (they depend on the run's split, not on the weights).
    pub examples: RwSignal<BTreeMap<usize, ExampleImage>>,
    /// The first layer's weights.
    pub filters: RwSignal<Option<Filters>>,
    /// One example's feature maps.
    pub activations: RwSignal<Option<Activations>>,
    /// One example's saliency map.
    pub saliency: RwSignal<Option<Saliency>>,
    /// The last failure of each kind of query (`held_out`, `filters`, ...), in words.
    pub errors: RwSignal<BTreeMap<String, String>>,
}

impl Default for InspectSignals {
    fn default() -> Self {
        InspectSignals::new()
    }
}

impl InspectSignals {
    /// Empty signals.
    pub fn new() -> InspectSignals {
        InspectSignals {
            held_out: RwSignal::new(None),
            examples: RwSignal::new(BTreeMap::new()),
            filters: RwSignal::new(None),
            activations: RwSignal::new(None),
            saliency: RwSignal::new(None),
            errors: RwSignal::new(BTreeMap::new()),
        }
    }

    /// Files an answer from the worker under its kind.
    pub fn receive(&self, answer: InspectAnswer) {
        let clear = |kind: &str| {
            if self.errors.with_untracked(|e| e.contains_key(kind)) {
                self.errors.update(|e| {
                    e.remove(kind);
                });
            }
        };
        match answer {
            InspectAnswer::HeldOut(p) => {
                clear("held_out");
                // A new run may hold out other examples: drop the images of the old split.
                self.examples.set(BTreeMap::new());
                self.held_out.set(Some(p));
            }
            InspectAnswer::Examples { images } => {
                clear("examples");
                self.examples.update(|cache| {
                    for image in images {
                        cache.insert(image.index, image);
                    }
                });
            }
            InspectAnswer::Filters(f) => {
                clear("filters");
                self.filters.set(Some(f));
            }
            InspectAnswer::Activations(a) => {
                clear("activations");
                self.activations.set(Some(a));
            }
            InspectAnswer::Saliency(s) => {
                clear("saliency");
                self.saliency.set(Some(s));
            }
            InspectAnswer::Failed { query, message } => {
                self.errors.update(|e| {
                    e.insert(query, message);
                });
            }
        }
    }
}
