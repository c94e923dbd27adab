//! `cargo xtask build`: the app as a release wasm bundle in `dist/`, built the way wgpu's own
//! `run-wasm` does it: cargo, then wasm-bindgen, then wasm-opt, then the static files.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{self, command, run as exec, step};

/// The cargo profile for the shipped wasm (see the workspace Cargo.toml).
pub const PROFILE: &str = "wasm-release";
const TARGET: &str = "wasm32-unknown-unknown";
/// The app's wasm modules: (cargo binary, wasm-bindgen output name). The page loads the first;
/// `public/worker.js` loads the second in the training worker.
const MODULES: &[(&str, &str)] = &[
    ("pixelgrad-app", "pixelgrad"),
    ("pixelgrad-worker", "pixelgrad_worker"),
];
/// Features the Rust wasm32 target emits by default, plus SIMD128 (`.cargo/config.toml`);
/// wasm-opt must be told to accept them.
const WASM_FEATURES: &[&str] = &[
    "--enable-simd",
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn run() -> Result<(), String> {
    crate::setup::run()?;
    build().map(|_| ())
}

/// Builds `dist/` (or `$PIXELGRAD_DIST`, so that two checkouts' test runs sharing a machine do
/// not overwrite each other's bundle) and returns its path; assumes the tools are installed.
pub fn build() -> Result<PathBuf, String> {
    let root = util::root();
    let dist = std::env::var_os("PIXELGRAD_DIST")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("dist"));
    let pkg = dist.join("pkg");
    step("cargo build (wasm32, release)", || {
        exec(command("cargo").args([
            "build",
            "-p",
            "pixelgrad-app",
            "--bins",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ]))
    })?;
    let mut bundles = Vec::new();
    for (bin, out_name) in MODULES {
        let wasm = util::target_dir()
            .join(TARGET)
            .join(PROFILE)
            .join(format!("{bin}.wasm"));
        step(&format!("wasm-bindgen {bin}"), || {
            exec(
                command("wasm-bindgen")
                    .args([
                        "--target",
                        "web",
                        "--no-typescript",
                        "--out-name",
                        out_name,
                        "--out-dir",
                    ])
                    .arg(&pkg)
                    .arg(&wasm),
            )
        })?;
        let bundle = pkg.join(format!("{out_name}_bg.wasm"));
        step(&format!("wasm-opt -Oz {bin}"), || wasm_opt(&bundle))?;
        bundles.push((bin, out_name, bundle));
    }
    step("static files", || {
        copy_tree(&root.join("public"), &dist)?;
        fs::copy(root.join("index.html"), dist.join("index.html"))
            .map_err(|e| format!("cannot copy index.html: {e}"))?;
        Ok(())
    })?;
    step("gzip", || {
        for (_, out_name, bundle) in &bundles {
            gzip_file(bundle)?;
            gzip_file(&pkg.join(format!("{out_name}.js")))?;
        }
        Ok(())
    })?;
    for (bin, _, bundle) in &bundles {
        let raw = file_len(bundle);
        let gz = file_len(&bundle.with_extension("wasm.gz"));
        println!(
            "{bin} wasm: {} KB raw, {} KB gzipped",
            raw / 1024,
            gz / 1024
        );
    }
    Ok(dist)
}

/// Shrinks a wasm-bindgen output in place with `wasm-opt -Oz` (the browser bench runs the
/// same pass on its module, so it measures what ships).
pub fn wasm_opt(bundle: &Path) -> Result<(), String> {
    exec(
        command("wasm-opt")
            .arg("-Oz")
            .args(WASM_FEATURES)
            .arg(bundle)
            .arg("-o")
            .arg(bundle),
    )
}

fn file_len(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Writes `<file>.gz` (gzip -9) so the server can send it with `Content-Encoding: gzip`.
pub fn gzip_file(file: &Path) -> Result<(), String> {
    use std::io::Write;
    let data = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut name = file.as_os_str().to_owned();
    name.push(".gz");
    let out = fs::File::create(&name).map_err(|e| format!("cannot write {name:?}: {e}"))?;
    let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::best());
    encoder
        .write_all(&data)
        .and_then(|_| encoder.finish().map(|_| ()))
        .map_err(|e| format!("cannot gzip {}: {e}", file.display()))
}

/// Mirrors `from` into `to`, hard-linking files where possible (data sets are large).
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
            continue;
        }
        let _ = fs::remove_file(&dst);
        if fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst).map_err(|e| format!("cannot copy {}: {e}", src.display()))?;
        }
    }
    Ok(())
}
