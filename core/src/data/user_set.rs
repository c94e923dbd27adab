//! The user's own data set: webcam captures and uploaded images, held as RGB bytes at the size
//! the model takes. It is plain serde data (pixels as base64), so the page can keep it, post it
//! to the training worker, and store it in IndexedDB; its `.safetensors` form is the "data set
//! file" that a run's [`DataSource::User`](crate::io::DataSource) names by SHA-256.
//!
//! Every way in (deserializing, reading the file, pushing a sample) is validated: a stored or
//! posted set may be stale or hostile.

use serde::{Deserialize, Serialize};

use super::dataset::check_index;
use super::{DataError, Dataset, Image, Sample};

/// Most classes a user set may have.
pub const MAX_USER_CLASSES: usize = 64;
/// Most samples a user set may hold (about 140 MB at 96 px).
pub const MAX_USER_SAMPLES: usize = 5_000;
/// Largest side of a user set's images.
pub const MAX_USER_SIDE: usize = 224;
/// Longest class name, in characters.
pub const MAX_CLASS_NAME: usize = 40;

/// One captured or uploaded image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSample {
    /// Class index.
    pub label: usize,
    /// Where it came from: the file's path, or `webcam`.
    pub source: String,
    /// `height * width * 3` RGB bytes, row-major, interleaved.
    #[serde(with = "base64_bytes")]
    pub pixels: Vec<u8>,
}

/// Labelled RGB images of one size. Fields are private so that every instance is valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UserDatasetWire", into = "UserDatasetWire")]
pub struct UserDataset {
    classes: Vec<String>,
    height: usize,
    width: usize,
    samples: Vec<UserSample>,
}

/// The serialized form, checked by [`UserDataset::validate`] on the way in.
#[derive(Serialize, Deserialize)]
struct UserDatasetWire {
    classes: Vec<String>,
    height: usize,
    width: usize,
    samples: Vec<UserSample>,
}

impl TryFrom<UserDatasetWire> for UserDataset {
    type Error = DataError;

    fn try_from(w: UserDatasetWire) -> Result<Self, DataError> {
        let set = UserDataset {
            classes: w.classes,
            height: w.height,
            width: w.width,
            samples: w.samples,
        };
        set.validate()?;
        Ok(set)
    }
}

impl From<UserDataset> for UserDatasetWire {
    fn from(s: UserDataset) -> Self {
        UserDatasetWire {
            classes: s.classes,
            height: s.height,
            width: s.width,
            samples: s.samples,
        }
    }
}

impl UserDataset {
    /// An empty set of `height × width` RGB images with no classes yet.
    pub fn new(height: usize, width: usize) -> Result<Self, DataError> {
        let set = UserDataset {
            classes: Vec::new(),
            height,
            width,
            samples: Vec::new(),
        };
        set.validate()?;
        Ok(set)
    }

    /// Image rows.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Image columns.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The samples, in the order they were added.
    pub fn samples(&self) -> &[UserSample] {
        &self.samples
    }

    /// Adds a class and returns its label; an existing name returns that class's label.
    pub fn class_or_add(&mut self, name: &str) -> Result<usize, DataError> {
        let name = checked_name(name)?;
        if let Some(i) = self.classes.iter().position(|c| *c == name) {
            return Ok(i);
        }
        if self.classes.len() >= MAX_USER_CLASSES {
            return Err(DataError::invalid(
                "class",
                format!("a data set can have at most {MAX_USER_CLASSES} classes"),
            ));
        }
        self.classes.push(name);
        Ok(self.classes.len() - 1)
    }

    /// Renames a class; the new name must not be taken by another class.
    pub fn rename_class(&mut self, label: usize, name: &str) -> Result<(), DataError> {
        self.check_label(label)?;
        let name = checked_name(name)?;
        if self
            .classes
            .iter()
            .enumerate()
            .any(|(i, c)| i != label && *c == name)
        {
            return Err(DataError::invalid(
                "class",
                format!("there is already a class called \"{name}\""),
            ));
        }
        self.classes[label] = name;
        Ok(())
    }

    /// Removes a class and its samples; later labels move down by one.
    pub fn remove_class(&mut self, label: usize) -> Result<(), DataError> {
        self.check_label(label)?;
        self.classes.remove(label);
        self.samples.retain(|s| s.label != label);
        for s in &mut self.samples {
            if s.label > label {
                s.label -= 1;
            }
        }
        Ok(())
    }

