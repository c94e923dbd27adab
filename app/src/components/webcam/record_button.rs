//! "Hold to record": frames are captured for a class while the button is held down with the
//! mouse, a finger or a pen, or while Space or Enter is held on it.

use std::time::Duration;

use leptos::leptos_dom::helpers::{set_interval_with_handle, IntervalHandle};
use leptos::prelude::*;
use web_sys::{KeyboardEvent, PointerEvent};

/// Frames per second captured while held.
const FRAMES_PER_SECOND: u64 = 10;

/// A record button for class `label`; `capture` runs once on press and then ten times a second
/// until release.
#[component]
pub fn RecordButton(
    /// The class recorded.
    label: usize,
    /// The class's name, for the button text.
    #[prop(into)]
    name: Signal<String>,
    /// Grabs one frame into the class.
    capture: Callback<usize>,
    /// True while the camera is off.
    #[prop(into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let timer = StoredValue::new_local(None::<IntervalHandle>);
    let recording = RwSignal::new(false);
    let start = move || {
        if recording.get_untracked() || disabled.get_untracked() {
            return;
        }
        recording.set(true);
        capture.run(label);
        let handle = set_interval_with_handle(
            move || capture.run(label),
            Duration::from_millis(1000 / FRAMES_PER_SECOND),
        )
        .ok();
        timer.set_value(handle);
    };
    let stop = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        recording.set(false);
    };
    on_cleanup(stop);
    let on_down = move |e: PointerEvent| {
        if e.button() != 0 {
            return;
        }
        e.prevent_default();
        if let Some(target) = e
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        {
            let _ = target.set_pointer_capture(e.pointer_id());
        }
        start();
    };
    let is_hold_key = |e: &KeyboardEvent| e.key() == " " || e.key() == "Enter";
    view! {
        <button type="button" class="button record" class:recording=move || recording.get()
            data-testid=format!("record-{label}") aria-pressed=move || recording.get().to_string()
            disabled=move || disabled.get()
            on:pointerdown=on_down
            on:pointerup=move |_| stop()
            on:pointercancel=move |_| stop()
            on:lostpointercapture=move |_| stop()
            on:keydown=move |e: KeyboardEvent| if is_hold_key(&e) { e.prevent_default(); if !e.repeat() { start() } }
            on:keyup=move |e: KeyboardEvent| if is_hold_key(&e) { e.prevent_default(); stop() }
            on:blur=move |_| stop()
            on:contextmenu=move |e| e.prevent_default()>
            {move || if recording.get() { format!("Recording {}…", name.get()) } else { format!("Hold to record {}", name.get()) }}
        </button>
    }
}
