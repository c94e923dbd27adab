//! One lesson on screen: the step list, the current step (from the `#step-N` anchor) with its
//! prose, widgets and checks, and the buttons that move on once the checks pass.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};
use pixelgrad::io::encode_link;

use super::catalog;
use super::check::Observed;
use super::document::{Lesson, Step, Widget};
use super::progress;
use super::run::Budget;
use super::widgets::attention_view::AttentionView;
use super::widgets::conv_explorer::ConvExplorer;
use super::widgets::graph_view::GraphView;
use super::widgets::model_diagram::ModelDiagram;
use super::widgets::quiz_view::QuizView;
use super::widgets::train_view::TrainView;

/// The 0-based step named by a `#step-N` fragment (N from 1).
pub fn step_from_hash(hash: &str) -> Option<usize> {
    hash.trim_start_matches('#')
        .strip_prefix("step-")?
        .parse::<usize>()
        .ok()?
        .checked_sub(1)
}

/// The first step not yet passed: the furthest a learner may go.
fn frontier(passed: &BTreeSet<usize>, steps: usize) -> usize {
    (0..steps)
        .find(|i| !passed.contains(i))
        .unwrap_or(steps.saturating_sub(1))
}

/// A whole lesson page.
#[component]
pub fn LessonPage(lesson: &'static Lesson) -> impl IntoView {
    let location = use_location();
    let query = use_query_map();
    let budget = Memo::new(move |_| query.with(|q| Budget::from_query(q.get("budget").as_deref())));
    let passed = RwSignal::new(progress::load(&lesson.id));
    let steps = lesson.steps.len();
    let current = Memo::new(move |_| {
        let asked = step_from_hash(&location.hash.get()).unwrap_or(0);
        asked
            .min(frontier(&passed.get(), steps))
            .min(steps.saturating_sub(1))
    });
    let asked_locked = move || {
        step_from_hash(&location.hash.get()).is_some_and(|a| a > current.get() && a < steps)
    };
    let nav = lesson
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let class = move || {
                let p = passed.get();
                let mut c = String::from("step-link");
                if p.contains(&i) {
                    c.push_str(" done");
                }
                if current.get() == i {
                    c.push_str(" current");
                }
                if i > frontier(&p, steps) {
                    c.push_str(" locked");
                }
                c
            };
            view! {
                <li class=class>
                    <a href=format!("#step-{}", i + 1) aria-current=move || (current.get() == i).then_some("step")>{step.title.clone()}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="page lesson" data-testid="lesson" data-lesson=lesson.id.clone()>
            <p class="eyebrow"><a href="/lessons">"Lessons"</a>{format!(" · Lesson {}", lesson.number)}</p>
            <h1>{lesson.title.clone()}</h1>
            <p class="lead">{lesson.summary.clone()}</p>
            <div class="lesson-layout">
                <nav class="step-nav" aria-label="Steps of this lesson">
                    <ol>{nav}</ol>
                    <p class="detail" data-testid="lesson-progress">{move || format!("{} of {steps} steps done", passed.get().len())}</p>
                </nav>
                <div class="step-area">
                    {move || asked_locked().then(|| view! { <p class="warn" role="status">"That step is still locked: finish this one first."</p> })}
                    {move || {
                        let i = current.get();
                        view! { <StepView lesson=lesson index=i passed=passed budget=budget.get_untracked() /> }
                    }}
                </div>
            </div>
        </section>
    }
}

