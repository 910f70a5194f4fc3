//! `cunju-bench`: the native parts of `cargo xtask bench` (issue 9).
//!
//! - `wire` (P8): the bytes of a realistic push body, as JSON and gzip-compressed, per event.
//! - `load` (P6): spawns `cunju-server` (profile `server`) on a fresh database (SQLite file, or a fresh
//!   PostgreSQL schema), seeds the demo district, signs in one village official per village, then
//!   lets N concurrent simulated devices each push a batch of events and pull what is new.
//!
//! Both print one JSON object on standard output; `xtask/src/bench.rs` computes percentiles and
//! prints the table. Every number comes from this run: nothing is estimated.

mod events;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cunju_domain::event::Event;
use cunju_domain::sync::{
    LoginResponse, MAX_PULL_LIMIT, PullParams, PushRequest, PushResponse, PushStatus,
};
use serde_json::{Value, json};

const PASSWORD: &str = "bench-password-1";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("wire") => wire(&args[1..]),
        Some("load") => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|rt| rt.block_on(load(&args[1..]))),
        _ => Err("usage: cunju-bench wire [--events N] | load --server-bin PATH (--sqlite-dir DIR | --postgres URL) --port P [--devices N] [--events N] [--rounds R]".into()),
    };
    match result {
        Ok(value) => println!("{value}"),
        Err(message) => {
            eprintln!("cunju-bench: {message}");
            std::process::exit(1);
        }
    }
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn number(args: &[String], name: &str, default: usize) -> Result<usize, String> {
    flag(args, name).map_or(Ok(default), |v| {
        v.parse().map_err(|_| format!("{name}: not a number: {v}"))
    })
}

/// gzip (level 6, what a server or `CompressionStream` typically uses) of `bytes`.
pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory").len()
}

/// P8: one device's push of N realistic events (residents recorded, family links, visit notes),
/// exactly as `POST /api/v1/sync/push` carries it.
fn wire(args: &[String]) -> Result<Value, String> {
    let n = number(args, "--events", 100)?;
    let unit = "5099001001".parse().expect("valid unit");
    let actor = "ubenchwire".parse().expect("valid user");
    let events = events::device_events(7, 0, &actor, &unit, n, 1_764_000_000_000);
    let body = serde_json::to_vec(&PushRequest {
        events: events.clone(),
    })
    .map_err(|e| e.to_string())?;
    let gz = gzip_len(&body);
    // The same content as the peer's documents (see bench/peer.mjs): one JSON object per event.
    let kinds = events.iter().fold(
        std::collections::BTreeMap::<String, usize>::new(),
        |mut m, e| {
            *m.entry(e.body.kind_name().to_string()).or_default() += 1;
            m
        },
    );
    Ok(json!({
        "events": n,
        "json_bytes": body.len(),
        "gzip_bytes": gz,
        "json_bytes_per_event": body.len() as f64 / n as f64,
        "gzip_bytes_per_event": gz as f64 / n as f64,
        "kinds": kinds,
        "docs": events.iter().map(events::peer_doc).collect::<Vec<_>>(),
    }))
}

