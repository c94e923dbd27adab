//! The training worker's wasm module: serves the page's commands (see `worker::host`).

fn main() {
    pixelgrad_app::worker::host::start();
}
