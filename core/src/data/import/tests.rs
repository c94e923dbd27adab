//! Importing folders, buckets and zips with a corrupt file among them.

use std::io::{Cursor, Write};

use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use super::*;

fn png(r: u8) -> Vec<u8> {
    let img = ImageBuffer::from_pixel(20, 10, Rgb([r, 0, 255 - r]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

fn file(path: &str, bucket: Option<&str>, bytes: Vec<u8>) -> UploadFile {
    UploadFile {
        path: path.into(),
        bucket: bucket.map(Into::into),
        bytes,
    }
}

#[test]
fn folders_label_buckets_override_and_the_corrupt_file_is_named() {
    let files = vec![
        file("pets/cats/1.png", None, png(250)),
        file("pets/dogs/2.png", None, png(5)),
        file(
            "pets/dogs/broken.png",
            None,
            b"\x89PNG\r\n\x1a\nnot really".to_vec(),
        ),
        file("pets/.DS_Store", None, b"junk".to_vec()),
        file("loose.png", Some("birds"), png(128)),
        file("loose2.png", None, png(128)),
    ];
    let report = import_files(&files, 8, 8, ImportLimits::default());
    let got: Vec<_> = report
        .images
        .iter()
        .map(|i| (i.class.as_str(), i.source.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("cats", "pets/cats/1.png"),
            ("dogs", "pets/dogs/2.png"),
            ("birds", "loose.png")
        ]
    );
    assert_eq!(report.images[0].pixels.len(), 8 * 8 * 3);
    assert_eq!(&report.images[0].pixels[..3], &[250, 0, 5]);
    let names: Vec<_> = report.rejected.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["pets/dogs/broken.png", "loose2.png"]);
    assert!(
        report.rejected[0].reason.contains("decode"),
        "{}",
        report.rejected[0].reason
    );
    assert!(report.rejected[1].reason.contains("no class"));
}

#[test]
fn a_zip_is_unpacked_and_its_bad_entries_named() {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for (name, bytes) in [
        ("cats/a.png", png(200)),
        ("dogs/b.png", png(20)),
        ("dogs/c.png", b"garbage".to_vec()),
        ("../evil.png", png(1)),
        ("top.png", png(1)),
    ] {
        writer.start_file(name, options).expect("start");
        writer.write_all(&bytes).expect("write");
    }
    let zip = writer.finish().expect("finish").into_inner();
    let report = import_files(
        &[file("animals.zip", None, zip)],
        4,
        4,
        ImportLimits::default(),
    );
    let classes: Vec<_> = report.images.iter().map(|i| i.class.as_str()).collect();
    assert_eq!(classes, ["cats", "dogs"]);
    assert_eq!(report.images[1].source, "animals.zip/dogs/b.png");
    let names: Vec<_> = report.rejected.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "animals.zip/../evil.png",
            "animals.zip/dogs/c.png",
            "animals.zip/top.png"
        ]
    );
    let bad = import_files(
        &[file(
            "broken.zip",
            None,
            b"PK\x03\x04 and then nothing".to_vec(),
        )],
        4,
        4,
        ImportLimits::default(),
    );
    assert!(bad.images.is_empty());
    assert_eq!(bad.rejected[0].name, "broken.zip");
    assert!(bad.rejected[0].reason.contains("zip"));
}

#[test]
fn folder_of_takes_the_innermost_folder() {
    assert_eq!(folder_of("a/b/c.png"), Some("b"));
    assert_eq!(folder_of("b/c.png"), Some("b"));
    assert_eq!(folder_of("c.png"), None);
    assert_eq!(folder_of("/c.png"), None);
    assert_eq!(folder_of(" /c.png"), None);
}
