//! [`Image`]: the one in-memory picture type of the data pipeline. Planar (CHW) f32, so a batch
//! is a plain concatenation of images in the `[N, C, H, W]` layout every model expects, and
//! transforms never juggle pixel formats.

use super::DataError;

/// A decoded picture: `channels` planes (1 = grey, 3 = RGB) of `height × width` f32 values,
/// in `[0, 1]` until a normalization shifts them.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    channels: usize,
    height: usize,
    width: usize,
    data: Vec<f32>,
}

/// ITU-R 601-2 luma weights, the ones PIL's `convert("L")` and torchvision's
/// `rgb_to_grayscale` use.
const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

impl Image {
    /// Wraps planar data; errors unless `data.len() == channels * height * width` and the image
    /// is non-empty with 1 or 3 channels.
    pub fn new(
        channels: usize,
        height: usize,
        width: usize,
        data: Vec<f32>,
    ) -> Result<Image, DataError> {
        if channels != 1 && channels != 3 {
            return Err(DataError::invalid(
                "image",
                format!("{channels} channels; expected 1 or 3"),
            ));
        }
        if height == 0 || width == 0 {
            return Err(DataError::Empty);
        }
        let expected = channels
            .checked_mul(height)
            .and_then(|v| v.checked_mul(width));
        if expected != Some(data.len()) {
            return Err(DataError::invalid(
                "image",
                format!("{} values for {channels}x{height}x{width}", data.len()),
            ));
        }
        Ok(Image {
            channels,
            height,
            width,
            data,
        })
    }

    /// A constant image (tests, padding).
    pub fn filled(
        channels: usize,
        height: usize,
        width: usize,
        value: f32,
    ) -> Result<Image, DataError> {
        Image::new(
            channels,
            height,
            width,
            vec![value; channels * height * width],
        )
    }

    /// Grey bytes (`0..=255` → `[0, 1]`), row-major: the bundled data sets' layout.
    pub fn from_grey_u8(height: usize, width: usize, pixels: &[u8]) -> Result<Image, DataError> {
        Image::new(
            1,
            height,
            width,
            pixels.iter().map(|&p| f32::from(p) / 255.0).collect(),
        )
    }

    /// Interleaved RGBA bytes, as a canvas or webcam frame delivers them; alpha is dropped.
    pub fn from_rgba_u8(height: usize, width: usize, pixels: &[u8]) -> Result<Image, DataError> {
        Image::from_interleaved_u8(height, width, 4, pixels)
    }

    /// Interleaved RGB bytes.
    pub fn from_rgb_u8(height: usize, width: usize, pixels: &[u8]) -> Result<Image, DataError> {
        Image::from_interleaved_u8(height, width, 3, pixels)
    }

    fn from_interleaved_u8(
        height: usize,
        width: usize,
        stride: usize,
        pixels: &[u8],
    ) -> Result<Image, DataError> {
        let n = height.saturating_mul(width);
        if n.checked_mul(stride) != Some(pixels.len()) {
            return Err(DataError::invalid(
                "image",
                format!(
                    "{} bytes for {height}x{width} pixels of {stride} bytes",
                    pixels.len()
                ),
            ));
        }
        let mut data = vec![0.0; 3 * n];
        for (i, px) in pixels.chunks_exact(stride).enumerate() {
            for c in 0..3 {
                data[c * n + i] = f32::from(px[c]) / 255.0;
            }
        }
        Image::new(3, height, width, data)
    }

    /// Number of planes (1 or 3).
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Rows.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Columns.
    pub fn width(&self) -> usize {
        self.width
    }

    /// `[C, H, W]`, the shape of this image as a tensor.
    pub fn shape(&self) -> [usize; 3] {
        [self.channels, self.height, self.width]
    }

    /// Planar values.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// Mutable planar values (in-place augmentations).
    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// The planar values, consuming the image.
    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// Value at `(c, y, x)`.
    pub fn at(&self, c: usize, y: usize, x: usize) -> f32 {
        self.data[(c * self.height + y) * self.width + x]
    }

    /// One channel as a slice.
    pub fn plane(&self, c: usize) -> &[f32] {
        let n = self.height * self.width;
        &self.data[c * n..(c + 1) * n]
    }

