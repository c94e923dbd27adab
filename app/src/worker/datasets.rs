//! The data sets as the worker holds them (a bundled set, or the user's own images), the
//! summary the page shows, decoding of uploads, the pretrained backbone for transfer learning,
//! and predictions for single images.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use pixelgrad::autograd::no_grad;
use pixelgrad::data::{
    decode_image, import_files, BundledDataset, DataError, DataLoader, Dataset, DecodeLimits,
    ImportLimits, ImportReport, InMemoryDataset, LoaderConfig, Sample, Split, UploadFile,
    UserDataset,
};
use pixelgrad::io::read_safetensors;
use pixelgrad::models::Model;
use pixelgrad::nn::{freeze, load_state_dict, parameters, Ctx, Module};
use pixelgrad::tensor::Tensor;
use pixelgrad::train::batch_tensors;

use super::fetch::fetch_bytes;
use super::protocol::{DatasetSummary, Thumbnail};
use crate::components::upload::store::USER_IMAGE_SIDE;

/// Thumbnails sent to the page per class: enough to recognise the set, small to post.
const THUMBNAILS_PER_CLASS: usize = 8;

/// A bundled data set the app offers, by its file name under `/data/`.
pub struct BundledInfo {
    /// File stem and identifier (`mnist`).
    pub id: &'static str,
    /// What users see.
    pub title: &'static str,
    /// One line on what is in it.
    pub blurb: &'static str,
}

/// The bundled sets, in the order the data panel lists them.
pub const BUNDLED: &[BundledInfo] = &[
    BundledInfo {
        id: "mnist",
        title: "MNIST digits",
        blurb: "10,000 handwritten digits, 28×28 grey",
    },
    BundledInfo {
        id: "fashion-mnist",
        title: "Fashion-MNIST",
        blurb: "10,000 clothing photos in 10 classes, 28×28 grey",
    },
    BundledInfo {
        id: "digits",
        title: "Small digits",
        blurb: "1,797 digits, 8×8 grey: trains in seconds",
    },
];

/// A bundled split or the user's own images: one type for the training loop to split and batch.
pub enum SetData {
    /// A split of a bundled grey set.
    Bundled(BundledDataset),
    /// The user's uploads and webcam captures.
    User(UserDataset),
}

impl SetData {
    /// `(height, width)` of the images.
    pub fn image_size(&self) -> (usize, usize) {
        match self {
            SetData::Bundled(b) => b.image_size(),
            SetData::User(u) => (u.height(), u.width()),
        }
    }

    /// Colour planes of the images.
    pub fn channels(&self) -> usize {
        match self {
            SetData::Bundled(_) => 1,
            SetData::User(_) => 3,
        }
    }
}

impl Dataset for SetData {
    fn len(&self) -> usize {
        match self {
            SetData::Bundled(b) => b.len(),
            SetData::User(u) => u.len(),
        }
    }

    fn get(&self, index: usize) -> Result<Sample, DataError> {
        match self {
            SetData::Bundled(b) => b.get(index),
            SetData::User(u) => u.get(index),
        }
    }

    fn label(&self, index: usize) -> Result<usize, DataError> {
        match self {
            SetData::Bundled(b) => b.label(index),
            SetData::User(u) => u.label(index),
        }
    }

    fn classes(&self) -> &[String] {
        match self {
            SetData::Bundled(b) => b.classes(),
            SetData::User(u) => u.classes(),
        }
    }
}

/// Both splits of one set.
pub struct LoadedSet {
    /// Training split (all of the user's images: runs hold out a validation share).
    pub train: SetData,
    /// Held-out split for test metrics (empty for user data).
    pub test: SetData,
}

/// Downloads and parses a bundled set; the id must be one of [`BUNDLED`] (ids come from the
/// page, and a shared link may carry any string).
pub async fn load_bundled(id: &str) -> Result<LoadedSet, String> {
    let info = BUNDLED
        .iter()
        .find(|b| b.id == id)
        .ok_or_else(|| format!("there is no bundled data set called \"{id}\""))?;
    let bytes = fetch_bytes(&format!("/data/{}.safetensors", info.id)).await?;
    let parse = |split| {
        BundledDataset::from_safetensors(&bytes, split)
            .map_err(|e| format!("{} is damaged: {e}", info.title))
    };
    Ok(LoadedSet {
        train: SetData::Bundled(parse(Split::Train)?),
        test: SetData::Bundled(parse(Split::Test)?),
    })
}

