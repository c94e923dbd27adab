//! The camera through `getUserMedia`: opening one (a chosen one when there are several),
//! listing them, grabbing a frame at the model's input size, and saying in words why a camera
//! could not be opened.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaDeviceInfo,
    MediaDeviceKind, MediaDevices, MediaStream, MediaStreamConstraints, MediaStreamTrack,
    MediaTrackConstraints,
};

/// A camera the browser offers: its id and, once permission is given, its name.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraInfo {
    /// The browser's device id.
    pub id: String,
    /// What users see ("FaceTime HD Camera"), or a numbered name before permission.
    pub label: String,
}

fn media_devices() -> Result<MediaDevices, String> {
    web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or_else(|| {
            "This browser offers no camera to this page (cameras need a secure page: https or localhost).".into()
        })
}

/// Opens a camera (`device` if given, else the default), asking for permission if needed.
pub async fn open(device: Option<&str>) -> Result<MediaStream, String> {
    let devices = media_devices()?;
    let video = MediaTrackConstraints::new();
    video.set_width_i32(320);
    video.set_height_i32(240);
    if let Some(id) = device {
        let exact = Object::new();
        let _ = Reflect::set(&exact, &"exact".into(), &id.into());
        video.set_device_id(&exact);
    }
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&video);
    constraints.set_audio_bool(false);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(describe)?;
    JsFuture::from(promise)
        .await
        .map_err(describe)?
        .dyn_into::<MediaStream>()
        .map_err(|_| "The browser returned something that is not a camera stream.".into())
}

/// The cameras present; names are empty until the user allowed one.
pub async fn list() -> Vec<CameraInfo> {
    let Ok(devices) = media_devices() else {
        return Vec::new();
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return Vec::new();
    };
    let Ok(all) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    Array::from(&all)
        .iter()
        .filter_map(|d| d.dyn_into::<MediaDeviceInfo>().ok())
        .filter(|d| d.kind() == MediaDeviceKind::Videoinput)
        .enumerate()
        .map(|(i, d)| CameraInfo {
            id: d.device_id(),
            label: Some(d.label())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| format!("Camera {}", i + 1)),
        })
        .collect()
}

/// Stops every track of `stream`, turning the camera light off.
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// The video's centre square, scaled to `side × side`, as interleaved RGB bytes; `None`
/// until the video has a frame.
pub fn grab(video: &HtmlVideoElement, canvas: &HtmlCanvasElement, side: u32) -> Option<Vec<u8>> {
    let (w, h) = (video.video_width(), video.video_height());
    if w == 0 || h == 0 {
        return None;
    }
    canvas.set_width(side);
    canvas.set_height(side);
    let context = canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let crop = w.min(h) as f64;
    let (sx, sy) = ((w as f64 - crop) / 2.0, (h as f64 - crop) / 2.0);
    let s = side as f64;
    context
        .draw_image_with_html_video_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            video, sx, sy, crop, crop, 0.0, 0.0, s, s,
        )
        .ok()?;
    let rgba = context.get_image_data(0.0, 0.0, s, s).ok()?.data().0;
    Some(
        rgba.chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
    )
}

/// Words for a `getUserMedia` failure, with what the user can do.
fn describe(error: JsValue) -> String {
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => "Camera access was denied. Allow the camera for this site in the browser's address bar or settings, then press Start camera again.".into(),
        "NotFoundError" | "OverconstrainedError" => "No camera was found. Connect one (or choose another), then press Start camera again.".into(),
        "NotReadableError" | "AbortError" => "The camera is busy or failed to start: close other apps using it and try again.".into(),
        _ => format!(
            "The camera could not be opened ({}).",
            error.as_string().unwrap_or_else(|| if name.is_empty() { "no reason given".into() } else { name })
        ),
    }
}
