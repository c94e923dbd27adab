//! Fuzzing every file a user can hand the app: images (uploads, drops, webcam stills are
//! decoded through the same limits), zips of images, safetensors checkpoints and `.pixelgrad`
//! run files.
//! Mutants of valid files must never panic, must be refused with a readable message or
//! accepted, within bounded memory (measured per case by a counting allocator) and time.
//!
//! CI runs a fixed number of cases per target with fixed seeds. The long run, for the hours a
//! release wants: `cargo xtask fuzz --seconds 600` (every target, this file's and the link and
//! loss-language fuzzers), or `PIXELGRAD_FUZZ_SECONDS=600 cargo test -p pixelgrad --test
//! input_fuzz -- --ignored --nocapture`. A crashing input is written to
//! `target/fuzz-crashes/` with the seed that made it; once fixed, it joins the regression
//! inputs in `tests/input_fuzz/crash-*`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use pixelgrad::data::{
    decode_image, import_files, ArchiveLimits, DecodeLimits, ImportLimits, UploadFile,
};
use pixelgrad::io::{read_pixelgrad_file, read_safetensors, MAX_PIXELGRAD_FILE_BYTES};

#[path = "support/fuzz_driver.rs"]
mod fuzz_driver;
#[path = "input_fuzz/mutate.rs"]
mod mutate;
#[path = "input_fuzz/peak_alloc.rs"]
mod peak_alloc;
#[path = "input_fuzz/seeds.rs"]
mod seeds;
#[path = "support/splitmix.rs"]
mod splitmix;

use fuzz_driver::{ci_cases, report, FuzzTarget, Stats};
use mutate::{fix_png_crcs, fix_safetensors_len, mutate, mutate_safetensors_header, Gen};

#[global_allocator]
static ALLOC: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

/// A parser under test: `Ok` with nothing to report, or the message a user would read.
type Parse = fn(&[u8]) -> Result<(), String>;

/// One fuzz target: seeds, how to derive a mutant, the parser, and its memory bound.
struct Target {
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    derive: fn(&mut Gen, &[Vec<u8>]) -> Vec<u8>,
    parse: Parse,
    /// Most bytes a case may hold at once, given the input's length.
    max_bytes: fn(usize) -> usize,
}

fn pick<'a>(g: &mut Gen, seeds: &'a [Vec<u8>]) -> &'a [u8] {
    &seeds[g.below(seeds.len())]
}

fn derive_image(g: &mut Gen, seeds: &[Vec<u8>]) -> Vec<u8> {
    let (a, b) = (pick(g, seeds), pick(g, seeds));
    let mut m = mutate(g, a, b);
    if m.starts_with(b"\x89PNG") && g.below(2) == 0 {
        fix_png_crcs(&mut m);
    }
    m
}

fn derive_checkpoint(g: &mut Gen, seeds: &[Vec<u8>]) -> Vec<u8> {
    let (a, b) = (pick(g, seeds), pick(g, seeds));
    if g.below(2) == 0 {
        let m = mutate_safetensors_header(g, a);
        if g.below(2) == 0 {
            return m;
        }
        return mutate(g, &m, b);
    }
    let mut m = mutate(g, a, b);
    if g.below(3) == 0 {
        fix_safetensors_len(&mut m);
    }
    m
}

