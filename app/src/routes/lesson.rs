//! `/lesson/:id`: one lesson of the course, one step at a time (`#step-N`).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::lessons::catalog;
use crate::lessons::step_view::LessonPage;

/// The lesson named in the URL, or a message with a way back to the course.
#[component]
pub fn Lesson() -> impl IntoView {
    let params = use_params_map();
    move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        match catalog::find(&id) {
            Some(lesson) => view! { <LessonPage lesson /> }.into_any(),
            None => view! {
                <section class="page">
                    <h1>"No such lesson"</h1>
                    <p>{format!("There is no lesson called \"{id}\". ")}<a href="/lessons">"See all lessons"</a></p>
                </section>
            }
            .into_any(),
        }
    }
}
