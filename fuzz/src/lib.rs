//! Bounded fuzzing on stable Rust: each target takes raw bytes and must never panic (and checks
//! a few properties that must hold for any input it accepts). `run` feeds a target mutated seed
//! inputs and random bytes for a fixed time; a panic is saved as a crash file, which becomes a
//! regression test once it is fixed (`fuzz/regressions/<target>/`, replayed by `cargo test`).
//!
//! No coverage feedback (that needs nightly and libFuzzer): the mutations start from valid
//! inputs and a dictionary of the tokens that matter, which reaches the decoders' edges quickly.

pub mod input;
pub mod targets;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use input::Rng;

/// A fuzz target: the name used on the command line and in file paths, the function, and the
/// valid inputs mutation starts from.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
    pub seeds: fn() -> Vec<Vec<u8>>,
    pub dictionary: &'static [&'static str],
}

pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "event",
            run: targets::event,
            seeds: targets::event_seeds,
            dictionary: targets::JSON_TOKENS,
        },
        Target {
            name: "units_csv",
            run: targets::units_csv,
            seeds: targets::units_csv_seeds,
            dictionary: targets::CSV_TOKENS,
        },
        Target {
            name: "tally",
            run: targets::tally,
            seeds: targets::tally_seeds,
            dictionary: &[],
        },
    ]
}

/// A panic found: the input and the panic message.
#[derive(Debug)]
pub struct Crash {
    pub target: &'static str,
    pub input: Vec<u8>,
    pub message: String,
}

/// How a run went.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub executions: u64,
    pub elapsed: Duration,
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs `input` through `target`; a panic becomes `Err(message)`.
pub fn execute(target: fn(&[u8]), input: &[u8]) -> Result<(), String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(format!("{payload}{location}"));
    }));
    let result = std::panic::catch_unwind(|| target(input));
    std::panic::set_hook(previous);
    result.map_err(|_| {
        LAST_PANIC
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_else(|| "panic".into())
    })
}

/// Fuzzes `target` for `budget` (or until `max_executions`), from `seed`. Stops at the first
/// crash.
pub fn run(
    target: &Target,
    budget: Duration,
    max_executions: u64,
    seed: u64,
) -> Result<Stats, Crash> {
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let seeds = (target.seeds)();
    let mut executions = 0;
    while executions < max_executions && started.elapsed() < budget {
        let input = if seeds.is_empty() || rng.below(10) == 0 {
            let len = rng.below(512) as usize;
            (0..len).map(|_| rng.byte()).collect()
        } else {
            let base = &seeds[rng.below(seeds.len() as u64) as usize];
            input::mutate(base, &mut rng, target.dictionary)
        };
        if let Err(message) = execute(target.run, &input) {
            return Err(Crash {
                target: target.name,
                input,
                message,
            });
        }
        executions += 1;
    }
    Ok(Stats {
        executions,
        elapsed: started.elapsed(),
    })
}

/// Where crash inputs are written: `fuzz/artifacts/<target>/crash-<hash>`.
pub fn save_crash(root: &Path, crash: &Crash) -> std::io::Result<PathBuf> {
    let dir = root.join("artifacts").join(crash.target);
    std::fs::create_dir_all(&dir)?;
    let hash = cunju_domain::ids::Hash::of(&crash.input).to_string();
    let path = dir.join(format!("crash-{}", &hash[..16]));
    std::fs::write(&path, &crash.input)?;
    Ok(path)
}

/// The regression inputs of a target: `fuzz/regressions/<target>/*`.
pub fn regressions(root: &Path, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root.join("regressions").join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter_map(|p| std::fs::read(&p).ok().map(|bytes| (p, bytes)))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}
