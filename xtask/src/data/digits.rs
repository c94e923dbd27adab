//! scikit-learn's 8×8 digits (1,797 images, values 0..16) from the `scikit-learn` wheel on
//! PyPI: tiny enough that the first lessons train in seconds.

use super::archive::{gunzip, zip_member};
use super::fetch::{fetch, Download};
use super::split::stratified;
use super::store::{write_image_set, ImageSet, SetMeta, Written};
use super::Source;
use std::path::Path;

/// Where the digits come from and what is done to them (also rendered into SOURCES.md).
pub const SOURCE: Source = Source {
    id: "digits",
    title: "scikit-learn digits (1,797 handwritten digits, 8×8, 17 grey levels)",
    origin: "PyPI `scikit-learn` 1.9.1 wheel (cp313 manylinux x86_64), \
             `sklearn/datasets/data/digits.csv.gz` (a copy of the test set of UCI's \
             Optical Recognition of Handwritten Digits)",
    download: Download {
        file: "scikit_learn-1.9.1-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
        url: "https://files.pythonhosted.org/packages/23/e5/\
              688703d357e5393f708d98eb189fd415ae69e39f6de03c6bd4005aef6118/\
              scikit_learn-1.9.1-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
        sha256: "55e79d6e9b0923f1a978179822bd43d7f5543f45e970a00fe861f43486380aba",
        apt: None,
    },
    license: "BSD-3-Clause (as shipped in scikit-learn); the UCI data set is CC BY 4.0 \
              (E. Alpaydin, C. Kaynak)",
    conversion: "Each CSV row is 64 pixel counts (0..16) then the label. Pixels are scaled to \
                 bytes as `round(v·255/16)` (0 = background, 255 = all 16 sub-pixels inked; the \
                 map is one-to-one, so `round(b·16/255)` recovers the counts). Per class the \
                 first 80% by file order (1,438 in all, largest-remainder rounding) go to \
                 `train`, the other 359 to `test`; the file order is already mixed.",
    outputs: &["public/data/digits.safetensors"],
};

const CLASSES: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const MEMBER: &str = "sklearn/datasets/data/digits.csv.gz";

/// Downloads (or reads from the cache) and writes `public/data/digits.safetensors` + `.gz`.
pub fn convert(root: &Path) -> Result<Vec<Written>, String> {
    let wheel = fetch(&SOURCE.download)?;
    let csv = gunzip(&zip_member(&wheel, MEMBER)?)?;
    let (images, labels) = parse_csv(&csv)?;
    if labels.len() != 1_797 {
        return Err(format!(
            "digits: expected 1,797 rows, found {}",
            labels.len()
        ));
    }
    let (train, test) = stratified(&labels, 10, 1_438);
    let set = ImageSet::from_split(&images, &labels, (8, 8), &train, &test);
    let meta = SetMeta {
        name: "digits",
        classes: &CLASSES,
        source: SOURCE.origin,
        license: SOURCE.license,
        extra: &[
            ("split", "stratified 80/20 by file order".into()),
            (
                "pixels",
                "u8 = round(count·255/16), count 0..16 of inked sub-pixels".into(),
            ),
        ],
    };
    Ok(vec![write_image_set(
        &root.join(SOURCE.outputs[0]),
        &set,
        &meta,
        true,
    )?])
}

/// Rows of `64 pixel counts, label` → (bytes scaled to 0..255, labels).
fn parse_csv(csv: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let text = std::str::from_utf8(csv).map_err(|_| "digits: the CSV is not UTF-8".to_string())?;
    let (mut images, mut labels) = (Vec::new(), Vec::new());
    for (line_no, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |what: &str| format!("digits: line {}: {what}", line_no + 1);
        let values: Vec<u32> = line
            .split(',')
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as u32)
            })
            .collect::<Option<_>>()
            .ok_or_else(|| bad("a value is not a whole number"))?;
        if values.len() != 65 {
            return Err(bad(&format!("{} columns, expected 65", values.len())));
        }
        if values[..64].iter().any(|&v| v > 16) || values[64] > 9 {
            return Err(bad("pixel above 16 or label above 9"));
        }
        images.extend(values[..64].iter().map(|&v| ((v * 255 + 8) / 16) as u8));
        labels.push(values[64] as u8);
    }
    Ok((images, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_scales_pixels() {
        let mut row: Vec<String> = (0..64).map(|i| (i % 17).to_string()).collect();
        row.push("7".into());
        let csv = format!("{}\n", row.join(","));
        let (images, labels) = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(labels, [7]);
        assert_eq!(images[0], 0);
        assert_eq!(images[16], 255);
        assert_eq!(images[8], 128); // 8·255/16 = 127.5 rounds up
                                    // one-to-one: every count comes back
        for v in 0..=16u32 {
            let b = (v * 255 + 8) / 16;
            assert_eq!((b * 16 + 127) / 255, v);
        }
    }

    #[test]
    fn rejects_bad_rows() {
        assert!(parse_csv(b"1,2,3\n").unwrap_err().contains("columns"));
        let row = vec!["17"; 65].join(",");
        assert!(parse_csv(row.as_bytes()).unwrap_err().contains("above 16"));
        assert!(parse_csv(b"x\n").is_err());
    }
}
