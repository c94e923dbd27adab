//! `/runs`: the runs gallery.

use leptos::prelude::*;

use crate::components::runs_gallery::RunsGallery;

/// The runs page: every run kept in this browser.
#[component]
pub fn Runs() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Runs"</h1>
            <p>"Your runs, kept in this browser: open one again, compare two, or take one elsewhere as a file."</p>
        </section>
        <RunsGallery />
    }
}
