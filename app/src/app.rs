//! The shell: header navigation and the routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::components::run_settings::RunSettings;
use crate::routes::{
    debug::DebugPanic, home::Home, lesson::Lesson, lessons::Lessons, not_found::NotFound,
    playground::Playground,
};
use crate::worker::client::WorkerClient;

/// The whole app: a header with navigation and one page per route. The training worker starts
/// with the app, so the device is known by the time a user opens the playground.
#[component]
pub fn App() -> impl IntoView {
    let worker = WorkerClient::spawn();
    provide_context(worker);
    // Every run is kept in IndexedDB as it trains (the runs gallery reads it back).
    crate::storage::recorder::record_runs(worker);
    // The user's own images outlive the playground page (navigating away keeps them).
    provide_context(crate::components::upload::store::UserData::new());
    provide_context(RunSettings::new());
    view! {
        <Router>
            <header class="site-header">
                <A href="/" attr:class="brand">"pixelgrad"</A>
                <nav aria-label="Main">
                    <A href="/playground">"Playground"</A>
                    <A href="/lessons">"Lessons"</A>
                    <A href="/runs">"Runs"</A>
                </nav>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/playground") view=Playground />
                    <Route path=path!("/lessons") view=Lessons />
                    <Route path=path!("/runs") view=crate::routes::runs::Runs />
                    <Route path=path!("/lesson/:id") view=Lesson />
                    <Route path=path!("/debug/panic") view=DebugPanic />
                </Routes>
            </main>
        </Router>
    }
}
