//! Small grey or RGB images drawn on a canvas at their true pixel size, scaled up crisply by
//! CSS: data-set thumbnails, uploads and webcam captures, augmentation previews.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Draws an 8-bit image (`channels` 1 grey or 3 RGB, interleaved, `height * width * channels`
/// bytes, row-major) on a canvas at its true pixel size once the canvas is in the page; `class`
/// sets how large CSS shows it (`thumb`, `sample-image`).
#[component]
pub fn PixelImage(
    /// Rows.
    height: usize,
    /// Columns.
    width: usize,
    /// 1 (grey) or 3 (RGB).
    channels: usize,
    /// The bytes.
    pixels: Vec<u8>,
    /// Text for screen readers.
    #[prop(into)]
    label: String,
    /// The canvas's CSS classes.
    class: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    canvas.on_load(move |canvas| {
        put_rgba(
            &canvas,
            &interleaved_to_rgba(&pixels, channels),
            width,
            height,
        );
    });
    view! {
        <canvas node_ref=canvas class=class width=width height=height role="img" aria-label=label></canvas>
    }
}

/// Opaque RGBA bytes of an 8-bit image with interleaved channels: 3 is RGB, any other count
/// is read as grey (one byte a pixel).
pub fn interleaved_to_rgba(pixels: &[u8], channels: usize) -> Vec<u8> {
    match channels {
        3 => pixels
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        _ => pixels.iter().flat_map(|&p| [p, p, p, 255]).collect(),
    }
}

/// Writes `rgba` (`height * width * 4` bytes) to the top-left of `canvas`, one image pixel per
/// canvas pixel; CSS scales it up. A canvas without a 2-D context or a buffer of the wrong size
/// leaves the canvas blank rather than failing the view around it.
pub fn put_rgba(canvas: &HtmlCanvasElement, rgba: &[u8], width: usize, height: usize) {
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else {
        return;
    };
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), w, h);
    if let (Some(context), Ok(image)) = (context, image) {
        let _ = context.put_image_data(&image, 0.0, 0.0);
    }
}
