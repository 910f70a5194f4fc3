//! `cargo xtask bench` (issue 9): every performance figure measured in one run, printed as one
//! table and written to `bench/results.json`. A figure that cannot be measured is printed as
//! "not measured" with the reason — never estimated.
//!
//! - P1: gzip bytes of the first visit (html, js, wasm, css of the release build in `dist/`).
//! - P6: the server (profile `server`) under 500 concurrent simulated devices (`crates/bench`), SQLite and
//!   PostgreSQL (when `CUNJU_BENCH_POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/test`,
//!   answers).
//! - P8: gzip bytes per event of a realistic push, and per document of the peer (PouchDB).
//! - P2–P5, P7: browser figures in headless Chromium (`bench/browser.mjs`, Playwright + CDP).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::{self, step};

/// The whole run stops starting new figures after this (the bound is 15 minutes).
const TIME_BOUND: Duration = Duration::from_secs(15 * 60);
const PORT: u16 = 18131;

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub id: String,
    pub name: String,
    /// The measured value as shown, or `None` when not measured.
    pub value: Option<String>,
    pub budget: String,
    /// Whether the budget was met (`None`: a report-only figure, or not measured).
    pub met: Option<bool>,
    /// Ratio to the peer, as shown ("" where there is no peer).
    pub ratio: String,
    /// Why not measured, or what to know about the number.
    pub note: String,
    pub details: Value,
}

impl Figure {
    fn new(id: &str, name: &str, budget: &str) -> Figure {
        Figure {
            id: id.into(),
            name: name.into(),
            value: None,
            budget: budget.into(),
            met: None,
            ratio: String::new(),
            note: String::new(),
            details: Value::Null,
        }
    }

    fn not_measured(mut self, why: impl Into<String>) -> Figure {
        self.value = None;
        self.met = None;
        self.note = why.into();
        self
    }
}

/// Nearest-rank percentile (`p` in 0..=100) of `values`; `None` when empty.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// The median (mean of the two middle values for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let n = sorted.len();
    Some(if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    })
}

/// Display width of a cell: CJK characters take two columns in a terminal.
fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 => 2,
        _ => 1,
    }
}

