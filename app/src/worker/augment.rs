//! The augmentation preview, worker side: a few training images of the loaded set as the
//! run's pipeline transforms them in its first epochs, drawn with `DataLoader::sample` (the
//! same seeded streams training uses), turned into bytes the page can draw.

use pixelgrad::data::{DataLoader, Dataset, Image, LoaderConfig};

use super::datasets::LoadedSet;
use super::protocol::{AugmentPreview, AugmentPreviewRequest, PreviewImage};

/// Most images a preview shows: enough for a grid, small to post.
pub const MAX_PREVIEW_IMAGES: usize = 16;
/// Most epochs a preview draws each image in.
pub const MAX_PREVIEW_EPOCHS: usize = 4;

/// Answers `request` from `data` (the loaded set), or says why it cannot.
pub fn preview(request: &AugmentPreviewRequest, data: Option<&LoadedSet>) -> AugmentPreview {
    let made = match data {
        Some(data) => rows(request, data),
        None => Err("choose a data set first".into()),
    };
    let (rows, labels, error) = match made {
        Ok((rows, labels)) => (rows, labels, None),
        Err(message) => (Vec::new(), Vec::new(), Some(message)),
    };
    AugmentPreview {
        id: request.id,
        rows,
        labels,
        error,
    }
}

type Rows = (Vec<Vec<PreviewImage>>, Vec<String>);

fn rows(request: &AugmentPreviewRequest, data: &LoadedSet) -> Result<Rows, String> {
    let train = &data.train;
    let indices = one_per_class(train, request.count.clamp(1, MAX_PREVIEW_IMAGES))?;
    let config = LoaderConfig {
        augment: request.pipeline.clone(),
        ..LoaderConfig::default()
    };
    let loader = DataLoader::new(train, config, request.seed)
        .map_err(|e| format!("this augmentation cannot run: {e}"))?;
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    let mut originals = Vec::new();
    for &i in &indices {
        let sample = train.get(i).map_err(|e| e.to_string())?;
        labels.push(
            train
                .classes()
                .get(sample.label)
                .cloned()
                .unwrap_or_default(),
        );
        originals.push(displayable(&sample.image));
    }
    rows.push(originals);
    for epoch in 0..request.epochs.clamp(1, MAX_PREVIEW_EPOCHS) {
        let row = indices
            .iter()
            .map(|&i| {
                loader
                    .sample(epoch as u64, i)
                    .map(|s| displayable(&s.image))
                    .map_err(|e| format!("this augmentation failed on an image: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(row);
    }
    Ok((rows, labels))
}

/// Indices of the first image of each class in turn (class 0, 1, 2, ..., then the second of
/// each), so a small grid shows varied images.
fn one_per_class<D: Dataset>(data: &D, count: usize) -> Result<Vec<usize>, String> {
    let classes = data.classes().len().max(1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    let per_class = count.div_ceil(classes);
    for i in 0..data.len() {
        let label = data.label(i).map_err(|e| e.to_string())?;
        if let Some(list) = by_class.get_mut(label) {
            if list.len() < per_class {
                list.push(i);
            }
        }
        if by_class.iter().all(|l| l.len() >= per_class) {
            break;
        }
    }
    let mut picked = Vec::new();
    for round in 0..per_class {
        picked.extend(by_class.iter().filter_map(|l| l.get(round).copied()));
    }
    picked.truncate(count);
    if picked.is_empty() {
        return Err("the data set has no training images yet".into());
    }
    Ok(picked)
}

/// 8-bit interleaved pixels of `image`: values in `[0, 1]` map to `0..=255`; a normalized image
/// (values outside that range) is stretched from its own minimum to maximum.
pub fn displayable(image: &Image) -> PreviewImage {
    let [c, h, w] = image.shape();
    let data = image.data();
    let (lo, hi) = data
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if lo >= 0.0 && hi <= 1.0 || hi <= lo {
        (0.0, 1.0)
    } else {
        (lo, hi)
    };
    let byte = |v: f32| (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * 255.0).round() as u8;
    let plane = h * w;
    let pixels = (0..plane)
        .flat_map(|p| (0..c).map(move |ch| byte(data[ch * plane + p])))
        .collect();
    PreviewImage {
        channels: c,
        height: h,
        width: w,
        pixels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displayable_interleaves_and_stretches_normalized_images() {
        let rgb = Image::new(3, 1, 2, vec![0.0, 1.0, 0.5, 0.5, 0.25, 0.75]).expect("valid");
        assert_eq!(displayable(&rgb).pixels, vec![0, 128, 64, 255, 128, 191]);
        let normalized = Image::new(1, 1, 3, vec![-1.0, 0.0, 3.0]).expect("valid");
        assert_eq!(displayable(&normalized).pixels, vec![0, 64, 255]);
    }
}
