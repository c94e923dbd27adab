//! Handing picked files to the worker for decoding, in messages of bounded size.

use leptos::prelude::*;
use pixelgrad::data::RejectedFile;

use super::read_files::{batches, read_all, Picked};
use super::store::{UserData, USER_IMAGE_SIDE};
use crate::worker::client::WorkerClient;
use crate::worker::protocol::Command;

/// Bytes of files per decode message (base64 makes the message a third larger).
const BATCH_BYTES: usize = 8 << 20;

/// Reads the picked files and sends them to the worker, labelled by `bucket` when they were
/// dropped on a class. Files refused before reading are reported at once.
pub fn send_picked(worker: WorkerClient, data: UserData, picked: Picked, bucket: Option<String>) {
    if picked.files.is_empty() && picked.rejected.is_empty() {
        return;
    }
    data.notice.set(None);
    data.rejected.set(Vec::new());
    let count = picked.files.len();
    data.decoding.update(|d| *d += count);
    wasm_bindgen_futures::spawn_local(async move {
        let (files, rejected) = read_all(picked, bucket).await;
        report_rejected(data, rejected);
        let unread = count - files.len();
        data.decoding.update(|d| *d = d.saturating_sub(unread));
        for batch in batches(files, BATCH_BYTES) {
            worker.send(&Command::DecodeUploads {
                side: USER_IMAGE_SIDE,
                files: batch,
            });
        }
    });
}

fn report_rejected(data: UserData, rejected: Vec<RejectedFile>) {
    if !rejected.is_empty() {
        data.rejected.update(|r| r.extend(rejected));
    }
}
