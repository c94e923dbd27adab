//! The trained model's guess for the camera's current frame, a few times a second: one frame
//! in flight at a time, so a slow device is never flooded.

use std::time::Duration;

use leptos::leptos_dom::helpers::set_interval_with_handle;
use leptos::prelude::*;

use super::prediction_bars::PredictionBars;
use crate::components::upload::store::{user_model_classes, USER_IMAGE_SIDE};
use crate::worker::client::WorkerClient;
use crate::worker::protocol::{Command, PredictInput};

/// Time between frames sent for prediction.
const INTERVAL_MS: u64 = 250;

/// Live prediction on the webcam; shown once a model trained on the user's classes exists.
#[component]
pub fn LivePrediction(
    /// Grabs the current frame as 96 px RGB bytes.
    grab: Callback<(), Option<Vec<u8>>>,
    /// Whether the camera is running.
    #[prop(into)]
    camera_on: Signal<bool>,
) -> impl IntoView {
    let worker = expect_context::<WorkerClient>();
    let live = RwSignal::new(true);
    let in_flight = StoredValue::new(false);
    Effect::new(move |_| {
        worker.image_prediction.track();
        worker.last_error.track();
        in_flight.set_value(false);
    });
    let predictor = Memo::new(move |_| user_model_classes(&worker));
    let handle = set_interval_with_handle(
        move || {
            let ready = predictor.with_untracked(Option::is_some);
            if !ready
                || !live.get_untracked()
                || !camera_on.get_untracked()
                || in_flight.get_value()
            {
                return;
            }
            if let Some(pixels) = grab.run(()) {
                in_flight.set_value(true);
                worker.send(&Command::PredictImage(PredictInput::Frame {
                    side: USER_IMAGE_SIDE,
                    pixels,
                }));
            }
        },
        Duration::from_millis(INTERVAL_MS),
    )
    .ok();
    on_cleanup(move || {
        if let Some(handle) = handle {
            handle.clear();
        }
    });
    view! {
        <section class="live-prediction" aria-labelledby="live-title" data-testid="live-prediction">
            <h3 id="live-title">"Live prediction"</h3>
            {move || match predictor.get() {
                None => view! { <p class="detail">"Train a model on your classes, and its guess for each camera frame shows here."</p> }.into_any(),
                Some(_) if !camera_on.get() => view! { <p class="detail">"Start the camera to see the model's guess for each frame."</p> }.into_any(),
                Some(classes) => view! {
                    <label class="check"><input type="checkbox" prop:checked=move || live.get()
                        on:change=move |e| live.set(event_target_checked(&e)) />" Predict live"</label>
                    {move || worker.image_prediction.get().filter(|p| p.name.is_none()).map(|p| view! {
                        <PredictionBars classes=classes.clone() probabilities=p.probabilities />
                    })}
                }.into_any(),
            }}
        </section>
    }
}
