//! A small RGB picture (an upload or a webcam capture) drawn on a canvas at its stored size.

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::components::thumbnail::{interleaved_to_rgba, put_rgba};

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
        put_rgba(&canvas, &interleaved_to_rgba(&pixels, 3), side, side);
    });
    view! {
        <canvas node_ref=canvas class="sample-image" width=side height=side role="img" aria-label=label></canvas>
    }
}
