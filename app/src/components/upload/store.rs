//! The user's own data set on the page: what uploads and the webcam add to, what the class
//! cards, the balance view and the train button read. It lives in page memory (the worker gets
//! a copy when training starts) and is plain serde data, so persistence can store it as is.

use leptos::prelude::*;
use pixelgrad::data::Dataset;
use pixelgrad::data::{ImportReport, RejectedFile, UserDataset};

/// Side of the images kept for user data: MobileNetV2 transfer learning takes 96 px RGB, and
/// smaller zoo models resize from it.
pub const USER_IMAGE_SIDE: usize = 96;
/// Validation share offered by default.
pub const DEFAULT_VAL_FRACTION: f64 = 0.2;

/// The data set with page-only ids, so thumbnails keep their identity when others are deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct UserStore {
    /// The images and classes.
    pub set: UserDataset,
    /// One id per sample, in sample order.
    pub ids: Vec<u64>,
    next_id: u64,
}

impl UserStore {
    /// An empty 96 px set with two classes ready for the webcam.
    fn new() -> Self {
        let mut set = UserDataset::new(USER_IMAGE_SIDE, USER_IMAGE_SIDE)
            .expect("96 px is within the user set's limits");
        for name in ["Class 1", "Class 2"] {
            set.class_or_add(name).expect("a short, new class name");
        }
        UserStore {
            set,
            ids: Vec::new(),
            next_id: 0,
        }
    }

    /// Replaces the contents with a set read from storage or a file.
    pub fn replace(&mut self, set: UserDataset) {
        self.ids = (0..set.samples().len() as u64)
            .map(|i| self.next_id + i)
            .collect();
        self.next_id += set.samples().len() as u64;
        self.set = set;
    }

    fn push(&mut self, label: usize, source: &str, pixels: Vec<u8>) -> Result<(), String> {
        self.set
            .push_rgb(label, source, pixels)
            .map_err(|e| e.to_string())?;
        self.ids.push(self.next_id);
        self.next_id += 1;
        Ok(())
    }
}

/// The shared handle: cheap to copy, found through Leptos context.
#[derive(Debug, Clone, Copy)]
pub struct UserData {
    /// The images, classes and ids.
    pub store: RwSignal<UserStore>,
    /// Files from the last uploads that could not be used, by name with the reason.
    pub rejected: RwSignal<Vec<RejectedFile>>,
    /// Share of each class held out for validation.
    pub val_fraction: RwSignal<f64>,
    /// Uploads sent to the worker and not answered yet (files).
    pub decoding: RwSignal<usize>,
    /// A message about the last action that failed as a whole.
    pub notice: RwSignal<Option<String>>,
}

impl UserData {
    /// The handle from context, provided here on first use (an app-level provider, such as
    /// persistence, may provide it earlier).
    pub fn use_or_provide() -> Self {
        use_context::<UserData>().unwrap_or_else(|| {
            let data = UserData::new();
            provide_context(data);
            data
        })
    }

    /// An empty set with two webcam classes.
    pub fn new() -> Self {
        UserData {
            store: RwSignal::new(UserStore::new()),
            rejected: RwSignal::new(Vec::new()),
            val_fraction: RwSignal::new(DEFAULT_VAL_FRACTION),
            decoding: RwSignal::new(0),
            notice: RwSignal::new(None),
        }
    }

    /// The data set as it is now (for training, storage or export).
    pub fn snapshot(&self) -> UserDataset {
        self.store.with_untracked(|s| s.set.clone())
    }

    /// Adds decoded uploads, creating classes named after their folders or buckets; a file that
    /// does not fit (too many classes or images) joins the rejected list by name.
    pub fn add_import(&self, report: ImportReport) {
        let mut rejected = report.rejected;
        self.store.update(|s| {
            // The two starter classes make way for the uploads' own while nothing is in them.
            let untouched = s.set.is_empty()
                && s.set.classes().iter().all(|c| c.starts_with("Class "))
                && !report.images.is_empty();
            if untouched {
                while !s.set.classes().is_empty() {
                    let _ = s.set.remove_class(0);
                }
            }
            for image in report.images {
                let added = s
                    .set
                    .class_or_add(&image.class)
                    .map_err(|e| e.to_string())
                    .and_then(|label| s.push(label, &image.source, image.pixels));
                if let Err(reason) = added {
                    rejected.push(RejectedFile {
                        name: image.source,
                        reason,
                    });
                }
            }
        });
        if !rejected.is_empty() {
            self.rejected.update(|r| r.extend(rejected));
        }
    }

    /// Adds one webcam frame (`96 × 96 × 3` RGB bytes) to a class.
    pub fn add_capture(&self, label: usize, pixels: Vec<u8>) {
        let mut error = None;
        self.store
            .update(|s| error = s.push(label, "webcam", pixels).err());
        if let Some(e) = error {
            self.notice
                .set(Some(format!("The frame was not kept: {e}.")));
        }
    }

    /// Deletes the sample with page id `id` (a bad capture or upload).
    pub fn remove(&self, id: u64) {
        self.store.update(|s| {
            if let Some(index) = s.ids.iter().position(|&i| i == id) {
                if s.set.remove(index).is_ok() {
                    s.ids.remove(index);
                }
            }
        });
    }

    /// Adds a class by name, reporting a bad or duplicate name in `notice`.
    pub fn add_class(&self, name: &str) {
        let mut result = Ok(0);
        self.store.update(|s| {
            let before = s.set.classes().len();
            result = s.set.class_or_add(name).map_err(|e| e.to_string());
            if matches!(result, Ok(label) if label < before) {
                result = Err(format!(
                    "there is already a class called \"{}\"",
                    name.trim()
                ));
            }
        });
        self.notice
            .set(result.err().map(|e| format!("{}.", capitalize(&e))));
    }

    /// Renames a class, reporting a bad or duplicate name in `notice`.
    pub fn rename_class(&self, label: usize, name: &str) {
        let mut result = Ok(());
        self.store
            .update(|s| result = s.set.rename_class(label, name));
        self.notice.set(
            result
                .err()
                .map(|e| format!("{}.", capitalize(&e.to_string()))),
        );
    }

    /// Removes a class and its images.
    pub fn remove_class(&self, label: usize) {
        self.store.update(|s| {
            let keep: Vec<u64> = s
                .set
                .samples()
                .iter()
                .zip(&s.ids)
                .filter(|(sample, _)| sample.label != label)
                .map(|(_, &id)| id)
                .collect();
            if s.set.remove_class(label).is_ok() {
                s.ids = keep;
            }
        });
    }
}

impl Default for UserData {
    fn default() -> Self {
        UserData::new()
    }
}

/// "class: ..." → "Class: ..." for messages built from core errors.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Class names of the worker's current model when it was trained on the user's images (what
/// live prediction and "try an image" need), else `None`. Reactive.
pub fn user_model_classes(worker: &crate::worker::client::WorkerClient) -> Option<Vec<String>> {
    use crate::worker::client::RunState;
    use crate::worker::protocol::RunEnd;
    use pixelgrad::io::DataSource;
    worker.training.with(|t| {
        let done = matches!(t.state, RunState::Ended(RunEnd::Finished | RunEnd::Stopped));
        match (&t.spec, done) {
            (Some(spec), true) => match &spec.data.source {
                DataSource::User { class_names, .. } => Some(class_names.clone()),
                DataSource::Bundled { .. } => None,
            },
            _ => None,
        }
    })
}