fn parse_image(bytes: &[u8]) -> Result<(), String> {
    match decode_image(bytes, DecodeLimits::default()) {
        Ok(img) => {
            let limits = DecodeLimits::default();
            assert!(img.width() <= limits.max_width as usize);
            assert!(img.height() <= limits.max_height as usize);
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Small limits so a case stays fast; the bounds are the same code paths as the defaults.
const ZIP_LIMITS: ImportLimits = ImportLimits {
    decode: DecodeLimits {
        max_width: 512,
        max_height: 512,
        max_alloc: 8 << 20,
    },
    archive: ArchiveLimits {
        max_entries: 64,
        max_total_bytes: 4 << 20,
        max_entry_bytes: 1 << 20,
        max_ratio: 100,
    },
};

fn derive_zip(g: &mut Gen, seeds: &[Vec<u8>]) -> Vec<u8> {
    let (a, b) = (pick(g, seeds), pick(g, seeds));
    mutate(g, a, b)
}

/// An upload of one zip: never an error as a whole, but every file left out must be named
/// with a reason, and nothing kept may name a path outside the archive.
fn parse_zip(bytes: &[u8]) -> Result<(), String> {
    let upload = UploadFile {
        path: "photos.zip".into(),
        bucket: None,
        bytes: bytes.to_vec(),
    };
    let report = import_files(&[upload], 32, 32, ZIP_LIMITS);
    for r in &report.rejected {
        assert!(!r.name.is_empty() && !r.reason.trim().is_empty(), "{r:?}");
    }
    for i in &report.images {
        assert!(
            !i.source.split('/').any(|part| part == "..") && i.pixels.len() == 32 * 32 * 3,
            "{}",
            i.source
        );
    }
    match report.rejected.first() {
        Some(r) if report.images.is_empty() => Err(format!("{}: {}", r.name, r.reason)),
        _ => Ok(()),
    }
}

fn parse_safetensors(bytes: &[u8]) -> Result<(), String> {
    read_safetensors(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn parse_pixelgrad(bytes: &[u8]) -> Result<(), String> {
    read_pixelgrad_file(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn targets() -> Vec<Target> {
    let (st, file) = seeds::checkpoints();
    vec![
        Target {
            name: "image",
            seeds: seeds::images(),
            derive: derive_image,
            parse: parse_image,
            // The decoder's own allocation limit, plus the f32 RGB image of the largest
            // accepted size (a small file may legitimately decode to it), plus input copies.
            max_bytes: |len| {
                let l = DecodeLimits::default();
                let f32_image = (l.max_width as usize) * (l.max_height as usize) * 3 * 4;
                l.max_alloc as usize + f32_image + 4 * len
            },
        },
        Target {
            name: "zip",
            seeds: seeds::zips(),
            derive: derive_zip,
            parse: parse_zip,
            // The archive budget, each kept file's decode (images are small here) and copies.
            max_bytes: |len| {
                let a = ZIP_LIMITS.archive;
                let d = ZIP_LIMITS.decode;
                (a.max_total_bytes as usize) * 2 + (d.max_alloc as usize) * 2 + 8 * len
            },
        },
        Target {
            name: "safetensors",
            seeds: vec![st],
            derive: derive_checkpoint,
            parse: parse_safetensors,
            max_bytes: |len| 4 * len + (1 << 20),
        },
        Target {
            name: "pixelgrad",
            seeds: vec![file],
            derive: derive_checkpoint,
            parse: parse_pixelgrad,
            // The model built from the (validated) spec plus the weights read.
            max_bytes: |len| 8 * len.min(MAX_PIXELGRAD_FILE_BYTES) + (16 << 20),
        },
    ]
}

/// Runs `target` for `cases` mutants or until `deadline`, whichever comes first.
fn run(target: &Target, first_seed: u64, cases: usize, deadline: Option<Instant>) -> Stats {
    let fuzz = FuzzTarget {
        name: target.name,
        crash_ext: "bin",
        derive: &|seed| (target.derive)(&mut Gen(seed), &target.seeds),
        parse: &|input: &Vec<u8>| (target.parse)(input),
        max_bytes: target.max_bytes,
        max_case: None,
    };
    fuzz_driver::run(&fuzz, first_seed, cases, deadline)
}

fn check_target(name: &str, cases: usize) {
    let all = targets();
    let target = all.iter().find(|t| t.name == name).expect("a known target");
    let started = Instant::now();
    let stats = run(target, 0x5EED_0000, cases, None);
    report(name, &stats, started.elapsed());
    assert!(stats.failures.is_empty(), "{}", stats.failures.join("\n"));
    assert!(
        stats.slowest < Duration::from_secs(20),
        "{name}: one case took {:?}",
        stats.slowest
    );
}

#[test]
fn mutated_images_are_refused_or_decoded_within_limits() {
    check_target("image", ci_cases(3000));
}

#[test]
fn mutated_zips_are_unpacked_or_refused_within_limits() {
    check_target("zip", ci_cases(1500));
}

#[test]
fn mutated_checkpoints_are_refused_or_read_within_limits() {
    check_target("safetensors", ci_cases(3000));
}

#[test]
fn mutated_pixelgrad_files_are_refused_or_read_within_limits() {
    check_target("pixelgrad", ci_cases(500));
}

#[test]
fn the_seeds_themselves_are_accepted() {
    for t in targets() {
        for (i, s) in t.seeds.iter().enumerate() {
            assert_eq!((t.parse)(s), Ok(()), "{} seed {i}", t.name);
        }
    }
}

/// Inputs that once crashed a target, kept beside this file as `crash-<what>.<ext>`: each
/// must now be refused or read like any other input.
#[test]
fn past_crashes_stay_fixed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/input_fuzz");
    let all = targets();
    let mut seen = 0;
    for (name, path) in fuzz_driver::past_crashes(&dir) {
        let target = match path.extension().and_then(|e| e.to_str()) {
            Some("zip") => "zip",
            Some("safetensors") => "safetensors",
            Some("pixelgrad") => "pixelgrad",
            _ => "image",
        };
        let target = all
            .iter()
            .find(|t| t.name == target)
            .expect("a known target");
        let bytes = std::fs::read(&path).expect("readable");
        let outcome = catch_unwind(AssertUnwindSafe(|| (target.parse)(&bytes)));
        assert!(outcome.is_ok(), "{name} panics again");
        seen += 1;
    }
    assert!(
        seen > 0,
        "the known crash inputs are missing from {}",
        dir.display()
    );
}

/// The long run: `PIXELGRAD_FUZZ_SECONDS` per target (default 60), seeds from the clock so
/// that repeated runs explore new cases (each failure names its seed).
#[test]
#[ignore = "long run: minutes per target"]
fn long_run() {
    let (first_seed, per_target) = fuzz_driver::long_run_plan();
    // `PIXELGRAD_FUZZ_TARGETS=zip,image` runs only those.
    let only = std::env::var("PIXELGRAD_FUZZ_TARGETS").unwrap_or_default();
    let mut failures = Vec::new();
    for target in targets() {
        if !only.is_empty() && !only.split(',').any(|t| t.trim() == target.name) {
            continue;
        }
        let started = Instant::now();
        let deadline = started + per_target;
        let stats = run(&target, first_seed, usize::MAX, Some(deadline));
        report(target.name, &stats, started.elapsed());
        failures.extend(stats.failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
