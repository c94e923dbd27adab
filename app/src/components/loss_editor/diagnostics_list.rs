//! The checker's messages under the editor, each with where it is (a button that selects the
//! span in the editor) and, for warnings with an obvious remedy, a button that applies it.

use leptos::html::Textarea;
use leptos::prelude::*;
use pixelgrad::loss::dsl::{Severity, Span};

use super::highlight::line_col;
use super::state::Checked;

/// The message list; `id="loss-messages"` describes the textarea for screen readers.
#[component]
pub fn DiagnosticsList(
    /// The text being edited.
    source: RwSignal<String>,
    /// Its diagnostics.
    checked: Memo<Checked>,
    /// The textarea, to select a span in it.
    textarea: NodeRef<Textarea>,
) -> impl IntoView {
    let select = move |span: Span| {
        let text = source.get_untracked();
        if let Some(area) = textarea.get_untracked() {
            let (start, end) = (
                utf16_offset(&text, span.start),
                utf16_offset(&text, span.end),
            );
            let _ = area.focus();
            let _ = area.set_selection_range(start, end);
        }
    };
    let items = move || {
        let text = source.get();
        checked.with(|c| {
            if c.diagnostics.is_empty() {
                return view! { <li class="ok" data-testid="loss-ok">"No problems: the loss is a scalar, and it trains."</li> }.into_any();
            }
            c.diagnostics
                .iter()
                .map(|d| {
                    let (line, col) = line_col(&text, d.span.start);
                    let severity = match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    let span = d.span;
                    let fix = d.fix.clone().map(|f| {
                        let label = f.label.clone();
                        view! {
                            <button type="button" class="button small" data-testid="apply-fix"
                                on:click=move |_| source.update(|s| {
                                    let (a, b) = (f.span.start.min(s.len()), f.span.end.min(s.len()));
                                    if s.is_char_boundary(a) && s.is_char_boundary(b) && a <= b {
                                        s.replace_range(a..b, &f.replacement);
                                    }
                                })>{label}</button>
                        }
                    });
                    view! {
                        <li class=severity data-testid="loss-message" data-severity=severity data-start=d.span.start data-end=d.span.end>
                            <button type="button" class="link" title="Select it in the editor" on:click=move |_| select(span)>
                                {format!("{severity}, line {line}, column {col}")}
                            </button>
                            ": "<span data-testid="loss-message-text">{d.message.clone()}</span>
                            {fix}
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    view! { <ul id="loss-messages" class="loss-messages" data-testid="loss-messages" aria-live="polite">{items}</ul> }
}

/// The textarea's (UTF-16) offset of byte `at` of `text`.
fn utf16_offset(text: &str, at: usize) -> u32 {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[..at].encode_utf16().count() as u32
}

#[cfg(test)]
mod tests {
    use super::utf16_offset;

    #[test]
    fn offsets_count_utf16_units() {
        assert_eq!(utf16_offset("ab", 1), 1);
        assert_eq!(utf16_offset("é x", 3), 2);
        assert_eq!(utf16_offset("𝔼 x", 5), 3);
        assert_eq!(utf16_offset("ab", 99), 2);
    }
}