/// Counts per class, thumbnails of the first few per class, sizes: what the data panel draws.
pub fn summarize(id: &str, set: &LoadedSet) -> Result<DatasetSummary, String> {
    let classes = set.train.classes().to_vec();
    let mut class_counts = vec![0usize; classes.len()];
    let mut thumbnails = Vec::new();
    let (height, width) = set.train.image_size();
    for index in 0..set.train.len() {
        let label = set.train.label(index).map_err(|e| e.to_string())?;
        let Some(count) = class_counts.get_mut(label) else {
            continue;
        };
        *count += 1;
        if *count <= THUMBNAILS_PER_CLASS && set.train.channels() == 1 {
            let sample = set.train.get(index).map_err(|e| e.to_string())?;
            let pixels = sample
                .image
                .data()
                .iter()
                .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
                .collect();
            thumbnails.push(Thumbnail {
                label,
                height,
                width,
                pixels,
            });
        }
    }
    thumbnails.sort_by_key(|t| t.label);
    Ok(DatasetSummary {
        id: id.to_string(),
        classes,
        height,
        width,
        train_len: set.train.len(),
        test_len: set.test.len(),
        class_counts,
        thumbnails,
    })
}

/// The identifier a user set is loaded under: runs name it by the hash of its file.
pub fn user_set_id(sha256: &str) -> String {
    format!("user:{sha256}")
}

/// Takes the user's set for training; returns its id and what the data panel shows.
pub fn load_user(set: UserDataset) -> Result<(String, LoadedSet, DatasetSummary), String> {
    set.validate()
        .map_err(|e| format!("your images could not be used: {e}"))?;
    let id = user_set_id(&set.sha256_hex().map_err(|e| e.to_string())?);
    let empty = UserDataset::new(set.height(), set.width()).map_err(|e| e.to_string())?;
    let loaded = LoadedSet {
        train: SetData::User(set),
        test: SetData::User(empty),
    };
    let summary = summarize(&id, &loaded)?;
    Ok((id, loaded, summary))
}

/// Decodes uploaded files into `side × side` RGB images, naming each file that cannot be used.
pub fn decode_uploads(side: usize, files: &[UploadFile]) -> ImportReport {
    import_files(files, side, side, ImportLimits::default())
}

thread_local! {
    /// The ImageNet backbone, downloaded once per worker.
    static BACKBONE: RefCell<Option<Rc<BTreeMap<String, Tensor>>>> = const { RefCell::new(None) };
}

/// MobileNetV2's ImageNet weights without the classifier (`/weights/mobilenet_v2.safetensors`,
/// torchvision names), downloaded on first use.
pub async fn imagenet_backbone() -> Result<Rc<BTreeMap<String, Tensor>>, String> {
    if let Some(cached) = BACKBONE.with(|b| b.borrow().clone()) {
        return Ok(cached);
    }
    let bytes = fetch_bytes("/weights/mobilenet_v2.safetensors").await?;
    let weights: BTreeMap<String, Tensor> = read_safetensors(&bytes)
        .map_err(|e| format!("the pretrained weights are damaged: {e}"))?
        .into_iter()
        .filter(|(name, _)| !name.starts_with("classifier."))
        .collect();
    let weights = Rc::new(weights);
    BACKBONE.with(|b| *b.borrow_mut() = Some(Rc::clone(&weights)));
    Ok(weights)
}

/// Transfer learning: loads the backbone into `model` (a width-1 MobileNetV2, before it moves
/// to a device) and freezes it, so only the new classifier head trains (the spec's own
/// `freeze`/`unfreeze` prefixes, applied after, decide when it names any).
pub fn start_from_backbone(
    model: &Model,
    backbone: &BTreeMap<String, Tensor>,
) -> Result<(), String> {
    let grey = parameters(model)
        .iter()
        .any(|p| p.name == STEM && p.tensor.dims().get(1) == Some(&1));
    let adapted;
    let backbone = if grey {
        adapted = grey_stem(backbone)?;
        &adapted
    } else {
        backbone
    };
    let report = load_state_dict(model, backbone, false)
        .map_err(|e| format!("the pretrained weights do not fit this model: {e}"))?;
    if !report.unexpected.is_empty() || report.missing.iter().any(|m| m.starts_with("features.")) {
        return Err(
            "the pretrained weights are for MobileNetV2 at width 1; choose that model".into(),
        );
    }
    freeze(model, "features.").map_err(|e| e.to_string())?;
    Ok(())
}

