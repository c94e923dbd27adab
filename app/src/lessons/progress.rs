//! Which steps a learner has passed, per lesson, kept in `localStorage` so a reload or a later
//! visit picks up where they left off. Storage may be missing or full (private windows): then
//! progress lives for the page only, which is the best that can be done.

use std::collections::BTreeSet;

/// Key prefix in `localStorage`.
const KEY: &str = "pixelgrad.lesson.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Steps (0-based) whose checks have passed in lesson `id`.
pub fn load(id: &str) -> BTreeSet<usize> {
    storage()
        .and_then(|s| s.get_item(&format!("{KEY}{id}")).ok().flatten())
        .and_then(|text| serde_json::from_str::<Vec<usize>>(&text).ok())
        .map(|v| v.into_iter().collect())
        .unwrap_or_default()
}

/// Records the passed steps of lesson `id`.
pub fn save(id: &str, passed: &BTreeSet<usize>) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(passed)) {
        let _ = s.set_item(&format!("{KEY}{id}"), &text);
    }
}

/// How many steps of lesson `id` are passed (for the course outline).
pub fn passed_count(id: &str) -> usize {
    load(id).len()
}