/// One step: prose, widgets, checks and navigation. A fresh one is made for every step shown,
/// so observations never leak from one step to the next.
#[component]
fn StepView(
    lesson: &'static Lesson,
    index: usize,
    passed: RwSignal<BTreeSet<usize>>,
    budget: Budget,
) -> impl IntoView {
    let step: &'static Step = &lesson.steps[index];
    let observed = RwSignal::new(Observed::default());
    let all_pass = Memo::new(move |_| observed.with(|o| step.checks.iter().all(|c| c.passes(o))));
    Effect::new(move |_| {
        if all_pass.get() && !passed.with_untracked(|p| p.contains(&index)) {
            passed.update(|p| {
                p.insert(index);
            });
            passed.with_untracked(|p| progress::save(&lesson.id, p));
        }
    });
    let unlocked = move || all_pass.get() || passed.with(|p| p.contains(&index));
    let widgets = step
        .widgets
        .iter()
        .map(|w| match w {
            Widget::Graph(p) => view! { <GraphView program=p.clone() observed /> }.into_any(),
            Widget::Conv(c) => view! { <ConvExplorer settings=*c observed /> }.into_any(),
            Widget::Model(m) => view! { <ModelDiagram model=m.clone() observed /> }.into_any(),
            Widget::Train(r) => {
                view! { <TrainView run=(**r).clone() observed budget /> }.into_any()
            }
            Widget::Quiz(q) => view! { <QuizView quiz=q.clone() observed /> }.into_any(),
            Widget::Attention(invert) => {
                view! { <AttentionView invert=*invert observed /> }.into_any()
            }
        })
        .collect_view();
    let checks = (!step.checks.is_empty()).then(|| {
        let items = step
            .checks
            .iter()
            .map(|c| {
                // Met once is met: a later evaluation that dips below the target does not
                // take back a step the learner has passed.
                let ok = move || passed.with(|p| p.contains(&index)) || observed.with(|o| c.passes(o));
                view! {
                    <li class=move || if ok() { "check passed" } else { "check" } data-testid="check">
                        <span aria-hidden="true">{move || if ok() { "✓ " } else { "○ " }}</span>
                        {c.to_string()}
                        <span class="visually-hidden">{move || if ok() { " (done)" } else { " (not yet)" }}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <div class="checks" aria-live="polite"><h3>"To go on"</h3><ul>{items}</ul></div> }
    });
    let steps = lesson.steps.len();
    let playground = playground_link(step, budget);
    view! {
        <article class="step" id=format!("step-{}", index + 1) data-testid="step" data-step=index + 1>
            <p class="eyebrow">{format!("Step {} of {steps}", index + 1)}</p>
            <h2>{step.title.clone()}</h2>
            <div class="prose" inner_html=step.html.clone()></div>
            {widgets}
            {checks}
            <div class="step-buttons">
                {(index > 0).then(|| view! { <a class="button" href=format!("#step-{index}")>"Previous"</a> })}
                {if index + 1 < steps {
                    view! {
                        <a class=move || if unlocked() { "button primary" } else { "button primary disabled" } data-testid="next"
                            aria-disabled=move || (!unlocked()).to_string()
                            href=move || if unlocked() { format!("#step-{}", index + 2) } else { format!("#step-{}", index + 1) }>"Next"</a>
                    }.into_any()
                } else {
                    let query = budget.query().map(|b| format!("?budget={b}")).unwrap_or_default();
                    let next = catalog::lessons().find(|l| l.number == lesson.number + 1);
                    view! {
                        <a class=move || if unlocked() { "button primary" } else { "button primary disabled" } data-testid="finish"
                            aria-disabled=move || (!unlocked()).to_string() href="/lessons">"Finish the lesson"</a>
                        {next.map(|next| {
                            let href = format!("/lesson/{}{query}", next.id);
                            view! {
                                <a class=move || if unlocked() { "button" } else { "button disabled" } data-testid="next-lesson"
                                    aria-disabled=move || (!unlocked()).to_string()
                                    href=move || if unlocked() { href.clone() } else { format!("#step-{}", index + 1) }>
                                    {format!("Next lesson: {}. {}", next.number, next.title)}
                                </a>
                            }
                        })}
                    }.into_any()
                }}
                {playground.map(|href| view! { <a class="button" data-testid="open-playground" href=href>"Open this step in the playground"</a> })}
            </div>
        </article>
    }
}

/// `/playground#run=pg1.…` (the share link format) with the step's run (or its model with lesson defaults), if it has one.
fn playground_link(step: &Step, budget: Budget) -> Option<String> {
    let run = step.widgets.iter().find_map(|w| match w {
        Widget::Train(r) => Some((**r).clone()),
        Widget::Model(m) => m.as_run().ok(),
        _ => None,
    })?;
    let spec = run.run_spec(budget).ok()?;
    encode_link(&spec)
        .ok()
        .map(|link| format!("/playground#run={link}"))
}
