//! A worker-made [`Picture`] (grey or RGB bytes) drawn on a canvas at its true size and scaled
//! up crisply by CSS; or, as a heat map, coloured from dark to bright and transparent where
//! the value is low, so it can lie over the image it explains.

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::components::thumbnail::put_rgba;
use crate::worker::inspect_protocol::Picture;

/// How a picture's bytes become colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Look {
    /// Grey or RGB as stored.
    #[default]
    Plain,
    /// A heat colour ramp, opaque.
    Heat,
    /// The heat ramp with transparency following the value (for overlays).
    HeatOverlay,
}

/// The heat ramp: black, red, orange, yellow, white.
fn heat(v: u8) -> [u8; 3] {
    let t = f32::from(v) / 255.0;
    let r = (t * 3.0).min(1.0);
    let g = (t * 3.0 - 1.0).clamp(0.0, 1.0);
    let b = (t * 3.0 - 2.0).clamp(0.0, 1.0);
    [(r * 255.0) as u8, (g * 255.0) as u8, (b * 255.0) as u8]
}

/// RGBA bytes of `picture` in `look`.
fn rgba(picture: &Picture, look: Look) -> Vec<u8> {
    let area = picture.height * picture.width;
    let at = |c: usize, i: usize| picture.pixels.get(c * area + i).copied().unwrap_or(0);
    (0..area)
        .flat_map(|i| {
            let (r, g, b) = if picture.channels >= 3 {
                (at(0, i), at(1, i), at(2, i))
            } else {
                (at(0, i), at(0, i), at(0, i))
            };
            match look {
                Look::Plain => [r, g, b, 255],
                Look::Heat => {
                    let [r, g, b] = heat(r);
                    [r, g, b, 255]
                }
                Look::HeatOverlay => {
                    let [hr, hg, hb] = heat(r.saturating_add(r / 2));
                    [hr, hg, hb, r]
                }
            }
        })
        .collect()
}

/// Draws `picture` once the canvas is in the page.
#[component]
pub fn PictureView(
    /// What to draw.
    picture: Picture,
    /// How to colour it.
    #[prop(optional)]
    look: Look,
    /// Text for screen readers (and the tooltip).
    #[prop(into)]
    label: String,
    /// Extra CSS class.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let (width, height) = (picture.width, picture.height);
    canvas.on_load(move |canvas| {
        let bytes = rgba(&picture, look);
        put_rgba(&canvas, &bytes, width, height);
    });
    view! {
        <canvas node_ref=canvas class=format!("picture {class}") width=width height=height role="img" aria-label=label.clone() title=label></canvas>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_heat_and_overlay_colours() {
        let picture = Picture {
            channels: 1,
            height: 1,
            width: 2,
            pixels: vec![0, 255],
        };
        assert_eq!(
            rgba(&picture, Look::Plain),
            vec![0, 0, 0, 255, 255, 255, 255, 255]
        );
        assert_eq!(
            rgba(&picture, Look::Heat),
            vec![0, 0, 0, 255, 255, 255, 255, 255]
        );
        let overlay = rgba(&picture, Look::HeatOverlay);
        assert_eq!(overlay[3], 0, "zero is transparent");
        assert_eq!(overlay[7], 255, "the peak is opaque");
    }
}
