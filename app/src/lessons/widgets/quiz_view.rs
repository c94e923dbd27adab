//! A multiple-choice question: pick an answer, see whether it is right and why.

use leptos::prelude::*;

use crate::lessons::check::Observed;
use crate::lessons::document::Quiz;

/// Text with `code` spans (backticks) shown as code, as in the lesson prose.
fn with_code(text: &str) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            let part = part.to_string();
            if i % 2 == 1 {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}

/// The quiz; a right answer sets the step's `quiz` observation.
#[component]
pub fn QuizView(quiz: Quiz, observed: RwSignal<Observed>) -> impl IntoView {
    let chosen = RwSignal::new(None::<usize>);
    let answer = quiz.answer;
    let name = format!("quiz-{}", quiz.question.len());
    let options = quiz
        .options
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let name = name.clone();
            view! {
                <label class="quiz-option" data-testid=format!("quiz-option-{i}")>
                    <input type="radio" name=name prop:checked=move || chosen.get() == Some(i)
                        on:change=move |_| {
                            chosen.set(Some(i));
                            observed.update(|o| o.quiz = Some(i == answer));
                        } />
                    <span>{with_code(text)}</span>
                </label>
            }
        })
        .collect_view();
    let explanation = quiz.explanation.clone();
    view! {
        <fieldset class="widget quiz" data-testid="quiz">
            <legend>{with_code(&quiz.question)}</legend>
            {options}
            {move || chosen.get().map(|c| if c == answer {
                view! { <p class="ok" role="status" data-testid="quiz-feedback">"Right. "{with_code(&explanation)}</p> }.into_any()
            } else {
                view! { <p class="warn" role="status" data-testid="quiz-feedback">"Not quite; think again and try another answer."</p> }.into_any()
            })}
        </fieldset>
    }
}
