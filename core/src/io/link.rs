//! The share link: a [`RunSpec`] in a URL fragment, `#pg1.<base64url>`. `pg1` names the
//! format and its version; the rest is zlib-deflated bytes: a LEB128 length, the spec as
//! compact JSON, then optionally the int8 weights (see `link_weights`). JSON keeps the serde
//! types of the whole crate usable as they are (several are internally tagged enums, which
//! non-self-describing formats cannot read) and compresses well.
//!
//! Decoding treats the link as hostile: the length is checked before base64, the inflated size
//! is capped while inflating (no decompression bombs), zlib's checksum catches most tampering,
//! the version is checked before the JSON is parsed, and every field is validated. Each failure
//! is a [`LinkError`] whose message can be shown to a user as it is.

#![warn(missing_docs)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::link_weights::{put_len, LinkWeights, Reader};
use super::run_spec::{RunSpec, RunSpecJsonError, RUN_SPEC_VERSION};
use crate::models::Model;

/// Letters before the version number.
pub const LINK_PREFIX: &str = "pg";
/// What the app's share URLs put before the link text in the fragment (`/playground#run=pg1.…`).
pub const LINK_FRAGMENT_KEY: &str = "run=";
/// Longest link text accepted (and written): generous for links with a small model's
/// weights, short enough that decoding is instant.
pub const MAX_LINK_CHARS: usize = 256 * 1024;
/// Most bytes a link may inflate to.
pub const MAX_INFLATED_BYTES: usize = 1024 * 1024;

/// Why a link could not be read or written. Display gives a sentence for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkError {
    /// Nothing after the `#`.
    #[error("the link has no run in it")]
    Empty,
    /// Not a pixelgrad run link at all.
    #[error("this is not a pixelgrad run link (it should start with `{LINK_PREFIX}1.`)")]
    NotALink,
    /// Made by a newer build of the app.
    #[error("this link was made by a newer version of pixelgrad (format {found}; this page reads up to {supported}); reload the page to get the latest version")]
    FutureVersion {
        /// The version the link or file declares.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// Longer than any link this app writes.
    #[error("the link is too long ({len} characters; at most {max})")]
    TooLong {
        /// Characters given.
        len: usize,
        /// Characters accepted.
        max: usize,
    },
    /// Bad base64, a broken deflate stream or a failed checksum: usually a link cut short or
    /// mistyped when it was copied.
    #[error("the link is damaged (was it cut short when copied?): {0}")]
    Damaged(String),
    /// Inflates to more than [`MAX_INFLATED_BYTES`].
    #[error("the link unpacks to more than {max} bytes, which pixelgrad never writes")]
    TooLarge {
        /// Bytes accepted.
        max: usize,
    },
    /// The run settings inside are malformed or out of range.
    #[error("the link has {0}")]
    Spec(#[from] RunSpecJsonError),
    /// The spec's version field disagrees with the link's prefix.
    #[error("the link's format version {prefix} does not match its settings (version {spec})")]
    VersionMismatch {
        /// The version in the `pg<N>.` prefix.
        prefix: u32,
        /// The version field of the spec.
        spec: u32,
    },
    /// Writing: the weights make the link longer than [`MAX_LINK_CHARS`]; share without
    /// weights or export a `.pixelgrad` file instead.
    #[error("with its weights the link would be {len} characters (at most {max}); share it without weights or as a .pixelgrad file")]
    WeightsTooLarge {
        /// Characters the link would have.
        len: usize,
        /// Characters allowed.
        max: usize,
    },
}

/// Encodes `spec` (with its weights, if any) as link text for a URL fragment, without `#`.
/// The spec is validated first, so the app never shares a link it would refuse to open.
pub fn encode_link(spec: &RunSpec) -> Result<String, LinkError> {
    spec.validate().map_err(RunSpecJsonError::Invalid)?;
    let json = spec.to_json();
    let mut payload = Vec::with_capacity(json.len() + 8);
    put_len(&mut payload, json.len());
    payload.extend_from_slice(json.as_bytes());
    if let Some(w) = &spec.weights {
        w.encode(&mut payload);
    }
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&payload, 10);
    let link = format!(
        "{LINK_PREFIX}{RUN_SPEC_VERSION}.{}",
        URL_SAFE_NO_PAD.encode(packed)
    );
    if link.len() > MAX_LINK_CHARS {
        return Err(LinkError::WeightsTooLarge {
            len: link.len(),
            max: MAX_LINK_CHARS,
        });
    }
    Ok(link)
}

