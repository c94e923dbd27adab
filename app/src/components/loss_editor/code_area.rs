//! The source editor: a plain `<textarea>` (so typing, selection, undo, screen readers and the
//! keyboard behave as everywhere) over a `<pre>` that draws the same text coloured, with wavy
//! underlines at the checker's spans. Both sit in one grid cell, so the box grows with the
//! text and the two layers never scroll apart.

use leptos::html::Textarea;
use leptos::prelude::*;
use pixelgrad::loss::dsl::Severity;

use super::highlight::regions;
use super::state::Checked;

/// The editor box for `source`, squiggled from `checked`.
#[component]
pub fn CodeArea(
    /// The text being edited.
    source: RwSignal<String>,
    /// Diagnostics of the current text.
    checked: Memo<Checked>,
    /// The textarea, for "go to" and fixes.
    textarea: NodeRef<Textarea>,
) -> impl IntoView {
    let overlay = move || {
        let text = source.get();
        checked.with(|c| {
            regions(&text, &c.diagnostics)
                .into_iter()
                .map(|r| {
                    let pieces = r
                        .tokens
                        .into_iter()
                        .map(|t| view! { <span class=t.class.css()>{t.text}</span> })
                        .collect_view();
                    match r.diagnostic.and_then(|i| c.diagnostics.get(i)) {
                        Some(d) => {
                            let severity = match d.severity {
                                Severity::Error => "error",
                                Severity::Warning => "warning",
                            };
                            let point = (r.start == r.end).then(|| view! { <span class="squiggle-point"></span> });
                            view! {
                                <span class=format!("squiggle {severity}") data-testid="squiggle" data-severity=severity
                                    data-start=r.start data-end=r.end data-message=d.message.clone()>{pieces}{point}</span>
                            }
                            .into_any()
                        }
                        None => pieces.into_any(),
                    }
                })
                .collect_view()
        })
    };
    let invalid = move || checked.with(Checked::has_errors).to_string();
    view! {
        <div class="code-area">
            // A trailing space keeps the last (possibly empty) line as tall as the textarea's.
            <pre class="code-overlay" aria-hidden="true" data-testid="loss-overlay">{overlay}" "</pre>
            <textarea
                node_ref=textarea
                class="code-input"
                data-testid="loss-source"
                rows="2"
                spellcheck="false"
                autocomplete="off"
                autocapitalize="off"
                aria-label="Loss source"
                aria-describedby="loss-messages"
                aria-invalid=invalid
                prop:value=move || source.get()
                on:input=move |e| source.set(event_target_value(&e))
            ></textarea>
        </div>
    }
}
