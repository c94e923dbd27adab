//! `cargo xtask setup`: installs whatever is missing, idempotently, and says how long each step took.
//!
//! We build the wasm with cargo + wasm-bindgen + wasm-opt ourselves instead of trunk: trunk takes
//! 11.5 minutes to compile on a fresh 2-core machine, wasm-bindgen-cli about 3.

use std::path::Path;
use std::time::Instant;

use crate::util::{self, command, human_duration, output, run as exec, step};

/// System packages the browser and GPU tests need on Debian.
const APT_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "mesa-vulkan-drivers",
    "libvulkan1",
];

/// Files whose presence shows the system packages are installed.
const SYSTEM_FILES: &[(&str, &str)] = &[
    ("/usr/bin/chromium", "chromium"),
    ("/usr/bin/chromedriver", "chromium-driver"),
    (
        "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json",
        "mesa-vulkan-drivers (lavapipe)",
    ),
];

pub fn run() -> Result<(), String> {
    let start = Instant::now();
    step("wasm32 target", wasm_target)?;
    step("wasm-bindgen-cli", wasm_bindgen_cli)?;
    step("node tools (wasm-opt, playwright-core)", node_tools)?;
    step("system packages (Chromium, Mesa lavapipe)", system_packages)?;
    step("data sets and weights", crate::data::ensure)?;
    println!(
        "setup complete in {}",
        human_duration(start.elapsed().as_secs_f64())
    );
    Ok(())
}

fn wasm_target() -> Result<(), String> {
    let installed = output(command("rustup").args(["target", "list", "--installed"]))
        .ok_or("rustup is needed (https://rustup.rs) but `rustup target list` failed")?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("    already installed");
        return Ok(());
    }
    exec(command("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn wasm_bindgen_cli() -> Result<(), String> {
    let want = util::locked_version("wasm-bindgen")?;
    let have = output(command("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have == format!("wasm-bindgen {want}") {
        println!("    {have} already installed");
        return Ok(());
    }
    println!(
        "    installing wasm-bindgen-cli {want} (found: {})",
        if have.is_empty() { "none" } else { &have }
    );
    // Not --locked: the CLI's own lockfile pins a webpki-roots release the index no longer offers.
    exec(command("cargo").args(["install", "wasm-bindgen-cli", "--version", &want]))
}

fn node_tools() -> Result<(), String> {
    let root = util::root();
    let lock = root.join("package-lock.json");
    let stamp = root.join("node_modules").join(".pixelgrad-lock");
    let lock_text = std::fs::read_to_string(&lock)
        .map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock_text.as_str()) {
        println!("    node_modules matches package-lock.json");
        return Ok(());
    }
    output(command("npm").arg("--version"))
        .ok_or("npm is needed (Node.js 18 or newer) but was not found on PATH")?;
    exec(command("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    std::fs::write(&stamp, lock_text).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}

fn system_packages() -> Result<(), String> {
    let missing: Vec<&str> = SYSTEM_FILES
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        println!("    Chromium, ChromeDriver and lavapipe present");
        return Ok(());
    }
    let is_root = output(command("id").arg("-u")).as_deref() == Some("0");
    let has_apt = Path::new("/usr/bin/apt-get").exists();
    let install_line = format!(
        "apt-get install -y --no-install-recommends {}",
        APT_PACKAGES.join(" ")
    );
    if !(is_root && has_apt) {
        return Err(format!(
            "missing: {}. Install them with (as root on Debian/Ubuntu):\n    apt-get update && {install_line}",
            missing.join(", ")
        ));
    }
    println!(
        "    missing {}; installing with apt-get",
        missing.join(", ")
    );
    exec(command("apt-get").args(["update", "-q"]))?;
    exec(
        command("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(APT_PACKAGES),
    )
}
