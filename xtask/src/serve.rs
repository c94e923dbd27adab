//! `cargo xtask serve`: a small static server for `dist/` with the headers the app needs.
//!
//! Cross-origin isolation (COOP/COEP) unlocks SharedArrayBuffer for wasm threads; the content
//! security policy allows only same-origin code plus `wasm-unsafe-eval` for WebAssembly.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread;

use tiny_http::{Header, Request, Response, Server};

/// The policy every page is served with: no eval, no inline script, nothing third-party.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; \
connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

const WORKER_THREADS: usize = 4;

pub fn run(args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => 8080,
        [flag, value] if flag == "--port" => {
            value.parse().map_err(|_| format!("bad port `{value}`"))?
        }
        _ => return Err("usage: cargo xtask serve [--port N]".into()),
    };
    crate::setup::run()?;
    let dist = crate::build::build()?;
    let server = start(dist, port)?;
    println!("pixelgrad is served at {}  (Ctrl-C to stop)", server.url);
    server.wait();
    Ok(())
}

/// A running server; tests start one on a free port and drop it when done.
pub struct Running {
    /// `http://127.0.0.1:<port>/`
    pub url: String,
    threads: Vec<thread::JoinHandle<()>>,
    server: Arc<Server>,
}

impl Running {
    /// Blocks until the server stops (it does not on its own: this serves until Ctrl-C).
    pub fn wait(mut self) {
        for t in std::mem::take(&mut self.threads) {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// Serves `dist` on 127.0.0.1:`port` (0 picks a free port) from a few worker threads.
pub fn start(dist: PathBuf, port: u16) -> Result<Running, String> {
    let server = Server::http(("127.0.0.1", port)).map_err(|e| {
        format!("cannot listen on 127.0.0.1:{port}: {e} (is another server running?)")
    })?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("server has no IP address")?;
    let server = Arc::new(server);
    let dist = Arc::new(dist);
    let threads = (0..WORKER_THREADS)
        .map(|_| {
            let (server, dist) = (Arc::clone(&server), Arc::clone(&dist));
            thread::spawn(move || {
                for request in server.incoming_requests() {
                    let _ = respond(&dist, request);
                }
            })
        })
        .collect();
    Ok(Running {
        url: format!("http://127.0.0.1:{port}/"),
        threads,
        server,
    })
}

fn respond(dist: &Path, request: Request) -> std::io::Result<()> {
    let gzip_ok = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Accept-Encoding") && h.value.as_str().contains("gzip"));
    let Some(file) = resolve(dist, request.url()) else {
        return request.respond(with_headers(
            Response::from_string("not found").with_status_code(404),
            "text/plain",
        ));
    };
    let mime = mime_type(&file);
    let gz = PathBuf::from(format!("{}.gz", file.display()));
    let (path, encoded) = if gzip_ok && gz.is_file() {
        (gz, true)
    } else {
        (file, false)
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let mut response = with_headers(Response::from_data(bytes), mime);
            if encoded {
                response.add_header(header("Content-Encoding", "gzip"));
            }
            request.respond(response)
        }
        Err(_) => request.respond(with_headers(
            Response::from_string("not found").with_status_code(404),
            "text/plain",
        )),
    }
}

/// Maps a URL path to a file under `dist`, refusing anything that climbs out of it. Paths
/// without an extension are app routes (`/playground`, `/lesson/3`) and get `index.html`.
fn resolve(dist: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let candidate = dist.join(relative);
    if candidate.is_file() {
        return Some(candidate);
    }
    let is_route = relative.extension().is_none();
    is_route
        .then(|| dist.join("index.html"))
        .filter(|p| p.is_file())
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "md" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("static header names and values are valid")
}

fn with_headers<R: std::io::Read>(response: Response<R>, mime: &str) -> Response<R> {
    response
        .with_header(header("Content-Type", mime))
        .with_header(header("Cross-Origin-Opener-Policy", "same-origin"))
        .with_header(header("Cross-Origin-Embedder-Policy", "require-corp"))
        .with_header(header("Cross-Origin-Resource-Policy", "same-origin"))
        .with_header(header("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Referrer-Policy", "no-referrer"))
        .with_header(header("Cache-Control", "no-cache"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_dist() {
        let dist = std::env::temp_dir();
        for url in ["/../etc/passwd", "/a/../../b", "/%2e%2e/x/..//.."] {
            let resolved = resolve(&dist, url);
            assert!(
                resolved.as_ref().is_none_or(|p| p.starts_with(&dist)),
                "{url} -> {resolved:?}"
            );
        }
    }

    #[test]
    fn wasm_has_its_mime_type() {
        assert_eq!(
            mime_type(Path::new("pkg/pixelgrad_bg.wasm")),
            "application/wasm"
        );
    }
}
