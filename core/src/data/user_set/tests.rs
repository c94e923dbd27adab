//! The user data set as a specification: what it accepts, how it serializes, what it refuses.

use super::*;

fn two_class_set() -> UserDataset {
    let mut set = UserDataset::new(4, 6).expect("valid size");
    let a = set.class_or_add(" cats ").expect("name");
    let b = set.class_or_add("dogs").expect("name");
    assert_eq!(set.class_or_add("cats"), Ok(a), "same name, same class");
    set.push_rgb(a, "cats/1.png", vec![10; 72]).expect("fits");
    set.push_rgb(b, "webcam", vec![200; 72]).expect("fits");
    set.push_rgb(b, "webcam", vec![90; 72]).expect("fits");
    set
}

#[test]
fn classes_samples_and_counts() {
    let mut set = two_class_set();
    assert_eq!(set.classes(), ["cats", "dogs"]);
    assert_eq!(set.class_counts(), [1, 2]);
    assert_eq!(set.len(), 3);
    let sample = set.get(1).expect("exists");
    assert_eq!(sample.label, 1);
    assert_eq!(sample.image.shape(), [3, 4, 6]);
    assert!((sample.image.at(2, 3, 5) - 200.0 / 255.0).abs() < 1e-6);
    assert!(
        set.push_rgb(0, "x", vec![0; 71]).is_err(),
        "wrong byte count"
    );
    assert_eq!(
        set.push_rgb(2, "x", vec![0; 72]),
        Err(DataError::BadLabel {
            label: 2,
            classes: 2
        })
    );
    assert!(set.class_or_add("   ").is_err());
    assert!(set.class_or_add(&"x".repeat(41)).is_err());
    assert_eq!(set.remove(0).expect("exists").source, "cats/1.png");
    assert_eq!(set.class_counts(), [0, 2]);
    assert!(set.remove(5).is_err());
    set.rename_class(0, "kittens").expect("free name");
    assert!(set.rename_class(0, "dogs").is_err(), "taken");
    set.remove_class(0).expect("exists");
    assert_eq!(set.classes(), ["dogs"]);
    assert!(set.samples().iter().all(|s| s.label == 0));
    assert_eq!(set.len(), 2);
}

#[test]
fn images_are_fitted_to_the_set_size() {
    let mut set = UserDataset::new(8, 8).expect("valid");
    let label = set.class_or_add("grey").expect("name");
    let grey = Image::filled(1, 30, 50, 0.5).expect("valid");
    set.push_image(label, "grey.png", &grey).expect("fits");
    assert_eq!(set.samples()[0].pixels.len(), 8 * 8 * 3);
    assert!(set.samples()[0].pixels.iter().all(|&p| p == 128));
}

#[test]
fn json_round_trip_validates_on_the_way_in() {
    let set = two_class_set();
    let json = serde_json::to_string(&set).expect("serializes");
    assert!(json.contains("\"pixels\":\"Cgo"), "base64 pixels: {json}");
    assert_eq!(
        serde_json::from_str::<UserDataset>(&json).expect("reads"),
        set
    );
    let bad_label = json.replacen("\"label\":1", "\"label\":7", 1);
    assert!(serde_json::from_str::<UserDataset>(&bad_label).is_err());
    let bad_size = json.replacen("\"height\":4", "\"height\":5", 1);
    assert!(serde_json::from_str::<UserDataset>(&bad_size).is_err());
    let huge = json.replacen("\"height\":4", "\"height\":100000", 1);
    assert!(serde_json::from_str::<UserDataset>(&huge).is_err());
    let dup = json.replacen("\"dogs\"", "\"cats\"", 1);
    assert!(serde_json::from_str::<UserDataset>(&dup).is_err());
}

#[test]
fn safetensors_round_trip_and_a_stable_hash() {
    let set = two_class_set();
    let bytes = set.to_safetensors().expect("writes");
    assert_eq!(UserDataset::from_safetensors(&bytes).expect("reads"), set);
    let hash = set.sha256_hex().expect("hashes");
    assert_eq!(hash.len(), 64);
    assert!(hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    assert_eq!(set.clone().sha256_hex().expect("hashes"), hash, "stable");
    let mut changed = set.clone();
    changed.remove(2).expect("exists");
    assert_ne!(changed.sha256_hex().expect("hashes"), hash);
    assert!(UserDataset::from_safetensors(b"garbage").is_err());
    let mut cut = bytes.clone();
    cut.truncate(bytes.len() - 10);
    assert!(UserDataset::from_safetensors(&cut).is_err());
}
