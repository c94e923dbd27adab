//! Messages between the page and the training worker. Both sides are this crate, so one set of
//! serde types serves both, and a message that does not parse is a bug we report, not a crash.

use serde::{Deserialize, Serialize};

/// What the page asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Open the best device (WebGPU, else CPU) and check it with a real kernel.
    ProbeDevice,
    /// Download and parse a bundled data set (`mnist`, `fashion-mnist`, `digits`).
    LoadBundled {
        /// The set's identifier.
        id: String,
    },
}

/// Which backend training runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// WebGPU through wgpu: the fast path.
    WebGpu,
    /// The CPU (wasm) fallback, used when WebGPU is missing or failed its check.
    Cpu,
}

/// What the device probe found, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceReport {
    /// The backend training will use.
    pub backend: Backend,
    /// The adapter, described for people ("browser WebGPU, integrated GPU").
    pub adapter: String,
    /// Why WebGPU is not used, when it is not.
    pub fallback_reason: Option<String>,
    /// The kernel check that ran on the adapter, when it passed.
    pub kernel_check: Option<String>,
}

/// A small grey picture for the data panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Class index.
    pub label: usize,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// `height * width` grey bytes, row-major.
    pub pixels: Vec<u8>,
}

/// What the data panel shows about a loaded set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// The set's identifier.
    pub id: String,
    /// Class names, indexed by label.
    pub classes: Vec<String>,
    /// Image rows.
    pub height: usize,
    /// Image columns.
    pub width: usize,
    /// Training examples.
    pub train_len: usize,
    /// Held-out examples.
    pub test_len: usize,
    /// Training examples per class (the balance view).
    pub class_counts: Vec<usize>,
    /// A few examples per class.
    pub thumbnails: Vec<Thumbnail>,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The wasm module is loaded in the worker and accepts commands.
    Ready,
    /// The answer to [`Command::ProbeDevice`].
    Device(DeviceReport),
    /// A data set is loaded and selected for training.
    Dataset(DatasetSummary),
    /// A command could not be carried out; the worker goes on.
    Error {
        /// What went wrong, for the user.
        message: String,
    },
    /// The worker hit an internal error and stopped; the page offers to restart it.
    Crashed {
        /// The panic report, for a bug report.
        report: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_tagged_json() {
        let event = Event::Device(DeviceReport {
            backend: Backend::Cpu,
            adapter: "CPU".into(),
            fallback_reason: Some("no adapter".into()),
            kernel_check: None,
        });
        let json = serde_json::to_string(&event).expect("serializes");
        assert!(
            json.starts_with(r#"{"type":"device","backend":"cpu""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Event>(&json).expect("parses"), event);
        let command: Command = serde_json::from_str(r#"{"type":"probe_device"}"#).expect("parses");
        assert_eq!(command, Command::ProbeDevice);
    }
}
