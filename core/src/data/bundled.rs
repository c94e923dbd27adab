//! The bundled data sets (`public/data/*.safetensors`, made by `cargo xtask data`): U8 tensors
//! `{train,test}.images` `[N, H, W]` and `{train,test}.labels` `[N]`, class names as a JSON
//! array in the metadata key `classes`. Pixels stay as bytes in memory (4× smaller than f32).

use safetensors::{Dtype, SafeTensors};

use super::dataset::check_index;
use super::{DataError, Dataset, Image, Sample};

/// Which half of a bundled file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Split {
    Train,
    Test,
}

impl Split {
    fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
        }
    }
}

/// One split of a bundled grey data set.
#[derive(Debug, Clone)]
pub struct BundledDataset {
    name: String,
    pixels: Vec<u8>,
    labels: Vec<u8>,
    height: usize,
    width: usize,
    classes: Vec<String>,
}

impl BundledDataset {
    /// Parses one split from the bytes of a bundled file, validating dtypes, shapes, labels and
    /// the class list (the file may come from a cache or a user, so nothing is trusted).
    pub fn from_safetensors(bytes: &[u8], split: Split) -> Result<BundledDataset, DataError> {
        let fmt = |e: safetensors::SafeTensorError| DataError::Format(e.to_string());
        let (_, meta) = SafeTensors::read_metadata(bytes).map_err(fmt)?;
        let st = SafeTensors::deserialize(bytes).map_err(fmt)?;
        let info = meta.metadata().clone().unwrap_or_default();
        let classes: Vec<String> = info
            .get("classes")
            .ok_or_else(|| DataError::Format("metadata has no `classes`".into()))
            .and_then(|c| {
                serde_json::from_str(c).map_err(|e| {
                    DataError::Format(format!("`classes` is not a JSON list of strings: {e}"))
                })
            })?;
        if classes.is_empty() || classes.len() > 256 {
            return Err(DataError::Format(format!(
                "{} classes; expected 1 to 256",
                classes.len()
            )));
        }
        let p = split.prefix();
        let images = st.tensor(&format!("{p}.images")).map_err(fmt)?;
        let labels = st.tensor(&format!("{p}.labels")).map_err(fmt)?;
        if images.dtype() != Dtype::U8 || labels.dtype() != Dtype::U8 {
            return Err(DataError::Format(format!("{p} tensors must be U8")));
        }
        let (n, height, width) = match images.shape() {
            &[n, h, w] if h > 0 && w > 0 => (n, h, w),
            s => {
                return Err(DataError::Format(format!(
                    "{p}.images has shape {s:?}; expected [N, H, W]"
                )))
            }
        };
        if labels.shape() != [n] {
            return Err(DataError::Format(format!(
                "{p}.labels has shape {:?}; expected [{n}]",
                labels.shape()
            )));
        }
        if let Some(&bad) = labels
            .data()
            .iter()
            .find(|&&l| usize::from(l) >= classes.len())
        {
            return Err(DataError::BadLabel {
                label: usize::from(bad),
                classes: classes.len(),
            });
        }
        Ok(BundledDataset {
            name: info.get("name").cloned().unwrap_or_default(),
            pixels: images.data().to_vec(),
            labels: labels.data().to_vec(),
            height,
            width,
            classes,
        })
    }

    /// The data set's name from the metadata (`mnist`, `fashion-mnist`, `digits`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `(height, width)` of every image.
    pub fn image_size(&self) -> (usize, usize) {
        (self.height, self.width)
    }
}

impl Dataset for BundledDataset {
    fn len(&self) -> usize {
        self.labels.len()
    }

    fn get(&self, index: usize) -> Result<Sample, DataError> {
        check_index(index, self.labels.len())?;
        let n = self.height * self.width;
        Ok(Sample {
            image: Image::from_grey_u8(
                self.height,
                self.width,
                &self.pixels[index * n..(index + 1) * n],
            )?,
            label: usize::from(self.labels[index]),
        })
    }

    fn label(&self, index: usize) -> Result<usize, DataError> {
        check_index(index, self.labels.len())?;
        Ok(usize::from(self.labels[index]))
    }

    fn classes(&self) -> &[String] {
        &self.classes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::TensorView;
    use std::collections::HashMap;

    fn file(labels: &[u8], label_shape: Vec<usize>, classes: &str) -> Vec<u8> {
        let images: Vec<u8> = (0..labels.len() * 4).map(|v| v as u8).collect();
        let mut t = HashMap::new();
        t.insert(
            "train.images".to_string(),
            TensorView::new(Dtype::U8, vec![labels.len(), 2, 2], &images).expect("view"),
        );
        t.insert(
            "train.labels".to_string(),
            TensorView::new(Dtype::U8, label_shape, labels).expect("view"),
        );
        let meta = HashMap::from([
            ("classes".to_string(), classes.to_string()),
            ("name".to_string(), "tiny".to_string()),
        ]);
        safetensors::serialize(t, Some(meta)).expect("serialize")
    }

    #[test]
    fn parses_and_validates() {
        let ds = BundledDataset::from_safetensors(
            &file(&[0, 1, 1], vec![3], r#"["a","b"]"#),
            Split::Train,
        )
        .expect("valid");
        assert_eq!((ds.len(), ds.name(), ds.image_size()), (3, "tiny", (2, 2)));
        let s = ds.get(1).expect("exists");
        assert_eq!(s.label, 1);
        assert_eq!(s.image.data()[0], 4.0 / 255.0);
        assert!(matches!(
            BundledDataset::from_safetensors(&file(&[0, 2], vec![2], r#"["a","b"]"#), Split::Train),
            Err(DataError::BadLabel {
                label: 2,
                classes: 2
            })
        ));
        assert!(
            BundledDataset::from_safetensors(&file(&[0, 1], vec![2], "nope"), Split::Train)
                .is_err()
        );
        assert!(BundledDataset::from_safetensors(
            &file(&[0, 1], vec![2], r#"["a","b"]"#),
            Split::Test
        )
        .is_err());
        let bytes = file(&[0, 1], vec![2], r#"["a","b"]"#);
        assert!(BundledDataset::from_safetensors(&bytes[..bytes.len() - 3], Split::Train).is_err());
        assert!(BundledDataset::from_safetensors(b"garbage", Split::Train).is_err());
    }

    /// The real files, when `cargo xtask data` has made them.
    #[test]
    fn loads_the_bundled_files_when_present() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/data/");
        for (name, hw, n_train) in [
            ("mnist", 28, 8000),
            ("fashion-mnist", 28, 8000),
            ("digits", 8, 1438),
        ] {
            let Ok(bytes) = std::fs::read(format!("{root}{name}.safetensors")) else {
                continue;
            };
            let ds = BundledDataset::from_safetensors(&bytes, Split::Train)
                .expect("bundled file parses");
            assert_eq!(
                (ds.len(), ds.image_size(), ds.classes().len()),
                (n_train, (hw, hw), 10),
                "{name}"
            );
        }
    }
}
