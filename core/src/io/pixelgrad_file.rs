//! The `.pixelgrad` file: a run's spec with its full f32 weights, for runs too big for a link
//! and for keeping exact weights. It is a plain safetensors file (so PyTorch's
//! `safetensors.torch.load_file` reads the weights by their `state_dict` names) whose metadata
//! holds `format = "pixelgrad"`, the format `version` and the `run_spec` JSON.
//!
//! Reading treats the file as hostile: size and header length are checked before parsing, the
//! version before the spec, the spec field by field before a model is built from it, and every
//! tensor's name and shape against that model.

#![warn(missing_docs)]

use std::collections::HashMap;

use safetensors::SafeTensors;

use super::checkpoint::{read_safetensors, save_model};
use super::run_spec::{BuildError, RunSpec, RunSpecJsonError, RUN_SPEC_VERSION};
use crate::models::Model;
use crate::nn::load_state_dict;

/// Largest file accepted: the spec limits' largest model in f32 (50 M parameters, 200 MB) plus
/// room for buffers and the header.
pub const MAX_PIXELGRAD_FILE_BYTES: usize = 256 << 20;
/// Largest safetensors JSON header accepted.
const MAX_HEADER_BYTES: u64 = 16 << 20;
/// The metadata value that marks a pixelgrad file.
const FORMAT: &str = "pixelgrad";

/// Why a `.pixelgrad` file could not be read or written. Display gives a sentence for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    /// Larger than [`MAX_PIXELGRAD_FILE_BYTES`].
    #[error("the file is too large ({len} bytes; at most {max})")]
    TooLarge {
        /// Bytes given.
        len: usize,
        /// Bytes accepted.
        max: usize,
    },
    /// Not a safetensors file, or one without pixelgrad's metadata.
    #[error("this is not a .pixelgrad file: {0}")]
    NotPixelgrad(String),
    /// Written by a newer build of the app.
    #[error("this file was made by a newer version of pixelgrad (format {found}; this page reads up to {supported}); reload the page to get the latest version")]
    FutureVersion {
        /// The version the link or file declares.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// The run settings inside are malformed or out of range.
    #[error("the file has {0}")]
    Spec(#[from] RunSpecJsonError),
    /// The weights do not fit the model the spec describes, or the model cannot be built.
    #[error("the file's weights do not fit its model: {0}")]
    Weights(String),
}

impl From<BuildError> for FileError {
    fn from(e: BuildError) -> FileError {
        match e {
            BuildError::Spec(s) => FileError::Spec(RunSpecJsonError::Invalid(s)),
            other => FileError::Weights(other.to_string()),
        }
    }
}

/// Writes `spec` (its link weights, if any, are left out: the file has the exact ones) with
/// `model`'s full `state_dict` in f32.
pub fn write_pixelgrad_file(spec: &RunSpec, model: &Model) -> Result<Vec<u8>, FileError> {
    spec.validate().map_err(RunSpecJsonError::Invalid)?;
    let mut spec = spec.clone();
    spec.weights = None;
    let meta = HashMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("version".to_string(), RUN_SPEC_VERSION.to_string()),
        ("run_spec".to_string(), spec.to_json()),
    ]);
    save_model(model, Some(meta)).map_err(|e| FileError::Weights(e.to_string()))
}

