//! Stamps that let `cargo xtask data` (and `setup`) skip a conversion whose outputs are already
//! there: a stamp records the recipe (pinned source hash + converter version) and each output's
//! size and modification time, and is checked without reading the outputs.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Where the stamp of the job `id` lives (under `target/`, never served or committed).
pub fn path(root: &Path, id: &str) -> PathBuf {
    root.join("target")
        .join("data")
        .join("stamps")
        .join(format!("{id}.stamp"))
}

/// `path len mtime_ns` of one file, or None if it is missing.
fn describe(root: &Path, rel: &str) -> Option<String> {
    let meta = std::fs::metadata(root.join(rel)).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!("{rel} {} {mtime}", meta.len()))
}

/// The stamp text for `recipe` and the current state of `outputs` (None if one is missing).
fn render(root: &Path, recipe: &str, outputs: &[String]) -> Option<String> {
    let mut text = format!("recipe {recipe}\n");
    for rel in outputs {
        text.push_str(&describe(root, rel)?);
        text.push('\n');
    }
    Some(text)
}

/// True when every output exists unchanged since the stamp was written for this recipe.
pub fn is_fresh(root: &Path, id: &str, recipe: &str, outputs: &[String]) -> bool {
    match (
        std::fs::read_to_string(path(root, id)),
        render(root, recipe, outputs),
    ) {
        (Ok(stamp), Some(now)) => stamp == now,
        _ => false,
    }
}

/// Records that `outputs` were just produced by `recipe`.
pub fn write(root: &Path, id: &str, recipe: &str, outputs: &[String]) -> Result<(), String> {
    let text = render(root, recipe, outputs)
        .ok_or_else(|| format!("{id}: an output is missing right after writing it"))?;
    super::archive::write_atomic(&path(root, id), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_until_output_or_recipe_changes() {
        let root = std::env::temp_dir().join(format!("pixelgrad-stamp-{}", std::process::id()));
        std::fs::create_dir_all(root.join("out")).unwrap();
        std::fs::write(root.join("out/a.bin"), b"abc").unwrap();
        let outs = vec!["out/a.bin".to_string()];
        assert!(!is_fresh(&root, "t", "r1", &outs));
        write(&root, "t", "r1", &outs).unwrap();
        assert!(is_fresh(&root, "t", "r1", &outs));
        assert!(!is_fresh(&root, "t", "r2", &outs));
        std::fs::write(root.join("out/a.bin"), b"abcd").unwrap();
        assert!(!is_fresh(&root, "t", "r1", &outs));
        std::fs::remove_file(root.join("out/a.bin")).unwrap();
        assert!(!is_fresh(&root, "t", "r1", &outs));
        std::fs::remove_dir_all(root).unwrap();
    }
}
