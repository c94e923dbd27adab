//! The user data set's `.safetensors` form: the "data set file" a run names by SHA-256, so its
//! bytes depend only on the set's contents, and reading one back checks everything (a file
//! may come from anyone).

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{DataError, UserDataset, UserDatasetWire, UserSample};

/// The one metadata key, holding [`FileMeta`] as JSON.
const META_KEY: &str = "pixelgrad_user_data";

/// What the tensors do not hold: class names and where each sample came from.
#[derive(Serialize, Deserialize)]
struct FileMeta {
    classes: Vec<String>,
    sources: Vec<String>,
}

impl UserDataset {
    /// The set as a `.safetensors` file: `train.images` U8 `[N, H, W, 3]`, `train.labels` U8
    /// `[N]`, and the class names and sources as JSON in the metadata. The bytes depend only on
    /// the contents, so [`UserDataset::sha256_hex`] identifies a set.
    pub fn to_safetensors(&self) -> Result<Vec<u8>, DataError> {
        let n = self.samples.len();
        let images: Vec<u8> = self
            .samples
            .iter()
            .flat_map(|s| s.pixels.iter().copied())
            .collect();
        let labels: Vec<u8> = self.samples.iter().map(|s| s.label as u8).collect();
        let fmt = |e: safetensors::SafeTensorError| DataError::Format(e.to_string());
        let views = vec![
            (
                "train.images",
                safetensors::tensor::TensorView::new(
                    Dtype::U8,
                    vec![n, self.height, self.width, 3],
                    &images,
                )
                .map_err(fmt)?,
            ),
            (
                "train.labels",
                safetensors::tensor::TensorView::new(Dtype::U8, vec![n], &labels).map_err(fmt)?,
            ),
        ];
        let meta = FileMeta {
            classes: self.classes.clone(),
            sources: self.samples.iter().map(|s| s.source.clone()).collect(),
        };
        let json = serde_json::to_string(&meta).map_err(|e| DataError::Format(e.to_string()))?;
        // One metadata key: safetensors writes its metadata map in hash order.
        let metadata = HashMap::from([(META_KEY.to_string(), json)]);
        safetensors::serialize(views, Some(metadata)).map_err(fmt)
    }

    /// Reads a file written by [`UserDataset::to_safetensors`], checking everything.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self, DataError> {
        let fmt = |e: safetensors::SafeTensorError| DataError::Format(e.to_string());
        let (_, header) = SafeTensors::read_metadata(bytes).map_err(fmt)?;
        let meta: FileMeta = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get(META_KEY))
            .ok_or_else(|| DataError::Format(format!("metadata has no `{META_KEY}`")))
            .and_then(|j| serde_json::from_str(j).map_err(|e| DataError::Format(e.to_string())))?;
        let st = SafeTensors::deserialize(bytes).map_err(fmt)?;
        let images = st.tensor("train.images").map_err(fmt)?;
        let labels = st.tensor("train.labels").map_err(fmt)?;
        if images.dtype() != Dtype::U8 || labels.dtype() != Dtype::U8 {
            return Err(DataError::Format("tensors must be U8".into()));
        }
        let &[n, height, width, 3] = images.shape() else {
            return Err(DataError::Format(format!(
                "train.images has shape {:?}; expected [N, H, W, 3]",
                images.shape()
            )));
        };
        if labels.shape() != [n] || meta.sources.len() != n {
            return Err(DataError::Format(
                "labels, sources and images disagree in number".into(),
            ));
        }
        let per = height * width * 3;
        let wire = UserDatasetWire {
            classes: meta.classes,
            height,
            width,
            samples: (0..n)
                .map(|i| UserSample {
                    label: usize::from(labels.data()[i]),
                    source: meta.sources[i].clone(),
                    pixels: images.data()[i * per..(i + 1) * per].to_vec(),
                })
                .collect(),
        };
        UserDataset::try_from(wire)
    }

    /// Lower-case hex SHA-256 of [`UserDataset::to_safetensors`]: the name a run spec gives it.
    pub fn sha256_hex(&self) -> Result<String, DataError> {
        let digest = Sha256::digest(self.to_safetensors()?);
        Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}
