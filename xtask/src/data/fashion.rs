//! Fashion-MNIST from Debian's `dataset-fashion-mnist` package (the official gzipped IDX
//! files inside `data.tar.xz` of the `.deb`): a 10,000-image subset for the browser and the
//! full 60,000 + 10,000 set for benchmarks.

use super::archive::{ar_members, gunzip, tar_members, unxz};
use super::fetch::{fetch, Download};
use super::idx;
use super::split::{gather, stratified};
use super::store::{write_image_set, ImageSet, SetMeta, Written};
use super::Source;
use std::path::Path;

/// Where Fashion-MNIST comes from and what is done to it (also rendered into SOURCES.md).
pub const SOURCE: Source = Source {
    id: "fashion-mnist",
    title: "Fashion-MNIST (70,000 clothing images, 28×28 grey, 10 classes)",
    origin: "Debian package `dataset-fashion-mnist` 0.0~git20200523.55506a9-1 (bookworm), \
             `/usr/share/datasets/fashion-mnist/*-idx*-ubyte.gz` (upstream \
             zalandoresearch/fashion-mnist)",
    download: Download {
        file: "dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb",
        url: "http://deb.debian.org/debian/pool/main/d/dataset-fashion-mnist/\
              dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb",
        sha256: "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0",
        apt: Some(("dataset-fashion-mnist", "0.0~git20200523.55506a9-1")),
    },
    license: "MIT (© 2017 Zalando SE)",
    conversion: "The `.deb` is split as an `ar` archive, `data.tar.xz` unpacked, and the four \
                 gzipped IDX files read unchanged. `public/data/fashion-mnist.safetensors` \
                 (served) is a stratified subset: the first 800 images of each class from the \
                 official train set (8,000) and the first 200 of each class from the official \
                 test set (2,000), in the original order (already mixed). \
                 `target/data/fashion-mnist-full.safetensors` (benchmarks, not served) holds all \
                 60,000 train and 10,000 test images in the original order. Pixels: 0 = \
                 background.",
    outputs: &[
        "public/data/fashion-mnist.safetensors",
        "target/data/fashion-mnist-full.safetensors",
    ],
};

/// Class names in label order, as in the upstream README.
const CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

const DIR: &str = "usr/share/datasets/fashion-mnist/";

/// Downloads (or reads from the cache) and writes the subset (+ `.gz`) and the full set.
pub fn convert(root: &Path) -> Result<Vec<Written>, String> {
    let deb = fetch(&SOURCE.download)?;
    let members = ar_members(&deb)?;
    let data = members
        .iter()
        .find(|m| m.name.starts_with("data.tar"))
        .ok_or("fashion-mnist: the .deb has no data.tar.* member")?;
    if data.name != "data.tar.xz" {
        return Err(format!(
            "fashion-mnist: {} is not handled (expected data.tar.xz)",
            data.name
        ));
    }
    let tar = unxz(data.data)?;
    let names = [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    .map(|n| format!("{DIR}{n}"));
    let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut parts = Vec::new();
    for (name, gz) in names.iter().zip(tar_members(&tar[..], &wanted)?) {
        parts.push(idx::parse(&gunzip(&gz)?).map_err(|e| format!("{name}: {e}"))?);
    }
    let [train_x, train_y, test_x, test_y] = <[idx::Idx; 4]>::try_from(parts)
        .map_err(|_| "fashion-mnist: expected four IDX files".to_string())?;
    check_shape(&train_x, &train_y, 60_000)?;
    check_shape(&test_x, &test_y, 10_000)?;

    let full = ImageSet {
        height: 28,
        width: 28,
        train_images: train_x.data,
        train_labels: train_y.data,
        test_images: test_x.data,
        test_labels: test_y.data,
    };
    let (train_idx, _) = stratified(&full.train_labels, 10, 8_000);
    let (test_idx, _) = stratified(&full.test_labels, 10, 2_000);
    let (train_images, train_labels) =
        gather(&full.train_images, &full.train_labels, 784, &train_idx);
    let (test_images, test_labels) = gather(&full.test_images, &full.test_labels, 784, &test_idx);
    let subset = ImageSet {
        height: 28,
        width: 28,
        train_images,
        train_labels,
        test_images,
        test_labels,
    };

    let sub_extra = [
        (
            "split",
            "stratified subset: first 800 per class of train, first 200 per class of test".into(),
        ),
        ("pixels", "u8, 0 = background".into()),
    ];
    let full_extra = [
        (
            "split",
            "official 60,000 train / 10,000 test, original order".into(),
        ),
        ("pixels", "u8, 0 = background".into()),
    ];
    let meta = |extra| SetMeta {
        name: "fashion-mnist",
        classes: &CLASSES,
        source: SOURCE.origin,
        license: SOURCE.license,
        extra,
    };
    Ok(vec![
        write_image_set(
            &root.join(SOURCE.outputs[0]),
            &subset,
            &meta(&sub_extra),
            true,
        )?,
        write_image_set(
            &root.join(SOURCE.outputs[1]),
            &full,
            &meta(&full_extra),
            false,
        )?,
    ])
}

fn check_shape(images: &idx::Idx, labels: &idx::Idx, n: usize) -> Result<(), String> {
    if images.dims != [n, 28, 28] || labels.dims != [n] || labels.data.iter().any(|&l| l > 9) {
        return Err(format!(
            "fashion-mnist: unexpected IDX shapes {:?} / {:?} (wanted [{n}, 28, 28] / [{n}])",
            images.dims, labels.dims
        ));
    }
    Ok(())
}
