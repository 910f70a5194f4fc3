//! `cargo xtask` — the developer entry point: `setup`, `build`, `serve`, `test`.
//!
//! Each command installs only what is missing, then runs the real tools. The app is built once
//! per command into `dist/` and reused by every layer that needs it.

mod bench; // bench: cargo xtask bench (issue 9)
mod build;
mod setup;
mod util;

use std::process::ExitCode;

const USAGE: &str = "\
cargo xtask <command>

Commands:
  setup            install what this machine lacks (wasm target, Trunk, wasm-bindgen-cli,
                   wasm-opt, Chromium + ChromeDriver, the npm packages of e2e/)
  build [--dev]    build the app into dist/ (release unless --dev) with its service worker
  serve            setup, release build, then the server on http://127.0.0.1:8080
                   (SQLite at ./data/cunju.db, demo district seeded on first run)
  test             fmt + clippy, native tests (domain, server), browser tests (wasm-bindgen-test
                   in headless Chromium), then Playwright end-to-end tests against the real server.
                   Set CUNJU_TEST_POSTGRES_URL to also run the server tests on PostgreSQL.
  fuzz [TARGET…] [--seconds N] [--seed S]
                   fuzz event decoding, the unit CSV importer and the tally input, each for
                   N seconds (default 20); a crash is saved under fuzz/artifacts/ and fails
  bench [--no-build] [--only P1,P6,…]
                   performance figures P1–P8 (release build, server load on SQLite and
                   PostgreSQL, Chromium figures vs PouchDB); prints one table, writes
                   bench/results.json; at most 15 minutes; not part of `test`
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::setup(),
        Some("build") => build::build_app(!args.iter().any(|a| a == "--dev")).map(|_| ()),
        Some("serve") => serve(),
        Some("test") => test(),
        Some("fuzz") => fuzz(&args[1..]),
        Some("bench") => bench::bench(&args[1..]), // bench: issue 9
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve() -> Result<(), String> {
    setup::setup()?;
    build::build_app(true)?;
    let root = util::root();
    std::fs::create_dir_all(root.join("data")).map_err(|e| format!("cannot create data/: {e}"))?;
    let db = "sqlite://./data/cunju.db";
    util::run(util::cargo().args(["build", "--profile", "server", "-p", "cunju-server"]))?;
    let server = root.join("target/server/cunju-server");
    util::run(std::process::Command::new(&server).args(["seed-demo", "--db", db]))?;
    println!("\n村居台账 Cunju: http://127.0.0.1:8080  (Ctrl-C to stop)\n");
    util::run(std::process::Command::new(&server).args([
        "serve",
        "--listen",
        "127.0.0.1:8080",
        "--db",
        db,
        "--static-dir",
        "dist",
    ]))
}

/// Bounded fuzzing (not part of `test`: it runs for as long as it is given).
fn fuzz(args: &[String]) -> Result<(), String> {
    util::step("fuzz (event decoding, unit CSV import, tally input)");
    util::run(
        util::cargo()
            .args(["run", "--quiet", "-p", "cunju-fuzz", "--"])
            .args(args),
    )
}

fn test() -> Result<(), String> {
    setup::setup()?;
    let wasm = ["--target", "wasm32-unknown-unknown"];

    util::step("format");
    util::run(util::cargo().args(["fmt", "--all", "--", "--check"]))?;

    util::step("clippy (native and wasm)");
    util::run(util::cargo().args([
        "clippy",
        "-p",
        "cunju-domain",
        "-p",
        "cunju-server",
        "-p",
        "xtask",
        "-p",
        "cunju-fuzz",
        "-p",
        "cunju-bench",
        "-p",
        "cunju-export-worker",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    util::run(
        util::cargo()
            .args([
                "clippy",
                "-p",
                "cunju",
                "-p",
                "cunju-export-worker",
                "--all-targets",
            ])
            .args(wasm)
            .args(["--", "-D", "warnings"]),
    )?;

    util::step("layer 1: native tests (domain, server, export worker)");
    util::run(util::cargo().args([
        "test",
        "-p",
        "cunju-domain",
        "-p",
        "cunju-server",
        "-p",
        "xtask",
        "-p",
        "cunju-bench",
        "-p",
        "cunju-export-worker",
    ]))?;

    util::step("layer 2: browser tests (wasm-bindgen-test in headless Chromium)");
    util::run(
        util::cargo()
            .args(["test", "-p", "cunju"])
            .args(wasm)
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", setup::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180"),
    )?;

    util::step("layer 3: end-to-end tests (Playwright, real server + built app)");
    build::build_app(false)?;
    util::run(util::cargo().args(["build", "-p", "cunju-server"]))?;
    let root = util::root();
    util::run(
        util::npx(&root.join("e2e"))
            .args(["playwright", "test"])
            .env("CUNJU_SERVER_BIN", root.join("target/debug/cunju-server"))
            .env("CUNJU_DIST", root.join("dist")),
    )?;
    println!("\nxtask test: all layers passed");
    Ok(())
}
