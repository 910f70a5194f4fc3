//! Every input that once crashed a target (`fuzz/regressions/<target>/`) must now pass, and a
//! short seeded run of each target finds nothing (a smoke test; `cargo xtask fuzz` runs longer).

use std::path::Path;
use std::time::Duration;

#[test]
fn known_crashes_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut replayed = 0;
    for target in cunju_fuzz::targets() {
        for (path, input) in cunju_fuzz::regressions(root, target.name) {
            if let Err(message) = cunju_fuzz::execute(target.run, &input) {
                panic!(
                    "{}: {} crashes again: {message}",
                    target.name,
                    path.display()
                );
            }
            replayed += 1;
        }
    }
    println!("{replayed} regression inputs replayed");
}

#[test]
fn seeds_pass_every_target() {
    for target in cunju_fuzz::targets() {
        for input in (target.seeds)() {
            cunju_fuzz::execute(target.run, &input)
                .unwrap_or_else(|m| panic!("{}: a seed input crashes: {m}", target.name));
        }
    }
}

#[test]
fn a_short_seeded_run_finds_nothing() {
    for target in cunju_fuzz::targets() {
        let result = cunju_fuzz::run(&target, Duration::from_secs(2), 3_000, 0x5EED);
        if let Err(crash) = result {
            panic!(
                "{}: {}\ninput: {:?}",
                crash.target,
                crash.message,
                String::from_utf8_lossy(&crash.input)
            );
        }
    }
}
