//! Writing the converted files: a deterministic safetensors writer (tensor and metadata order
//! fixed, so the same input always gives the same bytes and the same gzip) and the layout every
//! image data set shares (`train.images`, `train.labels`, `test.images`, `test.labels`).

use super::archive::{write_atomic, write_gzip_sibling};
use super::split::gather;
use std::collections::BTreeMap;
use std::path::Path;

/// One tensor to write: a safetensors dtype name (`U8`, `F16`, ...), its shape and its
/// little-endian bytes.
pub struct Out<'a> {
    pub name: &'a str,
    pub dtype: &'static str,
    pub shape: Vec<usize>,
    pub data: &'a [u8],
}

/// Serialises tensors (in the given order) and string metadata into safetensors bytes. The
/// header is padded with spaces to a multiple of 8 as the format recommends.
pub fn to_safetensors(
    tensors: &[Out],
    metadata: &BTreeMap<String, String>,
) -> Result<Vec<u8>, String> {
    let mut header = serde_json::Map::new();
    header.insert(
        "__metadata__".into(),
        serde_json::to_value(metadata).map_err(|e| e.to_string())?,
    );
    let mut offset = 0usize;
    for t in tensors {
        let elem = match t.dtype {
            "U8" | "I8" | "BOOL" => 1,
            "F16" | "BF16" | "I16" => 2,
            "F32" | "I32" => 4,
            "F64" | "I64" => 8,
            other => return Err(format!("safetensors: dtype {other} not handled")),
        };
        let expected = t.shape.iter().product::<usize>() * elem;
        if expected != t.data.len() {
            return Err(format!(
                "safetensors: {} has shape {:?} ({expected} bytes) but {} bytes",
                t.name,
                t.shape,
                t.data.len()
            ));
        }
        let entry = serde_json::json!({
            "dtype": t.dtype,
            "shape": t.shape,
            "data_offsets": [offset, offset + t.data.len()],
        });
        if header.insert(t.name.to_string(), entry).is_some() {
            return Err(format!("safetensors: duplicate tensor {}", t.name));
        }
        offset += t.data.len();
    }
    // serde_json's Map is sorted, or in insertion order with `preserve_order`: fixed either way.
    let mut json = serde_json::to_string(&header)
        .map_err(|e| e.to_string())?
        .into_bytes();
    while (8 + json.len()) % 8 != 0 {
        json.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for t in tensors {
        out.extend_from_slice(t.data);
    }
    // Read it back with the reference implementation, so a writer bug cannot ship.
    safetensors::SafeTensors::deserialize(&out)
        .map_err(|e| format!("safetensors self-check: {e}"))?;
    Ok(out)
}

/// A grey (`channels == None`) or colour image data set in u8, split into train and test.
pub struct ImageSet {
    pub height: usize,
    pub width: usize,
    pub train_images: Vec<u8>,
    pub train_labels: Vec<u8>,
    pub test_images: Vec<u8>,
    pub test_labels: Vec<u8>,
}

impl ImageSet {
    /// The set of `height * width` grey images whose items `train` and `test` (indices into
    /// `images`/`labels`, in the order to store) take from one source.
    pub fn from_split(
        images: &[u8],
        labels: &[u8],
        (height, width): (usize, usize),
        train: &[usize],
        test: &[usize],
    ) -> ImageSet {
        let (train_images, train_labels) = gather(images, labels, height * width, train);
        let (test_images, test_labels) = gather(images, labels, height * width, test);
        ImageSet {
            height,
            width,
            train_images,
            train_labels,
            test_images,
            test_labels,
        }
    }
}

/// What `__metadata__` says about a data set, so the app can label classes and credit sources
/// without a second file.
pub struct SetMeta<'a> {
    pub name: &'a str,
    pub classes: &'a [&'a str],
    pub source: &'a str,
    pub license: &'a str,
    /// Further keys, e.g. how pixels were scaled and how the split was made.
    pub extra: &'a [(&'a str, String)],
}

/// Sizes of one written file, for the summary.
pub struct Written {
    pub path: std::path::PathBuf,
    pub raw: u64,
    /// Size of the `.gz` sibling, when one was written.
    pub gz: Option<u64>,
}

/// Writes an image set to `path` (plus a `.gz` sibling when `gzip`), in the shared layout.
pub fn write_image_set(
    path: &Path,
    set: &ImageSet,
    meta: &SetMeta,
    gzip: bool,
) -> Result<Written, String> {
    let px = set.height * set.width;
    let (n_train, n_test) = (set.train_labels.len(), set.test_labels.len());
    if set.train_images.len() != n_train * px || set.test_images.len() != n_test * px {
        return Err(format!("{}: image and label counts disagree", meta.name));
    }
    let tensors = [
        Out {
            name: "train.images",
            dtype: "U8",
            shape: vec![n_train, set.height, set.width],
            data: &set.train_images,
        },
        Out {
            name: "train.labels",
            dtype: "U8",
            shape: vec![n_train],
            data: &set.train_labels,
        },
        Out {
            name: "test.images",
            dtype: "U8",
            shape: vec![n_test, set.height, set.width],
            data: &set.test_images,
        },
        Out {
            name: "test.labels",
            dtype: "U8",
            shape: vec![n_test],
            data: &set.test_labels,
        },
    ];
    let classes = serde_json::to_string(meta.classes).map_err(|e| e.to_string())?;
    let mut md = BTreeMap::new();
    md.insert("name".to_string(), meta.name.to_string());
    md.insert("classes".to_string(), classes);
    md.insert("source".to_string(), meta.source.to_string());
    md.insert("license".to_string(), meta.license.to_string());
    for (k, v) in meta.extra {
        md.insert(k.to_string(), v.clone());
    }
    write_file(path, &to_safetensors(&tensors, &md)?, gzip)
}

/// Writes `bytes` to `path` atomically, plus a gzip sibling when asked.
pub fn write_file(path: &Path, bytes: &[u8], gzip: bool) -> Result<Written, String> {
    write_atomic(path, bytes)?;
    let gz = if gzip {
        Some(write_gzip_sibling(path, bytes)?)
    } else {
        None
    };
    Ok(Written {
        path: path.to_path_buf(),
        raw: bytes.len() as u64,
        gz,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safetensors_round_trip() {
        let a = [1u8, 2, 3, 4, 5, 6];
        let b = [7u8];
        let mut md = BTreeMap::new();
        md.insert("name".to_string(), "x".to_string());
        let tensors = [
            Out {
                name: "train.images",
                dtype: "U8",
                shape: vec![1, 2, 3],
                data: &a,
            },
            Out {
                name: "train.labels",
                dtype: "U8",
                shape: vec![1],
                data: &b,
            },
        ];
        let bytes = to_safetensors(&tensors, &md).unwrap();
        assert_eq!(bytes, to_safetensors(&tensors, &md).unwrap());
        let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!((8 + header_len) % 8, 0);
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(st.tensor("train.images").unwrap().shape(), [1, 2, 3]);
        assert_eq!(st.tensor("train.labels").unwrap().data(), [7]);
        let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(meta.metadata().as_ref().unwrap()["name"], "x");
    }

    #[test]
    fn rejects_size_mismatch() {
        let t = [Out {
            name: "a",
            dtype: "F16",
            shape: vec![3],
            data: &[0u8; 5],
        }];
        assert!(to_safetensors(&t, &BTreeMap::new()).is_err());
    }
}
