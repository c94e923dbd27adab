//! Per-sample transforms with torchvision's names, parameters and sampling rules, applied on
//! the CPU with a stream seeded by `(seed, epoch, sample index)`. A [`Pipeline`] is serde data
//! so it travels inside a run's spec.

use serde::{Deserialize, Serialize};

use super::colour;
use super::geometry::{erase, resized_crop_box, rotate};
use super::seeded::{permutation, uniform};
use super::{DataError, Image};
use crate::rng::Rng;

/// One step of a pipeline. Random steps draw from the generator they are given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Transform {
    /// Bilinear resize to a fixed size.
    Resize { height: usize, width: usize },
    /// Centred crop.
    CenterCrop { height: usize, width: usize },
    /// torchvision `RandomResizedCrop` (defaults scale `[0.08, 1]`, ratio `[3/4, 4/3]`).
    RandomResizedCrop {
        height: usize,
        width: usize,
        scale: [f32; 2],
        ratio: [f32; 2],
    },
    /// Mirror left-right with probability `p`.
    RandomHorizontalFlip { p: f32 },
    /// Mirror top-bottom with probability `p`.
    RandomVerticalFlip { p: f32 },
    /// Rotate by a uniform angle in `[-degrees, degrees]` about the centre, bilinear, zero fill.
    RandomRotation { degrees: f32 },
    /// torchvision `ColorJitter`: factors drawn in `[max(0, 1 - x), 1 + x]`, hue in `[-h, h]`,
    /// applied in a random order.
    ColorJitter {
        brightness: f32,
        contrast: f32,
        saturation: f32,
        hue: f32,
    },
    /// To one grey channel.
    Grayscale,
    /// To three channels.
    ToRgb,
    /// `(x - mean) / std` per channel.
    Normalize { mean: Vec<f32>, std: Vec<f32> },
    /// torchvision `RandomErasing` (defaults p 0.5, scale `[0.02, 0.33]`, ratio `[0.3, 3.3]`);
    /// place it after `Normalize`, as torchvision does.
    RandomErasing {
        p: f32,
        scale: [f32; 2],
        ratio: [f32; 2],
        value: f32,
    },
}

impl Transform {
    /// torchvision's `RandomResizedCrop(size)`.
    pub fn random_resized_crop(height: usize, width: usize) -> Transform {
        Transform::RandomResizedCrop {
            height,
            width,
            scale: [0.08, 1.0],
            ratio: [0.75, 4.0 / 3.0],
        }
    }

    /// torchvision's `RandomErasing()`.
    pub fn random_erasing() -> Transform {
        Transform::RandomErasing {
            p: 0.5,
            scale: [0.02, 0.33],
            ratio: [0.3, 3.3],
            value: 0.0,
        }
    }

    /// Checks the settings once, before a run starts, so a bad spec fails with a message.
    pub fn validate(&self) -> Result<(), DataError> {
        let bad = |r: String| Err(DataError::invalid("transform", r));
        let prob = |p: f32| (0.0..=1.0).contains(&p);
        let range = |r: [f32; 2]| r[0] > 0.0 && r[0] <= r[1] && r[1].is_finite();
        match self {
            Transform::Resize { height, width }
            | Transform::CenterCrop { height, width }
            | Transform::RandomResizedCrop { height, width, .. }
                if *height == 0 || *width == 0 || *height > 4096 || *width > 4096 =>
            {
                bad(format!("size {height}x{width} must be within 1..=4096"))
            }
            Transform::RandomResizedCrop { scale, ratio, .. } if !range(*scale) || scale[1] > 1.0 || !range(*ratio) => {
                bad(format!("scale {scale:?} must be within (0, 1] and ratio {ratio:?} positive, low <= high"))
            }
            Transform::RandomHorizontalFlip { p } | Transform::RandomVerticalFlip { p } if !prob(*p) => {
                bad(format!("probability {p} outside [0, 1]"))
            }
            Transform::RandomRotation { degrees } if !(0.0..=360.0).contains(degrees) => {
                bad(format!("degrees {degrees} outside [0, 360]"))
            }
            Transform::ColorJitter { brightness, contrast, saturation, hue }
                if [*brightness, *contrast, *saturation].iter().any(|v| !(0.0..=10.0).contains(v)) || !(0.0..=0.5).contains(hue) =>
            {
                bad("color jitter factors must be in [0, 10] and hue in [0, 0.5]".into())
            }
            Transform::Normalize { mean, std }
                if std.iter().any(|s| *s == 0.0 || !s.is_finite()) || mean.iter().any(|m| !m.is_finite()) =>
            {
                bad("normalize needs finite means and finite, non-zero standard deviations".into())
            }
            Transform::RandomErasing { p, scale, ratio, .. } if !prob(*p) || !range(*scale) || scale[1] > 1.0 || !range(*ratio) => {
                bad("random erasing needs p in [0, 1], scale within (0, 1], positive ratio".into())
            }
            _ => Ok(()),
        }
    }

