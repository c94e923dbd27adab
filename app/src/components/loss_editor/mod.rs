//! The custom-loss editor: choose the built-in cross-entropy or write a loss in the loss
//! language, with highlighting, squiggles at the checker's spans, fixes, presets, sliders, a
//! live value, a gradient check and the loss-vs-probability plot. What it chooses is read from
//! the [`LossChoice`] context into the run's spec.

mod code_area;
mod diagnostics_list;
pub mod highlight;
mod live_panel;
mod param_sliders;
mod preset_picker;
mod rare_class;
mod state;

pub use state::{Checked, LossChoice};

use leptos::html::Textarea;
use leptos::prelude::*;

use crate::components::run_settings::RunSettings;
use code_area::CodeArea;
use diagnostics_list::DiagnosticsList;
use live_panel::LivePanel;
use param_sliders::ParamSliders;
use preset_picker::PresetPicker;
use rare_class::RareClass;

/// The loss panel of the playground: edits `choice` (a lesson's), else the [`RunSettings`]'
/// loss (a fresh choice when there are no run settings in context).
#[component]
pub fn LossEditor(#[prop(optional)] choice: Option<LossChoice>) -> impl IntoView {
    let choice = choice
        .unwrap_or_else(|| use_context::<RunSettings>().map_or_else(LossChoice::new, |s| s.loss));
    let checked = Memo::new(move |_| choice.source.with(|s| Checked::of(s)));
    let textarea = NodeRef::<Textarea>::new();
    let custom = choice.custom;
    view! {
        <section class="panel loss-panel" data-testid="loss-editor" aria-labelledby="loss-title">
            <h2 id="loss-title">"Loss"</h2>
            <fieldset class="loss-kind">
                <legend>"Train with"</legend>
                <label class="check">
                    <input type="radio" name="loss-kind" data-testid="loss-builtin"
                        prop:checked=move || !custom.get() on:change=move |_| custom.set(false) />
                    "the built-in cross-entropy"
                </label>
                <label class="check">
                    <input type="radio" name="loss-kind" data-testid="loss-custom"
                        prop:checked=move || custom.get() on:change=move |_| custom.set(true) />
                    "a loss I write"
                </label>
            </fieldset>
            <Show when=move || custom.get()>
                <PresetPicker source=choice.source values=choice.values />
                <CodeArea source=choice.source checked textarea />
                <DiagnosticsList source=choice.source checked textarea />
                <ParamSliders checked values=choice.values />
                <LivePanel choice checked />
            </Show>
            <RareClass rare=choice.rare />
        </section>
    }
}
