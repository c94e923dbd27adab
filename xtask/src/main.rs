//! `cargo xtask <command>`: the project's own tooling, written in Rust so that a fresh machine
//! with only rustup, cargo and node needs nothing else to build, serve and test pixelgrad.

mod bench;
mod bench_accuracy;
mod bench_browser;
mod build;
mod data;
mod fuzz;
mod serve;
mod setup;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup   install what is missing (wasm target, wasm-bindgen-cli, wasm-opt, Chromium, Mesa) and prepare data
  data    download and convert the bundled data sets and weights into public/
  build   build the app (release wasm) into dist/
  serve   setup + build + serve the app at http://127.0.0.1:8080
  test    setup + every test: fmt, clippy, native (GPU on lavapipe), wasm in Chromium, end-to-end
  bench   benchmarks, written as JSON under bench-results/
  fuzz    the long fuzz runs: every target for --seconds N each (default 600)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match command.as_str() {
        "setup" => setup::run(),
        "data" => data::run(rest),
        "build" => build::run(),
        "serve" => serve::run(rest),
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "fuzz" => fuzz::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {command}: {message}");
            ExitCode::FAILURE
        }
    }
}
