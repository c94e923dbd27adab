//! The page's word on a save that failed: when the browser refuses to keep a run or a
//! checkpoint (its storage is full, or private mode has none), the page says so where the
//! learner is looking, with what to do, while training goes on.

use leptos::prelude::*;

use super::recorder::StorageNotice;

/// The latest failed save, if any; nothing otherwise.
#[component]
pub fn StorageAlert() -> impl IntoView {
    let notice = use_context::<StorageNotice>();
    move || {
        let message = notice.and_then(|n| n.0.get())?;
        Some(view! {
            <p class="error storage-alert" role="alert" data-testid="storage-alert">{message}</p>
        })
    }
}
