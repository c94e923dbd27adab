//! Decoding user images (uploads, drops) with hard limits: a corrupt, truncated, empty or
//! enormous file becomes a typed [`DataError`] after bounded work and memory, never a panic
//! or an out-of-memory abort of the tab.

use std::io::Cursor;

use image::error::{ImageError, LimitErrorKind};
use image::{DynamicImage, ImageFormat, ImageReader};

use super::{DataError, Image};

/// Bounds checked before and during decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest accepted width in pixels.
    pub max_width: u32,
    /// Largest accepted height in pixels.
    pub max_height: u32,
    /// Largest total allocation the decoder may make, in bytes.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    /// 4096 × 4096 and 64 MiB: any phone photo decodes, a decompression bomb does not.
    fn default() -> Self {
        DecodeLimits {
            max_width: 4096,
            max_height: 4096,
            max_alloc: 64 << 20,
        }
    }
}

/// The container formats this build decodes (GIF yields its first frame).
pub const SUPPORTED_FORMATS: &[&str] = &["png", "jpeg", "webp", "gif", "bmp"];

/// Decodes PNG, JPEG, WebP, GIF (first frame) or BMP bytes, sniffed from the content, into an
/// [`Image`] with 1 (grey formats) or 3 channels (everything else; alpha is dropped).
pub fn decode_image(bytes: &[u8], limits: DecodeLimits) -> Result<Image, DataError> {
    if bytes.is_empty() {
        return Err(DataError::Empty);
    }
    let format =
        image::guess_format(bytes).map_err(|_| DataError::UnsupportedFormat("unknown".into()))?;
    if !matches!(
        format,
        ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::WebP
            | ImageFormat::Gif
            | ImageFormat::Bmp
    ) {
        return Err(DataError::UnsupportedFormat(
            format!("{format:?}").to_lowercase(),
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut lim = image::Limits::default();
    lim.max_image_width = Some(limits.max_width);
    lim.max_image_height = Some(limits.max_height);
    lim.max_alloc = Some(limits.max_alloc);
    reader.limits(lim);
    let decoder = reader.into_decoder().map_err(|e| map_error(e, limits))?;
    let (w, h) = image::ImageDecoder::dimensions(&decoder);
    if w > limits.max_width || h > limits.max_height {
        return Err(DataError::TooLarge {
            max_width: limits.max_width,
            max_height: limits.max_height,
        });
    }
    // zune-jpeg 0.5.15's AVX2 inverse DCT (x86 only; the wasm build takes its scalar path)
    // unwraps an out-of-range row on some crafted files, found by `cargo xtask fuzz`. Where
    // panics unwind, such a bug in a decoder becomes a refusal of the file like any other.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        DynamicImage::from_decoder(decoder)
    }))
    .map_err(|_| DataError::Decode("the decoder failed on this file (it is malformed)".into()))?
    .map_err(|e| map_error(e, limits))?;
    from_dynamic(decoded)
}

/// Converts the decoder's pixel formats into planar f32 in `[0, 1]`.
fn from_dynamic(img: DynamicImage) -> Result<Image, DataError> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Err(DataError::Empty);
    }
    let grey = matches!(
        img,
        DynamicImage::ImageLuma8(_)
            | DynamicImage::ImageLumaA8(_)
            | DynamicImage::ImageLuma16(_)
            | DynamicImage::ImageLumaA16(_)
    );
    if grey {
        Image::from_grey_u8(h, w, img.to_luma8().as_raw())
    } else {
        Image::from_rgb_u8(h, w, img.to_rgb8().as_raw())
    }
}

