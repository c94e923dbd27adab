//! The share link as a specification: random valid run specs survive encode → decode
//! unchanged, and mutated links (characters, inflated bytes, JSON values) never panic: each
//! decodes to a spec that validates and re-encodes to itself, or fails with a readable error.
//!
//! The CI run is bounded to seconds with a fixed seed. The long run:
//! `PIXELGRAD_FUZZ_LINKS=100000 cargo test -p pixelgrad --test link_fuzz -- --ignored --nocapture`
//! (about 45 s in a debug build).

use std::time::Instant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use pixelgrad::io::{decode_link, encode_link, LinkError};

#[path = "link_fuzz/spec_gen.rs"]
mod spec_gen;
#[path = "support/splitmix.rs"]
mod splitmix;

use spec_gen::{spec, Gen};

fn inflate(link: &str) -> Vec<u8> {
    let packed = URL_SAFE_NO_PAD.decode(&link[4..]).expect("own link");
    miniz_oxide::inflate::decompress_to_vec_zlib(&packed).expect("own link")
}

fn pack(payload: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(payload, 1);
    format!("pg1.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// A random JSON value change: extreme numbers, wrong types, odd strings, removed keys.
fn mutate_json(g: &mut Gen, v: &mut serde_json::Value, depth: usize) {
    use serde_json::Value;
    let leaf = |g: &mut Gen| -> Value {
        match g.below(9) {
            0 => Value::Null,
            1 => serde_json::json!(-1),
            2 => serde_json::json!(0),
            3 => serde_json::json!(u64::MAX),
            4 => serde_json::json!(1e300),
            5 => serde_json::json!(-0.5),
            6 => serde_json::json!(g.text(8)),
            7 => serde_json::json!([]),
            _ => serde_json::json!({}),
        }
    };
    match v {
        Value::Object(m) if !m.is_empty() && (depth < 6 && g.below(5) != 0) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = &keys[g.below(keys.len())];
            if g.below(10) == 0 {
                m.remove(k);
            } else if let Some(child) = m.get_mut(k) {
                mutate_json(g, child, depth + 1);
            }
        }
        Value::Array(a) if !a.is_empty() && g.below(4) != 0 => {
            let i = g.below(a.len());
            mutate_json(g, &mut a[i], depth + 1);
        }
        _ => *v = leaf(g),
    }
}

fn mutate(g: &mut Gen, link: &str) -> String {
    const CHARS: &[u8] = b"ABCxyz019-_.#%+/= ";
    match g.below(6) {
        // Character edits of the link text.
        0 => {
            let mut b = link.as_bytes().to_vec();
            for _ in 0..g.range(1, 3) {
                let i = g.below(b.len());
                b[i] = CHARS[g.below(CHARS.len())];
            }
            String::from_utf8_lossy(&b).into_owned()
        }
        1 => {
            let cut = g.below(link.len());
            link[..cut].to_string()
        }
        2 => {
            let i = g.below(link.len());
            format!(
                "{}{}{}",
                &link[..i],
                ["é", "🙂", "pg1.", "AAAA"][g.below(4)],
                &link[i..]
            )
        }
        // Byte edits after inflating, re-packed so they pass the checksum.
        3 => {
            let mut p = inflate(link);
            for _ in 0..g.range(1, 4) {
                let i = g.below(p.len());
                p[i] = g.u64() as u8;
            }
            pack(&p)
        }
        4 => {
            let p = inflate(link);
            let (a, b) = (g.below(p.len()), g.below(p.len()));
            let (a, b) = (a.min(b), a.max(b));
            let mut q = p[..a].to_vec();
            if g.bool() {
                q.extend_from_slice(&p[a..b]);
                q.extend_from_slice(&p[a..]);
            } else {
                q.extend_from_slice(&p[b..]);
            }
            pack(&q)
        }
        // Structure-aware: change one JSON value and re-pack with the weights kept.
        _ => {
            let p = inflate(link);
            let mut de = serde_json::Deserializer::from_slice(&p[skip_len(&p)..]).into_iter();
            let Some(Ok(mut v)) = de.next() else {
                return link.to_string();
            };
            let end = skip_len(&p) + de.byte_offset();
            mutate_json(g, &mut v, 0);
            let json = v.to_string();
            let mut q = Vec::new();
            let mut n = json.len();
            loop {
                let low = (n & 0x7f) as u8;
                n >>= 7;
                q.push(if n == 0 { low } else { low | 0x80 });
                if n == 0 {
                    break;
                }
            }
            q.extend_from_slice(json.as_bytes());
            q.extend_from_slice(&p[end..]);
            pack(&q)
        }
    }
}

/// Bytes of the leading LEB128 length.
fn skip_len(p: &[u8]) -> usize {
    p.iter()
        .position(|b| b & 0x80 == 0)
        .map_or(p.len(), |i| i + 1)
}

/// Round trips `specs` random specs and decodes `mutants` mutated links; returns counts of
/// (valid, rejected) mutants.
fn run(seed: u64, specs: usize, mutants: usize) -> (usize, usize) {
    let mut g = Gen(seed);
    let mut links = Vec::new();
    for i in 0..specs {
        let s = spec(&mut g);
        s.validate()
            .unwrap_or_else(|e| panic!("case {i}: generated spec invalid: {e}"));
        let link = encode_link(&s).unwrap_or_else(|e| panic!("case {i}: {e}"));
        let back = decode_link(&link).unwrap_or_else(|e| panic!("case {i}: {e}\n{s:?}"));
        assert_eq!(back, s, "case {i} changed in a round trip");
        links.push(link);
    }
    let (mut valid, mut rejected) = (0, 0);
    for i in 0..mutants {
        let link = &links[i % links.len()];
        let m = mutate(&mut g, link);
        match decode_link(&m) {
            Ok(s) => {
                s.validate().expect("decoded specs are valid");
                let again = encode_link(&s).expect("a decoded spec encodes");
                assert_eq!(decode_link(&again).as_ref(), Ok(&s), "mutant {i}");
                valid += 1;
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.len() > 10 && !msg.contains("Error("),
                    "mutant {i}: {msg:?}"
                );
                rejected += 1;
            }
        }
    }
    (valid, rejected)
}

