//! The loss menu: every preset of the language, opened as ordinary source the user can read
//! and change.

use leptos::prelude::*;
use pixelgrad::loss::dsl::{Preset, PRESETS};

/// A select that replaces the source with a preset's (and resets the sliders).
#[component]
pub fn PresetPicker(
    /// The text being edited.
    source: RwSignal<String>,
    /// Slider values, reset with a new preset.
    values: RwSignal<Vec<(String, f64)>>,
) -> impl IntoView {
    // The preset whose text is in the editor, if unchanged.
    let current = move || {
        source.with(|s| {
            PRESETS
                .iter()
                .find(|p| p.source == s)
                .map_or("", |p| p.name)
        })
    };
    let pick = move |e: leptos::ev::Event| {
        if let Some(p) = Preset::get(&event_target_value(&e)) {
            values.set(Vec::new());
            source.set(p.source.to_string());
        }
    };
    let needs = move || {
        Preset::get(current())
            .filter(|p| !p.heads.is_empty())
            .map(|p| {
                view! {
                    <p class="detail" data-testid="preset-needs">
                        {format!("Needs a model with an extra output head ({}); the playground's models have one output, so the checker flags it.", p.heads.join(", "))}
                    </p>
                }
            })
    };
    view! {
        <label class="preset-picker">"Start from"
            <select data-testid="loss-preset" on:change=pick prop:value=current>
                <option value="">"(your own loss)"</option>
                {PRESETS.iter().map(|p| view! {
                    <option value=p.name title=p.description>{format!("{}: {}", p.name.replace('_', " "), p.description)}</option>
                }).collect_view()}
            </select>
        </label>
        {needs}
    }
}