/// The server process; killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn cli(server_bin: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(server_bin)
        .args(args)
        .env("CUNJU_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .output()
        .map_err(|e| format!("cannot run {server_bin}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{server_bin} {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

fn psql(admin: &str, sql: &str) -> Result<(), String> {
    let out = Command::new("psql")
        .args([admin, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "psql: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Drops the PostgreSQL schema or SQLite directory when the run ends, however it ends.
enum Cleanup {
    Dir(std::path::PathBuf),
    Schema { admin: String, schema: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Schema { admin, schema } => {
                let _ = psql(admin, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

struct Sample {
    push: bool,
    ms: f64,
    error: Option<String>,
}

async fn load(args: &[String]) -> Result<Value, String> {
    let server_bin = flag(args, "--server-bin").ok_or("--server-bin is required")?;
    let port = number(args, "--port", 18131)?;
    let devices = number(args, "--devices", 500)?;
    let per_device = number(args, "--events", 100)?;
    let rounds = number(args, "--rounds", 3)?;
    let tag = format!("cunju_bench_{}", std::process::id());
    let (db, _cleanup, backend) = if let Some(admin) = flag(args, "--postgres") {
        psql(&admin, &format!("CREATE SCHEMA {tag}"))?;
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-c%20search_path%3D{tag}");
        (
            url,
            Cleanup::Schema {
                admin,
                schema: tag.clone(),
            },
            "postgresql",
        )
    } else {
        let base = flag(args, "--sqlite-dir").ok_or("--sqlite-dir or --postgres is required")?;
        let dir = std::path::PathBuf::from(base).join(&tag);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        (
            format!("sqlite://{}/cunju.db", dir.display()),
            Cleanup::Dir(dir),
            "sqlite",
        )
    };

    // The demo district (20,000 residents), and one village official per village and community.
    let seed_started = Instant::now();
    cli(&server_bin, &["seed-demo", "--db", &db])?;
    let seed_s = seed_started.elapsed().as_secs_f64();
    let csv = cli(&server_bin, &["units", "export", "--db", &db])?;
    let villages: Vec<String> = csv
        .lines()
        .filter_map(|line| line.trim_start_matches('\u{feff}').split(',').next())
        .filter(|code| code.len() == 10 && code.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    if villages.is_empty() {
        return Err("the demo district has no villages".into());
    }
    for (i, code) in villages.iter().enumerate() {
        cli(
            &server_bin,
            &[
                "user",
                "add",
                "--db",
                &db,
                "--username",
                &format!("bench-v{i:02}"),
                "--role",
                "village_official",
                "--scope",
                code,
                "--name",
                &format!("压测村干{i:02}"),
            ],
        )?;
    }

    let listen = format!("127.0.0.1:{port}");
    // A server left over on the port would answer for ours: refuse to measure it.
    drop(
        std::net::TcpListener::bind(&listen)
            .map_err(|e| format!("port {port} is taken ({e}); stop whatever listens there"))?,
    );
    let mut server = Server(
        Command::new(&server_bin)
            .args([
                "serve",
                "--listen",
                &listen,
                "--db",
                &db,
                "--static-dir",
                "/nonexistent-cunju-bench",
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?,
    );
    let base = format!("http://{listen}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(devices)
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;
    let up = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/api/v1/health")).send().await
            && r.status().is_success()
        {
            break;
        }
        if let Ok(Some(status)) = server.0.try_wait() {
            return Err(format!("the server exited at start ({status})"));
        }
        if up.elapsed() > Duration::from_secs(60) {
            return Err("the server did not answer /api/v1/health within 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Sign in every official; each has synced before, so its devices start at the head.
    let mut users = Vec::new();
    for i in 0..villages.len() {
        let res = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": format!("bench-v{i:02}"), "password": PASSWORD}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("login of bench-v{i:02}: {}", res.status()));
        }
        let login: LoginResponse = res.json().await.map_err(|e| e.to_string())?;
        let mut cursor = 0;
        loop {
            let page = pull(&http, &base, &login.token, cursor, None).await?;
            cursor = page.0;
            if !page.1 {
                break;
            }
        }
        users.push((login, cursor));
    }

    // Service time: one device at a time (no queue), one per official, so the report can say
    // how long a request takes when it does not wait behind 499 others.
    let mut alone = Vec::new();
    for (d, (login, cursor)) in users.iter().enumerate() {
        let events = events::device_events(
            u64::from(u32::MAX),
            d as u64,
            &login.profile.user,
            &login.profile.scope,
            per_device,
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
        );
        let body = push_body(events)?;
        alone.extend(device(&http, &base, &login.token, *cursor, body, per_device).await);
    }
    catch_up(&http, &base, &mut users).await?;
    let alone_errors = alone.iter().filter(|s| s.error.is_some()).count();

    let mut runs = Vec::new();
    for round in 0..rounds {
        // Every event is made (ids, hashes) before the clock starts.
        let mut plans = Vec::with_capacity(devices);
        for d in 0..devices {
            let (login, cursor) = &users[d % users.len()];
            let unit = login.profile.scope.clone();
            let events = events::device_events(
                round as u64,
                d as u64,
                &login.profile.user,
                &unit,
                per_device,
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64),
            );
            plans.push((login.token.clone(), *cursor, push_body(events)?));
        }
        let start = Arc::new(tokio::sync::Barrier::new(devices));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(devices);
        for (token, cursor, body) in plans {
            let (http, base, start) = (http.clone(), base.clone(), start.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                device(&http, &base, &token, cursor, body, per_device).await
            }));
        }
        let mut samples = Vec::new();
        for t in tasks {
            samples.extend(t.await.map_err(|e| e.to_string())?);
        }
        let wall = started.elapsed().as_secs_f64();
        // Untimed: every official's devices have now synced, so the next round starts at the head.
        catch_up(&http, &base, &mut users).await?;
        let errors: Vec<&String> = samples.iter().filter_map(|s| s.error.as_ref()).collect();
        runs.push(json!({
            "round": round,
            "wall_s": wall,
            "events_per_s": (devices * per_device) as f64 / wall,
            "requests": samples.len(),
            "errors": errors.len(),
            "error_samples": errors.iter().take(5).collect::<Vec<_>>(),
            "push_ms": samples.iter().filter(|s| s.push).map(|s| s.ms).collect::<Vec<_>>(),
            "pull_ms": samples.iter().filter(|s| !s.push).map(|s| s.ms).collect::<Vec<_>>(),
        }));
    }
    Ok(json!({
        "backend": backend,
        "devices": devices,
        "events_per_device": per_device,
        "users": users.len(),
        "seed_s": seed_s,
        "alone": {
            "devices": users.len(),
            "errors": alone_errors,
            "push_ms": alone.iter().filter(|s| s.push).map(|s| s.ms).collect::<Vec<_>>(),
            "pull_ms": alone.iter().filter(|s| !s.push).map(|s| s.ms).collect::<Vec<_>>(),
        },
        "runs": runs,
    }))
}

/// The device's id and the body of its push.
fn push_body(events: Vec<Event>) -> Result<(String, Vec<u8>), String> {
    let id = events
        .first()
        .ok_or("no events to push")?
        .device
        .to_string();
    let body = serde_json::to_vec(&PushRequest { events }).map_err(|e| e.to_string())?;
    Ok((id, body))
}

/// Moves every official's cursor to the head of the log (untimed).
async fn catch_up(
    http: &reqwest::Client,
    base: &str,
    users: &mut [(LoginResponse, u64)],
) -> Result<(), String> {
    for (login, cursor) in users.iter_mut() {
        loop {
            let page = pull(http, base, &login.token, *cursor, None).await?;
            *cursor = page.0;
            if !page.1 {
                break;
            }
        }
    }
    Ok(())
}

/// One pull page: (next cursor, more).
async fn pull(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    after: u64,
    skip_device: Option<&str>,
) -> Result<(u64, bool, usize), String> {
    let params = PullParams {
        after,
        limit: Some(MAX_PULL_LIMIT),
        skip_device: skip_device
            .map(str::parse)
            .transpose()
            .map_err(|e| format!("device id: {e}"))?,
    };
    let res = http
        .get(format!("{base}/api/v1/sync/pull?{}", params.query()))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("pull: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("pull: HTTP {}", res.status()));
    }
    let page: PullPage = res.json().await.map_err(|e| format!("pull: {e}"))?;
    Ok((page.next, page.more, page.events.len()))
}

/// What a simulated device reads of a pull page. The events are skipped over, not built: the
/// generator shares the server's two cores, so its own parsing must cost as little as it can.
#[derive(serde::Deserialize)]
struct PullPage {
    next: u64,
    #[serde(default)]
    more: bool,
    events: Vec<serde::de::IgnoredAny>,
}

/// One simulated device: push its batch, then pull until nothing more waits, as the app does:
/// its own events left out (`skip_device`).
async fn device(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    mut cursor: u64,
    (id, body): (String, Vec<u8>),
    expected: usize,
) -> Vec<Sample> {
    let mut out = Vec::new();
    let t = Instant::now();
    let res = http
        .post(format!("{base}/api/v1/sync/push"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    let error = match res {
        Err(e) => Some(format!("push: {e}")),
        Ok(r) if !r.status().is_success() => Some(format!("push: HTTP {}", r.status())),
        Ok(r) => match r.json::<PushResponse>().await {
            Err(e) => Some(format!("push: {e}")),
            Ok(p) => {
                let accepted = p
                    .results
                    .iter()
                    .filter(|o| o.status == PushStatus::Accepted)
                    .count();
                let refused = p.results.iter().find_map(|o| match &o.status {
                    PushStatus::Rejected { reason, detail } => Some(format!("{reason}: {detail}")),
                    _ => None,
                });
                (accepted != expected).then(|| {
                    format!(
                        "push: {accepted} of {expected} accepted ({})",
                        refused.unwrap_or_default()
                    )
                })
            }
        },
    };
    out.push(Sample {
        push: true,
        ms: t.elapsed().as_secs_f64() * 1000.0,
        error,
    });
    for _ in 0..1000 {
        let t = Instant::now();
        let page = pull(http, base, token, cursor, Some(&id)).await;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        match page {
            Ok((next, more, _)) => {
                out.push(Sample {
                    push: false,
                    ms,
                    error: None,
                });
                cursor = next;
                if !more {
                    break;
                }
            }
            Err(e) => {
                out.push(Sample {
                    push: false,
                    ms,
                    error: Some(e),
                });
                break;
            }
        }
    }
    out
}