    /// Grey by ITU-R 601-2 luma (a grey image is returned as is).
    pub fn to_grey(&self) -> Image {
        if self.channels == 1 {
            return self.clone();
        }
        let n = self.height * self.width;
        let data = (0..n)
            .map(|i| {
                LUMA[0] * self.data[i] + LUMA[1] * self.data[n + i] + LUMA[2] * self.data[2 * n + i]
            })
            .collect();
        Image {
            channels: 1,
            height: self.height,
            width: self.width,
            data,
        }
    }

    /// RGB by repeating a grey plane (an RGB image is returned as is).
    pub fn to_rgb(&self) -> Image {
        if self.channels == 3 {
            return self.clone();
        }
        let mut data = Vec::with_capacity(3 * self.data.len());
        for _ in 0..3 {
            data.extend_from_slice(&self.data);
        }
        Image {
            channels: 3,
            height: self.height,
            width: self.width,
            data,
        }
    }

    /// Converts to `channels` (1 or 3) planes.
    pub fn with_channels(&self, channels: usize) -> Result<Image, DataError> {
        match channels {
            1 => Ok(self.to_grey()),
            3 => Ok(self.to_rgb()),
            c => Err(DataError::invalid(
                "with_channels",
                format!("{c} channels; expected 1 or 3"),
            )),
        }
    }

    /// Bilinear resize with PyTorch's `interpolate(mode="bilinear", align_corners=False)`
    /// sampling (no antialiasing), so resized inputs match a PyTorch pipeline.
    pub fn resize(&self, height: usize, width: usize) -> Result<Image, DataError> {
        if height == 0 || width == 0 {
            return Err(DataError::Empty);
        }
        if height == self.height && width == self.width {
            return Ok(self.clone());
        }
        let ys = axis_weights(self.height, height);
        let xs = axis_weights(self.width, width);
        let mut data = Vec::with_capacity(self.channels * height * width);
        for c in 0..self.channels {
            let p = self.plane(c);
            for &(y0, y1, wy) in &ys {
                for &(x0, x1, wx) in &xs {
                    let top = p[y0 * self.width + x0] * (1.0 - wx) + p[y0 * self.width + x1] * wx;
                    let bottom =
                        p[y1 * self.width + x0] * (1.0 - wx) + p[y1 * self.width + x1] * wx;
                    data.push(top * (1.0 - wy) + bottom * wy);
                }
            }
        }
        Image::new(self.channels, height, width, data)
    }

    /// The rectangle at `(top, left)` of size `height × width`; errors if it leaves the image.
    pub fn crop(
        &self,
        top: usize,
        left: usize,
        height: usize,
        width: usize,
    ) -> Result<Image, DataError> {
        if height == 0 || width == 0 || top + height > self.height || left + width > self.width {
            return Err(DataError::invalid(
                "crop",
                format!(
                    "{height}x{width} at ({top}, {left}) does not fit in {}x{}",
                    self.height, self.width
                ),
            ));
        }
        let mut data = Vec::with_capacity(self.channels * height * width);
        for c in 0..self.channels {
            let p = self.plane(c);
            for y in top..top + height {
                data.extend_from_slice(&p[y * self.width + left..y * self.width + left + width]);
            }
        }
        Image::new(self.channels, height, width, data)
    }

    /// The centred `height × width` rectangle (torchvision's `center_crop` rounding).
    pub fn center_crop(&self, height: usize, width: usize) -> Result<Image, DataError> {
        if height > self.height || width > self.width {
            return Err(DataError::invalid(
                "center_crop",
                format!(
                    "{height}x{width} is larger than {}x{}",
                    self.height, self.width
                ),
            ));
        }
        let top = ((self.height - height) as f64 / 2.0).round() as usize;
        let left = ((self.width - width) as f64 / 2.0).round() as usize;
        self.crop(top, left, height, width)
    }

    /// Mirror left-right.
    pub fn flip_horizontal(&self) -> Image {
        let mut out = self.clone();
        for row in out.data.chunks_exact_mut(self.width) {
            row.reverse();
        }
        out
    }

    /// Mirror top-bottom.
    pub fn flip_vertical(&self) -> Image {
        let mut out = self.clone();
        let (h, w) = (self.height, self.width);
        for c in 0..self.channels {
            for y in 0..h {
                let src = (c * h + (h - 1 - y)) * w;
                out.data[(c * h + y) * w..(c * h + y + 1) * w]
                    .copy_from_slice(&self.data[src..src + w]);
            }
        }
        out
    }

