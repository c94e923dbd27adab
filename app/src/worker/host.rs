//! The worker side: receives [`Command`]s, runs them, posts [`Event`]s back.

use std::cell::RefCell;

use pixelgrad::device::gpu::GpuContext;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::datasets::{load_bundled, summarize, LoadedSet};
use super::probe::probe_device;
use super::protocol::{Command, Event};

/// What the worker holds between commands.
#[derive(Default)]
struct Session {
    /// The GPU device opened by the probe, kept for training.
    gpu: Option<GpuContext>,
    /// The selected data set.
    data: Option<LoadedSet>,
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

/// True when this wasm instance runs inside a dedicated worker rather than a page.
pub fn is_worker_scope() -> bool {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .is_ok()
}

/// Starts serving commands; called from `main` when running in the worker.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Event::Crashed {
            report: format!("training worker panicked: {info}"),
        });
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            post(&Event::Error {
                message: "the worker received a message that is not text".into(),
            });
            return;
        };
        match serde_json::from_str::<Command>(&text) {
            Ok(command) => wasm_bindgen_futures::spawn_local(handle(command)),
            Err(e) => post(&Event::Error {
                message: format!("the worker could not read a command: {e}"),
            }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Event::Ready);
}

async fn handle(command: Command) {
    match command {
        Command::ProbeDevice => {
            let (report, gpu) = probe_device().await;
            SESSION.with(|s| s.borrow_mut().gpu = gpu);
            post(&Event::Device(report));
        }
        Command::LoadBundled { id } => match load_bundled(&id).await.and_then(|set| {
            let summary = summarize(&id, &set)?;
            SESSION.with(|s| s.borrow_mut().data = Some(set));
            Ok(summary)
        }) {
            Ok(summary) => post(&Event::Dataset(summary)),
            Err(message) => post(&Event::Error { message }),
        },
    }
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends an event to the page. Serializing our own enum cannot fail; posting a string cannot
/// either, short of the worker being torn down, when there is no one left to tell.
fn post(event: &Event) {
    if let Ok(text) = serde_json::to_string(event) {
        let _ = scope().post_message(&JsValue::from_str(&text));
    }
}