    /// Applies this step.
    pub fn apply(&self, img: Image, rng: &mut Rng) -> Result<Image, DataError> {
        match self {
            Transform::Resize { height, width } => img.resize(*height, *width),
            Transform::CenterCrop { height, width } => img.center_crop(*height, *width),
            Transform::RandomResizedCrop {
                height,
                width,
                scale,
                ratio,
            } => {
                let (top, left, h, w) =
                    resized_crop_box(img.height(), img.width(), *scale, *ratio, rng);
                img.crop(top, left, h, w)?.resize(*height, *width)
            }
            Transform::RandomHorizontalFlip { p } => Ok(if uniform(rng, 0.0, 1.0) < *p {
                img.flip_horizontal()
            } else {
                img
            }),
            Transform::RandomVerticalFlip { p } => Ok(if uniform(rng, 0.0, 1.0) < *p {
                img.flip_vertical()
            } else {
                img
            }),
            Transform::RandomRotation { degrees } => {
                Ok(rotate(&img, uniform(rng, -degrees, *degrees)))
            }
            Transform::ColorJitter {
                brightness,
                contrast,
                saturation,
                hue,
            } => {
                let mut img = img;
                let factor = |rng: &mut Rng, x: f32| uniform(rng, (1.0 - x).max(0.0), 1.0 + x);
                for step in permutation(rng, 4) {
                    match step {
                        0 if *brightness > 0.0 => {
                            colour::brightness(&mut img, factor(rng, *brightness))
                        }
                        1 if *contrast > 0.0 => colour::contrast(&mut img, factor(rng, *contrast)),
                        2 if *saturation > 0.0 => {
                            colour::saturation(&mut img, factor(rng, *saturation))
                        }
                        3 if *hue > 0.0 => colour::hue(&mut img, uniform(rng, -hue, *hue)),
                        _ => {}
                    }
                }
                Ok(img)
            }
            Transform::Grayscale => Ok(img.to_grey()),
            Transform::ToRgb => Ok(img.to_rgb()),
            Transform::Normalize { mean, std } => {
                let mut img = img;
                img.normalize(mean, std)?;
                Ok(img)
            }
            Transform::RandomErasing {
                p,
                scale,
                ratio,
                value,
            } => {
                let mut img = img;
                if uniform(rng, 0.0, 1.0) < *p {
                    erase(&mut img, *scale, *ratio, *value, rng);
                }
                Ok(img)
            }
        }
    }
}

/// An ordered list of transforms: the augmentation recipe of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    /// Steps, applied first to last.
    pub transforms: Vec<Transform>,
}

impl Pipeline {
    /// A pipeline from steps.
    pub fn new(transforms: Vec<Transform>) -> Pipeline {
        Pipeline { transforms }
    }

    /// Validates every step.
    pub fn validate(&self) -> Result<(), DataError> {
        self.transforms.iter().try_for_each(Transform::validate)
    }

    /// The deterministic counterpart for evaluation (torchvision's train/eval pairing):
    /// a random resized crop becomes a resize to its output size, the other random steps are
    /// dropped, and resizes, crops, colour conversions and normalization stay, so validation
    /// images have the shape and scale the model trained on.
    pub fn for_evaluation(&self) -> Pipeline {
        let transforms = self
            .transforms
            .iter()
            .filter_map(|t| match t {
                Transform::RandomResizedCrop { height, width, .. } => Some(Transform::Resize {
                    height: *height,
                    width: *width,
                }),
                Transform::Resize { .. }
                | Transform::CenterCrop { .. }
                | Transform::Grayscale
                | Transform::ToRgb
                | Transform::Normalize { .. } => Some(t.clone()),
                _ => None,
            })
            .collect();
        Pipeline { transforms }
    }

