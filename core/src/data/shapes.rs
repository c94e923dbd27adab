//! A procedurally generated colour data set: shapes (circle, square, triangle, cross, ring,
//! stripes) of random colour, size and position on a noisy background. Sample `i` is a pure
//! function of `(seed, i)`, so the set costs no memory or download, is identical everywhere,
//! and gives the colour models and augmentation lessons something real to learn.

use super::dataset::check_index;
use super::seeded::{stream, uniform, Stream};
use super::{DataError, Dataset, Image, Sample};

/// The classes, in label order.
pub const SHAPE_CLASSES: [&str; 6] = ["circle", "square", "triangle", "cross", "ring", "stripes"];

/// `len` generated `size × size` RGB images.
#[derive(Debug, Clone)]
pub struct ShapesDataset {
    len: usize,
    size: usize,
    seed: u64,
    classes: Vec<String>,
}

impl ShapesDataset {
    /// `len` samples of `size × size` pixels (8 to 256) from `seed`.
    pub fn new(len: usize, size: usize, seed: u64) -> Result<ShapesDataset, DataError> {
        if !(8..=256).contains(&size) {
            return Err(DataError::invalid(
                "shapes",
                format!("size {size} outside 8..=256"),
            ));
        }
        Ok(ShapesDataset {
            len,
            size,
            seed,
            classes: SHAPE_CLASSES.iter().map(|s| s.to_string()).collect(),
        })
    }

    fn render(&self, index: usize) -> Result<Image, DataError> {
        let label = self.label_of(index);
        let mut rng = stream(self.seed, Stream::Augment, u64::MAX, index as u64);
        let s = self.size as f32;
        let (cx, cy) = (
            uniform(&mut rng, 0.35, 0.65) * s,
            uniform(&mut rng, 0.35, 0.65) * s,
        );
        let r = uniform(&mut rng, 0.18, 0.32) * s;
        let angle = uniform(&mut rng, 0.0, std::f32::consts::PI);
        let fg = [
            uniform(&mut rng, 0.3, 1.0),
            uniform(&mut rng, 0.3, 1.0),
            uniform(&mut rng, 0.3, 1.0),
        ];
        let bg = [
            uniform(&mut rng, 0.0, 0.3),
            uniform(&mut rng, 0.0, 0.3),
            uniform(&mut rng, 0.0, 0.3),
        ];
        let n = self.size * self.size;
        let noise = rng.uniform(n, -0.08, 0.08);
        let (sin, cos) = angle.sin_cos();
        let mut data = vec![0.0; 3 * n];
        for y in 0..self.size {
            for x in 0..self.size {
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                // Rotated coordinates, so squares, crosses and stripes have random orientation.
                let (u, v) = (cos * dx + sin * dy, -sin * dx + cos * dy);
                let d = (dx * dx + dy * dy).sqrt();
                let inside = match label {
                    0 => d <= r,
                    1 => u.abs() <= r * 0.8 && v.abs() <= r * 0.8,
                    2 => v <= r * 0.5 && v >= -r && u.abs() <= (v + r) * 0.577,
                    3 => {
                        (u.abs() <= r * 0.25 && v.abs() <= r)
                            || (v.abs() <= r * 0.25 && u.abs() <= r)
                    }
                    4 => d <= r && d >= r * 0.6,
                    _ => d <= r * 1.1 && (u / (r * 0.35)).floor() as i32 % 2 == 0,
                };
                let i = y * self.size + x;
                for c in 0..3 {
                    let base = if inside { fg[c] } else { bg[c] };
                    data[c * n + i] = (base + noise[i]).clamp(0.0, 1.0);
                }
            }
        }
        Image::new(3, self.size, self.size, data)
    }

    fn label_of(&self, index: usize) -> usize {
        index % SHAPE_CLASSES.len()
    }
}

impl Dataset for ShapesDataset {
    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, index: usize) -> Result<Sample, DataError> {
        check_index(index, self.len)?;
        Ok(Sample {
            image: self.render(index)?,
            label: self.label_of(index),
        })
    }

    fn label(&self, index: usize) -> Result<usize, DataError> {
        check_index(index, self.len)?;
        Ok(self.label_of(index))
    }

    fn classes(&self) -> &[String] {
        &self.classes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_seeded_balanced_and_distinct() {
        let ds = ShapesDataset::new(60, 32, 1).expect("valid");
        let a = ds.get(7).expect("exists");
        assert_eq!(a, ds.get(7).expect("exists"));
        assert_ne!(
            a.image,
            ShapesDataset::new(60, 32, 2)
                .expect("valid")
                .get(7)
                .expect("exists")
                .image
        );
        assert_eq!(a.image.shape(), [3, 32, 32]);
        assert_eq!(
            super::super::ClassBalance::of(&ds).expect("counts").counts,
            vec![10; 6]
        );
        // Every class draws a visible shape: a good share of pixels differ from the background.
        for label in 0..6 {
            let img = ds.get(label).expect("exists").image;
            let g = img.to_grey();
            let bright = g.data().iter().filter(|&&v| v > 0.35).count();
            assert!(bright > 20, "class {label}: {bright} shape pixels");
        }
        assert!(ShapesDataset::new(1, 4, 0).is_err());
        assert!(ds.get(60).is_err());
    }
}
