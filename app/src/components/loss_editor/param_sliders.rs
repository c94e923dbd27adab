//! One slider per `param` the source declares, within its declared range; moving one changes
//! the live value and the value the run trains with.

use leptos::prelude::*;

use super::state::{slider_value, Checked};

/// The sliders of the current source (nothing when it declares none).
#[component]
pub fn ParamSliders(
    /// Diagnostics and declarations of the source.
    checked: Memo<Checked>,
    /// The values the user set, by name.
    values: RwSignal<Vec<(String, f64)>>,
) -> impl IntoView {
    move || {
        let params = checked.with(|c| c.params.clone());
        if params.is_empty() {
            return ().into_any();
        }
        let sliders = params
            .into_iter()
            .map(|p| {
                let name = p.name.clone();
                let step = ((p.hi - p.lo) / 100.0).max(1e-6);
                let value = {
                    let p = p.clone();
                    move || values.with(|v| slider_value(&p, v))
                };
                let shown = value.clone();
                let set = move |e: leptos::ev::Event| {
                    if let Ok(v) = event_target_value(&e).parse::<f64>() {
                        let name = name.clone();
                        values.update(|vals| {
                            vals.retain(|(n, _)| *n != name);
                            vals.push((name, v));
                        });
                    }
                };
                view! {
                    <label class="slider">
                        <span class="slider-name">{p.name.clone()}</span>
                        <input type="range" min=p.lo max=p.hi step=step data-testid=format!("param-{}", p.name)
                            prop:value=move || value().to_string() on:input=set />
                        <output data-testid=format!("param-{}-value", p.name)>{move || format!("{:.2}", shown())}</output>
                    </label>
                }
            })
            .collect_view();
        view! {
            <fieldset class="loss-sliders" data-testid="loss-sliders">
                <legend>"Sliders"</legend>
                {sliders}
            </fieldset>
        }
        .into_any()
    }
}
