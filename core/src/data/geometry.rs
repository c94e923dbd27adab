//! The random geometry of torchvision's augmentations: crop boxes, rotation, erasing.

use super::seeded::{below, uniform};
use super::Image;
use crate::rng::Rng;

/// torchvision `RandomResizedCrop.get_params`: ten tries at a random area and log-uniform
/// aspect ratio, then a centre crop clamped to the ratio range. Returns `(top, left, h, w)`.
pub(crate) fn resized_crop_box(
    height: usize,
    width: usize,
    scale: [f32; 2],
    ratio: [f32; 2],
    rng: &mut Rng,
) -> (usize, usize, usize, usize) {
    let area = (height * width) as f32;
    let (lr0, lr1) = (ratio[0].ln(), ratio[1].ln());
    for _ in 0..10 {
        let target = area * uniform(rng, scale[0], scale[1]);
        let aspect = uniform(rng, lr0, lr1).exp();
        let w = (target * aspect).sqrt().round() as usize;
        let h = (target / aspect).sqrt().round() as usize;
        if w > 0 && w <= width && h > 0 && h <= height {
            return (below(rng, height - h + 1), below(rng, width - w + 1), h, w);
        }
    }
    let in_ratio = width as f32 / height as f32;
    let (h, w) = if in_ratio < ratio[0] {
        (
            ((width as f32 / ratio[0]).round() as usize).clamp(1, height),
            width,
        )
    } else if in_ratio > ratio[1] {
        (
            height,
            ((height as f32 * ratio[1]).round() as usize).clamp(1, width),
        )
    } else {
        (height, width)
    };
    ((height - h) / 2, (width - w) / 2, h, w)
}

/// Counter-clockwise rotation by `degrees` about the image centre, bilinear, zeros outside.
pub(crate) fn rotate(img: &Image, degrees: f32) -> Image {
    let (h, w) = (img.height(), img.width());
    let (s, c) = degrees.to_radians().sin_cos();
    let (cy, cx) = (h as f32 / 2.0, w as f32 / 2.0);
    let mut out = img.clone();
    let sample = |ch: usize, y: f32, x: f32| -> f32 {
        let (y0, x0) = (y.floor(), x.floor());
        let (fy, fx) = (y - y0, x - x0);
        let px = |yy: f32, xx: f32| {
            if yy < 0.0 || xx < 0.0 || yy >= h as f32 || xx >= w as f32 {
                0.0
            } else {
                img.at(ch, yy as usize, xx as usize)
            }
        };
        (px(y0, x0) * (1.0 - fx) + px(y0, x0 + 1.0) * fx) * (1.0 - fy)
            + (px(y0 + 1.0, x0) * (1.0 - fx) + px(y0 + 1.0, x0 + 1.0) * fx) * fy
    };
    let data = out.data_mut();
    for ch in 0..img.channels() {
        for y in 0..h {
            for x in 0..w {
                // Inverse map: output pixel centre, rotated back, in source pixel-centre coordinates.
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                let sx = c * dx - s * dy + cx - 0.5;
                let sy = s * dx + c * dy + cy - 0.5;
                data[(ch * h + y) * w + x] = sample(ch, sy, sx);
            }
        }
    }
    out
}

/// torchvision `RandomErasing.get_params` (ten tries, give up silently) and the fill.
pub(crate) fn erase(img: &mut Image, scale: [f32; 2], ratio: [f32; 2], value: f32, rng: &mut Rng) {
    let (h, w) = (img.height(), img.width());
    let area = (h * w) as f32;
    for _ in 0..10 {
        let target = area * uniform(rng, scale[0], scale[1]);
        let aspect = uniform(rng, ratio[0].ln(), ratio[1].ln()).exp();
        let eh = (target * aspect).sqrt().round() as usize;
        let ew = (target / aspect).sqrt().round() as usize;
        if !(eh < h && ew < w) || eh == 0 || ew == 0 {
            continue;
        }
        let (top, left) = (below(rng, h - eh + 1), below(rng, w - ew + 1));
        let channels = img.channels();
        let data = img.data_mut();
        for c in 0..channels {
            for y in top..top + eh {
                data[(c * h + y) * w + left..(c * h + y) * w + left + ew].fill(value);
            }
        }
        return;
    }
}

impl Image {
    /// Brings any picture (a webcam frame, an upload) to a model's input: the largest centred
    /// crop with the target aspect ratio, a bilinear resize, and conversion to `channels`.
    pub fn fit(
        &self,
        channels: usize,
        height: usize,
        width: usize,
    ) -> Result<Image, super::DataError> {
        if height == 0 || width == 0 {
            return Err(super::DataError::Empty);
        }
        let target = width as f64 / height as f64;
        let (h, w) = (self.height(), self.width());
        let (ch, cw) = if (w as f64 / h as f64) > target {
            (h, ((h as f64 * target).round() as usize).clamp(1, w))
        } else {
            (((w as f64 / target).round() as usize).clamp(1, h), w)
        };
        self.center_crop(ch, cw)?
            .resize(height, width)?
            .with_channels(channels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_crops_to_the_aspect_then_resizes() {
        // A 4x8 frame whose left and right quarters are 1 and middle 0: a square fit keeps the
        // middle only.
        let data: Vec<f32> = (0..32)
            .map(|i| if (2..6).contains(&(i % 8)) { 0.0 } else { 1.0 })
            .collect();
        let frame = Image::new(1, 4, 8, data).expect("valid").to_rgb();
        let fitted = frame.fit(1, 2, 2).expect("fits");
        assert_eq!(fitted.shape(), [1, 2, 2]);
        assert!(
            fitted.data().iter().all(|&v| v.abs() < 1e-6),
            "{:?}",
            fitted.data()
        );
        assert_eq!(frame.fit(3, 8, 16).expect("fits").shape(), [3, 8, 16]);
        assert!(frame.fit(3, 0, 4).is_err());
    }
}
