//! Thread-local switch that decides whether new results record graph nodes. `no_grad` is for
//! inference and optimizer updates; the engine also turns recording off for first-order
//! backward so gradient tensors carry no history.

use std::cell::Cell;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// Whether ops record graph nodes on this thread right now.
pub fn is_enabled() -> bool {
    ENABLED.with(Cell::get)
}

/// Restores the previous mode when dropped, so a panic inside the scope cannot leak it.
struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        ENABLED.with(|e| e.set(self.0));
    }
}

/// Runs `f` with recording set to `on`, restoring the previous mode afterwards.
pub fn with_mode<R>(on: bool, f: impl FnOnce() -> R) -> R {
    let _restore = Restore(ENABLED.with(|e| e.replace(on)));
    f()
}

/// Runs `f` without recording (torch.no_grad).
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    with_mode(false, f)
}

/// Runs `f` with recording on, even inside a `no_grad` scope (torch.enable_grad).
pub fn enable_grad<R>(f: impl FnOnce() -> R) -> R {
    with_mode(true, f)
}
