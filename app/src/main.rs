//! Mounts the pixelgrad app; everything else lives in the library modules.

mod app;
mod components;
mod panic_panel;
mod routes;

fn main() {
    panic_panel::install();
    leptos::mount::mount_to_body(app::App);
}
