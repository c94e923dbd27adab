//! The webcam: start a camera (choose one when there are several, mirror the preview), hold a
//! class's button to record frames into it, delete bad ones, and watch the trained model's
//! guesses live.

use leptos::html::Video;
use leptos::prelude::*;
use pixelgrad::data::Dataset;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, MediaStream};

use super::camera::{self, CameraInfo};
use super::live_prediction::LivePrediction;
use super::record_button::RecordButton;
use crate::components::upload::balance_view::BalanceView;
use crate::components::upload::class_list::ClassList;
use crate::components::upload::store::{UserData, USER_IMAGE_SIDE};

/// Where the camera is.
#[derive(Debug, Clone, PartialEq)]
enum CameraState {
    Off,
    Starting,
    On,
    Failed(String),
}

/// The webcam panel.
#[component]
pub fn WebcamPanel() -> impl IntoView {
    let data = UserData::use_or_provide();
    let video = NodeRef::<Video>::new();
    let stream = StoredValue::new_local(None::<MediaStream>);
    let canvas = StoredValue::new_local(
        document()
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok()),
    );
    let state = RwSignal::new(CameraState::Off);
    let cameras = RwSignal::new(Vec::<CameraInfo>::new());
    let chosen = RwSignal::new(None::<String>);
    let mirror = RwSignal::new(true);

    let close = move || {
        if let Some(s) = stream.try_update_value(Option::take).flatten() {
            camera::stop(&s);
        }
    };
    on_cleanup(close);
    let start = move || {
        close();
        state.set(CameraState::Starting);
        let device = chosen.get_untracked();
        wasm_bindgen_futures::spawn_local(async move {
            match camera::open(device.as_deref()).await {
                Ok(s) => {
                    if let Some(v) = video.get_untracked() {
                        v.set_src_object(Some(&s));
                        let _ = v.play();
                    }
                    stream.set_value(Some(s));
                    state.set(CameraState::On);
                    cameras.set(camera::list().await);
                }
                Err(message) => state.set(CameraState::Failed(message)),
            }
        });
    };
    let stop_camera = move || {
        close();
        if let Some(v) = video.get_untracked() {
            v.set_src_object(None);
        }
        state.set(CameraState::Off);
    };
    let grab_frame = Callback::new(move |()| {
        video.get_untracked().and_then(|v| {
            canvas.with_value(|c| {
                c.as_ref()
                    .and_then(|c| camera::grab(&v, c, USER_IMAGE_SIDE as u32))
            })
        })
    });
    let capture = Callback::new(move |label: usize| {
        if let Some(pixels) = grab_frame.run(()) {
            data.add_capture(label, pixels);
        }
    });
    let off = Signal::derive(move || state.get() != CameraState::On);
    let record = Callback::new(move |label: usize| {
        let name = Signal::derive(move || {
            data.store
                .with(|s| s.set.classes().get(label).cloned().unwrap_or_default())
        });
        view! { <RecordButton label name capture disabled=off /> }.into_any()
    });

    view! {
        <div class="webcam-panel" data-testid="webcam-panel">
            <div class="camera-row">
                <div class="camera-view">
                    <video node_ref=video class="camera-video" class:mirrored=move || mirror.get()
                        autoplay=true playsinline=true muted=true data-testid="camera-video"
                        aria-label="Camera preview"></video>
                    {move || match state.get() {
                        CameraState::On => None,
                        CameraState::Starting => Some(view! { <p class="camera-overlay">"Starting the camera…"</p> }.into_any()),
                        CameraState::Off => Some(view! { <p class="camera-overlay">"The camera is off."</p> }.into_any()),
                        CameraState::Failed(message) => Some(view! {
                            <p class="camera-overlay error" role="alert" data-testid="camera-error">{message}</p>
                        }.into_any()),
                    }}
                </div>
                <div class="camera-controls">
                    {move || if state.get() == CameraState::On {
                        view! { <button type="button" class="button" on:click=move |_| stop_camera()>"Stop camera"</button> }.into_any()
                    } else {
                        view! { <button type="button" class="button primary" data-testid="start-camera"
                            disabled=move || state.get() == CameraState::Starting on:click=move |_| start()>"Start camera"</button> }.into_any()
                    }}
                    {move || (cameras.get().len() > 1).then(|| view! {
                        <label class="stacked">"Camera"
                            <select data-testid="camera-choice" on:change=move |e| { chosen.set(Some(event_target_value(&e))); start(); }>
                                {cameras.get().into_iter().map(|c| {
                                    let id = c.id.clone();
                                    view! { <option value=c.id selected=move || chosen.get().as_deref() == Some(id.as_str())>{c.label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    })}
                    <label class="check"><input type="checkbox" data-testid="mirror" prop:checked=move || mirror.get()
                        on:change=move |e| mirror.set(event_target_checked(&e)) />" Mirror the preview"</label>
                    <p class="detail">{format!("Frames are cropped to the centre square and kept at {USER_IMAGE_SIDE}×{USER_IMAGE_SIDE} pixels, ten a second while you hold a button.")}</p>
                </div>
            </div>
            <LivePrediction grab=grab_frame camera_on=Signal::derive(move || !off.get()) />
            <ClassList record />
            <BalanceView />
        </div>
    }
}
