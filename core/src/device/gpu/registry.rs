//! Names for GPU devices. [`crate::Device`] is a small `Copy` value that can be serialized, so it
//! holds a [`GpuId`]; this registry maps the id back to the live runtime, which is what
//! `tensor.to_device(Device::Gpu(id))` needs. Tensors themselves hold their runtime directly.

use std::sync::{Arc, Weak};

use serde::{Deserialize, Serialize};

use super::runtime::GpuDevice;

/// Identifies one opened GPU device for the life of the process (ids are never reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GpuId(pub u32);

impl std::fmt::Display for GpuId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

// wgpu handles are not `Send` in a threaded wasm build, so the browser keeps the registry per
// thread (a worker owns its device); natively one registry serves all threads.
#[cfg(not(target_arch = "wasm32"))]
static REGISTRY: std::sync::Mutex<Vec<Weak<GpuDevice>>> = std::sync::Mutex::new(Vec::new());

#[cfg(not(target_arch = "wasm32"))]
fn with_registry<R>(f: impl FnOnce(&mut Vec<Weak<GpuDevice>>) -> R) -> R {
    let mut guard = REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut guard)
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static REGISTRY: std::cell::RefCell<Vec<Weak<GpuDevice>>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(target_arch = "wasm32")]
fn with_registry<R>(f: impl FnOnce(&mut Vec<Weak<GpuDevice>>) -> R) -> R {
    REGISTRY.with(|r| f(&mut r.borrow_mut()))
}

/// Builds a runtime under a fresh id and records it.
pub(crate) fn register(make: impl FnOnce(GpuId) -> GpuDevice) -> Arc<GpuDevice> {
    with_registry(|devices| {
        let id = GpuId(u32::try_from(devices.len()).expect("fewer than 2^32 GPU devices opened"));
        let device = Arc::new(make(id));
        devices.push(Arc::downgrade(&device));
        device
    })
}

/// The runtime behind `id`, if it is still alive (some tensor or handle holds it).
pub(crate) fn lookup(id: GpuId) -> Option<Arc<GpuDevice>> {
    with_registry(|devices| devices.get(id.0 as usize).and_then(Weak::upgrade))
}
