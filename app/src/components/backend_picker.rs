//! The playground's backend choice: Auto (time a few steps of the chosen model on WebGPU and on
//! the CPU, train on the faster), or either one forced.

use leptos::prelude::*;

use crate::worker::protocol::BackendChoice;

/// The `<select>` value of a choice.
fn value_of(choice: BackendChoice) -> &'static str {
    match choice {
        BackendChoice::Auto => "auto",
        BackendChoice::WebGpu => "webgpu",
        BackendChoice::Cpu => "cpu",
    }
}

/// The choice a `<select>` value names (Auto for anything else).
fn choice_of(value: &str) -> BackendChoice {
    match value {
        "webgpu" => BackendChoice::WebGpu,
        "cpu" => BackendChoice::Cpu,
        _ => BackendChoice::Auto,
    }
}

/// A labelled select bound to `choice`.
#[component]
pub fn BackendPicker(choice: RwSignal<BackendChoice>) -> impl IntoView {
    let options = [
        (BackendChoice::Auto, "Auto (time both, use the faster)"),
        (BackendChoice::WebGpu, "WebGPU"),
        (BackendChoice::Cpu, "CPU"),
    ];
    view! {
        <label>"Backend"
            <select data-testid="backend" prop:value=move || value_of(choice.get()) on:change=move |e| choice.set(choice_of(&event_target_value(&e)))>
                {options.into_iter().map(|(c, text)| view! {
                    <option value=value_of(c) selected=move || choice.get() == c>{text}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        for c in [
            BackendChoice::Auto,
            BackendChoice::WebGpu,
            BackendChoice::Cpu,
        ] {
            assert_eq!(choice_of(value_of(c)), c);
        }
    }
}