fn map_error(e: ImageError, limits: DecodeLimits) -> DataError {
    match e {
        ImageError::Limits(l) => match l.kind() {
            LimitErrorKind::DimensionError => DataError::TooLarge {
                max_width: limits.max_width,
                max_height: limits.max_height,
            },
            _ => DataError::MemoryLimit {
                max_bytes: limits.max_alloc,
            },
        },
        ImageError::Unsupported(u) => DataError::UnsupportedFormat(u.to_string()),
        ImageError::IoError(io) => DataError::Decode(format!("truncated or unreadable: {io}")),
        other => DataError::Decode(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn encoded(format: ImageFormat) -> Vec<u8> {
        let img = ImageBuffer::from_fn(6, 4, |x, y| Rgb([(x * 40) as u8, (y * 60) as u8, 200]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .expect("encode test image");
        out.into_inner()
    }

    #[test]
    fn decodes_every_supported_format() {
        for f in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::WebP,
            ImageFormat::Gif,
            ImageFormat::Bmp,
        ] {
            let img = decode_image(&encoded(f), DecodeLimits::default())
                .unwrap_or_else(|e| panic!("{f:?}: {e}"));
            assert_eq!(img.shape(), [3, 4, 6], "{f:?}");
            // Blue is 200 everywhere; lossy formats stay close.
            assert!((img.at(2, 1, 1) - 200.0 / 255.0).abs() < 0.05, "{f:?}");
        }
        let grey = DynamicImage::ImageLuma8(ImageBuffer::from_pixel(3, 2, image::Luma([128])));
        let mut out = Cursor::new(Vec::new());
        grey.write_to(&mut out, ImageFormat::Png).expect("encode");
        assert_eq!(
            decode_image(out.get_ref(), DecodeLimits::default())
                .expect("png")
                .shape(),
            [1, 2, 3]
        );
    }

    #[test]
    fn empty_garbage_and_truncated_are_typed_errors() {
        assert_eq!(
            decode_image(&[], DecodeLimits::default()),
            Err(DataError::Empty)
        );
        assert!(matches!(
            decode_image(b"definitely not an image", DecodeLimits::default()),
            Err(DataError::UnsupportedFormat(_))
        ));
        for f in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::WebP,
            ImageFormat::Gif,
            ImageFormat::Bmp,
        ] {
            let bytes = encoded(f);
            let cut = &bytes[..bytes.len() / 2];
            let r = decode_image(cut, DecodeLimits::default());
            assert!(matches!(r, Err(DataError::Decode(_))), "{f:?}: {r:?}");
            let mut corrupt = bytes.clone();
            for b in corrupt.iter_mut().skip(16) {
                *b ^= 0x5a;
            }
            assert!(
                decode_image(&corrupt, DecodeLimits::default()).is_err(),
                "{f:?}"
            );
        }
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A valid PNG signature and header chunk declaring `w × h` RGB, followed by nothing.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = b"IHDR".to_vec();
        chunk.extend_from_slice(&w.to_be_bytes());
        chunk.extend_from_slice(&h.to_be_bytes());
        chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
        out.extend_from_slice(&13u32.to_be_bytes());
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
        out
    }

    /// A BMP header declaring `w × h` 24-bit pixels with no pixel data.
    fn bmp_header(w: i32, h: i32) -> Vec<u8> {
        let mut out = b"BM".to_vec();
        out.extend_from_slice(&54u32.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&54u32.to_le_bytes());
        out.extend_from_slice(&40u32.to_le_bytes());
        out.extend_from_slice(&w.to_le_bytes());
        out.extend_from_slice(&h.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&24u16.to_le_bytes());
        out.extend_from_slice(&[0; 24]);
        out
    }

    #[test]
    fn huge_and_zero_sized_headers_are_rejected_before_allocating() {
        let huge = decode_image(&png_header(30_000, 30_000), DecodeLimits::default());
        assert_eq!(
            huge,
            Err(DataError::TooLarge {
                max_width: 4096,
                max_height: 4096
            })
        );
        let huge = decode_image(&bmp_header(30_000, 30_000), DecodeLimits::default());
        assert_eq!(
            huge,
            Err(DataError::TooLarge {
                max_width: 4096,
                max_height: 4096
            })
        );
        // Within the dimension limits but over the allocation budget.
        let tight = DecodeLimits {
            max_alloc: 1 << 20,
            ..DecodeLimits::default()
        };
        let r = decode_image(&png_header(4000, 4000), tight);
        assert!(
            matches!(r, Err(DataError::MemoryLimit { .. } | DataError::Decode(_))),
            "{r:?}"
        );
        let r = decode_image(
            &encoded(ImageFormat::Png),
            DecodeLimits {
                max_alloc: 16,
                ..DecodeLimits::default()
            },
        );
        assert_eq!(r, Err(DataError::MemoryLimit { max_bytes: 16 }));
        for zero in [png_header(0, 10), png_header(10, 0)] {
            assert!(decode_image(&zero, DecodeLimits::default()).is_err());
        }
        assert!(decode_image(&bmp_header(0, 0), DecodeLimits::default()).is_err());
    }
}
