//! Entry point of the wasm module, in the page and in the training worker.

mod app;
mod components;
mod panic_panel;
mod routes;
mod worker;

fn main() {
    if worker::host::is_worker_scope() {
        worker::host::start();
        return;
    }
    panic_panel::install();
    leptos::mount::mount_to_body(app::App);
}
