//! Crash safety. The real `cunju-server` binary serves several devices that push continuously;
//! at seeded random moments it is killed with SIGKILL (no shutdown, no flush) and started again
//! on the same database, many times. Once the kills stop, the devices finish their pushes.
//! Then every event a device saw acknowledged (accepted or duplicate) must be stored exactly
//! once, nothing else may be stored, every device chain must verify, and every device must pull
//! the same events.
//!
//! Runs on SQLite, and on PostgreSQL when `CUNJU_TEST_POSTGRES_URL` is set. The kill schedule,
//! batch sizes and event counts come from one seed (`CUNJU_CRASH_SEED` overrides); where a kill
//! lands inside a push depends on timing, which is the point.

mod common;
mod reliability;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Db, Device};
use cunju_domain::event::Event;
use cunju_domain::sync::{LoginResponse, PushResponse, PushStatus};
use cunju_server::seed;
use cunju_server::store::{Store, db_text};
use cunju_server::verify::verify;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reliability::Server;
use serde_json::{Value, json};

on_both_databases!(acknowledged_events_survive_sigkill);

const DEFAULT_SEED: u64 = 0x005E_ED0C_4A5E;
const VILLAGE: &str = "5099001001";
const DEVICES: usize = 4;
const KILLS: usize = 12;
/// Time the server runs between a restart and the next kill.
const UP_MS: std::ops::Range<u64> = 60..400;

/// What one device knows at the end: the events it made and which the server acknowledged.
struct DeviceReport {
    created: Vec<Event>,
    acknowledged: BTreeSet<String>,
    failed_requests: usize,
}

async fn acknowledged_events_survive_sigkill(db: Db) {
    let seed: u64 = std::env::var("CUNJU_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    println!("crash [{db:?}] seed {seed}");
    let started = Instant::now();
    // The harness gives a fresh database (and drops it at the end); its in-process server is
    // not used: the binary below serves the same database.
    let h = common::Harness::start(db).await;
    h.demo_units().await;
    for i in 0..DEVICES {
        let row = seed::new_user(
            &format!("official{i}"),
            common::PASSWORD,
            "village_official",
            VILLAGE,
            "村干部",
        )
        .unwrap();
        h.store.insert_user(&row, 0).await.unwrap();
    }
    let dir = std::env::temp_dir().join(format!("cunju-crash-{}-{seed}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Server::new(&h.db_url, &dir);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    server.start();
    server.wait_ready(&http).await;
    let base = format!("http://127.0.0.1:{}", server.port);

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let killing = Arc::new(AtomicBool::new(true));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..DEVICES {
        let login: LoginResponse = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": format!("official{i}"), "password": common::PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let device = Device::new(&format!("phone{i}"), &login.profile);
        tasks.push(tokio::spawn(run_device(
            device,
            http.clone(),
            base.clone(),
            login.token,
            ChaCha8Rng::seed_from_u64(rng.r#gen()),
            killing.clone(),
            in_flight.clone(),
        )));
    }

    let mut kills_mid_push = 0;
    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(UP_MS))).await;
        if in_flight.load(Ordering::SeqCst) > 0 {
            kills_mid_push += 1;
        }
        server.kill();
        server.start();
        server.wait_ready(&http).await;
    }
    killing.store(false, Ordering::SeqCst);
    let mut reports = Vec::new();
    for t in tasks {
        reports.push(t.await.expect("device task"));
    }
    let pushed_for = started.elapsed();

    // Exactly once: the stored rows are exactly the created events, each device 1..=n.
    let stored = stored_rows(&h.store).await;
    let mut created: BTreeMap<String, String> = BTreeMap::new();
    let mut acknowledged = 0;
    let mut failed = 0;
    for r in &reports {
        for e in &r.created {
            created.insert(db_text(&e.id), db_text(&e.hash));
        }
        for id in &r.acknowledged {
            assert!(stored.contains_key(id), "acknowledged event {id} was lost");
        }
        acknowledged += r.acknowledged.len();
        failed += r.failed_requests;
        let device = db_text(&r.created[0].device);
        let seqs = device_seqs(&h.store, &device).await;
        let expect: Vec<i64> = (1..=r.created.len() as i64).collect();
        assert_eq!(seqs, expect, "device {device}: every seq once, no gap");
    }
    assert_eq!(stored, created, "stored = created, each exactly once");
    assert_eq!(acknowledged, created.len(), "the devices finished");
    let breaks = verify(&h.store).await.unwrap();
    assert!(breaks.is_empty(), "hash chains intact: {breaks:?}");
    let rejections = count(&h.store, "SELECT COUNT(*) FROM rejections").await;
    assert_eq!(rejections, 0, "a retried push is never refused");

    // Converge: every device pulls the same events, equal to what was created.
    for i in 0..DEVICES {
        let token = login_token(&http, &base, &format!("official{i}")).await;
        let pulled = pull_all(&http, &base, &token, created.len()).await;
        assert_eq!(
            pulled, created,
            "device {i} converges on the created events"
        );
    }
    server.kill();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "crash [{db:?}]: {} events from {DEVICES} devices, {KILLS} SIGKILLs ({kills_mid_push} with a push in flight, \
         {failed} requests cut off), pushed in {:.1} s, checked in {:.1} s",
        created.len(),
        pushed_for.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failed > 0 && kills_mid_push > 0,
        "some kills must cut pushes off"
    );
}

