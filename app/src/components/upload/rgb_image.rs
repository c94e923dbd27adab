//! A small RGB picture (an upload or a webcam capture) drawn on a canvas at its stored size.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, ImageData};

/// Draws `pixels` (`side * side * 3` interleaved RGB bytes) once the canvas is in the page.
#[component]
pub fn RgbImage(
    /// Width and height in pixels.
    side: usize,
    /// Interleaved RGB bytes, row-major.
    pixels: Vec<u8>,
    /// Text for screen readers.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    canvas.on_load(move |canvas| {
        let rgba: Vec<u8> = pixels
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
        let image =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), side as u32, side as u32);
        if let (Some(context), Ok(image)) = (context, image) {
            let _ = context.put_image_data(&image, 0.0, 0.0);
        }
    });
    view! {
        <canvas node_ref=canvas class="sample-image" width=side height=side role="img" aria-label=label></canvas>
    }
}
