//! Zips built in memory: ordinary, hostile and broken.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;

fn zip_of(entries: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        if name.ends_with('/') {
            writer.add_directory(*name, options).expect("dir");
        } else {
            writer.start_file(*name, options).expect("start");
            writer.write_all(bytes).expect("write");
        }
    }
    writer.finish().expect("finish").into_inner()
}

#[test]
fn unpacks_files_with_their_paths_and_skips_clutter() {
    let bytes = zip_of(
        &[
            ("cats/", b""),
            ("cats/a.png", b"aaa"),
            ("dogs/b.png", b"bbbb"),
            ("__MACOSX/cats/._a.png", b"junk"),
            ("dogs/.DS_Store", b"junk"),
        ],
        CompressionMethod::Deflated,
    );
    let contents = read_zip(&bytes, ArchiveLimits::default()).expect("reads");
    let paths: Vec<_> = contents.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["cats/a.png", "dogs/b.png"]);
    assert_eq!(contents.files[1].bytes, b"bbbb");
    assert!(contents.skipped.is_empty());
    let stored = zip_of(&[("x.png", b"xyz")], CompressionMethod::Stored);
    assert_eq!(
        read_zip(&stored, ArchiveLimits::default())
            .expect("reads")
            .files[0]
            .bytes,
        b"xyz"
    );
}

#[test]
fn traversal_and_nested_archives_are_skipped_by_name() {
    let inner = zip_of(&[("a.png", b"a")], CompressionMethod::Deflated);
    let bytes = zip_of(
        &[
            ("../../etc/passwd", b"root"),
            ("/abs.png", b"abs"),
            ("more.zip", &inner),
            ("renamed.png", &inner),
            ("ok/fine.png", b"fine"),
        ],
        CompressionMethod::Deflated,
    );
    let contents = read_zip(&bytes, ArchiveLimits::default()).expect("reads");
    assert_eq!(contents.files.len(), 1, "{:?}", contents.skipped);
    assert_eq!(contents.files[0].path, "ok/fine.png");
    let problems: Vec<_> = contents
        .skipped
        .iter()
        .map(|(n, p)| (n.as_str(), p.clone()))
        .collect();
    assert!(problems.contains(&("../../etc/passwd", EntryProblem::UnsafePath)));
    assert!(problems.contains(&("more.zip", EntryProblem::Nested)));
    assert!(problems.contains(&("renamed.png", EntryProblem::Nested)));
    assert_eq!(problems.len(), 4, "{problems:?}");
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    let zeros = vec![0u8; 8 << 20];
    let bytes = zip_of(&[("bomb.bmp", &zeros)], CompressionMethod::Deflated);
    assert!(bytes.len() < 100_000, "deflate packs zeros tightly");
    match read_zip(&bytes, ArchiveLimits::default()) {
        Err(ArchiveError::Bomb { name, ratio, .. }) => {
            assert_eq!(name, "bomb.bmp");
            assert!(ratio > 100);
        }
        other => panic!("expected a bomb error, got {other:?}"),
    }
}

#[test]
fn total_size_entry_size_and_entry_count_are_bounded() {
    let kb = vec![7u8; 1024];
    let entries: Vec<(String, &[u8])> = (0..10).map(|i| (format!("{i}.png"), &kb[..])).collect();
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let bytes = zip_of(&refs, CompressionMethod::Stored);
    let tight = ArchiveLimits {
        max_total_bytes: 5 * 1024,
        ..ArchiveLimits::default()
    };
    assert_eq!(
        read_zip(&bytes, tight),
        Err(ArchiveError::TooLarge {
            max_bytes: 5 * 1024
        })
    );
    let few = ArchiveLimits {
        max_entries: 9,
        ..ArchiveLimits::default()
    };
    assert_eq!(
        read_zip(&bytes, few),
        Err(ArchiveError::TooManyEntries {
            entries: 10,
            max: 9
        })
    );
    let small_entries = ArchiveLimits {
        max_entry_bytes: 512,
        ..ArchiveLimits::default()
    };
    let contents = read_zip(&bytes, small_entries).expect("reads");
    assert!(contents.files.is_empty());
    assert_eq!(contents.skipped.len(), 10);
    assert_eq!(
        contents.skipped[0].1,
        EntryProblem::TooLarge { max_bytes: 512 }
    );
}

#[test]
fn garbage_empty_and_truncated_zips_are_typed_errors() {
    assert!(matches!(
        read_zip(b"not a zip at all", ArchiveLimits::default()),
        Err(ArchiveError::Invalid(_))
    ));
    assert!(matches!(
        read_zip(&[], ArchiveLimits::default()),
        Err(ArchiveError::Invalid(_))
    ));
    let bytes = zip_of(&[("a.png", &[1u8; 4000])], CompressionMethod::Deflated);
    let cut = &bytes[..bytes.len() / 2];
    assert!(read_zip(cut, ArchiveLimits::default()).is_err());
    let empty = zip_of(&[], CompressionMethod::Deflated);
    assert!(looks_like_zip(&empty));
    assert_eq!(
        read_zip(&empty, ArchiveLimits::default()),
        Ok(ArchiveContents::default())
    );
}

#[test]
fn a_damaged_entry_is_skipped_and_the_rest_kept() {
    let payload: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut bytes = zip_of(
        &[("bad.png", &payload), ("good.png", b"good")],
        CompressionMethod::Deflated,
    );
    // Flip bytes in the middle of the first entry's deflate stream (after its 30 + 7 byte header).
    for b in &mut bytes[60..90] {
        *b ^= 0xff;
    }
    let contents = read_zip(&bytes, ArchiveLimits::default()).expect("directory intact");
    assert_eq!(contents.files.len(), 1, "{:?}", contents.skipped);
    assert_eq!(contents.files[0].path, "good.png");
    assert_eq!(contents.skipped[0].0, "bad.png");
    assert!(matches!(contents.skipped[0].1, EntryProblem::Unreadable(_)));
}
