//! Faults a GPU reports after the fact: the device was lost (driver reset, the browser reclaimed
//! it, the tab used too much GPU memory) or an allocation ran out of memory. WebGPU reports both
//! asynchronously, through callbacks, never as the result of the call that caused them; this log
//! catches them so that the next read-back (and every later allocation) fails with an error that
//! says what happened and what to do, instead of zeros or a panic in wgpu's default handler.

use std::sync::{Arc, Mutex};

/// What went wrong with a device, in a form the app can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuFault {
    /// The device is gone; nothing on it can be read any more. Recover from a checkpoint, on the
    /// CPU or on a newly requested device.
    Lost(String),
    /// An allocation did not fit in GPU memory; a smaller batch or model may.
    OutOfMemory,
    /// The driver or a kernel failed in a way WebGPU does not classify (a bug to report).
    Internal(String),
}

/// Faults to inject in tests and in the app's fault drill, through the same paths real ones take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedFault {
    /// Destroys the device, as a driver reset would: wgpu fires the device-lost callback.
    DeviceLost,
    /// Records an out-of-memory error, as wgpu's error handler does when an allocation fails.
    OutOfMemory,
}

/// The fault that explains a device's failure: the first one seen, except that a loss replaces
/// errors recorded before its callback ran (work on a destroyed device fails validation first).
#[derive(Debug, Default)]
pub(crate) struct FaultLog(Mutex<Option<GpuFault>>);

impl FaultLog {
    pub fn record(&self, fault: GpuFault) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let replaces = match (&*slot, &fault) {
            (None, _) => true,
            (Some(GpuFault::Lost(_)), _) => false,
            (Some(_), GpuFault::Lost(_)) => true,
            (Some(_), _) => false,
        };
        if replaces {
            *slot = Some(fault);
        }
    }

    pub fn current(&self) -> Option<GpuFault> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Routes the device's lost callback and its uncaptured errors into a new log. Validation
    /// errors that code means to catch (the kernel warm-up) use error scopes and never get here.
    pub fn watch(device: &wgpu::Device) -> Arc<FaultLog> {
        let log = Arc::new(FaultLog::default());
        let lost = Arc::clone(&log);
        device.set_device_lost_callback(move |reason, message| {
            lost.record(GpuFault::Lost(format!("{reason:?}: {message}")));
        });
        let errors = Arc::clone(&log);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            errors.record(match e {
                wgpu::Error::OutOfMemory { .. } => GpuFault::OutOfMemory,
                wgpu::Error::Validation { description, .. }
                | wgpu::Error::Internal { description, .. } => GpuFault::Internal(description),
            });
        }));
        log
    }
}