    /// Adds `height * width * 3` RGB bytes under `label`.
    pub fn push_rgb(
        &mut self,
        label: usize,
        source: impl Into<String>,
        pixels: Vec<u8>,
    ) -> Result<usize, DataError> {
        self.check_label(label)?;
        if pixels.len() != self.height * self.width * 3 {
            return Err(DataError::invalid(
                "sample",
                format!(
                    "{} bytes for a {}×{} RGB image",
                    pixels.len(),
                    self.height,
                    self.width
                ),
            ));
        }
        if self.samples.len() >= MAX_USER_SAMPLES {
            return Err(DataError::invalid(
                "sample",
                format!("a data set can hold at most {MAX_USER_SAMPLES} images"),
            ));
        }
        self.samples.push(UserSample {
            label,
            source: source.into(),
            pixels,
        });
        Ok(self.samples.len() - 1)
    }

    /// Centre-crops and resizes `image` to the set's size (grey becomes RGB) and adds it.
    pub fn push_image(
        &mut self,
        label: usize,
        source: impl Into<String>,
        image: &Image,
    ) -> Result<usize, DataError> {
        let pixels = rgb_bytes(image, self.height, self.width)?;
        self.push_rgb(label, source, pixels)
    }

    /// Removes one sample (a bad capture).
    pub fn remove(&mut self, index: usize) -> Result<UserSample, DataError> {
        check_index(index, self.samples.len())?;
        Ok(self.samples.remove(index))
    }

    /// Samples per class, in label order.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for s in &self.samples {
            counts[s.label] += 1;
        }
        counts
    }

    /// Checks sizes, names, labels and pixel counts.
    pub fn validate(&self) -> Result<(), DataError> {
        if !(1..=MAX_USER_SIDE).contains(&self.height) || !(1..=MAX_USER_SIDE).contains(&self.width)
        {
            return Err(DataError::invalid(
                "user data set",
                format!(
                    "images must be 1 to {MAX_USER_SIDE} pixels a side, not {}×{}",
                    self.height, self.width
                ),
            ));
        }
        if self.classes.len() > MAX_USER_CLASSES || self.samples.len() > MAX_USER_SAMPLES {
            return Err(DataError::invalid(
                "user data set",
                format!(
                    "at most {MAX_USER_CLASSES} classes and {MAX_USER_SAMPLES} images are allowed"
                ),
            ));
        }
        for (i, name) in self.classes.iter().enumerate() {
            if checked_name(name)? != *name || self.classes[..i].contains(name) {
                return Err(DataError::invalid(
                    "user data set",
                    format!("class name \"{name}\" is repeated or not trimmed"),
                ));
            }
        }
        let per = self.height * self.width * 3;
        for s in &self.samples {
            self.check_label(s.label)?;
            if s.pixels.len() != per {
                return Err(DataError::invalid(
                    "user data set",
                    format!("a sample has {} bytes instead of {per}", s.pixels.len()),
                ));
            }
        }
        Ok(())
    }

    fn check_label(&self, label: usize) -> Result<(), DataError> {
        if label < self.classes.len() {
            Ok(())
        } else {
            Err(DataError::BadLabel {
                label,
                classes: self.classes.len(),
            })
        }
    }
}

impl Dataset for UserDataset {
    fn len(&self) -> usize {
        self.samples.len()
    }

    fn get(&self, index: usize) -> Result<Sample, DataError> {
        check_index(index, self.samples.len())?;
        let s = &self.samples[index];
        Ok(Sample {
            image: Image::from_rgb_u8(self.height, self.width, &s.pixels)?,
            label: s.label,
        })
    }

    fn label(&self, index: usize) -> Result<usize, DataError> {
        check_index(index, self.samples.len())?;
        Ok(self.samples[index].label)
    }

    fn classes(&self) -> &[String] {
        &self.classes
    }
}

/// `image` centre-cropped and resized to `height × width`, as interleaved RGB bytes.
pub fn rgb_bytes(image: &Image, height: usize, width: usize) -> Result<Vec<u8>, DataError> {
    let fitted = image.fit(3, height, width)?;
    let n = height * width;
    let data = fitted.data();
    let mut out = Vec::with_capacity(3 * n);
    for i in 0..n {
        for c in 0..3 {
            out.push((data[c * n + i].clamp(0.0, 1.0) * 255.0).round() as u8);
        }
    }
    Ok(out)
}

/// A trimmed, non-empty class name of at most [`MAX_CLASS_NAME`] characters.
fn checked_name(name: &str) -> Result<String, DataError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_CLASS_NAME {
        return Err(DataError::invalid(
            "class",
            format!("a class name needs 1 to {MAX_CLASS_NAME} characters"),
        ));
    }
    Ok(name.to_string())
}

/// Bytes as a base64 string in serde formats (JSON arrays of numbers are 3-4× larger).
pub mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `bytes` as standard base64.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    /// Reads standard base64.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

mod file;
#[cfg(test)]
mod tests;