/// MobileNetV2's first convolution.
const STEM: &str = "features.0.0.weight";

/// The backbone for one-channel (grey) images: the first convolution's RGB filters summed
/// over their input channels, so a grey image gives the features its RGB copy would (timm's
/// `adapt_input_conv`).
fn grey_stem(backbone: &BTreeMap<String, Tensor>) -> Result<BTreeMap<String, Tensor>, String> {
    let mut adapted = backbone.clone();
    let stem = backbone
        .get(STEM)
        .ok_or("the pretrained weights have no first convolution")?;
    let dims = stem.dims().to_vec();
    let [out, 3, kh, kw] = dims[..] else {
        return Err(format!(
            "the first convolution's weights are {dims:?}, not RGB"
        ));
    };
    let rgb = stem.to_vec::<f32>().map_err(|e| e.to_string())?;
    let area = kh * kw;
    let summed: Vec<f32> = (0..out * area)
        .map(|i| {
            let (o, k) = (i / area, i % area);
            (0..3).map(|c| rgb[(o * 3 + c) * area + k]).sum()
        })
        .collect();
    let grey = Tensor::from_vec(summed, [out, 1, kh, kw]).map_err(|e| e.to_string())?;
    adapted.insert(STEM.to_string(), grey);
    Ok(adapted)
}

/// Softmax probabilities of `model` for one image, through the run's evaluation pipeline (the
/// deterministic part of its augmentations: resize, normalization).
pub async fn predict_probabilities(
    model: &Model,
    spec: &pixelgrad::io::RunSpec,
    image: &pixelgrad::data::Image,
) -> Result<Vec<f32>, String> {
    let input = spec.data.input;
    let classes = spec.data.classes;
    let mut one = InMemoryDataset::new(vec![String::new(); classes.max(1)]);
    // Bring the image to the set's stored form first: the run's pipeline starts from there.
    let stored = match &spec.data.source {
        pixelgrad::io::DataSource::User { .. } => (3, USER_IMAGE_SIDE, USER_IMAGE_SIDE),
        pixelgrad::io::DataSource::Bundled { .. } => (input.channels, input.height, input.width),
    };
    one.push(
        image
            .fit(stored.0, stored.1, stored.2)
            .map_err(|e| e.to_string())?,
        0,
    )
    .map_err(|e| e.to_string())?;
    let config = LoaderConfig {
        batch_size: 1,
        shuffle: false,
        drop_last: false,
        augment: spec.train.loader.augment.for_evaluation(),
        mix: None,
    };
    let loader = DataLoader::new(&one, config, 0).map_err(|e| e.to_string())?;
    let batch = loader.batch(0, 0).map_err(|e| e.to_string())?;
    let (x, _) = batch_tensors(&batch, classes).map_err(|e| e.to_string())?;
    let x = match parameters(model).first().map(|p| p.tensor.device()) {
        Some(device) => x.to_device(device).map_err(|e| e.to_string())?,
        None => x,
    };
    let probs = no_grad(|| {
        model
            .forward(&x, &mut Ctx::eval())
            .and_then(|l| l.softmax(1))
    })
    .map_err(|e| format!("the model could not predict: {e}"))?;
    probs.to_vec_async::<f32>().await.map_err(|e| e.to_string())
}

/// Decodes a dropped file for prediction, with the decoder's limits.
pub fn decode_for_prediction(name: &str, bytes: &[u8]) -> Result<pixelgrad::data::Image, String> {
    decode_image(bytes, DecodeLimits::default()).map_err(|e| format!("{name}: {e}"))
}

/// The class names a run's model predicts: those the spec carries for user data, else the
/// loaded set's when it has as many classes, else numbers.
pub fn class_names(spec: &pixelgrad::io::RunSpec, loaded: Option<&LoadedSet>) -> Vec<String> {
    if let pixelgrad::io::DataSource::User { class_names, .. } = &spec.data.source {
        return class_names.clone();
    }
    match loaded.map(|l| l.train.classes()) {
        Some(names) if names.len() == spec.data.classes => names.to_vec(),
        _ => (0..spec.data.classes).map(|i| i.to_string()).collect(),
    }
}
