//! Imbalanced practice data for the losses that exist for it (weighted cross-entropy, focal):
//! make one class of the loaded set rare in training. The worker really drops the samples
//! (`DataSpec.imbalance`); the test split stays balanced, so its per-class recall shows what
//! each loss does for the rare class.

use leptos::prelude::*;
use pixelgrad::io::Imbalance;

use crate::worker::client::WorkerClient;

/// Shares of the rare class's training samples the menu offers.
const KEEP: &[(f64, &str)] = &[(0.02, "2%"), (0.05, "5%"), (0.1, "10%"), (0.25, "25%")];

/// The "make a class rare" controls.
#[component]
pub fn RareClass(
    /// The choice the run settings read.
    rare: RwSignal<Option<Imbalance>>,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let classes = move || {
        worker
            .dataset
            .with(|d| d.as_ref().map(|d| d.classes.clone()).unwrap_or_default())
    };
    // A class the newly loaded set does not have cannot stay chosen.
    Effect::new(move |_| {
        let n = classes().len();
        if rare.get_untracked().is_some_and(|r| r.class >= n) {
            rare.set(None);
        }
    });
    let keep = move || rare.get().map_or(0.05, |r| r.keep);
    let set_class = move |e: leptos::ev::Event| {
        let value = event_target_value(&e);
        rare.set(value.parse::<usize>().ok().map(|class| Imbalance {
            class,
            keep: keep(),
        }));
    };
    let set_keep = move |e: leptos::ev::Event| {
        if let Ok(k) = event_target_value(&e).parse::<f64>() {
            rare.update(|r| {
                if let Some(r) = r {
                    r.keep = k;
                }
            });
        }
    };
    view! {
        <fieldset class="rare-class" data-testid="rare-class">
            <legend>"Practice on imbalanced data"</legend>
            <label>"Make rare"
                <select data-testid="rare-class-select" on:change=set_class
                    prop:value=move || rare.get().map_or(String::new(), |r| r.class.to_string())>
                    <option value="">"no class (keep the set as it is)"</option>
                    {move || classes().into_iter().enumerate().map(|(i, name)| view! {
                        <option value=i.to_string()>{format!("class {i} ({name})")}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"keeping"
                <select data-testid="rare-class-keep" on:change=set_keep disabled=move || rare.get().is_none()
                    prop:value=move || keep().to_string()>
                    {KEEP.iter().map(|&(k, label)| view! { <option value=k.to_string()>{label}</option> }).collect_view()}
                </select>
                " of its training images"
            </label>
        </fieldset>
    }
}
