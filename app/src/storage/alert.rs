//! The page's word on a save that failed: when the browser refuses to keep a run or a
//! checkpoint (its storage is full, or private mode has none), the page says so where the
//! learner is looking, with what to do, while training goes on.

use leptos::prelude::*;

use super::recorder::StorageNotice;

/// The latest failed save if there is one; otherwise how far a reload would keep the current
/// run, so the learner knows closing the tab is safe.
#[component]
pub fn StorageAlert() -> impl IntoView {
    let notice = use_context::<StorageNotice>();
    move || {
        let notice = notice?;
        if let Some(message) = notice.failed.get() {
            return Some(
                view! {
                    <p class="error storage-alert" role="alert" data-testid="storage-alert">{message}</p>
                }
                .into_any(),
            );
        }
        let step = notice.kept_step.get()?;
        Some(
            view! {
                <p class="detail" data-testid="kept-step" data-step=step>
                    {format!("Kept in this browser up to step {step} (its latest checkpoint).")}
                </p>
            }
            .into_any(),
        )
    }
}
