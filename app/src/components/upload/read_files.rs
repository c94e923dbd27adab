//! Getting the bytes of what the user picked or dropped: files, a folder (through the folder
//! picker's relative paths, or a dropped folder walked entry by entry), or a zip. Decoding
//! happens in the worker, in Rust; this side only reads bytes and keeps paths for labelling.

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use pixelgrad::data::{RejectedFile, UploadFile};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, File, FileList, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry,
};

/// Largest single image file read (the decoder's own limits apply after).
const MAX_IMAGE_BYTES: f64 = 32.0 * 1024.0 * 1024.0;
/// Largest zip read.
const MAX_ZIP_BYTES: f64 = 256.0 * 1024.0 * 1024.0;
/// Most files taken from one pick or drop.
pub const MAX_FILES: usize = 5_000;
/// Deepest folder walked in a dropped folder.
const MAX_DEPTH: usize = 8;

/// A file to read, with the path used for its label.
pub struct PendingFile {
    file: File,
    path: String,
}

/// What a pick or drop gave: files to read and what was refused before reading.
#[derive(Default)]
pub struct Picked {
    /// Files to read.
    pub files: Vec<PendingFile>,
    /// Refused by name (too large, too many).
    pub rejected: Vec<RejectedFile>,
}

impl Picked {
    fn add(&mut self, file: File, path: String) {
        let zip = path.to_ascii_lowercase().ends_with(".zip");
        let limit = if zip { MAX_ZIP_BYTES } else { MAX_IMAGE_BYTES };
        if self.files.len() >= MAX_FILES {
            self.rejected.push(RejectedFile {
                name: path,
                reason: format!("only the first {MAX_FILES} files of one upload are read"),
            });
        } else if file.size() > limit {
            self.rejected.push(RejectedFile {
                name: path,
                reason: format!("it is larger than {} MB", limit / (1024.0 * 1024.0)),
            });
        } else {
            self.files.push(PendingFile { file, path });
        }
    }
}

/// The files of a file input; a folder picker (`webkitdirectory`) gives each its path inside
/// the folder, which labels it by sub-folder.
pub fn from_list(list: &FileList) -> Picked {
    let mut picked = Picked::default();
    for i in 0..list.length() {
        if let Some(file) = list.item(i) {
            let relative = Reflect::get(&file, &JsValue::from_str("webkitRelativePath"))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|p| !p.is_empty());
            let path = relative.unwrap_or_else(|| file.name());
            picked.add(file, path);
        }
    }
    picked
}

/// The dropped files and folders, taken from the event synchronously: a drop's items are
/// readable only while its handler runs. Walk them with [`from_drop`] afterwards.
pub fn dropped_entries(transfer: &DataTransfer) -> Vec<JsValue> {
    let mut entries = Vec::new();
    let items = transfer.items();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        match item.webkit_get_as_entry() {
            Ok(Some(entry)) => entries.push(entry.into()),
            _ => {
                if let Ok(Some(file)) = item.get_as_file() {
                    entries.push(file.into());
                }
            }
        }
    }
    entries
}

/// The files under [`dropped_entries`], folders walked, paths relative to the drop.
pub async fn from_drop(entries: Vec<JsValue>) -> Picked {
    let mut picked = Picked::default();
    for entry in entries {
        match entry.dyn_into::<FileSystemEntry>() {
            Ok(entry) => walk(entry, 0, &mut picked).await,
            Err(value) => {
                if let Ok(file) = value.dyn_into::<File>() {
                    let name = file.name();
                    picked.add(file, name);
                }
            }
        }
    }
    picked
}

/// Adds a dropped file, or every file under a dropped folder, with paths relative to the drop.
async fn walk(entry: FileSystemEntry, depth: usize, picked: &mut Picked) {
    let path = entry.full_path().trim_start_matches('/').to_string();
    if entry.is_file() {
        let file_entry: FileSystemFileEntry = entry.unchecked_into();
        match entry_file(&file_entry).await {
            Ok(file) => picked.add(file, path),
            Err(reason) => picked.rejected.push(RejectedFile { name: path, reason }),
        }
        return;
    }
    if depth >= MAX_DEPTH {
        picked.rejected.push(RejectedFile {
            name: path,
            reason: format!("folders deeper than {MAX_DEPTH} levels are not read"),
        });
        return;
    }
    let dir: FileSystemDirectoryEntry = entry.unchecked_into();
    let reader = dir.create_reader();
    // readEntries returns a batch at a time, and an empty batch at the end.
    loop {
        let batch = callback_promise(|ok, err| {
            reader
                .read_entries_with_callback_and_callback(ok, err)
                .map_err(|_| ())
        })
        .await;
        let Ok(batch) = batch.map(|v| Array::from(&v)) else {
            picked.rejected.push(RejectedFile {
                name: path.clone(),
                reason: "the browser could not list this folder".into(),
            });
            return;
        };
        if batch.length() == 0 || picked.files.len() >= MAX_FILES {
            return;
        }
        for child in batch.iter() {
            if let Ok(child) = child.dyn_into::<FileSystemEntry>() {
                Box::pin(walk(child, depth + 1, picked)).await;
            }
        }
    }
}

async fn entry_file(entry: &FileSystemFileEntry) -> Result<File, String> {
    callback_promise(|ok, err| {
        entry.file_with_callback_and_callback(ok, err);
        Ok(())
    })
    .await
    .and_then(|v| v.dyn_into::<File>().map_err(|_| JsValue::NULL))
    .map_err(|_| "the browser could not read this file".to_string())
}

/// Turns a success/error callback API into a future.
async fn callback_promise(
    start: impl FnOnce(&Function, &Function) -> Result<(), ()>,
) -> Result<JsValue, JsValue> {
    let mut start = Some(start);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(start) = start.take() {
            if start(&resolve, &reject).is_err() {
                let _ = reject.call0(&JsValue::NULL);
            }
        }
    });
    JsFuture::from(promise).await
}

/// Reads the bytes of every picked file; one that cannot be read joins `rejected` by name.
pub async fn read_all(
    picked: Picked,
    bucket: Option<String>,
) -> (Vec<UploadFile>, Vec<RejectedFile>) {
    let mut rejected = picked.rejected;
    let mut files = Vec::with_capacity(picked.files.len());
    for PendingFile { file, path } in picked.files {
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => files.push(UploadFile {
                path,
                bucket: bucket.clone(),
                bytes: Uint8Array::new(&buffer).to_vec(),
            }),
            Err(_) => rejected.push(RejectedFile {
                name: path,
                reason: "the browser could not read it".into(),
            }),
        }
    }
    (files, rejected)
}

/// Splits files into messages of at most `max_bytes` each (one file may exceed it alone), so
/// the worker answers in steps and no single message is huge.
pub fn batches(files: Vec<UploadFile>, max_bytes: usize) -> Vec<Vec<UploadFile>> {
    let mut out: Vec<Vec<UploadFile>> = Vec::new();
    let mut size = 0;
    for file in files {
        if out.is_empty() || size + file.bytes.len() > max_bytes {
            out.push(Vec::new());
            size = 0;
        }
        size += file.bytes.len();
        if let Some(last) = out.last_mut() {
            last.push(file);
        }
    }
    out
}
