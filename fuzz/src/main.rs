//! `cunju-fuzz [TARGET …] [--seconds N] [--seed S]`: fuzzes each target (all by default) for N
//! seconds (default 20). On a crash: the input is saved under `fuzz/artifacts/<target>/`, the
//! panic is printed, and the exit code is 1. Run it with `cargo xtask fuzz`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut names = Vec::new();
    let mut seconds = 20u64;
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(seconds),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(seed),
            "-h" | "--help" => {
                println!("cunju-fuzz [event|units_csv|tally …] [--seconds N] [--seed S]");
                return ExitCode::SUCCESS;
            }
            name => names.push(name.to_string()),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let targets = cunju_fuzz::targets();
    for name in &names {
        if !targets.iter().any(|t| t.name == name) {
            eprintln!("unknown target {name}; targets: event, units_csv, tally");
            return ExitCode::FAILURE;
        }
    }
    let mut failed = false;
    for target in targets
        .iter()
        .filter(|t| names.is_empty() || names.iter().any(|n| n == t.name))
    {
        // Known crashes first: a fixed bug must stay fixed.
        for (path, input) in cunju_fuzz::regressions(root, target.name) {
            if let Err(message) = cunju_fuzz::execute(target.run, &input) {
                println!(
                    "{}: regression {} fails: {message}",
                    target.name,
                    path.display()
                );
                failed = true;
            }
        }
        match cunju_fuzz::run(target, Duration::from_secs(seconds), u64::MAX, seed) {
            Ok(stats) => println!(
                "{:<10} {:>9} inputs in {:.1} s, no crash (seed {seed})",
                target.name,
                stats.executions,
                stats.elapsed.as_secs_f64()
            ),
            Err(crash) => {
                failed = true;
                let saved = cunju_fuzz::save_crash(root, &crash)
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|e| format!("(not saved: {e})"));
                println!(
                    "{}: CRASH (seed {seed}): {}\n  input saved to {saved}\n  {:?}\n  once fixed, move it to fuzz/regressions/{}/",
                    crash.target,
                    crash.message,
                    String::from_utf8_lossy(&crash.input),
                    crash.target
                );
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
