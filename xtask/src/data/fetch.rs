//! Downloads from the package registries into `$HOME/.cache/pixelgrad/downloads/`, checked
//! against a sha256 pinned in code, so a changed or corrupt file is never converted and a
//! second run (or a fresh clone on the same machine) downloads nothing.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A file some registry serves, pinned by content.
pub struct Download {
    /// File name in the cache directory.
    pub file: &'static str,
    pub url: &'static str,
    pub sha256: &'static str,
    /// For Debian packages: `(package, version)` to try `apt-get download` with first, the
    /// ordinary client; the plain HTTP URL is the fallback where apt is missing or its lists
    /// are stale.
    pub apt: Option<(&'static str, &'static str)>,
}

/// Where downloads are kept: `$XDG_CACHE_HOME/pixelgrad/downloads` or
/// `$HOME/.cache/pixelgrad/downloads`, shared by every clone on the machine.
pub fn cache_dir() -> Result<PathBuf, String> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache"))
            .ok_or("neither XDG_CACHE_HOME nor HOME is set: cannot place the download cache")?,
    };
    Ok(base.join("pixelgrad").join("downloads"))
}

/// Hex sha256 of a byte slice.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Returns the verified bytes of `d`, downloading it first when the cache lacks it or holds a
/// file with another hash.
pub fn fetch(d: &Download) -> Result<Vec<u8>, String> {
    let dir = cache_dir()?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(d.file);
    if let Ok(bytes) = std::fs::read(&path) {
        if sha256_hex(&bytes) == d.sha256 {
            println!("    cached: {}", path.display());
            return Ok(bytes);
        }
        println!(
            "    {} has the wrong sha256; downloading it again",
            path.display()
        );
        std::fs::remove_file(&path)
            .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    let start = Instant::now();
    let apt_ok = match d.apt {
        Some((package, version)) => apt_download(&dir, package, version, &path),
        None => false,
    };
    if !apt_ok {
        http_download(d.url, &path)?;
    }
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let got = sha256_hex(&bytes);
    if got != d.sha256 {
        let _ = std::fs::remove_file(&path);
        return Err(format!(
            "{} downloaded from {} has sha256 {got}, expected {}.\n  The registry now serves \
             different bytes: check the file by hand, then update the pin in xtask/src/data/.",
            d.file, d.url, d.sha256
        ));
    }
    println!(
        "    downloaded {} ({:.1} MB) in {:.1} s",
        d.file,
        bytes.len() as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    Ok(bytes)
}

/// `apt-get download package=version` in the cache dir; false (after saying why) when apt is
/// not there or does not know that version, so the caller falls back to HTTP.
fn apt_download(dir: &Path, package: &str, version: &str, expect: &Path) -> bool {
    println!("    apt-get download {package}={version}");
    let out = Command::new("apt-get")
        .args(["download", "-q", &format!("{package}={version}")])
        .current_dir(dir)
        .output();
    match out {
        Ok(out) if out.status.success() && expect.exists() => true,
        Ok(out) => {
            let err = String::from_utf8_lossy(&out.stderr);
            let first = err
                .lines()
                .find(|l| l.starts_with("E:"))
                .unwrap_or("no file written");
            println!("    apt-get download failed ({first}); trying the archive's HTTP URL");
            false
        }
        Err(e) => {
            println!("    apt-get not usable ({e}); trying the archive's HTTP URL");
            false
        }
    }
}

/// GETs `url` into `dest` through a `.part` file, with timeouts and a message that names the
/// URL and what to try on failure.
fn http_download(url: &str, dest: &Path) -> Result<(), String> {
    println!("    GET {url}");
    let hint = "check the network (only the package registries are reachable) and run \
                `cargo xtask data` again";
    let config = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(root_certs())
                .build(),
        )
        .build();
    let agent: ureq::Agent = config.into();
    let response = agent
        .get(url)
        .call()
        .map_err(|e| format!("GET {url} failed: {e}; {hint}"))?;
    let mut reader = response.into_body().into_reader();
    let mut tmp = dest.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    let mut file =
        std::fs::File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let copied = std::io::copy(&mut reader.by_ref(), &mut file);
    drop(file);
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("GET {url}: reading the body failed: {e}; {hint}"));
    }
    std::fs::rename(&tmp, dest).map_err(|e| format!("cannot rename to {}: {e}", dest.display()))
}

/// The system's CA bundle (`SSL_CERT_FILE`, or the usual Debian/Fedora/Alpine paths), as
/// curl and apt use it: registries may be reached through a TLS-inspecting gateway whose CA
/// only the system store trusts. Falls back to the Mozilla roots built into ureq.
fn root_certs() -> ureq::tls::RootCerts {
    let candidates = std::env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            [
                "/etc/ssl/certs/ca-certificates.crt",
                "/etc/pki/tls/certs/ca-bundle.crt",
                "/etc/ssl/cert.pem",
            ]
            .map(PathBuf::from),
        );
    for path in candidates {
        let Ok(pem) = std::fs::read(&path) else {
            continue;
        };
        let certs: Vec<_> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c.to_owned()),
                _ => None,
            })
            .collect();
        if !certs.is_empty() {
            return ureq::tls::RootCerts::new_with_certs(&certs);
        }
    }
    ureq::tls::RootCerts::WebPki
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
