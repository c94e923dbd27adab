//! Replaces a dead page with a readable error panel when the app panics.
//!
//! A panic in the wasm module aborts it, so the panel is built with plain DOM calls from inside
//! the panic hook, before the abort; its "Copy report" button is handled by `public/boot.js`,
//! which keeps working after the module has stopped.

use std::panic::PanicHookInfo;

use wasm_bindgen::JsCast;

/// Installs the hook: the browser console still gets the full message, and the user gets a panel.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&report(info));
    }));
}

/// The text users copy into a bug report: what broke, where, and in which browser.
fn report(info: &PanicHookInfo<'_>) -> String {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    let window = web_sys::window();
    let page = window
        .as_ref()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let agent = window
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    format!(
        "pixelgrad {} panicked: {message}\nat {location}\npage: {page}\nbrowser: {agent}",
        env!("CARGO_PKG_VERSION")
    )
}

/// Adds the panel to the page. Text goes in through `textContent`, never as HTML.
fn show(report: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else { return };
    let element = |tag: &str, text: &str| -> Option<web_sys::Element> {
        let e = document.create_element(tag).ok()?;
        e.set_text_content(Some(text));
        Some(e)
    };
    let build = || -> Option<web_sys::Element> {
        let panel = document.create_element("section").ok()?;
        panel.set_id("panic-panel");
        panel.set_class_name("panic-panel");
        panel.set_attribute("role", "alert").ok()?;
        let title = element("h2", "Something went wrong inside pixelgrad")?;
        panel.append_child(&title).ok()?;
        let advice = element(
            "p",
            "The app stopped because of an internal error. Runs and data sets already saved in \
             this browser are safe; reload the page to continue. Please send us the report below.",
        )?;
        panel.append_child(&advice).ok()?;
        let pre = element("pre", report)?;
        pre.set_id("panic-report");
        panel.append_child(&pre).ok()?;
        let copy = element("button", "Copy report")?;
        copy.set_attribute("type", "button").ok()?;
        copy.set_attribute("data-action", "copy-report").ok()?;
        panel.append_child(&copy).ok()?;
        let reload = element("button", "Reload")?;
        reload.set_attribute("type", "button").ok()?;
        reload.set_attribute("data-action", "reload").ok()?;
        panel.append_child(&reload).ok()?;
        Some(panel)
    };
    if let Some(panel) = build() {
        let _ = body.prepend_with_node_1(panel.unchecked_ref());
    }
}
