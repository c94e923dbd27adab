//! Turning the files a user gives (picked, dropped, a folder, or a zip) into labelled RGB images
//! for a [`UserDataset`](super::UserDataset). Each image is labelled by the class bucket it was
//! dropped on, else by the folder it sits in. A file that cannot be used is reported by name
//! with the reason in words, and the others are kept.

use serde::{Deserialize, Serialize};

use super::archive::{is_system_clutter, looks_like_zip, read_zip, ArchiveLimits};
use super::user_set::{base64_bytes, rgb_bytes};
use super::{decode_image, DataError, DecodeLimits};

/// A file as the browser hands it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadFile {
    /// Its path as the browser reports it: `pets/cats/1.png` from a folder, `1.png` alone.
    pub path: String,
    /// The class bucket it was dropped on, if any; wins over folder names.
    pub bucket: Option<String>,
    /// The file's bytes.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

/// One usable image: RGB bytes at the requested size, with its class name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedImage {
    /// The class it belongs to (bucket or folder name).
    pub class: String,
    /// Where it came from (`pets/cats/1.png`, `animals.zip/cats/1.png`).
    pub source: String,
    /// `height * width * 3` interleaved RGB bytes.
    #[serde(with = "base64_bytes")]
    pub pixels: Vec<u8>,
}

/// A file left out, by name, with why in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedFile {
    /// The file's path (inside its zip, if it came from one).
    pub name: String,
    /// What was wrong, as a sentence fragment ("could not decode the image: ...").
    pub reason: String,
}

/// The result of one import: what was kept and what was not.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImportReport {
    /// Usable images, in the order given.
    pub images: Vec<ImportedImage>,
    /// Files that could not be used.
    pub rejected: Vec<RejectedFile>,
}

/// Bounds for one import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportLimits {
    /// Per image.
    pub decode: DecodeLimits,
    /// Per zip.
    pub archive: ArchiveLimits,
}

/// Decodes every image among `files` (zips unpacked one level) and fits it to
/// `height × width` RGB.
pub fn import_files(
    files: &[UploadFile],
    height: usize,
    width: usize,
    limits: ImportLimits,
) -> ImportReport {
    let mut report = ImportReport::default();
    for file in files {
        if is_system_clutter(&file.path) {
            continue;
        }
        let is_zip =
            looks_like_zip(&file.bytes) || file.path.to_ascii_lowercase().ends_with(".zip");
        if !is_zip {
            import_one(
                &file.path,
                &file.path,
                file.bucket.as_deref(),
                &file.bytes,
                (height, width),
                limits.decode,
                &mut report,
            );
            continue;
        }
        match read_zip(&file.bytes, limits.archive) {
            Ok(contents) => {
                for (name, problem) in contents.skipped {
                    report.rejected.push(RejectedFile {
                        name: format!("{}/{name}", file.path),
                        reason: problem.to_string(),
                    });
                }
                for entry in contents.files {
                    import_one(
                        &entry.path,
                        &format!("{}/{}", file.path, entry.path),
                        file.bucket.as_deref(),
                        &entry.bytes,
                        (height, width),
                        limits.decode,
                        &mut report,
                    );
                }
            }
            Err(e) => report.rejected.push(RejectedFile {
                name: file.path.clone(),
                reason: e.to_string(),
            }),
        }
    }
    report
}

/// Labels and decodes one file, adding it to `report.images` or `report.rejected`.
fn import_one(
    path: &str,
    source: &str,
    bucket: Option<&str>,
    bytes: &[u8],
    (height, width): (usize, usize),
    limits: DecodeLimits,
    report: &mut ImportReport,
) {
    let reject = |reason: String| RejectedFile {
        name: source.to_string(),
        reason,
    };
    let Some(class) = bucket
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .or_else(|| folder_of(path))
    else {
        report.rejected.push(reject(
            "it has no class: put it in a folder named after its class, or drop it on a class"
                .into(),
        ));
        return;
    };
    match decode_image(bytes, limits).and_then(|image| rgb_bytes(&image, height, width)) {
        Ok(pixels) => report.images.push(ImportedImage {
            class: class.to_string(),
            source: source.to_string(),
            pixels,
        }),
        Err(e) => report.rejected.push(reject(reason(&e))),
    }
}

/// A decoding error as the user should read it: the decoder's internals (chunk names, CRCs)
/// say nothing to them.
fn reason(error: &DataError) -> String {
    match error {
        DataError::Decode(_) => {
            "could not decode the image: the file is damaged or cut short".to_string()
        }
        other => other.to_string(),
    }
}

/// The name of the folder directly holding `path`, if it has one.
pub fn folder_of(path: &str) -> Option<&str> {
    let mut parts = path.rsplit('/').filter(|p| !p.is_empty());
    parts.next()?;
    parts.next().map(str::trim).filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests;