/// Reads a `.pixelgrad` file: the validated spec and its model with the file's weights.
pub fn read_pixelgrad_file(bytes: &[u8]) -> Result<(RunSpec, Model), FileError> {
    if bytes.len() > MAX_PIXELGRAD_FILE_BYTES {
        return Err(FileError::TooLarge {
            len: bytes.len(),
            max: MAX_PIXELGRAD_FILE_BYTES,
        });
    }
    let header = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .ok_or_else(|| FileError::NotPixelgrad("the file is too short".into()))?;
    if header > MAX_HEADER_BYTES {
        return Err(FileError::NotPixelgrad(format!(
            "its header claims {header} bytes"
        )));
    }
    let (_, meta) = SafeTensors::read_metadata(bytes)
        .map_err(|e| FileError::NotPixelgrad(format!("not a safetensors file ({e})")))?;
    let info = meta.metadata().clone().unwrap_or_default();
    if info.get("format").map(String::as_str) != Some(FORMAT) {
        return Err(FileError::NotPixelgrad(
            "it has no pixelgrad run settings (a plain checkpoint?)".into(),
        ));
    }
    let version = info
        .get("version")
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|&v| v > 0)
        .ok_or_else(|| FileError::NotPixelgrad("its format version is missing".into()))?;
    if version > RUN_SPEC_VERSION {
        return Err(FileError::FutureVersion {
            found: version,
            supported: RUN_SPEC_VERSION,
        });
    }
    let json = info
        .get("run_spec")
        .ok_or_else(|| FileError::NotPixelgrad("the run settings are missing".into()))?;
    let spec = RunSpec::from_json(json)?;
    let model = spec.build_model()?;
    let tensors = read_safetensors(bytes).map_err(|e| FileError::Weights(e.to_string()))?;
    load_state_dict(&model, &tensors, true).map_err(|e| FileError::Weights(e.to_string()))?;
    Ok((spec, model))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::run_spec::tests::lenet_spec;
    use crate::io::write_safetensors;
    use crate::nn::state_dict;

    #[test]
    fn round_trip_keeps_spec_and_exact_weights() {
        let spec = lenet_spec();
        let model = spec.build_model().expect("build");
        let w0 = state_dict(&model)[0].tensor.clone();
        w0.set_data(&w0.mul_scalar(3.0).expect("scale"))
            .expect("set");
        let bytes = write_pixelgrad_file(&spec, &model).expect("write");
        let (back, loaded) = read_pixelgrad_file(&bytes).expect("read");
        assert_eq!(back, spec);
        for (a, b) in state_dict(&model).iter().zip(state_dict(&loaded)) {
            assert_eq!(a.name, b.name);
            assert_eq!(
                a.tensor.to_vec_f32().expect("read"),
                b.tensor.to_vec_f32().expect("read")
            );
        }
    }

    #[test]
    fn hostile_files_get_clear_errors() {
        let spec = lenet_spec();
        let model = spec.build_model().expect("build");
        let bytes = write_pixelgrad_file(&spec, &model).expect("write");
        for cut in [0, 7, 100, bytes.len() - 1] {
            let err = read_pixelgrad_file(&bytes[..cut]).expect_err("truncated");
            assert!(matches!(err, FileError::NotPixelgrad(_)), "{cut}: {err}");
        }
        let mut huge = bytes.clone();
        huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            read_pixelgrad_file(&huge),
            Err(FileError::NotPixelgrad(_))
        ));
        let plain = save_model(&model, None).expect("save");
        assert!(matches!(
            read_pixelgrad_file(&plain),
            Err(FileError::NotPixelgrad(_))
        ));
        let meta = |version: &str, json: String| {
            Some(HashMap::from([
                ("format".to_string(), "pixelgrad".to_string()),
                ("version".to_string(), version.to_string()),
                ("run_spec".to_string(), json),
            ]))
        };
        let named: Vec<_> = state_dict(&model)
            .into_iter()
            .map(|t| (t.name, t.tensor))
            .collect();
        let future = write_safetensors(&named, meta("9", spec.to_json())).expect("write");
        assert!(matches!(
            read_pixelgrad_file(&future),
            Err(FileError::FutureVersion { found: 9, .. })
        ));
        let bad_json = spec.to_json().replace("\"classes\":10", "\"classes\":0");
        let bad = write_safetensors(&named, meta("1", bad_json)).expect("write");
        let err = read_pixelgrad_file(&bad).expect_err("invalid");
        assert!(err.to_string().contains("data.classes"), "{err}");
        let other = spec.to_json().replace("\"classes\":10", "\"classes\":5");
        let wrong = write_safetensors(&named, meta("1", other)).expect("write");
        assert!(matches!(
            read_pixelgrad_file(&wrong),
            Err(FileError::Weights(_))
        ));
    }
}
