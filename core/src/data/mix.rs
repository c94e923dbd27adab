//! Batch-level mixing as in torchvision.transforms.v2 `MixUp` and `CutMix`: each sample is
//! blended with its neighbour in the batch (the batch rolled by one) and its target becomes
//! `lam * onehot(y) + (1 - lam) * onehot(y_rolled)`.

use serde::{Deserialize, Serialize};

use super::seeded::{beta, uniform};
use super::{Batch, DataError};
use crate::rng::Rng;

/// Which mixing, with its Beta(`alpha`, `alpha`) concentration (torchvision default 1.0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BatchMix {
    /// Pixel-wise blend of the two images.
    Mixup { alpha: f32 },
    /// Paste a box of the other image; `lam` is corrected to the pasted area.
    Cutmix { alpha: f32 },
}

impl BatchMix {
    /// `alpha` must be positive and finite.
    pub fn validate(&self) -> Result<(), DataError> {
        let (BatchMix::Mixup { alpha } | BatchMix::Cutmix { alpha }) = *self;
        if alpha > 0.0 && alpha.is_finite() {
            Ok(())
        } else {
            Err(DataError::invalid(
                "mix",
                format!("alpha {alpha} must be positive"),
            ))
        }
    }
}

/// Mixes `batch` in place and fills its soft targets. Returns the mixing weight `lam`.
pub(crate) fn mix_batch(
    batch: &mut Batch,
    mix: &BatchMix,
    classes: usize,
    rng: &mut Rng,
) -> Result<f32, DataError> {
    let [n, c, h, w] = batch.shape;
    if let Some(&label) = batch.labels.iter().find(|&&l| l >= classes) {
        return Err(DataError::BadLabel { label, classes });
    }
    let per = c * h * w;
    let rolled: Vec<f32> = (0..n)
        .flat_map(|i| batch.images[((i + n - 1) % n) * per..][..per].to_vec())
        .collect();
    let lam = match *mix {
        BatchMix::Mixup { alpha } => {
            let lam = beta(rng, f64::from(alpha), f64::from(alpha)) as f32;
            for (x, r) in batch.images.iter_mut().zip(&rolled) {
                *x = lam * *x + (1.0 - lam) * r;
            }
            lam
        }
        BatchMix::Cutmix { alpha } => {
            let lam = beta(rng, f64::from(alpha), f64::from(alpha)) as f32;
            let (cx, cy) = (uniform(rng, 0.0, w as f32), uniform(rng, 0.0, h as f32));
            let r = 0.5 * (1.0 - lam).sqrt();
            let (rw, rh) = (r * w as f32, r * h as f32);
            let x0 = (cx - rw).clamp(0.0, w as f32) as usize;
            let x1 = (cx + rw).clamp(0.0, w as f32) as usize;
            let y0 = (cy - rh).clamp(0.0, h as f32) as usize;
            let y1 = (cy + rh).clamp(0.0, h as f32) as usize;
            for i in 0..n {
                for ch in 0..c {
                    for y in y0..y1 {
                        let row = ((i * c + ch) * h + y) * w;
                        batch.images[row + x0..row + x1]
                            .copy_from_slice(&rolled[row + x0..row + x1]);
                    }
                }
            }
            1.0 - ((x1 - x0) * (y1 - y0)) as f32 / (w * h) as f32
        }
    };
    let mut soft = vec![0.0; n * classes];
    for i in 0..n {
        soft[i * classes + batch.labels[i]] += lam;
        soft[i * classes + batch.labels[(i + n - 1) % n]] += 1.0 - lam;
    }
    batch.soft_targets = Some(soft);
    Ok(lam)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> Batch {
        Batch {
            images: [vec![0.0; 16], vec![1.0; 16]].concat(),
            shape: [2, 1, 4, 4],
            labels: vec![0, 1],
            soft_targets: None,
            indices: vec![0, 1],
        }
    }

    #[test]
    fn mixup_blends_images_and_targets_alike() {
        let mut b = batch();
        let lam =
            mix_batch(&mut b, &BatchMix::Mixup { alpha: 1.0 }, 3, &mut Rng::new(4)).expect("valid");
        assert!((0.0..=1.0).contains(&lam));
        assert!((b.images[0] - (1.0 - lam)).abs() < 1e-6);
        let t = b.soft_targets.expect("filled");
        assert_eq!(t.len(), 6);
        assert!((t[0] - lam).abs() < 1e-6 && (t[1] - (1.0 - lam)).abs() < 1e-6 && t[2] == 0.0);
    }

    #[test]
    fn cutmix_weight_equals_the_kept_area() {
        for seed in 0..20 {
            let mut b = batch();
            let lam = mix_batch(
                &mut b,
                &BatchMix::Cutmix { alpha: 1.0 },
                2,
                &mut Rng::new(seed),
            )
            .expect("valid");
            let pasted = b.images[..16].iter().filter(|&&v| v == 1.0).count();
            assert!(
                (lam - (1.0 - pasted as f32 / 16.0)).abs() < 1e-6,
                "seed {seed}"
            );
        }
        assert!(BatchMix::Cutmix { alpha: 0.0 }.validate().is_err());
        let mut b = batch();
        assert!(mix_batch(&mut b, &BatchMix::Mixup { alpha: 1.0 }, 1, &mut Rng::new(0)).is_err());
    }
}
