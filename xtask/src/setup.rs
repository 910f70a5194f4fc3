//! `cargo xtask setup`: install what a fresh machine lacks, skip what is present.
//! Nothing here downloads a prebuilt toolchain or browser: everything comes from crates.io,
//! Debian's packages or the npm registry.

use crate::util::{self, output, run, step};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn setup() -> Result<(), String> {
    step("setup: checking tools");
    wasm_target()?;
    trunk()?;
    wasm_bindgen_cli()?;
    chromium()?;
    npm_packages()?;
    println!("setup: all tools present");
    Ok(())
}

fn wasm_target() -> Result<(), String> {
    let installed =
        output(util::command("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(util::command("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn trunk() -> Result<(), String> {
    let have = output(util::command("trunk").arg("--version")).unwrap_or_default();
    if have == format!("trunk {TRUNK_VERSION}") {
        return Ok(());
    }
    println!("setup: installing Trunk {TRUNK_VERSION} (found: {have:?})");
    run(util::cargo().args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))
}

/// wasm-bindgen-cli must equal the `wasm-bindgen` crate version in Cargo.lock exactly.
fn wasm_bindgen_cli() -> Result<(), String> {
    let want = locked_version("wasm-bindgen")?;
    let have = output(util::command("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner =
        output(util::command("wasm-bindgen-test-runner").arg("--version")).unwrap_or_default();
    if have == format!("wasm-bindgen {want}") && runner.ends_with(&want) {
        return Ok(());
    }
    println!("setup: installing wasm-bindgen-cli {want} (found: {have:?})");
    // `--locked` fails for this crate (its lockfile is not published); the version pin is exact.
    run(util::cargo().args(["install", "--force", "wasm-bindgen-cli", "--version", &want]))
}

fn chromium() -> Result<(), String> {
    if std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    println!("setup: installing Debian chromium and chromium-driver");
    let apt = |args: &[&str]| {
        let mut cmd = util::command("apt-get");
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update"])?;
    apt(&[
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ])
}

/// The npm packages of e2e/ (Playwright's runner and binaryen's wasm-opt), from the lockfile.
/// Reinstalled only when the lockfile is newer than the installed tree.
fn npm_packages() -> Result<(), String> {
    let e2e = util::root().join("e2e");
    let lock = e2e.join("package-lock.json");
    let marker = e2e.join("node_modules/.package-lock.json");
    let fresh = match (
        lock.metadata().and_then(|m| m.modified()),
        marker.metadata().and_then(|m| m.modified()),
    ) {
        (Ok(lock_time), Ok(installed_time)) => installed_time >= lock_time,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    println!("setup: installing the npm packages of e2e/");
    let mut cmd = util::command("npm");
    cmd.current_dir(&e2e)
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    run(&mut cmd)
}

/// The version Cargo.lock pins for `package`.
pub fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(util::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\n");
    let at = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?;
    let rest = &lock[at + needle.len()..];
    let line = rest.lines().next().unwrap_or_default();
    line.strip_prefix("version = \"")
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_string)
        .ok_or_else(|| format!("cannot read the version of {package} in Cargo.lock"))
}
