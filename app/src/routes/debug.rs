//! `/debug/panic`: lets the end-to-end tests prove that a panic shows the error panel instead
//! of a dead page. It only breaks the tab that opens it.

use leptos::prelude::*;

/// A page with one button that panics on purpose.
#[component]
pub fn DebugPanic() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Crash test"</h1>
            <p>"This page checks pixelgrad's error panel. The button below stops the app on purpose."</p>
            <button type="button" class="button" on:click=|_| panic!("deliberate test panic from /debug/panic")>
                "Crash the app"
            </button>
        </section>
    }
}