#[test]
fn random_specs_round_trip_and_mutants_never_panic() {
    let t = Instant::now();
    let (valid, rejected) = run(0x5EED_0001, 300, 3000);
    assert_eq!(valid + rejected, 3000);
    assert!(
        rejected > 1000 && valid > 10,
        "{valid} valid, {rejected} rejected"
    );
    eprintln!("{valid} valid, {rejected} rejected in {:.2?}", t.elapsed());
}

/// Found by the long run: a number too large for f32 (`1e300`) reads as infinity, which JSON
/// cannot write back; such a spec must be refused, not accepted and then unshareable.
#[test]
fn numbers_beyond_f32_are_refused() {
    let mut g = Gen(11);
    let mut value: serde_json::Value =
        serde_json::from_str(&spec(&mut g).to_json()).expect("own JSON");
    value["train"]["loader"]["augment"]["transforms"] = serde_json::json!([
        {"kind": "normalize", "mean": [-1e300], "std": [0.5]}
    ]);
    let json = value.to_string();
    let mut payload = Vec::new();
    let mut n = json.len();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        payload.push(if n > 0 { byte | 0x80 } else { byte });
        if n == 0 {
            break;
        }
    }
    payload.extend_from_slice(json.as_bytes());
    let err = decode_link(&pack(&payload)).expect_err("an infinite mean is refused");
    assert!(err.to_string().contains("normalize"), "{err}");
}

#[test]
fn a_future_version_says_so() {
    let mut g = Gen(7);
    let link = encode_link(&spec(&mut g)).expect("encodes");
    let err = decode_link(&format!("pg2{}", &link[3..])).expect_err("future");
    assert!(matches!(err, LinkError::FutureVersion { found: 2, .. }));
}

/// The long run (see the module docs); `PIXELGRAD_FUZZ_LINKS` sets the mutant count, or
/// `PIXELGRAD_FUZZ_SECONDS` a duration (rounds of 10,000 mutants from new seeds until it ends;
/// `cargo xtask fuzz` uses this).
#[test]
#[ignore = "long run: minutes in a debug build"]
fn long_fuzz() {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let t = Instant::now();
    let (mut cases, mut valid, mut rejected) = (0, 0, 0);
    if let Some(seconds) = env("PIXELGRAD_FUZZ_SECONDS") {
        let mut round = 0u64;
        while t.elapsed().as_secs() < seconds {
            let (v, r) = run(0x5EED_1000 + round, 200, 10_000);
            (cases, valid, rejected, round) = (cases + 10_000, valid + v, rejected + r, round + 1);
        }
    } else {
        let n = env("PIXELGRAD_FUZZ_LINKS").unwrap_or(100_000) as usize;
        (valid, rejected) = run(0x5EED_0002, 2000, n);
        cases = n;
    }
    eprintln!(
        "fuzz links: {cases} mutants ({:.0}/s): {valid} valid, {rejected} rejected, {:.1?}",
        cases as f64 / t.elapsed().as_secs_f64(),
        t.elapsed()
    );
}
