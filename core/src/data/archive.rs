//! Reading a user's `.zip` of images with hard limits. A zip is hostile input: its directory can
//! lie about sizes, an entry can expand a thousandfold (a zip bomb), a name can climb out of
//! the archive (`../../x`), and a zip can hold more zips. Every entry is read through a byte
//! budget, so memory stays bounded whatever the headers say; entries that cannot be used are
//! listed with the reason, and the rest are kept.

use std::io::{Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

/// The bounds applied while unpacking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Most entries (files and folders) in the archive's directory.
    pub max_entries: usize,
    /// Most bytes all kept entries may unpack to, together.
    pub max_total_bytes: u64,
    /// Most bytes one entry may unpack to.
    pub max_entry_bytes: u64,
    /// Largest accepted ratio of unpacked to packed size for an entry bigger than 1 MiB.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    /// 5,000 entries, 256 MiB in all, 32 MiB per entry, 100:1: a few thousand photos fit,
    /// a bomb does not (images are already compressed, so real ratios are near 1:1).
    fn default() -> Self {
        ArchiveLimits {
            max_entries: 5_000,
            max_total_bytes: 256 << 20,
            max_entry_bytes: 32 << 20,
            max_ratio: 100,
        }
    }
}

/// Why an archive as a whole was refused. Display gives a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// Not a zip, or its directory is damaged.
    #[error("it is not a readable zip file ({0})")]
    Invalid(String),
    /// More entries than [`ArchiveLimits::max_entries`].
    #[error("it holds {entries} entries, more than the {max} allowed")]
    TooManyEntries {
        /// Entries in the directory.
        entries: usize,
        /// The limit.
        max: usize,
    },
    /// The kept entries would unpack to more than [`ArchiveLimits::max_total_bytes`].
    #[error("it unpacks to more than {max_bytes} bytes")]
    TooLarge {
        /// The limit.
        max_bytes: u64,
    },
    /// An entry expands far more than images do: a zip bomb.
    #[error("\"{name}\" inside it expands {ratio}:1, more than the {max_ratio}:1 allowed")]
    Bomb {
        /// The entry's name.
        name: String,
        /// Unpacked over packed size.
        ratio: u64,
        /// The limit.
        max_ratio: u64,
    },
}

/// Why one entry was left out while the others were kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryProblem {
    /// Absolute, or climbing out with `..`.
    #[error("its path leaves the archive")]
    UnsafePath,
    /// A zip inside the zip; only one level is opened.
    #[error("archives inside an archive are not opened")]
    Nested,
    /// Password-protected.
    #[error("it is encrypted")]
    Encrypted,
    /// Bigger than [`ArchiveLimits::max_entry_bytes`].
    #[error("it is larger than {max_bytes} bytes")]
    TooLarge {
        /// The limit.
        max_bytes: u64,
    },
    /// Compressed with a method other than stored or deflate, or its data is damaged.
    #[error("it could not be unpacked ({0})")]
    Unreadable(String),
}

/// One file taken out of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    /// Its path inside the archive, `/`-separated, never absolute and never with `..`.
    pub path: String,
    /// Its unpacked bytes.
    pub bytes: Vec<u8>,
}

/// What an archive held: the usable files and the entries left out, with why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArchiveContents {
    /// Files in directory order.
    pub files: Vec<ArchiveFile>,
    /// `(entry name, problem)` for each entry not kept.
    pub skipped: Vec<(String, EntryProblem)>,
}

/// Whether `bytes` start like a zip (local file header or empty-archive end record).
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Unpacks every file of the zip in `bytes` within `limits`. Folders, and the metadata that
/// macOS and Windows add (`__MACOSX/`, `.DS_Store`, `Thumbs.db`), are passed over silently.
pub fn read_zip(bytes: &[u8], limits: ArchiveLimits) -> Result<ArchiveContents, ArchiveError> {
    let mut archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| ArchiveError::Invalid(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(ArchiveError::TooManyEntries {
            entries: archive.len(),
            max: limits.max_entries,
        });
    }
    let mut out = ArchiveContents::default();
    let mut budget = limits.max_total_bytes;
    for index in 0..archive.len() {
        let listed_name = archive
            .name_for_index(index)
            .unwrap_or("(unnamed)")
            .to_string();
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(ZipError::UnsupportedArchive(why)) => {
                let problem = if why.contains("assword") {
                    EntryProblem::Encrypted
                } else {
                    EntryProblem::Unreadable(why.to_string())
                };
                out.skipped.push((listed_name, problem));
                continue;
            }
            Err(e) => return Err(ArchiveError::Invalid(e.to_string())),
        };
        let name = entry.name().to_string();
        if entry.is_dir() || is_system_clutter(&name) {
            continue;
        }
        let Some(path) = entry.enclosed_name() else {
            out.skipped.push((name, EntryProblem::UnsafePath));
            continue;
        };
        if entry.encrypted() {
            out.skipped.push((name, EntryProblem::Encrypted));
            continue;
        }
        let declared = entry.size();
        let packed = entry.compressed_size().max(1);
        if declared > 1 << 20 && declared / packed > limits.max_ratio {
            return Err(ArchiveError::Bomb {
                name,
                ratio: declared / packed,
                max_ratio: limits.max_ratio,
            });
        }
        if declared > limits.max_entry_bytes {
            out.skipped.push((
                name,
                EntryProblem::TooLarge {
                    max_bytes: limits.max_entry_bytes,
                },
            ));
            continue;
        }
        if declared > budget {
            return Err(ArchiveError::TooLarge {
                max_bytes: limits.max_total_bytes,
            });
        }
        // The declared size may lie: read at most one byte past what we accept, then check.
        let cap = limits.max_entry_bytes.min(budget);
        let mut data = Vec::with_capacity(declared as usize);
        if let Err(e) = (&mut entry).take(cap + 1).read_to_end(&mut data) {
            out.skipped
                .push((name, EntryProblem::Unreadable(e.to_string())));
            continue;
        }
        let got = data.len() as u64;
        if got > cap {
            if cap == budget {
                return Err(ArchiveError::TooLarge {
                    max_bytes: limits.max_total_bytes,
                });
            }
            out.skipped.push((
                name,
                EntryProblem::TooLarge {
                    max_bytes: limits.max_entry_bytes,
                },
            ));
            continue;
        }
        if got > 1 << 20 && got / packed > limits.max_ratio {
            return Err(ArchiveError::Bomb {
                name,
                ratio: got / packed,
                max_ratio: limits.max_ratio,
            });
        }
        budget -= got;
        if looks_like_zip(&data) || name.to_ascii_lowercase().ends_with(".zip") {
            out.skipped.push((name, EntryProblem::Nested));
            continue;
        }
        out.files.push(ArchiveFile {
            path: normalized(&path),
            bytes: data,
        });
    }
    Ok(out)
}

/// `path` with `.` dropped and each `..` applied, `/`-separated. `enclosed_name` only checks
/// that a path stays inside the archive (`cats/../dogs/1.png` does); the folder a file is
/// labelled by must be the one it resolves to (`dogs`), found by fuzzing.
fn normalized(path: &std::path::Path) -> String {
    use std::path::Component;
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    parts.join("/")
}

/// Files that archivers and file managers add next to the user's own.
pub(crate) fn is_system_clutter(name: &str) -> bool {
    let last = name.rsplit('/').next().unwrap_or(name);
    name.starts_with("__MACOSX/")
        || name.contains("/__MACOSX/")
        || last == ".DS_Store"
        || last == "Thumbs.db"
        || last.starts_with("._")
}

#[cfg(test)]
mod tests;
