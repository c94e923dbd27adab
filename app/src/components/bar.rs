//! A horizontal bar whose length shows a share (class balance, validation split, class
//! probabilities). Its width is set through the CSS object model after render: the content
//! security policy refuses inline `style` attributes, which Leptos's `style:` writes.

use leptos::html::Span;
use leptos::prelude::*;

/// A `<span>` with `class` whose width follows `percent` (0 to 100).
#[component]
pub fn Bar(#[prop(into)] percent: Signal<f64>, class: &'static str) -> impl IntoView {
    let node = NodeRef::<Span>::new();
    Effect::new(move |_| {
        let width = format!("{:.1}%", percent.get().clamp(0.0, 100.0));
        if let Some(el) = node.get() {
            let _ = web_sys::HtmlElement::style(&el).set_property("width", &width);
        }
    });
    view! { <span class=class node_ref=node aria-hidden="true"></span> }
}
