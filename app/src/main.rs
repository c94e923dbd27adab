//! The page's wasm module: mounts the UI. Training runs in `pixelgrad-worker`.

fn main() {
    pixelgrad_app::panic_panel::install();
    leptos::mount::mount_to_body(pixelgrad_app::app::App);
}
