//! Colour adjustments of torchvision's `ColorJitter`, on planar RGB (grey images take only
//! brightness and contrast, as in torchvision).

use super::Image;

/// `img * factor`, clamped to `[0, 1]` (torchvision `adjust_brightness`).
pub(crate) fn brightness(img: &mut Image, factor: f32) {
    for v in img.data_mut() {
        *v = (*v * factor).clamp(0.0, 1.0);
    }
}

/// Blend with the mean grey level (torchvision `adjust_contrast`).
pub(crate) fn contrast(img: &mut Image, factor: f32) {
    let grey = img.to_grey();
    let mean = grey.data().iter().sum::<f32>() / grey.data().len() as f32;
    for v in img.data_mut() {
        *v = (factor * *v + (1.0 - factor) * mean).clamp(0.0, 1.0);
    }
}

/// Blend with the grey version (torchvision `adjust_saturation`); no-op on grey images.
pub(crate) fn saturation(img: &mut Image, factor: f32) {
    if img.channels() != 3 {
        return;
    }
    let grey = img.to_grey();
    let n = grey.data().len();
    let g = grey.data();
    for (i, v) in img.data_mut().iter_mut().enumerate() {
        *v = (factor * *v + (1.0 - factor) * g[i % n]).clamp(0.0, 1.0);
    }
}

/// Rotates the hue by `shift` turns in `[-0.5, 0.5]` via HSV (torchvision `adjust_hue`);
/// no-op on grey images.
pub(crate) fn hue(img: &mut Image, shift: f32) {
    if img.channels() != 3 {
        return;
    }
    let n = img.height() * img.width();
    let data = img.data_mut();
    for i in 0..n {
        let (h, s, v) = rgb_to_hsv(data[i], data[n + i], data[2 * n + i]);
        let (r, g, b) = hsv_to_rgb((h + shift).rem_euclid(1.0), s, v);
        data[i] = r;
        data[n + i] = g;
        data[2 * n + i] = b;
    }
}

/// Hue in turns `[0, 1)`, saturation and value in `[0, 1]`.
fn rgb_to_hsv(r: f32, g: f32, b: f32) -> (f32, f32, f32) {
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let d = max - min;
    let s = if max > 0.0 { d / max } else { 0.0 };
    if d == 0.0 {
        return (0.0, s, max);
    }
    let h = if max == r {
        ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    (h / 6.0, s, max)
}

fn hsv_to_rgb(h: f32, s: f32, v: f32) -> (f32, f32, f32) {
    let h6 = h * 6.0;
    let i = h6.floor();
    let f = h6 - i;
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
    match (i as i32).rem_euclid(6) {
        0 => (v, t, p),
        1 => (q, v, p),
        2 => (p, v, t),
        3 => (p, q, v),
        4 => (t, p, v),
        _ => (v, p, q),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(r: f32, g: f32, b: f32) -> Image {
        Image::new(3, 1, 1, vec![r, g, b]).expect("valid")
    }

    #[test]
    fn adjustments_follow_torchvision() {
        let mut img = rgb(0.5, 0.25, 0.75);
        brightness(&mut img, 2.0);
        assert_eq!(img.data(), &[1.0, 0.5, 1.0]);
        let mut img = rgb(1.0, 0.0, 0.0);
        saturation(&mut img, 0.0);
        assert!(img.data().iter().all(|&v| (v - 0.299).abs() < 1e-6));
        let mut img = rgb(1.0, 0.0, 0.0);
        hue(&mut img, 1.0 / 3.0);
        assert!(
            (img.data()[1] - 1.0).abs() < 1e-5 && img.data()[0].abs() < 1e-5,
            "{:?}",
            img.data()
        );
        let mut img = Image::new(1, 1, 2, vec![0.0, 1.0]).expect("valid");
        contrast(&mut img, 0.0);
        assert_eq!(img.data(), &[0.5, 0.5]);
        for (r, g, b) in [(0.2, 0.4, 0.9), (0.9, 0.1, 0.3), (0.5, 0.5, 0.5)] {
            let (h, s, v) = rgb_to_hsv(r, g, b);
            let (r2, g2, b2) = hsv_to_rgb(h, s, v);
            assert!((r - r2).abs() + (g - g2).abs() + (b - b2).abs() < 1e-5);
        }
    }
}
