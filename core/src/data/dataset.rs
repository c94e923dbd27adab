//! The [`Dataset`] trait and the in-memory data set that uploads and webcam captures fill.

use super::{DataError, Image};

/// One labelled example.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The picture, planar f32.
    pub image: Image,
    /// Class index in `0..classes().len()`.
    pub label: usize,
}

/// Indexed, labelled images. Labels are readable without decoding the image so that splits,
/// balance reports and stratification stay cheap on large sets.
pub trait Dataset {
    /// Number of samples.
    fn len(&self) -> usize;

    /// Whether there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sample at `index`; [`DataError::IndexOutOfRange`] past the end.
    fn get(&self, index: usize) -> Result<Sample, DataError>;

    /// The label at `index`, without building the image.
    fn label(&self, index: usize) -> Result<usize, DataError>;

    /// Class names; labels index into this list.
    fn classes(&self) -> &[String];
}

/// Checks `index < len`, the common guard of every `get`.
pub(crate) fn check_index(index: usize, len: usize) -> Result<(), DataError> {
    if index < len {
        Ok(())
    } else {
        Err(DataError::IndexOutOfRange { index, len })
    }
}

/// Images held in memory: user uploads and webcam captures, added one at a time.
#[derive(Debug, Clone, Default)]
pub struct InMemoryDataset {
    images: Vec<Image>,
    labels: Vec<usize>,
    classes: Vec<String>,
}

impl InMemoryDataset {
    /// An empty set with the given class names.
    pub fn new(classes: Vec<String>) -> Self {
        InMemoryDataset {
            images: Vec::new(),
            labels: Vec::new(),
            classes,
        }
    }

    /// Adds a sample; the label must name an existing class and the image must have the shape
    /// of the images already held (a batch needs one shape: resize captures first).
    pub fn push(&mut self, image: Image, label: usize) -> Result<(), DataError> {
        if label >= self.classes.len() {
            return Err(DataError::BadLabel {
                label,
                classes: self.classes.len(),
            });
        }
        if let Some(first) = self.images.first() {
            if first.shape() != image.shape() {
                return Err(DataError::invalid(
                    "push",
                    format!(
                        "image shape {:?} differs from the set's {:?}",
                        image.shape(),
                        first.shape()
                    ),
                ));
            }
        }
        self.images.push(image);
        self.labels.push(label);
        Ok(())
    }

    /// Adds a webcam frame or upload after [`Image::fit`]ting it to the set's image shape (or
    /// to `[channels, height, width]` for the first sample).
    pub fn push_fitted(
        &mut self,
        image: &Image,
        label: usize,
        shape: [usize; 3],
    ) -> Result<(), DataError> {
        let [c, h, w] = self.images.first().map_or(shape, Image::shape);
        self.push(image.fit(c, h, w)?, label)
    }

    /// Adds a class (the webcam page's "add class" button) and returns its label.
    pub fn add_class(&mut self, name: impl Into<String>) -> usize {
        self.classes.push(name.into());
        self.classes.len() - 1
    }

    /// Removes the sample at `index` (undo of a capture).
    pub fn remove(&mut self, index: usize) -> Result<Sample, DataError> {
        check_index(index, self.images.len())?;
        Ok(Sample {
            image: self.images.remove(index),
            label: self.labels.remove(index),
        })
    }
}

impl Dataset for InMemoryDataset {
    fn len(&self) -> usize {
        self.images.len()
    }

    fn get(&self, index: usize) -> Result<Sample, DataError> {
        check_index(index, self.images.len())?;
        Ok(Sample {
            image: self.images[index].clone(),
            label: self.labels[index],
        })
    }

    fn label(&self, index: usize) -> Result<usize, DataError> {
        check_index(index, self.labels.len())?;
        Ok(self.labels[index])
    }

    fn classes(&self) -> &[String] {
        &self.classes
    }
}

/// A view of some samples of another data set, in a given order (train/validation splits).
#[derive(Debug, Clone)]
pub struct Subset<'a, D: Dataset + ?Sized> {
    base: &'a D,
    indices: Vec<usize>,
}

impl<'a, D: Dataset + ?Sized> Subset<'a, D> {
    /// A view of `indices` of `base`; errors on an index past its end.
    pub fn new(base: &'a D, indices: Vec<usize>) -> Result<Self, DataError> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= base.len()) {
            return Err(DataError::IndexOutOfRange {
                index: bad,
                len: base.len(),
            });
        }
        Ok(Subset { base, indices })
    }

    /// Indices into the base set.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }
}

impl<D: Dataset + ?Sized> Dataset for Subset<'_, D> {
    fn len(&self) -> usize {
        self.indices.len()
    }

    fn get(&self, index: usize) -> Result<Sample, DataError> {
        check_index(index, self.indices.len())?;
        self.base.get(self.indices[index])
    }

    fn label(&self, index: usize) -> Result<usize, DataError> {
        check_index(index, self.indices.len())?;
        self.base.label(self.indices[index])
    }

    fn classes(&self) -> &[String] {
        self.base.classes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_validates_labels_and_shapes() {
        let mut ds = InMemoryDataset::new(vec!["a".into()]);
        let img = Image::filled(3, 4, 4, 0.5).expect("valid");
        assert_eq!(
            ds.push(img.clone(), 1),
            Err(DataError::BadLabel {
                label: 1,
                classes: 1
            })
        );
        let b = ds.add_class("b");
        ds.push(img.clone(), b).expect("valid");
        assert!(ds
            .push(Image::filled(3, 5, 4, 0.5).expect("valid"), 0)
            .is_err());
        assert_eq!(ds.len(), 1);
        assert_eq!(ds.get(0).expect("exists").label, 1);
        assert_eq!(
            ds.get(1),
            Err(DataError::IndexOutOfRange { index: 1, len: 1 })
        );
        let sub = Subset::new(&ds, vec![0, 0]).expect("valid");
        assert_eq!(sub.len(), 2);
        assert!(Subset::new(&ds, vec![3]).is_err());
        ds.push_fitted(&Image::filled(3, 30, 40, 0.2).expect("valid"), 0, [1, 1, 1])
            .expect("fits");
        assert_eq!(ds.get(1).expect("exists").image.shape(), [3, 4, 4]);
        assert_eq!(ds.remove(0).expect("exists").label, 1);
        assert_eq!(ds.len(), 1);
    }
}