    /// Runs the steps in order.
    pub fn apply(&self, img: Image, rng: &mut Rng) -> Result<Image, DataError> {
        self.transforms
            .iter()
            .try_fold(img, |img, t| t.apply(img, rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(c: usize, h: usize, w: usize) -> Image {
        Image::new(
            c,
            h,
            w,
            (0..c * h * w)
                .map(|v| v as f32 / (c * h * w) as f32)
                .collect(),
        )
        .expect("valid")
    }

    #[test]
    fn random_steps_are_seeded_and_keep_shapes() {
        let p = Pipeline::new(vec![
            Transform::random_resized_crop(16, 16),
            Transform::RandomHorizontalFlip { p: 0.5 },
            Transform::RandomRotation { degrees: 15.0 },
            Transform::ColorJitter {
                brightness: 0.4,
                contrast: 0.4,
                saturation: 0.4,
                hue: 0.1,
            },
            Transform::Normalize {
                mean: vec![0.5],
                std: vec![0.25],
            },
            Transform::random_erasing(),
        ]);
        p.validate().expect("valid");
        let img = ramp(3, 20, 24);
        let a = p.apply(img.clone(), &mut Rng::new(1)).expect("applies");
        let b = p.apply(img.clone(), &mut Rng::new(1)).expect("applies");
        let c = p.apply(img.clone(), &mut Rng::new(2)).expect("applies");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.shape(), [3, 16, 16]);
    }

    #[test]
    fn deterministic_steps() {
        let img = ramp(1, 4, 4);
        let mut rng = Rng::new(0);
        let flipped = Transform::RandomHorizontalFlip { p: 1.0 }
            .apply(img.clone(), &mut rng)
            .expect("applies");
        assert_eq!(flipped, img.flip_horizontal());
        let same = Transform::RandomRotation { degrees: 0.0 }
            .apply(img.clone(), &mut rng)
            .expect("applies");
        assert_eq!(same, img);
        // A quarter turn of a 2x2 image permutes its pixels.
        let q = rotate(
            &Image::new(1, 2, 2, vec![1.0, 2.0, 3.0, 4.0]).expect("valid"),
            90.0,
        );
        for (a, b) in q.data().iter().zip([2.0, 4.0, 1.0, 3.0]) {
            assert!((a - b).abs() < 1e-5, "{:?}", q.data());
        }
        let erased = Transform::RandomErasing {
            p: 1.0,
            scale: [0.2, 0.3],
            ratio: [1.0, 1.0],
            value: -1.0,
        }
        .apply(ramp(1, 10, 10), &mut rng)
        .expect("applies");
        let n = erased.data().iter().filter(|&&v| v == -1.0).count();
        assert!((16..=36).contains(&n), "{n} erased pixels");
    }

    #[test]
    fn crop_box_respects_bounds_and_falls_back() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let (t, l, h, w) = resized_crop_box(30, 40, [0.08, 1.0], [0.75, 4.0 / 3.0], &mut rng);
            assert!(t + h <= 30 && l + w <= 40 && h > 0 && w > 0);
        }
        // Impossible scale forces the centre-crop fallback on a very wide image.
        let (t, l, h, w) = resized_crop_box(10, 100, [1.0, 1.0], [1.0, 1.0], &mut rng);
        assert_eq!((t, h, w, l), (0, 10, 10, 45));
    }

    #[test]
    fn evaluation_keeps_only_deterministic_steps() {
        let train = Pipeline::new(vec![
            Transform::Grayscale,
            Transform::random_resized_crop(16, 12),
            Transform::RandomHorizontalFlip { p: 0.5 },
            Transform::ColorJitter {
                brightness: 0.4,
                contrast: 0.0,
                saturation: 0.0,
                hue: 0.0,
            },
            Transform::Normalize {
                mean: vec![0.5],
                std: vec![0.5],
            },
            Transform::random_erasing(),
        ]);
        let eval = train.for_evaluation();
        assert_eq!(
            eval.transforms,
            vec![
                Transform::Grayscale,
                Transform::Resize {
                    height: 16,
                    width: 12
                },
                Transform::Normalize {
                    mean: vec![0.5],
                    std: vec![0.5]
                },
            ]
        );
        let img = eval
            .apply(ramp(3, 20, 24), &mut Rng::new(0))
            .expect("applies");
        assert_eq!(img.shape(), [1, 16, 12]);
    }

    #[test]
    fn validation_rejects_bad_settings() {
        assert!(Transform::RandomHorizontalFlip { p: 1.5 }
            .validate()
            .is_err());
        assert!(Transform::Resize {
            height: 0,
            width: 4
        }
        .validate()
        .is_err());
        assert!(Transform::Normalize {
            mean: vec![0.0],
            std: vec![0.0]
        }
        .validate()
        .is_err());
        assert!(Transform::RandomResizedCrop {
            height: 8,
            width: 8,
            scale: [0.5, 0.1],
            ratio: [1.0, 1.0]
        }
        .validate()
        .is_err());
        let json = serde_json::to_string(&Transform::random_erasing()).expect("serializes");
        assert!(json.contains("\"kind\":\"random_erasing\""));
    }
}