/// The app's "share" button: the link for `spec` with `model`'s weights quantized to int8
/// when they fit in [`MAX_LINK_CHARS`], else without weights (the bool says which). Any
/// weights already in `spec` are replaced.
pub fn share_link(spec: &RunSpec, model: Option<&Model>) -> Result<(String, bool), LinkError> {
    let mut plain = spec.clone();
    plain.weights = None;
    if let Some(m) = model {
        let mut with = plain.clone();
        let weights = LinkWeights::from_model(m)
            .map_err(|e| LinkError::Damaged(format!("the weights could not be read: {e}")))?;
        with.weights = Some(weights);
        match encode_link(&with) {
            Ok(link) => return Ok((link, true)),
            Err(LinkError::WeightsTooLarge { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((encode_link(&plain)?, false))
}

/// Decodes link text: a bare fragment (`pg1.…`, or `run=pg1.…`), one with its `#`, or a whole URL (everything
/// up to the last `#` is ignored). Returns a validated spec or a [`LinkError`]; never panics.
pub fn decode_link(text: &str) -> Result<RunSpec, LinkError> {
    let text = text.trim();
    let text = text.rsplit_once('#').map_or(text, |(_, f)| f);
    // The app's URLs name the fragment: `#run=pg1.…`.
    let text = text.strip_prefix(LINK_FRAGMENT_KEY).unwrap_or(text);
    if text.is_empty() {
        return Err(LinkError::Empty);
    }
    if text.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong {
            len: text.len(),
            max: MAX_LINK_CHARS,
        });
    }
    let rest = text.strip_prefix(LINK_PREFIX).ok_or(LinkError::NotALink)?;
    let (version, body) = rest.split_once('.').ok_or(LinkError::NotALink)?;
    if version.is_empty() || version.len() > 6 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LinkError::NotALink);
    }
    let version: u32 = version.parse().map_err(|_| LinkError::NotALink)?;
    if version > RUN_SPEC_VERSION {
        return Err(LinkError::FutureVersion {
            found: version,
            supported: RUN_SPEC_VERSION,
        });
    }
    if version == 0 {
        return Err(LinkError::NotALink);
    }
    let packed = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|e| LinkError::Damaged(format!("bad characters ({e})")))?;
    let payload =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_INFLATED_BYTES)
            .map_err(|e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge {
                    max: MAX_INFLATED_BYTES,
                },
                status => LinkError::Damaged(format!("the data does not unpack ({status:?})")),
            })?;
    let mut r = Reader {
        bytes: &payload,
        pos: 0,
    };
    let json_len = r.len(1).map_err(LinkError::Damaged)?;
    let json = r.take(json_len).map_err(LinkError::Damaged)?;
    let json = std::str::from_utf8(json)
        .map_err(|_| LinkError::Damaged("the settings are not text".into()))?;
    let mut spec: RunSpec = serde_json::from_str(json)
        .map_err(|e| LinkError::Spec(RunSpecJsonError::Syntax(e.to_string())))?;
    if spec.version != version {
        return Err(LinkError::VersionMismatch {
            prefix: version,
            spec: spec.version,
        });
    }
    let weights = &payload[r.pos..];
    if !weights.is_empty() {
        let w = LinkWeights::decode(weights)
            .map_err(|e| LinkError::Damaged(format!("the weights are damaged: {e}")))?;
        spec.weights = Some(w);
    }
    spec.validate().map_err(RunSpecJsonError::Invalid)?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::run_spec::tests::lenet_spec;

    #[test]
    fn lenet_link_is_short_and_round_trips() {
        let spec = lenet_spec();
        let link = encode_link(&spec).expect("encodes");
        assert!(link.starts_with("pg1."), "{link}");
        assert!(link.len() < 600, "{} characters", link.len());
        eprintln!("LeNet-5 link without weights: {} characters", link.len());
        assert_eq!(decode_link(&link).expect("decodes"), spec);
        let url = format!("https://example.org/play?x=1#{link}");
        assert_eq!(decode_link(&url).expect("decodes"), spec);
        let url = format!("https://example.org/playground#{LINK_FRAGMENT_KEY}{link}");
        assert_eq!(decode_link(&url).expect("decodes"), spec);
    }

    #[test]
    fn link_with_int8_weights_round_trips() {
        let mut spec = lenet_spec();
        let model = spec.build_model().expect("build");
        spec.weights = Some(LinkWeights::from_model(&model).expect("quantize"));
        let link = encode_link(&spec).expect("encodes");
        eprintln!("LeNet-5 link with int8 weights: {} characters", link.len());
        let back = decode_link(&link).expect("decodes");
        assert_eq!(back, spec);
        back.build_model().expect("weights fit the model");
    }

    #[test]
    fn share_link_keeps_weights_only_when_they_fit() {
        let spec = lenet_spec();
        let model = spec.build_model().expect("build");
        let (link, with) = share_link(&spec, Some(&model)).expect("share");
        assert!(with && decode_link(&link).expect("decodes").weights.is_some());
        let big = crate::models::ModelSpec::preset("resnet18_small").expect("preset");
        let mut spec = lenet_spec();
        spec.model = big;
        let model = spec.build_model().expect("build");
        let (link, with) = share_link(&spec, Some(&model)).expect("share");
        assert!(!with && link.len() < 600, "{}", link.len());
    }

    #[test]
    fn every_kind_of_bad_link_has_its_error() {
        let link = encode_link(&lenet_spec()).expect("encodes");
        let body = &link[4..];
        assert_eq!(decode_link("  "), Err(LinkError::Empty));
        assert_eq!(decode_link("https://x.org/#"), Err(LinkError::Empty));
        assert_eq!(decode_link("hello"), Err(LinkError::NotALink));
        assert_eq!(
            decode_link(&format!("pgx.{body}")),
            Err(LinkError::NotALink)
        );
        assert!(matches!(
            decode_link(&format!("pg7.{body}")),
            Err(LinkError::FutureVersion { found: 7, .. })
        ));
        let err = decode_link(&format!("pg7.{body}")).expect_err("future");
        assert!(err.to_string().contains("newer version"), "{err}");
        assert!(matches!(
            decode_link(&link[..link.len() - 5]),
            Err(LinkError::Damaged(_))
        ));
        assert!(matches!(
            decode_link(&format!("{link}!")),
            Err(LinkError::Damaged(_))
        ));
        let long = format!("pg1.{}", "A".repeat(MAX_LINK_CHARS));
        assert!(matches!(decode_link(&long), Err(LinkError::TooLong { .. })));
        // A bomb: 2 MB of zeros deflates to a few kB but must not be inflated in full.
        let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 2 << 20], 10);
        let bomb = format!("pg1.{}", URL_SAFE_NO_PAD.encode(bomb));
        assert_eq!(
            decode_link(&bomb),
            Err(LinkError::TooLarge {
                max: MAX_INFLATED_BYTES
            })
        );
        // Re-packed with an out-of-range field: a clear message naming the field.
        let json = lenet_spec()
            .to_json()
            .replace("\"batch_size\":64", "\"batch_size\":0");
        let mut payload = Vec::new();
        put_len(&mut payload, json.len());
        payload.extend_from_slice(json.as_bytes());
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&payload, 6);
        let bad = format!("pg1.{}", URL_SAFE_NO_PAD.encode(packed));
        let err = decode_link(&bad).expect_err("invalid");
        assert!(err.to_string().contains("train.loader.batch_size"), "{err}");
    }
}
