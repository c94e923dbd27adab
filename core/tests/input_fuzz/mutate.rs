//! Byte-level mutations of valid files, the way coverage-free fuzzers start: bit flips,
//! "interesting" integers written over length and size fields, cut, duplicated and spliced
//! ranges. Formats with checksums or length prefixes get repaired afterwards (see
//! [`fix_png_crcs`] and [`fix_safetensors_len`]) so mutants reach the parsers behind them.

pub use crate::splitmix::Gen;

/// Values that break size arithmetic: zero, one, sign and width boundaries, and image sizes.
const INTERESTING: &[u64] = &[
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0xffff,
    30_000,
    65_536,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    1 << 40,
    u64::MAX,
];

/// One to four stacked mutations of `seed`; `other` is a second seed to splice from.
pub fn mutate(g: &mut Gen, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + g.below(4) {
        if b.is_empty() {
            b.push(g.u64() as u8);
            continue;
        }
        let i = g.below(b.len());
        match g.below(9) {
            0 => b[i] ^= 1 << g.below(8),
            1 => b[i] = g.u64() as u8,
            2 => {
                let v = INTERESTING[g.below(INTERESTING.len())];
                let width = [1, 2, 4, 8][g.below(4)];
                // The value's low `width` bytes, little- or big-endian.
                let le = v.to_le_bytes();
                let be = v.to_be_bytes();
                let src = if g.below(2) == 0 {
                    &le[..width]
                } else {
                    &be[8 - width..]
                };
                for (k, byte) in src.iter().enumerate() {
                    if let Some(slot) = b.get_mut(i + k) {
                        *slot = *byte;
                    }
                }
            }
            3 => b.truncate(i),
            4 => {
                let end = (i + 1 + g.below(64)).min(b.len());
                b.drain(i..end);
            }
            5 => {
                let end = (i + 1 + g.below(256)).min(b.len());
                let chunk = b[i..end].to_vec();
                let at = g.below(b.len());
                b.splice(at..at, chunk);
            }
            6 => {
                let n = 1 + g.below(32);
                let extra: Vec<u8> = (0..n).map(|_| g.u64() as u8).collect();
                b.splice(i..i, extra);
            }
            7 if !other.is_empty() => {
                let from = g.below(other.len());
                let len = 1 + g.below(other.len() - from);
                b.truncate(i);
                b.extend_from_slice(&other[from..from + len]);
            }
            _ => {
                // A run of one value: long zero or 0xff stretches confuse run-length coders.
                let end = (i + 1 + g.below(512)).min(b.len());
                let v = if g.below(2) == 0 { 0 } else { 0xff };
                b[i..end].fill(v);
            }
        }
    }
    b
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// Recomputes every PNG chunk's CRC that lies fully inside `b`, so the mutation is judged by
/// the decoder rather than refused by the checksum.
pub fn fix_png_crcs(b: &mut [u8]) {
    let mut at = 8;
    while at + 12 <= b.len() {
        let len = u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize;
        let Some(end) = at.checked_add(8).and_then(|x| x.checked_add(len)) else {
            return;
        };
        if end + 4 > b.len() {
            return;
        }
        let crc = crc32(&b[at + 4..end]);
        b[end..end + 4].copy_from_slice(&crc.to_be_bytes());
        at = end + 4;
    }
}

/// Rewrites a safetensors file's 8-byte header length to match a header edited in place,
/// given where the header's JSON ends (the first byte after its closing brace).
pub fn fix_safetensors_len(b: &mut [u8]) {
    if b.len() < 9 {
        return;
    }
    if let Some(close) = b[8..].iter().rposition(|&c| c == b'}') {
        let n = (close + 1) as u64;
        b[..8].copy_from_slice(&n.to_le_bytes());
    }
}

/// A structure-aware mutation of a safetensors header: one number in its JSON text (a shape
/// dimension, a data offset, a version) replaced by an interesting value, and the length
/// prefix repaired.
pub fn mutate_safetensors_header(g: &mut Gen, file: &[u8]) -> Vec<u8> {
    let Some(len) = file
        .get(..8)
        .map(|h| u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]) as usize)
    else {
        return file.to_vec();
    };
    let Some(header) = file.get(8..8 + len) else {
        return file.to_vec();
    };
    let text = String::from_utf8_lossy(header).into_owned();
    let numbers: Vec<(usize, usize)> = digit_runs(&text);
    if numbers.is_empty() {
        return file.to_vec();
    }
    let (start, end) = numbers[g.below(numbers.len())];
    let v = INTERESTING[g.below(INTERESTING.len())];
    let replacement = if g.below(4) == 0 {
        format!("-{v}")
    } else {
        v.to_string()
    };
    let new_header = format!("{}{}{}", &text[..start], replacement, &text[end..]);
    let mut out = (new_header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(new_header.as_bytes());
    out.extend_from_slice(&file[8 + len..]);
    out
}

fn digit_runs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    runs
}
