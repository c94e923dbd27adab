//! The bundled data sets as the worker loads them, and the summary the page shows.

use pixelgrad::data::{BundledDataset, Dataset, Split};

use super::fetch::fetch_bytes;
use super::protocol::{DatasetSummary, Thumbnail};

/// Thumbnails sent to the page per class: enough to recognise the set, small to post.
const THUMBNAILS_PER_CLASS: usize = 8;

/// A bundled data set the app offers, by its file name under `/data/`.
pub struct BundledInfo {
    /// File stem and identifier (`mnist`).
    pub id: &'static str,
    /// What users see.
    pub title: &'static str,
    /// One line on what is in it.
    pub blurb: &'static str,
}

/// The bundled sets, in the order the data panel lists them.
pub const BUNDLED: &[BundledInfo] = &[
    BundledInfo {
        id: "mnist",
        title: "MNIST digits",
        blurb: "10,000 handwritten digits, 28×28 grey",
    },
    BundledInfo {
        id: "fashion-mnist",
        title: "Fashion-MNIST",
        blurb: "10,000 clothing photos in 10 classes, 28×28 grey",
    },
    BundledInfo {
        id: "digits",
        title: "Small digits",
        blurb: "1,797 digits, 8×8 grey: trains in seconds",
    },
];

/// Both splits of one bundled set.
pub struct LoadedSet {
    /// Training split.
    pub train: BundledDataset,
    /// Held-out split for validation and test metrics.
    pub test: BundledDataset,
}

/// Downloads and parses a bundled set; the id must be one of [`BUNDLED`] (ids come from the
/// page, and a shared link may carry any string).
pub async fn load_bundled(id: &str) -> Result<LoadedSet, String> {
    let info = BUNDLED
        .iter()
        .find(|b| b.id == id)
        .ok_or_else(|| format!("there is no bundled data set called \"{id}\""))?;
    let bytes = fetch_bytes(&format!("/data/{}.safetensors", info.id)).await?;
    let parse = |split| {
        BundledDataset::from_safetensors(&bytes, split)
            .map_err(|e| format!("{} is damaged: {e}", info.title))
    };
    Ok(LoadedSet {
        train: parse(Split::Train)?,
        test: parse(Split::Test)?,
    })
}

/// Counts per class, thumbnails of the first few per class, sizes: what the data panel draws.
pub fn summarize(id: &str, set: &LoadedSet) -> Result<DatasetSummary, String> {
    let classes = set.train.classes().to_vec();
    let mut class_counts = vec![0usize; classes.len()];
    let mut thumbnails = Vec::new();
    let (height, width) = set.train.image_size();
    for index in 0..set.train.len() {
        let label = set.train.label(index).map_err(|e| e.to_string())?;
        let Some(count) = class_counts.get_mut(label) else {
            continue;
        };
        *count += 1;
        if *count <= THUMBNAILS_PER_CLASS {
            let sample = set.train.get(index).map_err(|e| e.to_string())?;
            let pixels = sample
                .image
                .data()
                .iter()
                .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
                .collect();
            thumbnails.push(Thumbnail {
                label,
                height,
                width,
                pixels,
            });
        }
    }
    thumbnails.sort_by_key(|t| t.label);
    Ok(DatasetSummary {
        id: id.to_string(),
        classes,
        height,
        width,
        train_len: set.train.len(),
        test_len: set.test.len(),
        class_counts,
        thumbnails,
    })
}
