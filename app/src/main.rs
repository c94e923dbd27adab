//! Mounts the pixelgrad app; everything else lives in the library modules.

mod app;
mod components;
mod routes;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