/// A device writes events while the server is being killed, and pushes them in random batches;
/// a push whose answer never came is simply retried. When the killing stops it drains.
async fn run_device(
    mut device: Device,
    http: reqwest::Client,
    base: String,
    token: String,
    mut rng: ChaCha8Rng,
    killing: Arc<AtomicBool>,
    in_flight: Arc<AtomicUsize>,
) -> DeviceReport {
    let mut created: Vec<Event> = Vec::new();
    let mut pending: Vec<Event> = Vec::new();
    let mut acknowledged = BTreeSet::new();
    let mut failed_requests = 0;
    loop {
        let still_killing = killing.load(Ordering::SeqCst);
        if still_killing {
            for _ in 0..rng.gen_range(1..6) {
                let e = device.event(VILLAGE, created.len() as u64);
                created.push(e.clone());
                pending.push(e);
            }
        } else if pending.is_empty() {
            return DeviceReport {
                created,
                acknowledged,
                failed_requests,
            };
        }
        let take = rng.gen_range(1..=pending.len().min(40));
        let batch: Vec<Event> = pending[..take].to_vec();
        in_flight.fetch_add(1, Ordering::SeqCst);
        let res = http
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(&token)
            .json(&json!({ "events": batch }))
            .send()
            .await;
        let answer = match res {
            Ok(r) if r.status() == 200 => r.json::<PushResponse>().await.ok(),
            Ok(r) => panic!("push answered {}: {:?}", r.status(), r.text().await),
            Err(_) => None,
        };
        in_flight.fetch_sub(1, Ordering::SeqCst);
        match answer {
            Some(answer) => {
                for outcome in &answer.results {
                    match &outcome.status {
                        PushStatus::Accepted | PushStatus::Duplicate => {
                            acknowledged.insert(db_text(&outcome.id));
                        }
                        PushStatus::Rejected { reason, detail } => {
                            panic!("a retried push was refused: {reason:?} {detail}")
                        }
                    }
                }
                pending.retain(|e| !acknowledged.contains(&db_text(&e.id)));
            }
            None => {
                failed_requests += 1;
                tokio::time::sleep(Duration::from_millis(rng.gen_range(5..40))).await;
            }
        }
    }
}

async fn login_token(http: &reqwest::Client, base: &str, username: &str) -> String {
    let login: LoginResponse = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": common::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login.token
}

/// Every event the user receives (id → hash), following the cursor; waits (PostgreSQL serves a
/// commit only once older transactions in the cluster end) until `expect` events have arrived.
async fn pull_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    expect: usize,
) -> BTreeMap<String, String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut out = BTreeMap::new();
    let mut cursor = 0u64;
    loop {
        let page: Value = http
            .get(format!("{base}/api/v1/sync/pull?after={cursor}&limit=1000"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for e in page["events"].as_array().unwrap() {
            if e["body"]["kind"] == "note" {
                let id = e["id"].as_str().unwrap().to_string();
                let hash = e["hash"].as_str().unwrap().to_string();
                assert!(out.insert(id, hash).is_none(), "an event pulled twice");
            }
        }
        cursor = page["next"].as_u64().unwrap();
        if !page["more"].as_bool().unwrap() {
            if out.len() >= expect || Instant::now() > deadline {
                return out;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The devices' events as stored (id → hash); the server's own unit events left out.
async fn stored_rows(store: &Store) -> BTreeMap<String, String> {
    let sql = "SELECT id, hash FROM events WHERE kind = 'note'";
    let rows: Vec<(String, String)> = match store {
        Store::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    };
    let n = rows.len();
    let map: BTreeMap<_, _> = rows.into_iter().collect();
    assert_eq!(map.len(), n, "an id stored twice");
    map
}

async fn device_seqs(store: &Store, device: &str) -> Vec<i64> {
    let sql = "SELECT seq FROM events WHERE device = $1 ORDER BY seq";
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(device)
            .fetch_all(p)
            .await
            .unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(sql)
            .bind(device)
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}
