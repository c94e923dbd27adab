//! `/lessons`: the course outline, with each lesson's progress.

use leptos::prelude::*;

use crate::lessons::{catalog, progress};

/// The course: every lesson with its summary, step count and how far the learner got.
#[component]
pub fn Lessons() -> impl IntoView {
    let broken = catalog::all()
        .iter()
        .filter_map(|l| l.as_ref().err())
        .map(|b| view! { <p class="error" role="alert">{format!("Lesson file {} could not be read: {}", b.file, b.error)}</p> })
        .collect_view();
    let items = catalog::lessons()
        .map(|lesson| {
            let done = progress::passed_count(&lesson.id);
            let steps = lesson.steps.len();
            let status = match done {
                0 => format!("{steps} steps"),
                d if d >= steps => format!("{steps} steps · done"),
                d => format!("{d} of {steps} steps done"),
            };
            view! {
                <li class="course-item" data-testid="course-item">
                    <a href=format!("/lesson/{}", lesson.id)>
                        <span class="course-title">{format!("{}. {}", lesson.number, lesson.title)}</span>
                    </a>
                    <span class="detail">{format!(" · {status}")}</span>
                    <p class="course-summary">{lesson.summary.clone()}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="page">
            <h1>"Lessons"</h1>
            <p>"A step-by-step course, one lesson per architecture and per craft topic. Every lesson trains a real network in this page, on your GPU, and ends with a quiz or a challenge."</p>
            {broken}
            <ol class="course">{items}</ol>
        </section>
    }
}
