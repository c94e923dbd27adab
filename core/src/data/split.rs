//! Train/validation splits and the class-balance report shown before training.

use super::seeded::{permutation, stream, Stream};
use super::{DataError, Dataset};

/// Seeded split of `0..dataset.len()` into `(train, validation)` indices. Stratified: each
/// class contributes `round(count * val_fraction)` samples to validation, so a small set keeps
/// every class on both sides when it can.
pub fn train_val_split<D: Dataset + ?Sized>(
    dataset: &D,
    val_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    if !(0.0..1.0).contains(&val_fraction) {
        return Err(DataError::invalid(
            "train_val_split",
            format!("val_fraction {val_fraction} is outside [0, 1)"),
        ));
    }
    let mut by_class = vec![Vec::new(); dataset.classes().len()];
    for i in 0..dataset.len() {
        let label = dataset.label(i)?;
        by_class
            .get_mut(label)
            .ok_or(DataError::BadLabel {
                label,
                classes: dataset.classes().len(),
            })?
            .push(i);
    }
    let (mut train, mut val) = (Vec::new(), Vec::new());
    for (c, members) in by_class.iter().enumerate() {
        let order = permutation(&mut stream(seed, Stream::Split, c as u64, 0), members.len());
        let n_val = (members.len() as f64 * val_fraction).round() as usize;
        for (k, &o) in order.iter().enumerate() {
            if k < n_val { &mut val } else { &mut train }.push(members[o]);
        }
    }
    train.sort_unstable();
    val.sort_unstable();
    Ok((train, val))
}

/// Samples per class, for the "is my data balanced?" panel.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClassBalance {
    /// Class names, in label order.
    pub classes: Vec<String>,
    /// Samples per class.
    pub counts: Vec<usize>,
}

impl ClassBalance {
    /// Counts the labels of `dataset`.
    pub fn of<D: Dataset + ?Sized>(dataset: &D) -> Result<ClassBalance, DataError> {
        let mut counts = vec![0; dataset.classes().len()];
        for i in 0..dataset.len() {
            let label = dataset.label(i)?;
            *counts.get_mut(label).ok_or(DataError::BadLabel {
                label,
                classes: dataset.classes().len(),
            })? += 1;
        }
        Ok(ClassBalance {
            classes: dataset.classes().to_vec(),
            counts,
        })
    }

    /// Fraction of the samples in each class.
    pub fn fractions(&self) -> Vec<f64> {
        let total: usize = self.counts.iter().sum();
        self.counts
            .iter()
            .map(|&c| {
                if total == 0 {
                    0.0
                } else {
                    c as f64 / total as f64
                }
            })
            .collect()
    }

    /// Largest over smallest class count (infinite when a class is empty): above ~3 the UI
    /// suggests class weights or collecting more samples.
    pub fn imbalance_ratio(&self) -> f64 {
        let max = self.counts.iter().copied().max().unwrap_or(0);
        let min = self.counts.iter().copied().min().unwrap_or(0);
        if min == 0 {
            f64::INFINITY
        } else {
            max as f64 / min as f64
        }
    }

    /// Classes without any sample (training on them is impossible).
    pub fn empty_classes(&self) -> Vec<&str> {
        self.counts
            .iter()
            .zip(&self.classes)
            .filter(|(&c, _)| c == 0)
            .map(|(_, n)| n.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Image, InMemoryDataset};

    fn set(labels: &[usize]) -> InMemoryDataset {
        let mut ds = InMemoryDataset::new(vec!["a".into(), "b".into(), "c".into()]);
        for &l in labels {
            ds.push(Image::filled(1, 1, 1, l as f32).expect("valid"), l)
                .expect("valid");
        }
        ds
    }

    #[test]
    fn split_is_stratified_disjoint_and_seeded() {
        let ds = set(&[0; 10].iter().chain(&[1; 20]).copied().collect::<Vec<_>>());
        let (train, val) = train_val_split(&ds, 0.2, 7).expect("valid");
        assert_eq!((train.len(), val.len()), (24, 6));
        assert_eq!(val.iter().filter(|&&i| i < 10).count(), 2);
        assert!(train.iter().all(|i| !val.contains(i)));
        assert_eq!(
            train_val_split(&ds, 0.2, 7).expect("valid"),
            (train.clone(), val.clone())
        );
        assert_ne!(train_val_split(&ds, 0.2, 8).expect("valid").1, val);
        assert!(train_val_split(&ds, 1.0, 7).is_err());
    }

    #[test]
    fn balance_report() {
        let b = ClassBalance::of(&set(&[0, 0, 0, 1])).expect("valid");
        assert_eq!(b.counts, vec![3, 1, 0]);
        assert_eq!(b.fractions(), vec![0.75, 0.25, 0.0]);
        assert_eq!(b.imbalance_ratio(), f64::INFINITY);
        assert_eq!(b.empty_classes(), vec!["c"]);
        let b = ClassBalance::of(&set(&[0, 0, 0, 1, 2])).expect("valid");
        assert_eq!(b.imbalance_ratio(), 3.0);
    }
}