/// The table: id, figure, value, budget, met, ratio to peer, note — columns padded to fit.
pub fn format_table(figures: &[Figure]) -> String {
    let header = ["id", "figure", "value", "budget", "ok", "vs peer", "note"];
    let rows: Vec<[String; 7]> = figures
        .iter()
        .map(|f| {
            [
                f.id.clone(),
                f.name.clone(),
                f.value.clone().unwrap_or_else(|| "not measured".into()),
                f.budget.clone(),
                match f.met {
                    Some(true) => "yes".into(),
                    Some(false) => "MISSED".into(),
                    None => "-".into(),
                },
                if f.ratio.is_empty() {
                    "-".into()
                } else {
                    f.ratio.clone()
                },
                f.note.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::from("|");
        for (cell, w) in cells.iter().zip(widths) {
            out.push(' ');
            out.push_str(cell);
            out.push_str(&" ".repeat(w - width(cell)));
            out.push_str(" |");
        }
        out.push('\n');
        out
    };
    let mut out = line(&header.map(String::from));
    out.push('|');
    for w in widths {
        out.push_str(&"-".repeat(w + 2));
        out.push('|');
    }
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory").len()
}

/// Runs `cmd` with a time limit; returns its standard output. Standard error goes to the
/// terminal so progress stays visible.
fn run_for(cmd: &mut Command, limit: Duration) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    let out_path = std::env::temp_dir().join(format!(
        "cunju-bench-out-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let out_file = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    // Its own process group, so a timeout also ends the servers it started.
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd
        .stdout(out_file)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_file(&out_path);
            return Err(format!("timed out after {} s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    if status.success() {
        Ok(out)
    } else {
        Err(format!("failed ({status}): {}", out.trim()))
    }
}

/// The last line of `out` that parses as a JSON object.
fn last_json(out: &str) -> Result<Value, String> {
    out.lines()
        .rev()
        .find_map(|l| {
            serde_json::from_str::<Value>(l.trim())
                .ok()
                .filter(Value::is_object)
        })
        .ok_or_else(|| "no JSON result in the output".to_string())
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let root = util::root();
    let skip_build = args.iter().any(|a| a == "--no-build");
    // `--only P1,P6`: measure only these (the rest say "not selected"), for working on one.
    let only: Vec<String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.split(',').map(|x| x.trim().to_uppercase()).collect())
        .unwrap_or_default();
    let wanted = |id: &str| only.is_empty() || only.iter().any(|o| o == id);
    let left = |started: Instant| TIME_BOUND.saturating_sub(started.elapsed());
    let mut figures = Vec::new();

    // Every build first: the 15-minute bound is for measuring (a fresh machine's builds alone
    // take most of it).
    if !skip_build {
        crate::build::build_app(true)?;
    }
    step("build the server and the load generator (profile `server`: fast before small)");
    util::run(util::cargo().args([
        "build",
        "--profile",
        "server",
        "-p",
        "cunju-server",
        "-p",
        "cunju-bench",
    ]))?;
    let server_bin = root.join("target/server/cunju-server");
    let bench_bin = root.join("target/server/cunju-bench");
    let needs_hook = wanted("P5") || wanted("P7");
    let browser_dist = if !needs_hook {
        Ok(root.join("dist"))
    } else if skip_build {
        Ok(root.join("target/bench-dist"))
    } else {
        hook_build(&root)
    };
    let started = Instant::now();

    step("P1 first visit bytes");
    figures.push(if wanted("P1") {
        first_visit(&root.join("dist"))
    } else {
        Figure::new("P1", "first visit bytes", "≤ 400 KB").not_measured("not selected (--only)")
    });

    step("P8 wire bytes per event");
    let wire = if !wanted("P8") {
        Err("not selected (--only)".to_string())
    } else {
        run_for(
            Command::new(&bench_bin).args(["wire", "--events", "100"]),
            Duration::from_secs(60),
        )
        .and_then(|o| last_json(&o))
    };

    let p6 = wanted("P6");
    step("P6 server load (SQLite)");
    figures.push(if p6 {
        load_figure(&bench_bin, &server_bin, None, left(started))
    } else {
        Figure::new("P6", "server load, SQLite", "p99 ≤ 250 ms, 0 errors")
            .not_measured("not selected (--only)")
    });
    step("P6 server load (PostgreSQL)");
    let pg_url = std::env::var("CUNJU_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let pg_up = Command::new("psql")
        .args([pg_url.as_str(), "-q", "-c", "SELECT 1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    figures.push(if !p6 {
        Figure::new("P6", "server load, PostgreSQL", "p99 ≤ 250 ms, 0 errors")
            .not_measured("not selected (--only)")
    } else if pg_up {
        load_figure(&bench_bin, &server_bin, Some(&pg_url), left(started))
    } else {
        Figure::new("P6", "server load, PostgreSQL", "p99 ≤ 250 ms, 0 errors")
            .not_measured(format!("PostgreSQL at {pg_url} does not answer (psql)"))
    });

    step("browser figures (Chromium)");
    let browser_dist = match browser_dist {
        Ok(dir) if dir.join("index.html").exists() => dir,
        Ok(_) | Err(_) => {
            eprintln!("bench: no build with the bench hook; P5 and P7 will say so");
            root.join("dist")
        }
    };
    let browser_ids: Vec<&str> = ["P2", "P3", "P4", "P5", "P7", "P8"]
        .into_iter()
        .filter(|id| wanted(id))
        .collect();
    let browser = if browser_ids.is_empty() {
        json!({"error": "not selected (--only)"})
    } else {
        browser_figures(
            &root,
            &server_bin,
            &browser_dist,
            &browser_ids.join(","),
            left(started),
        )
    };
    let mut p8 = wire_figure(&wire, &browser);
    p8.details["peer"] = browser.get("P8").cloned().unwrap_or(Value::Null);
    figures.push(p8);
    for (id, name, budget) in [
        (
            "P2",
            "reload to first screen, 20,000 people + 5,000 records, offline, CPU x4",
            "≤ 1.5 s",
        ),
        (
            "P3",
            "attendance tick click → IndexedDB → shown, p95, CPU x4",
            "≤ 50 ms",
        ),
        (
            "P4",
            "import 6,000-row voter CSV and show list, CPU x4",
            "≤ 2 s",
        ),
        (
            "P5",
            "sync 50,000 events A → server → B (Chromium) vs PouchDB",
            "≥ 3x faster than peer",
        ),
        (
            "P7",
            "1,000 durable writes, src/store vs plain IndexedDB",
            "ratio ≤ 1.5",
        ),
    ] {
        figures.push(browser_figure(id, name, budget, &browser));
    }
    figures.sort_by(|a, b| a.id.cmp(&b.id));

    let table = format_table(&figures);
    println!("\n{table}");
    println!(
        "total time {:.0} s (bound {} s)",
        started.elapsed().as_secs_f64(),
        TIME_BOUND.as_secs()
    );
    let results = json!({
        "command": "cargo xtask bench",
        "machine": machine(),
        "total_s": started.elapsed().as_secs_f64(),
        "figures": figures.iter().map(|f| json!({
            "id": f.id,
            "figure": f.name,
            "value": f.value,
            "budget": f.budget,
            "met": f.met,
            "vs_peer": f.ratio,
            "note": f.note,
            "details": f.details,
        })).collect::<Vec<_>>(),
    });
    let path = root.join("bench/results.json");
    std::fs::create_dir_all(root.join("bench")).map_err(|e| e.to_string())?;
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&results).expect("plain JSON") + "\n",
    )
    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("written: bench/results.json");
    Ok(())
}

/// The same release build plus the page hook of `src/bench_hook.rs` (feature `bench-hook`), in
/// `target/bench-dist/`: the browser figures run on it, P1 on the build without the hook.
fn hook_build(root: &Path) -> Result<PathBuf, String> {
    step("build app (release, with the bench hook) into target/bench-dist");
    let dist = root.join("target/bench-dist");
    util::run(util::command("trunk").args([
        "build",
        "--offline",
        "--release",
        "--features",
        "bench-hook",
        "--dist",
        "target/bench-dist",
    ]))?;
    crate::build::externalize_boot_script(&dist)?;
    crate::build::write_service_worker(&dist)?;
    Ok(dist)
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    json!({"cpu": cpu, "cores": cores})
}

/// P1: gzip (level 9, as a static server would precompress) of every html, js, wasm and css
/// file of the release build.
fn first_visit(dist: &Path) -> Figure {
    let mut fig = Figure::new(
        "P1",
        "first visit bytes (html, js, wasm, css), gzip",
        "≤ 400 KB",
    );
    let mut files = Vec::new();
    if let Err(e) = list_files(dist, &mut files) {
        return fig.not_measured(format!("no release build in dist/: {e}"));
    }
    let mut parts = serde_json::Map::new();
    // The export worker loads on the first export only (issue 7): reported, not counted.
    let mut on_demand = serde_json::Map::new();
    let (mut total, mut raw_total) = (0usize, 0usize);
    for path in files {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "html" | "js" | "wasm" | "css") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let gz = gzip_len(&bytes);
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .to_string();
        if crate::build::is_on_demand(&name) {
            on_demand.insert(name, json!({"bytes": bytes.len(), "gzip": gz}));
            continue;
        }
        total += gz;
        raw_total += bytes.len();
        parts.insert(name, json!({"bytes": bytes.len(), "gzip": gz}));
    }
    if total == 0 {
        return fig.not_measured("dist/ holds no html, js, wasm or css");
    }
    fig.value = Some(format!("{:.1} KB", total as f64 / 1000.0));
    fig.met = Some(total <= 400_000);
    fig.note = format!(
        "{:.1} KB before gzip; KB = 1000 bytes",
        raw_total as f64 / 1000.0
    );
    fig.details = json!({"gzip_bytes": total, "raw_bytes": raw_total, "files": parts,
        "on_demand_not_counted": on_demand});
    fig
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            list_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// P6 on one database: the median over rounds of each round's p99 (push and pull requests).
fn load_figure(bench: &Path, server: &Path, postgres: Option<&str>, left: Duration) -> Figure {
    let name = if postgres.is_some() {
        "server load, PostgreSQL: 500 devices x (push 100 + pull)"
    } else {
        "server load, SQLite: 500 devices x (push 100 + pull)"
    };
    let fig = Figure::new("P6", name, "p99 ≤ 250 ms, 0 errors");
    if left < Duration::from_secs(60) {
        return fig.not_measured("the run's 15-minute bound was reached");
    }
    let tmp = std::env::temp_dir();
    let mut cmd = Command::new(bench);
    cmd.args(["load", "--server-bin"])
        .arg(server)
        .args(["--port", &PORT.to_string()])
        .args(["--devices", "500", "--events", "100", "--rounds", "2"]);
    match postgres {
        Some(url) => cmd.args(["--postgres", url]),
        None => cmd.arg("--sqlite-dir").arg(&tmp),
    };
    match run_for(&mut cmd, left.min(Duration::from_secs(330))).and_then(|o| last_json(&o)) {
        Ok(result) => load_result(fig, result),
        Err(e) => fig.not_measured(format!("load generator: {e}")),
    }
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn load_result(mut fig: Figure, result: Value) -> Figure {
    let runs = result["runs"].as_array().cloned().unwrap_or_default();
    let mut p99s = Vec::new();
    let mut errors = 0u64;
    let mut rounds = Vec::new();
    for run in &runs {
        let mut all = numbers(&run["push_ms"]);
        all.extend(numbers(&run["pull_ms"]));
        let p99 = percentile(&all, 99.0).unwrap_or(f64::NAN);
        p99s.push(p99);
        errors += run["errors"].as_u64().unwrap_or(0);
        rounds.push(json!({
            "requests": all.len(),
            "p50_ms": percentile(&all, 50.0),
            "p95_ms": percentile(&all, 95.0),
            "p99_ms": p99,
            "max_ms": percentile(&all, 100.0),
            "push_p99_ms": percentile(&numbers(&run["push_ms"]), 99.0),
            "pull_p99_ms": percentile(&numbers(&run["pull_ms"]), 99.0),
            "errors": run["errors"],
            "error_samples": run["error_samples"],
            "wall_s": run["wall_s"],
            "events_per_s": run["events_per_s"],
        }));
    }
    let Some(p99) = median(&p99s) else {
        return fig.not_measured("the load generator reported no round");
    };
    // The median over the rounds of one of their numbers.
    let median_of = |field: &str| {
        median(
            &runs
                .iter()
                .filter_map(|r| r[field].as_f64())
                .collect::<Vec<_>>(),
        )
        .unwrap_or(0.0)
    };
    let eps = median_of("events_per_s");
    fig.value = Some(format!("p99 {p99:.0} ms, {errors} errors"));
    fig.met = Some(p99 <= 250.0 && errors == 0);
    let alone = &result["alone"];
    let (alone_push, alone_pull) = (
        percentile(&numbers(&alone["push_ms"]), 99.0),
        percentile(&numbers(&alone["pull_ms"]), 99.0),
    );
    let wall = median_of("wall_s");
    fig.note = format!(
        "median of {} rounds, all {} devices started at once, so requests queue: a round takes \
         {wall:.1} s ({eps:.0} events/s stored); one device alone: push p99 {} ms, pull p99 {} \
         ms; generator on the same 2 cores",
        runs.len(),
        result["devices"],
        alone_push.map_or("-".into(), |v| format!("{v:.0}")),
        alone_pull.map_or("-".into(), |v| format!("{v:.0}")),
    );
    fig.details = json!({
        "backend": result["backend"],
        "devices": result["devices"],
        "events_per_device": result["events_per_device"],
        "officials": result["users"],
        "seed_demo_s": result["seed_s"],
        "alone": {
            "devices": alone["devices"],
            "errors": alone["errors"],
            "push_p99_ms": alone_push,
            "pull_p99_ms": alone_pull,
            "push_p50_ms": percentile(&numbers(&alone["push_ms"]), 50.0),
            "pull_p50_ms": percentile(&numbers(&alone["pull_ms"]), 50.0),
        },
        "rounds": rounds,
    });
    fig
}

fn wire_figure(wire: &Result<Value, String>, browser: &Value) -> Figure {
    let mut fig = Figure::new(
        "P8",
        "wire bytes per event in a push (100 events), gzip",
        "report, vs peer",
    );
    let w = match wire {
        Ok(w) => w,
        Err(e) => return fig.not_measured(format!("cunju-bench wire: {e}")),
    };
    let ours = w["gzip_bytes_per_event"].as_f64().unwrap_or(f64::NAN);
    fig.value = Some(format!("{ours:.0} B/event"));
    fig.note = format!(
        "{:.0} B/event as JSON before gzip",
        w["json_bytes_per_event"].as_f64().unwrap_or(f64::NAN)
    );
    if let Some(peer) = browser["P8"]["gzip_bytes_per_doc"].as_f64() {
        fig.ratio = format!("{:.2}x peer ({peer:.0} B/doc)", ours / peer);
    } else {
        let why = browser["P8"]["not_measured"]
            .as_str()
            .unwrap_or("the peer run did not report");
        fig.note.push_str(&format!("; peer not measured: {why}"));
    }
    let mut details = w.clone();
    if let Some(obj) = details.as_object_mut() {
        obj.remove("docs");
    }
    fig.details = details;
    fig
}

/// Runs `bench/browser.mjs` (Playwright + Debian's Chromium) with the time left; its JSON
/// has one key per figure id: either the measurement or `{"not_measured": reason}`.
fn browser_figures(root: &Path, server: &Path, dist: &Path, ids: &str, left: Duration) -> Value {
    let dir = root.join("bench");
    if left < Duration::from_secs(60) {
        return json!({"error": "the run's 15-minute bound was reached"});
    }
    if !dir.join("browser.mjs").exists() {
        return json!({"error": "bench/browser.mjs is missing"});
    }
    if !dir.join("node_modules").exists()
        && let Err(e) = util::run(util::command("npm").current_dir(&dir).arg("ci"))
    {
        return json!({"error": format!("npm ci in bench/: {e}")});
    }
    let wire_docs = run_for(
        Command::new(root.join("target/server/cunju-bench")).args(["wire", "--events", "100"]),
        Duration::from_secs(60),
    )
    .and_then(|o| last_json(&o))
    .map(|w| w["docs"].clone())
    .unwrap_or(Value::Null);
    let docs_path =
        std::env::temp_dir().join(format!("cunju-bench-docs-{}.json", std::process::id()));
    let _ = std::fs::write(&docs_path, wire_docs.to_string());
    let budget = left.saturating_sub(Duration::from_secs(20));
    let mut cmd = util::command("node");
    cmd.current_dir(&dir)
        .arg("browser.mjs")
        .env("CUNJU_SERVER_BIN", server)
        .env("CUNJU_DIST", dist)
        .env("CUNJU_BENCH_ONLY", ids)
        .env("CUNJU_BENCH_PORT", (PORT + 1).to_string())
        .env("CUNJU_BENCH_DOCS", &docs_path)
        .env("CUNJU_BENCH_SECONDS", budget.as_secs().to_string());
    let out = run_for(&mut cmd, budget).and_then(|o| last_json(&o));
    let _ = std::fs::remove_file(&docs_path);
    out.unwrap_or_else(|e| json!({"error": e}))
}

fn browser_figure(id: &str, name: &str, budget: &str, browser: &Value) -> Figure {
    let fig = Figure::new(id, name, budget);
    if let Some(e) = browser["error"].as_str() {
        return fig.not_measured(format!("browser run: {e}"));
    }
    let r = &browser[id];
    if r.is_null() {
        return fig.not_measured("the browser run did not report it");
    }
    if let Some(why) = r["not_measured"].as_str() {
        return fig.not_measured(why);
    }
    browser_value(fig, r)
}

/// Reads a browser figure: `value` and `unit` (ms, s, ratio), `budget` as a number in that
/// unit, and `peer` for a ratio to the peer (higher is better for P5: events per second).
fn browser_value(mut fig: Figure, r: &Value) -> Figure {
    let Some(value) = r["value"].as_f64() else {
        return fig.not_measured("the browser run reported no value");
    };
    let unit = r["unit"].as_str().unwrap_or("");
    fig.value = Some(match unit {
        "ms" => format!("{value:.0} ms"),
        "s" => format!("{value:.2} s"),
        "x" => format!("{value:.2}x"),
        "ev/s" => format!("{value:.0} ev/s"),
        _ => format!("{value}"),
    });
    if let Some(met) = r["met"].as_bool() {
        fig.met = Some(met);
    } else if let Some(budget) = r["budget"].as_f64() {
        fig.met = Some(if r["higher_is_better"].as_bool() == Some(true) {
            value >= budget
        } else {
            value <= budget
        });
    }
    if let Some(ratio) = r["ratio"].as_f64() {
        fig.ratio = format!("{ratio:.2}x");
    }
    fig.note = r["note"].as_str().unwrap_or("").to_string();
    fig.details = r.clone();
    fig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 99.0), Some(99.0));
        assert_eq!(percentile(&v, 95.0), Some(95.0));
        assert_eq!(percentile(&v, 100.0), Some(100.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[5.0, 1.0, 3.0], 50.0), Some(3.0));
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
        // Unsorted input, a single slow outlier among 200 lands in p99.5 but not p99.
        let mut w = vec![10.0; 199];
        w.push(900.0);
        w.reverse();
        assert_eq!(percentile(&w, 99.0), Some(10.0));
        assert_eq!(percentile(&w, 99.5), Some(10.0));
        assert_eq!(percentile(&w, 99.9), Some(900.0));
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn table_has_aligned_columns_and_says_not_measured() {
        let mut a = Figure::new("P1", "first visit", "≤ 400 KB");
        a.value = Some("123.4 KB".into());
        a.met = Some(true);
        let mut b = Figure::new("P5", "sync 50,000 events", "≥ 3x faster than peer");
        b.value = Some("900 ev/s".into());
        b.met = Some(false);
        b.ratio = "1.20x".into();
        let c = Figure::new("P2", "reload", "≤ 1.5 s").not_measured("no time");
        let table = format_table(&[a, b, c]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 5, "{table}");
        let widths: Vec<usize> = lines.iter().map(|l| width(l)).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{table}");
        assert!(lines[0].starts_with("| id "));
        assert!(lines[1].starts_with("|----"));
        assert!(lines[2].contains("| yes "));
        assert!(lines[3].contains("MISSED") && lines[3].contains("1.20x"));
        assert!(lines[4].contains("not measured") && lines[4].contains("no time"));
        // Column separators line up on every row.
        let bars = |l: &str| {
            let mut col = 0;
            let mut at = Vec::new();
            for ch in l.chars() {
                if ch == '|' {
                    at.push(col);
                }
                col += char_width(ch);
            }
            at
        };
        assert!(lines.iter().all(|l| bars(l) == bars(lines[0])), "{table}");
    }

    #[test]
    fn load_result_takes_the_median_round_and_counts_errors() {
        let run = |slow: f64, errors: u64| {
            json!({
                "push_ms": (0..99).map(|_| 10.0).chain([slow]).collect::<Vec<f64>>(),
                "pull_ms": [5.0],
                "errors": errors,
                "error_samples": [],
                "wall_s": 1.0,
                "events_per_s": 100.0,
            })
        };
        let result = json!({"backend": "sqlite", "devices": 100,
                   "alone": {"devices": 3, "errors": 0, "push_ms": [7.0, 9.0, 8.0], "pull_ms": [3.0]},
                   "runs": [run(400.0, 0), run(300.0, 1), run(20.0, 0)]});
        let fig = load_result(Figure::new("P6", "x", "p99 ≤ 250 ms, 0 errors"), result);
        // p99 of 101 samples is the 100th smallest: 10 or 20 below the slow one.
        assert_eq!(fig.value.as_deref(), Some("p99 10 ms, 1 errors"));
        assert_eq!(fig.met, Some(false), "an error misses the budget");
        assert!(
            fig.note.contains("all 100 devices started at once")
                && fig.note.contains("push p99 9 ms, pull p99 3 ms"),
            "{}",
            fig.note
        );
        assert_eq!(fig.details["alone"]["push_p50_ms"], 8.0);
    }

    #[test]
    fn browser_figure_reads_value_budget_and_ratio() {
        let browser = json!({
            "P3": {"value": 42.4, "unit": "ms", "budget": 50, "note": "1000 ticks"},
            "P5": {"value": 2000.0, "unit": "ev/s", "ratio": 1.5, "met": false},
            "P7": {"not_measured": "no hook"},
        });
        let p3 = browser_figure("P3", "tick", "≤ 50 ms", &browser);
        assert_eq!(p3.value.as_deref(), Some("42 ms"));
        assert_eq!(p3.met, Some(true));
        let p5 = browser_figure("P5", "sync", "≥ 3x faster than peer", &browser);
        assert_eq!(p5.value.as_deref(), Some("2000 ev/s"));
        assert_eq!((p5.met, p5.ratio.as_str()), (Some(false), "1.50x"));
        let p7 = browser_figure("P7", "writes", "ratio ≤ 1.5", &browser);
        assert_eq!((p7.value, p7.note.as_str()), (None, "no hook"));
        let p2 = browser_figure("P2", "reload", "≤ 1.5 s", &browser);
        assert!(p2.value.is_none() && !p2.note.is_empty());
        let err = browser_figure("P3", "tick", "≤ 50 ms", &json!({"error": "no chromium"}));
        assert!(err.value.is_none() && err.note.contains("no chromium"));
    }
}
