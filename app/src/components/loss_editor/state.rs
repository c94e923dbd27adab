//! The loss the playground trains with, part of the run settings (shared through Leptos
//! context): the editor writes it, the run settings read it into the `RunSpec`. Checking runs
//! on the page (the language's parser and checker only; evaluation runs in the worker).

use leptos::prelude::*;
use pixelgrad::io::{Imbalance, LossParam, LossSpec};
use pixelgrad::loss::dsl::{analyze, Diagnostic, Env, ParamDecl, Preset};

/// The playground's loss choice and, for studying it, an optional rare class.
#[derive(Debug, Clone, Copy)]
pub struct LossChoice {
    /// Train with the custom source (`true`) or the built-in cross-entropy.
    pub custom: RwSignal<bool>,
    /// The loss-language source in the editor.
    pub source: RwSignal<String>,
    /// Slider values the user moved, by name (sliders not listed keep their default).
    pub values: RwSignal<Vec<(String, f64)>>,
    /// Make one class rare in the training data (`DataSpec.imbalance`).
    pub rare: RwSignal<Option<Imbalance>>,
}

impl LossChoice {
    /// Built-in cross-entropy, the editor opened on the focal-loss preset.
    pub fn new() -> LossChoice {
        let focal = Preset::get("focal").map_or("", |p| p.source);
        LossChoice {
            custom: RwSignal::new(false),
            source: RwSignal::new(focal.to_string()),
            values: RwSignal::new(Vec::new()),
            rare: RwSignal::new(None),
        }
    }

    /// The loss for the run's spec: the built-in cross-entropy, or the custom source with the
    /// values of the sliders it declares. Fails, in words, while the source has errors.
    pub fn spec(&self) -> Result<LossSpec, String> {
        if !self.custom.get_untracked() {
            return Ok(LossSpec::CrossEntropy);
        }
        let source = self.source.get_untracked();
        let checked = Checked::of(&source);
        if let Some(d) = checked.diagnostics.iter().find(|d| d.is_error()) {
            return Err(format!("the custom loss has an error: {}", d.message));
        }
        let values = self.values.get_untracked();
        let params = checked
            .params
            .iter()
            .map(|p| LossParam {
                name: p.name.clone(),
                value: slider_value(p, &values),
            })
            .collect();
        Ok(LossSpec::Custom { source, params })
    }

    /// Sets the editor from a spec's loss and rare class (a shared link, a saved run).
    pub fn restore(&self, loss: &LossSpec, rare: Option<Imbalance>) {
        match loss {
            LossSpec::CrossEntropy => self.custom.set(false),
            LossSpec::Custom { source, params } => {
                self.source.set(source.clone());
                self.values
                    .set(params.iter().map(|p| (p.name.clone(), p.value)).collect());
                self.custom.set(true);
            }
        }
        self.rare.set(rare);
    }

    /// The rare class for the run's data spec, if one is chosen.
    pub fn imbalance(&self) -> Option<Imbalance> {
        self.rare.get_untracked()
    }
}

impl Default for LossChoice {
    fn default() -> Self {
        LossChoice::new()
    }
}

/// What the checker says about a source: diagnostics and declared sliders.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Errors and warnings in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The sliders the source declares.
    pub params: Vec<ParamDecl>,
}

impl Checked {
    /// Parses and checks `source` for the playground's models (plain classifiers).
    pub fn of(source: &str) -> Checked {
        let a = analyze(source, &Env::default());
        Checked {
            diagnostics: a.diagnostics,
            params: a.params,
        }
    }

    /// True when the source is rejected.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The value slider `p` shows: the user's, kept within its range, or its default.
pub fn slider_value(p: &ParamDecl, values: &[(String, f64)]) -> f64 {
    values
        .iter()
        .rev()
        .find(|(n, _)| *n == p.name)
        .map_or(p.default, |&(_, v)| v)
        .clamp(p.lo.min(p.hi), p.hi.max(p.lo))
}
