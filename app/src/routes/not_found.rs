//! Unknown addresses get a way back instead of a blank page.

use leptos::prelude::*;
use leptos_router::components::A;

/// Shown for any route the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p>"This address is not part of pixelgrad. " <A href="/">"Go to the home page"</A> "."</p>
        </section>
    }
}
