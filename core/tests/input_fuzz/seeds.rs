//! Valid files to start mutating from: small images in every accepted format and colour type,
//! and a real LeNet-5 checkpoint and `.pixelgrad` file.

use std::io::Cursor;

use image::{DynamicImage, ImageBuffer, ImageFormat, Luma, Rgb, Rgba};
use pixelgrad::io::{save_model, write_pixelgrad_file, RunSpec};
use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::train::TrainConfig;

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format)
        .expect("encoding a small image");
    out.into_inner()
}

fn pattern(x: u32, y: u32, k: u32) -> u8 {
    ((x * 37 + y * 11 + k * 71) % 251) as u8
}

/// PNG (grey, 16-bit grey, RGB, RGBA), JPEG (RGB, grey), GIF, BMP and lossless WebP.
pub fn images() -> Vec<Vec<u8>> {
    let grey =
        DynamicImage::ImageLuma8(ImageBuffer::from_fn(7, 5, |x, y| Luma([pattern(x, y, 0)])));
    let grey16 = DynamicImage::ImageLuma16(ImageBuffer::from_fn(4, 6, |x, y| {
        Luma([u16::from(pattern(x, y, 1)) * 257])
    }));
    let rgb = DynamicImage::ImageRgb8(ImageBuffer::from_fn(16, 9, |x, y| {
        Rgb([pattern(x, y, 0), pattern(x, y, 1), pattern(x, y, 2)])
    }));
    let rgba = DynamicImage::ImageRgba8(ImageBuffer::from_fn(3, 3, |x, y| {
        Rgba([pattern(x, y, 0), pattern(x, y, 1), pattern(x, y, 2), 128])
    }));
    vec![
        encode(&grey, ImageFormat::Png),
        encode(&grey16, ImageFormat::Png),
        encode(&rgb, ImageFormat::Png),
        encode(&rgba, ImageFormat::Png),
        encode(&rgb, ImageFormat::Jpeg),
        encode(&grey, ImageFormat::Jpeg),
        encode(&rgba, ImageFormat::Gif),
        encode(&rgb, ImageFormat::Bmp),
        encode(&rgba, ImageFormat::WebP),
    ]
}

fn lenet_spec() -> RunSpec {
    let train: TrainConfig = serde_json::from_value(serde_json::json!({
        "epochs": 1, "max_steps": 10,
        "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.9, "dampening": 0.0,
                      "nesterov": false, "weight_decay": 0.0},
        "schedule": {"kind": "constant"},
        "loader": {"batch_size": 32, "shuffle": true, "drop_last": false,
                   "augment": {"transforms": []}, "mix": null},
        "label_smoothing": 0.0, "clip_grad_norm": null, "early_stopping_patience": null,
        "seed": 3
    }))
    .expect("a valid TrainConfig");
    let model = ModelSpec::preset("lenet5").expect("the lenet5 preset");
    RunSpec::bundled("mnist", InputSpec::GREY28, 10, model, train)
}

/// A LeNet-5 `state_dict` as safetensors, and the same run as a `.pixelgrad` file.
pub fn checkpoints() -> (Vec<u8>, Vec<u8>) {
    let spec = lenet_spec();
    let model = spec.build_model().expect("LeNet-5 builds");
    let st = save_model(model.net(), None).expect("saving LeNet-5");
    let file = write_pixelgrad_file(&spec, &model).expect("writing a .pixelgrad file");
    (st, file)
}

fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, deflate) in entries {
        let method = if *deflate {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default().compression_method(method);
        writer.start_file(*name, options).expect("a zip entry");
        writer.write_all(bytes).expect("zip data");
    }
    writer.finish().expect("a finished zip").into_inner()
}

/// Zips of images the way users make them: class folders, stored and deflated entries, a
/// nested zip, a path that climbs out, and a file that is not an image.
pub fn zips() -> Vec<Vec<u8>> {
    let img = images();
    let inner = zip_of(&[("inner/a.png", &img[0], true)]);
    vec![
        zip_of(&[
            ("cats/1.png", &img[2], true),
            ("cats/2.jpg", &img[4], false),
            ("dogs/1.bmp", &img[7], true),
            ("dogs/2.gif", &img[6], false),
        ]),
        zip_of(&[
            ("a/x.webp", &img[8], true),
            ("nested.zip", &inner, false),
            ("../escape.png", &img[0], true),
            ("b/notes.txt", b"not an image", true),
        ]),
    ]
}