    /// `(x - mean[c]) / std[c]` per channel (torchvision `Normalize`); one value applies to all
    /// channels.
    pub fn normalize(&mut self, mean: &[f32], std: &[f32]) -> Result<(), DataError> {
        let per = |v: &[f32], c: usize| if v.len() == 1 { v[0] } else { v[c] };
        for v in [mean, std] {
            if v.len() != 1 && v.len() != self.channels {
                return Err(DataError::invalid(
                    "normalize",
                    format!("{} values for {} channels", v.len(), self.channels),
                ));
            }
        }
        if std.iter().any(|&s| s == 0.0 || !s.is_finite()) {
            return Err(DataError::invalid(
                "normalize",
                "std must be finite and non-zero",
            ));
        }
        let n = self.height * self.width;
        for c in 0..self.channels {
            let (m, s) = (per(mean, c), per(std, c));
            for v in &mut self.data[c * n..(c + 1) * n] {
                *v = (*v - m) / s;
            }
        }
        Ok(())
    }
}

/// Source rows/columns and weight for each output position, torch's `align_corners=False`
/// convention: `src = (dst + 0.5) * in / out - 0.5`, clamped at 0.
fn axis_weights(input: usize, output: usize) -> Vec<(usize, usize, f32)> {
    let scale = input as f64 / output as f64;
    (0..output)
        .map(|d| {
            let src = ((d as f64 + 0.5) * scale - 0.5).max(0.0);
            let i0 = (src.floor() as usize).min(input - 1);
            let i1 = (i0 + 1).min(input - 1);
            (i0, i1, (src - i0 as f64) as f32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_is_planar_and_grey_uses_luma() {
        let img = Image::from_rgba_u8(1, 2, &[255, 0, 0, 9, 0, 0, 255, 9]).expect("valid");
        assert_eq!(img.shape(), [3, 1, 2]);
        assert_eq!(img.data(), &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        let g = img.to_grey();
        assert!((g.data()[0] - 0.299).abs() < 1e-6 && (g.data()[1] - 0.114).abs() < 1e-6);
        assert_eq!(g.to_rgb().shape(), [3, 1, 2]);
        assert!(Image::from_rgba_u8(2, 2, &[0; 15]).is_err());
    }

    /// torch: `F.interpolate(arange(16).view(1,1,4,4), size=(2,2), mode="bilinear")` =
    /// [[2.5, 4.5], [10.5, 12.5]]
    /// and size (3, 3) = [[0.8333, 2.1667, 3.5], [6.1667, 7.5, 8.8333], [11.5, 12.8333, 14.1667]].
    #[test]
    fn resize_matches_torch_bilinear() {
        let img = Image::new(1, 4, 4, (0..16).map(|v| v as f32).collect()).expect("valid");
        assert_eq!(
            img.resize(2, 2).expect("resize").data(),
            &[2.5, 4.5, 10.5, 12.5]
        );
        let r = img.resize(3, 3).expect("resize");
        let want = [
            0.8333, 2.1667, 3.5, 6.1667, 7.5, 8.8333, 11.5, 12.8333, 14.1667,
        ];
        for (a, b) in r.data().iter().zip(want) {
            assert!((a - b).abs() < 1e-3, "{:?}", r.data());
        }
    }

    #[test]
    fn crop_flip_normalize() {
        let img = Image::new(1, 3, 3, (0..9).map(|v| v as f32).collect()).expect("valid");
        assert_eq!(
            img.crop(1, 1, 2, 2).expect("fits").data(),
            &[4.0, 5.0, 7.0, 8.0]
        );
        assert!(img.crop(2, 2, 2, 2).is_err());
        assert_eq!(img.center_crop(1, 1).expect("fits").data(), &[4.0]);
        assert_eq!(img.flip_horizontal().data()[..3], [2.0, 1.0, 0.0]);
        assert_eq!(img.flip_vertical().data()[..3], [6.0, 7.0, 8.0]);
        let mut n = img.clone();
        n.normalize(&[1.0], &[2.0]).expect("valid");
        assert_eq!(n.data()[3], 1.0);
        assert!(n.normalize(&[0.0, 0.0], &[1.0, 1.0]).is_err());
        assert!(n.normalize(&[0.0], &[0.0]).is_err());
    }
}
