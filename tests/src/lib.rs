//! Shared helpers for pixelgrad's integration tests: loading the PyTorch golden fixtures
//! (`tests/fixtures/manifest.json` + one `.safetensors` per case) and comparing tensors with a
//! message that names the case, the shape and the worst element.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pixelgrad::Tensor;
use serde::Deserialize;

/// One entry of the fixture manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureCase {
    pub name: String,
    pub op: String,
    pub params: serde_json::Value,
    pub inputs: Vec<String>,
    pub file: String,
}

/// The manifest written by `tests/fixtures/generate.py`.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub cases: Vec<FixtureCase>,
}

/// A stored tensor, converted to f64 values (integers and masks included).
#[derive(Debug, Clone)]
pub struct Stored {
    pub shape: Vec<usize>,
    pub values: Vec<f64>,
    /// True for I64 / U8 tensors (targets, indices, masks).
    pub integer: bool,
}

impl Stored {
    /// As an f32 tensor (integers become integer-valued floats, pixelgrad's index convention).
    pub fn to_tensor(&self) -> Tensor {
        let v: Vec<f32> = self.values.iter().map(|&x| x as f32).collect();
        Tensor::from_vec(v, self.shape.clone()).expect("stored shape matches its data")
    }
}

/// Directory of the fixtures.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Reads the manifest.
pub fn load_manifest() -> Result<Manifest, String> {
    let path = fixtures_dir().join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads every tensor of one case file.
pub fn load_tensors(file: &str) -> Result<BTreeMap<String, Stored>, String> {
    let path = fixtures_dir().join(file);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let st = safetensors::SafeTensors::deserialize(&bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    for (name, view) in st.tensors() {
        let data = view.data();
        let (values, integer): (Vec<f64>, bool) = match view.dtype() {
            safetensors::Dtype::F32 => (
                data.chunks_exact(4)
                    .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                    .collect(),
                false,
            ),
            safetensors::Dtype::I64 => (
                data.chunks_exact(8)
                    .map(|c| i64::from_le_bytes(c.try_into().expect("chunks of 8")) as f64)
                    .collect(),
                true,
            ),
            safetensors::Dtype::U8 => (data.iter().map(|&b| f64::from(b)).collect(), true),
            other => {
                return Err(format!(
                    "{file}: tensor {name} has unsupported dtype {other:?}"
                ))
            }
        };
        out.insert(
            name,
            Stored {
                shape: view.shape().to_vec(),
                values,
                integer,
            },
        );
    }
    Ok(out)
}

/// The fixture tolerance for f32 results: `|got - want| < 1e-5 + 1e-4 * |want|`.
pub fn within_tolerance(got: f64, want: f64) -> bool {
    (got - want).abs() < 1e-5 + 1e-4 * want.abs()
}

/// Compares `got` with `want`; the error names the case, what is compared, the shape and the
/// worst element (index, value, expected).
pub fn compare(case: &str, what: &str, got: &Tensor, want: &Stored) -> Result<(), String> {
    if got.dims() != want.shape.as_slice() {
        return Err(format!(
            "{case}: {what}: shape {:?}, expected {:?}",
            got.dims(),
            want.shape
        ));
    }
    let g = got
        .to_vec::<f64>()
        .map_err(|e| format!("{case}: {what}: {e}"))?;
    let mut worst: Option<(usize, f64)> = None;
    for (i, (&a, &b)) in g.iter().zip(&want.values).enumerate() {
        if !within_tolerance(a, b) || a.is_nan() {
            let excess = (a - b).abs() - (1e-5 + 1e-4 * b.abs());
            let excess = if excess.is_nan() {
                f64::INFINITY
            } else {
                excess
            };
            if worst.is_none_or(|(_, w)| excess > w) {
                worst = Some((i, excess));
            }
        }
    }
    match worst {
        None => Ok(()),
        Some((i, _)) => Err(format!(
            "{case}: {what} (shape {:?}): worst element {i}: got {}, expected {} (|diff| {:.3e})",
            want.shape,
            g[i],
            want.values[i],
            (g[i] - want.values[i]).abs()
        )),
    }
}
