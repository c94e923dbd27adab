//! Mutations of lesson files that keep them mostly lesson-shaped, so mutants reach the block
//! parsers behind the front matter: whole lines dropped, repeated, swapped or spliced in from
//! another lesson (front matter keys, fences, widget lines, checks), numbers replaced by the
//! values that break arithmetic, and multi-byte characters where byte offsets are cut. A few
//! cases also go through the byte mutator, read back as lossy UTF-8.

use crate::mutate::mutate as mutate_bytes;
use crate::splitmix::Gen;

/// Number texts that break parsing and size arithmetic.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "2",
    "0.5",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "inf",
    "-inf",
    "255",
    "65536",
    "2147483648",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
    "1x1x1",
    "0x0x0",
    "65536x65536x65536",
    "[1, 2, 3]",
    "[]",
    "{}",
];

/// Lines that open, close or confuse the lesson structure.
const LINES: &[&str] = &[
    "---",
    "",
    "## ",
    "## A step",
    "# Not a step",
    "### Deeper",
    "```",
    "````",
    "~~~",
    "```run",
    "```check",
    "```graph",
    "```conv",
    "```model",
    "```quiz",
    "```pg-widget",
    "```widget",
    "    indented code",
    "> quoted",
    "- item",
    "* right",
    "? question",
    "key: value",
    "id: Bad Id",
    "number: 0",
    "title:",
    ":",
    "quiz",
    "accuracy >= 0.5",
    "loss < nan",
    "output_shape == [1, 2]",
    "params == 18446744073709551616",
    "y = x * x",
    "x = 1e308",
    "<script>alert(1)</script>",
    "[link](javascript:alert(1))",
    "| a | b |\n|---|---|",
];

/// Characters whose UTF-8 form is more than one byte (cutting them mid-way panics a `&s[..i]`).
const WIDE: &[&str] = &[
    "é", "—", "×", "猫", "🙂", "\u{feff}", "\u{0}", "\r", "\t", "\u{2028}",
];

fn lines_of(text: &str) -> Vec<&str> {
    text.split('\n').collect()
}

/// A char boundary at or before `i`.
fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One to four stacked mutations of `seed`; `other` is a second lesson to splice from.
pub fn mutate(g: &mut Gen, seed: &str, other: &str) -> String {
    let mut text = seed.to_string();
    for _ in 0..1 + g.below(4) {
        text = match g.below(10) {
            0..=2 => mutate_lines(g, &text, other),
            3 | 4 => replace_number(g, &text),
            5 => insert_wide(g, &text),
            6 => replace_value(g, &text, other),
            7 => repeat_line(g, &text),
            8 => {
                let bytes = mutate_bytes(g, text.as_bytes(), other.as_bytes());
                String::from_utf8_lossy(&bytes).into_owned()
            }
            _ => truncate(g, &text),
        };
    }
    text
}

fn mutate_lines(g: &mut Gen, text: &str, other: &str) -> String {
    let mut lines = lines_of(text);
    let donors = lines_of(other);
    if lines.is_empty() {
        return text.to_string();
    }
    let i = g.below(lines.len());
    match g.below(5) {
        0 => {
            lines.remove(i);
        }
        1 => lines.insert(i, lines[g.below(lines.len())]),
        2 => {
            let j = g.below(lines.len());
            lines.swap(i, j);
        }
        3 => lines.insert(i, donors[g.below(donors.len())]),
        _ => lines.insert(i, LINES[g.below(LINES.len())]),
    }
    lines.join("\n")
}

/// Replaces one run of digits (with its sign and fraction) by an interesting number text.
fn replace_number(g: &mut Gen, text: &str) -> String {
    let bytes = text.as_bytes();
    let runs: Vec<(usize, usize)> = {
        let mut runs = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                runs.push((start, i));
            } else {
                i += 1;
            }
        }
        runs
    };
    if runs.is_empty() {
        return text.to_string();
    }
    let (start, end) = runs[g.below(runs.len())];
    format!(
        "{}{}{}",
        &text[..start],
        NUMBERS[g.below(NUMBERS.len())],
        &text[end..]
    )
}

fn insert_wide(g: &mut Gen, text: &str) -> String {
    let at = boundary(text, g.below(text.len() + 1));
    let wide = WIDE[g.below(WIDE.len())].repeat(1 + g.below(3));
    format!("{}{}{}", &text[..at], wide, &text[at..])
}

/// Replaces the value of one `key: value` line by another line's value (from either lesson).
fn replace_value(g: &mut Gen, text: &str, other: &str) -> String {
    let mut lines: Vec<String> = lines_of(text).into_iter().map(String::from).collect();
    let keyed: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(':'))
        .collect();
    let values: Vec<&str> = lines_of(text)
        .into_iter()
        .chain(lines_of(other))
        .filter_map(|l| l.split_once(':').map(|(_, v)| v))
        .collect();
    if keyed.is_empty() || values.is_empty() {
        return text.to_string();
    }
    let i = keyed[g.below(keyed.len())];
    let value = values[g.below(values.len())];
    if let Some((key, _)) = lines[i].split_once(':') {
        lines[i] = format!("{key}:{value}");
    }
    lines.join("\n")
}

/// One line repeated up to 2,000 times: long steps, many widgets, deep quotes and lists.
fn repeat_line(g: &mut Gen, text: &str) -> String {
    let mut lines = lines_of(text);
    if lines.is_empty() {
        return text.to_string();
    }
    let i = g.below(lines.len());
    let line = if g.bool() {
        lines[i]
    } else {
        LINES[g.below(LINES.len())]
    };
    let n = 1 + g.below(2000);
    for _ in 0..n {
        lines.insert(i, line);
    }
    lines.join("\n")
}

fn truncate(g: &mut Gen, text: &str) -> String {
    text[..boundary(text, g.below(text.len() + 1))].to_string()
}
