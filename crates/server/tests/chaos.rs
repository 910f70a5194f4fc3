//! Deterministic chaos test. Six simulated devices (five users) write over 5,000 events about a
//! shared set of persons while a seeded lossy network between them and the real server drops
//! requests, drops responses after the server applied them, duplicates, delays and reorders
//! deliveries; the server is restarted on the same database again and again, and device clocks
//! are skewed by up to ±48 h and jump backwards. Once the network heals, every device and the
//! server must hold exactly the events that were created, each once, with intact chains and
//! identical projections, and nothing acknowledged may ever have been lost.
//!
//! Runs on SQLite, and on PostgreSQL when `CUNJU_TEST_POSTGRES_URL` is set. Everything random
//! comes from one seed (`CUNJU_CHAOS_SEED` overrides the default), so on SQLite a seed replays
//! exactly (the printed fingerprint repeats). On PostgreSQL what a pull serves also depends on
//! other transactions in the cluster, so a run replays only on an otherwise idle cluster. A
//! summary is printed with `-- --nocapture`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::Db;
use cunju_domain::event::{
    DeviceLog, EntityKind, Event, EventBody, NewEvent, PERSON_FIELDS, Relation, Sex, verify_chain,
};
use cunju_domain::ids::{DeviceId, EntityId, EventId, Hash, UnitId};
use cunju_domain::projection::{
    Applied, EntityState, apply, canonical_order, fold_all, fold_entity,
};
use cunju_domain::sync::{
    LoginResponse, PullResponse, PushRequest, PushResponse, PushStatus, RejectReason,
};
use cunju_server::store::{Store, db_text};
use cunju_server::testing::TestServer;
use cunju_server::verify::verify;
use cunju_server::{AppState, seed};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use sqlx::postgres::PgConnectOptions;

on_both_databases!(
    devices_and_server_converge_under_chaos,
    concurrent_copies_of_one_push_agree,
);

// ---- the scenario ---------------------------------------------------------------------------

const DEFAULT_SEED: u64 = 0x00C0_FFEE_5099;
const TARGET_EVENTS: usize = 5_000;
const START_MS: u64 = 1_750_000_000_000;
const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const MAX_SKEW: i64 = 48 * HOUR;

const VILLAGE: &str = "5099001001";
/// Events land in the village and two of its groups: inside every writer's scope.
const UNITS: [&str; 3] = [VILLAGE, "509900100101", "509900100102"];

/// (username, role, scope). Every scope covers `UNITS`, so every device syncs the same set.
const ACCOUNTS: [(&str, &str, &str); 5] = [
    ("alice", "village_official", VILLAGE),
    ("bob", "village_official", VILLAGE),
    ("carol", "village_official", VILLAGE),
    ("dave", "village_official", VILLAGE),
    ("erin", "district_admin", "5099"),
];
/// The account each device is signed in as: alice has a phone and a laptop.
const DEVICE_ACCOUNT: [usize; 6] = [0, 0, 1, 2, 3, 4];
const DEVICES: usize = DEVICE_ACCOUNT.len();

/// Residents every device may record or correct without having seen them yet (two officials
/// registering the same household), so concurrent edits of one person are the rule.
const SHARED_PERSONS: usize = 12;

/// The server restarts after every this many created events (a fresh draw each time).
const RESTART_EVERY: std::ops::Range<usize> = 450..850;

// The lossy network, per request.
const P_DROP_REQUEST: f64 = 0.12;
/// Held back and delivered later, after newer requests (the client gave up on it).
const P_DELAY: f64 = 0.04;
/// The server applied the request; its answer is lost.
const P_DROP_RESPONSE: f64 = 0.12;
/// The same push delivered twice, concurrently; the same pull page delivered twice.
const P_DUPLICATE: f64 = 0.10;
/// A sync sends its batches in shuffled order, so later seqs arrive before earlier ones.
const P_REORDER: f64 = 0.30;
/// The events inside one batch are out of seq order.
const P_SHUFFLE_BATCH: f64 = 0.20;
/// After a failed request the device stops this sync (as the app does) rather than sending
/// its remaining batches, which then arrive after a gap.
const P_STOP_AFTER_FAILURE: f64 = 0.6;

// Device clocks, per device action.
const P_CLOCK_BACK: f64 = 0.010;
const P_CLOCK_RESYNC: f64 = 0.004;
const P_GO_OFFLINE: f64 = 0.010;

const NAMES: [&str; 8] = [
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强",
];
const ETHNICITIES: [&str; 4] = ["汉族", "土家族", "苗族", "回族"];
const RELATIONS: [Relation; 8] = [
    Relation::Spouse,
    Relation::Parent,
    Relation::Child,
    Relation::Sibling,
    Relation::PaternalGrandparent,
    Relation::MaternalGrandparent,
    Relation::PaternalGrandchild,
    Relation::MaternalGrandchild,
];

async fn devices_and_server_converge_under_chaos(db: Db) {
    let seed = std::env::var("CUNJU_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    // First, so that a failure can be replayed: CUNJU_CHAOS_SEED=<seed>.
    println!("chaos [{db:?}] seed {seed}");
    let started = Instant::now();
    let mut sim = Sim::new(db, seed).await;
    sim.run().await;
    let written = started.elapsed();
    sim.heal().await;
    sim.check().await;
    sim.assert_the_chaos_happened();
    println!("{}", sim.summary(started.elapsed(), written));
}

/// The network delivers one push twice at the same moment. Whichever copy commits first, the
/// other must answer `duplicate` for every event, never a rejection: on PostgreSQL the first
/// copy could commit between the second's duplicate check and its chain check, which answered
/// `broken_chain` for an event that was stored.
async fn concurrent_copies_of_one_push_agree(db: Db) {
    let h = common::Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = common::Device::new("phone", &alice.profile);
    let mut wrong = Vec::new();
    for round in 0..100 {
        let batch: Vec<Event> = (0..10)
            .map(|i| phone.event(VILLAGE, round * 10 + i))
            .collect();
        let (a, b) = tokio::join!(alice.push(&batch), alice.push(&batch));
        let (a, b) = (common::statuses(&a), common::statuses(&b));
        for ((ev, x), y) in batch.iter().zip(&a).zip(&b) {
            let mut pair = [x.as_str(), y.as_str()];
            pair.sort();
            if pair != ["accepted", "duplicate"] {
                wrong.push(format!("seq {}: {x} / {y}", ev.seq));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong outcomes: {wrong:?}",
        wrong.len()
    );
}

// ---- the server and its database, restartable ----------------------------------------------

enum Place {
    Sqlite { dir: PathBuf, url: String },
    Postgres { url: String, schema: String },
}

/// The real server on a database that outlives it: `restart` stops it, closes the pool, and
/// starts a new server on a new pool over the same SQLite file or PostgreSQL schema.
struct Server {
    place: Place,
    store: Store,
    running: Option<TestServer>,
    http: reqwest::Client,
}

impl Server {
    async fn create(db: Db) -> Server {
        let name = format!(
            "cunju_chaos_{}_{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        let place = match db {
            Db::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                let url = format!("sqlite://{}/cunju.db", dir.display());
                Place::Sqlite { dir, url }
            }
            Db::Postgres => {
                let url = common::postgres_url().expect("CUNJU_TEST_POSTGRES_URL");
                let admin = PgConnectOptions::from_str(&url).expect("postgres url");
                let mut conn = sqlx::ConnectOptions::connect(&admin)
                    .await
                    .expect("connect postgres");
                sqlx::query(&format!("CREATE SCHEMA {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create schema");
                Place::Postgres { url, schema: name }
            }
        };
        let store = Self::open(&place).await;
        let running = Some(Self::start(&store).await);
        Server {
            place,
            store,
            running,
            http: reqwest::Client::new(),
        }
    }

    async fn open(place: &Place) -> Store {
        let store = match place {
            Place::Sqlite { url, .. } => Store::connect(url).await.expect("open sqlite"),
            Place::Postgres { url, schema } => {
                let options = PgConnectOptions::from_str(url)
                    .expect("postgres url")
                    .options([("search_path", schema.as_str())]);
                Store::connect_postgres(options).await.expect("pool")
            }
        };
        store.migrate().await.expect("migrate on start");
        store
    }

    async fn start(store: &Store) -> TestServer {
        TestServer::start(AppState {
            store: store.clone(),
            static_dir: None,
        })
        .await
    }

    async fn restart(&mut self) {
        // Stop listening, drop the clients' kept-alive connections to the old instance, close
        // its database pool; then a new instance on the same database, on a new port.
        self.running = None;
        self.http = reqwest::Client::new();
        self.store.close().await;
        self.store = Self::open(&self.place).await;
        self.running = Some(Self::start(&self.store).await);
    }

    fn url(&self, path: &str) -> String {
        self.running.as_ref().expect("server running").url(path)
    }

    async fn login(&self, username: &str) -> LoginResponse {
        let res = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": common::PASSWORD}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), 200, "login of {username}");
        res.json().await.expect("login response")
    }

    /// One push over HTTP; anything but 200 fails the test (the server must never error).
    async fn push(&self, token: &str, events: &[Event]) -> PushResponse {
        let res = self
            .http
            .post(self.url("/api/v1/sync/push"))
            .bearer_auth(token)
            .json(&PushRequest {
                events: events.to_vec(),
            })
            .send()
            .await
            .expect("push request");
        let status = res.status();
        if status != 200 {
            panic!(
                "push of {} events answered {status}: {}",
                events.len(),
                res.text().await.unwrap_or_default()
            );
        }
        let response: PushResponse = res.json().await.expect("push response");
        let sent: Vec<EventId> = events.iter().map(|e| e.id).collect();
        let answered: Vec<EventId> = response.results.iter().map(|o| o.id).collect();
        assert_eq!(answered, sent, "one outcome per event, in the order pushed");
        response
    }

    async fn pull(&self, token: &str, after: u64, limit: u32) -> PullResponse {
        let res = self
            .http
            .get(self.url(&format!("/api/v1/sync/pull?after={after}&limit={limit}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("pull request");
        let status = res.status();
        if status != 200 {
            panic!(
                "pull after {after} answered {status}: {}",
                res.text().await.unwrap_or_default()
            );
        }
        let page: PullResponse = res.json().await.expect("pull response");
        assert!(
            page.events.len() <= limit as usize,
            "a page respects its limit"
        );
        page
    }

    async fn outstanding_rejections(&self, token: &str) -> Vec<Value> {
        let res = self
            .http
            .get(self.url("/api/v1/sync/rejections"))
            .bearer_auth(token)
            .send()
            .await
            .expect("rejections request");
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.expect("rejections response");
        body["rejections"].as_array().cloned().unwrap_or_default()
    }

    /// Ids of every stored event, read straight from the database.
    async fn stored_ids(&self) -> BTreeSet<String> {
        let sql = "SELECT id FROM events";
        let ids: Vec<String> = match &self.store {
            Store::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
            Store::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
        }
        .expect("read stored ids");
        ids.into_iter().collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.running = None;
        match &self.place {
            Place::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::Postgres { url, schema } => {
                common::drop_schema_blocking(self.store.clone(), url.clone(), schema.clone());
            }
        }
    }
}

// ---- a simulated device -----------------------------------------------------------------------

/// One installation of the app: its log, everything it holds, what the server has not yet
/// acknowledged, its pull cursor, its skewed clock, and its projection kept up to date the way
/// the app does it (`apply`, re-folding the entity on `Applied::Refold`).
struct SimDevice {
    name: String,
    account: usize,
    log: DeviceLog,
    /// Added to the true time: what this device's wall clock reads.
    skew_ms: i64,
    /// No network until this (true) time.
    offline_until: u64,
    held: BTreeMap<EventId, Event>,
    /// Own events not acknowledged (accepted or duplicate) by the server, by seq.
    pending: BTreeMap<u64, Event>,
    cursor: u64,
    view: BTreeMap<EntityId, EntityState>,
    by_entity: BTreeMap<EntityId, Vec<Event>>,
    /// Persons this device knows of, in the order it learnt them.
    persons: Vec<EntityId>,
    known: BTreeSet<EntityId>,
    next_person: u32,
}

impl SimDevice {
    fn clock(&self, now: u64) -> u64 {
        now.saturating_add_signed(self.skew_ms)
    }

    /// Stores an event (own or received) once and folds it into the projection. An event that
    /// sorts before what its entity already folded marks the entity in `refold` instead (the
    /// caller re-folds each marked entity once, after the page). Returns false if the event was
    /// already held, after checking the copy is identical.
    fn hold(&mut self, ev: &Event, refold: &mut BTreeSet<EntityId>) -> bool {
        if let Some(old) = self.held.get(&ev.id) {
            assert_eq!(
                old, ev,
                "{}: event {} arrived again with different content",
                self.name, ev.id
            );
            return false;
        }
        self.by_entity
            .entry(ev.entity.clone())
            .or_default()
            .push(ev.clone());
        if !refold.contains(&ev.entity) {
            let mut state = self.view.remove(&ev.entity);
            if apply(&mut state, ev) == Applied::Refold {
                refold.insert(ev.entity.clone());
            }
            if let Some(state) = state {
                self.view.insert(ev.entity.clone(), state);
            }
        }
        if EntityKind::of(&ev.entity) == Some(EntityKind::Person)
            && self.known.insert(ev.entity.clone())
        {
            self.persons.push(ev.entity.clone());
        }
        self.held.insert(ev.id, ev.clone());
        true
    }

    /// Re-folds each marked entity from all its held events.
    fn refold(&mut self, entities: BTreeSet<EntityId>, stats: &mut Stats) {
        for entity in entities {
            stats.refolds += 1;
            match fold_entity(&self.by_entity[&entity]) {
                Some(state) => self.view.insert(entity, state),
                None => self.view.remove(&entity),
            };
        }
    }
}

// ---- counters ---------------------------------------------------------------------------------

#[derive(Default)]
struct Stats {
    push_requests: usize,
    pull_requests: usize,
    dropped_requests: usize,
    dropped_responses: usize,
    duplicated_pushes: usize,
    duplicated_pages: usize,
    delayed_pushes: usize,
    delivered_late: usize,
    stale_replays: usize,
    reordered_syncs: usize,
    shuffled_batches: usize,
    offline_skips: usize,
    offline_stretches: usize,
    accepted: usize,
    duplicate: usize,
    rejected: BTreeMap<&'static str, usize>,
    restarts: usize,
    clock_jumps_back: usize,
    clock_resyncs: usize,
    received: usize,
    received_again: usize,
    refolds: usize,
    heal_rounds: usize,
    push_time: Duration,
    pull_time: Duration,
    restart_time: Duration,
}

impl Stats {
    fn tally(&mut self, response: &PushResponse) {
        for outcome in &response.results {
            match &outcome.status {
                PushStatus::Accepted => self.accepted += 1,
                PushStatus::Duplicate => self.duplicate += 1,
                PushStatus::Rejected { reason, .. } => {
                    *self.rejected.entry(reason.code()).or_default() += 1
                }
            }
        }
    }
}

fn acknowledged(status: &PushStatus) -> bool {
    matches!(status, PushStatus::Accepted | PushStatus::Duplicate)
}

// ---- the simulation ---------------------------------------------------------------------------

struct Account {
    username: &'static str,
    token: String,
}

struct Sim {
    db: Db,
    seed: u64,
    rng: ChaCha8Rng,
    server: Server,
    accounts: Vec<Account>,
    /// A district admin who writes nothing: reads the server's whole log at the end.
    auditor: Account,
    devices: Vec<SimDevice>,
    /// Every event any device created.
    created: BTreeMap<EventId, Event>,
    /// Every event the server acknowledged (accepted or duplicate) to its device.
    acked: BTreeSet<EventId>,
    /// Every event the server answered `accepted` for: each must be accepted exactly once.
    accepted: BTreeSet<EventId>,
    /// Pushes held back by the network: (account, batch).
    delayed: Vec<(usize, Vec<Event>)>,
    /// The true time, in ms.
    now: u64,
    lossy: bool,
    stats: Stats,
}

impl Sim {
    async fn new(db: Db, seed: u64) -> Sim {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let server = Server::create(db).await;
        let mut accounts = Vec::new();
        for (username, role, scope) in
            ACCOUNTS
                .into_iter()
                .chain([("audit", "district_admin", "5099")])
        {
            let mut row =
                seed::new_user(username, common::PASSWORD, role, scope, username).expect("user");
            // Fixed ids keep the events, and so the run, identical for one seed.
            row.id = format!("u-chaos-{username}");
            server
                .store
                .insert_user(&row, 0)
                .await
                .expect("insert user");
            let login = server.login(username).await;
            assert_eq!(login.profile.user.as_str(), row.id);
            accounts.push(Account {
                username,
                token: login.token,
            });
        }
        let auditor = accounts.pop().expect("auditor");
        let devices = DEVICE_ACCOUNT
            .iter()
            .enumerate()
            .map(|(i, &account)| {
                // The extremes for sure: alice's phone is 48 h ahead, her laptop 48 h behind.
                let skew_ms = match i {
                    0 => MAX_SKEW,
                    1 => -MAX_SKEW,
                    _ => rng.gen_range(-MAX_SKEW..=MAX_SKEW),
                };
                let name = format!("chaos-d{i}");
                SimDevice {
                    log: DeviceLog::new(name.parse::<DeviceId>().expect("device id")),
                    name,
                    account,
                    skew_ms,
                    offline_until: 0,
                    held: BTreeMap::new(),
                    pending: BTreeMap::new(),
                    cursor: 0,
                    view: BTreeMap::new(),
                    by_entity: BTreeMap::new(),
                    persons: Vec::new(),
                    known: BTreeSet::new(),
                    next_person: 0,
                }
            })
            .collect();
        Sim {
            db,
            seed,
            rng,
            server,
            accounts,
            auditor,
            devices,
            created: BTreeMap::new(),
            acked: BTreeSet::new(),
            accepted: BTreeSet::new(),
            delayed: Vec::new(),
            now: START_MS,
            lossy: true,
            stats: Stats::default(),
        }
    }

    /// The seeded schedule: writes, syncs over the lossy network, late deliveries, clock jumps
    /// and server restarts, interleaved until enough events exist.
    async fn run(&mut self) {
        let mut next_restart = self.rng.gen_range(RESTART_EVERY);
        while self.created.len() < TARGET_EVENTS {
            self.now += self.rng.gen_range(0..2_000);
            if self.created.len() >= next_restart {
                self.restart().await;
                next_restart += self.rng.gen_range(RESTART_EVERY);
            }
            // A few stay held back to the very end, to arrive after convergence.
            if self.delayed.len() > 3 && self.rng.gen_bool(0.08) {
                self.deliver_late().await;
            }
            let d = self.rng.gen_range(0..DEVICES);
            self.disturb_clock_and_link(d);
            match self.rng.gen_range(0..100) {
                0..60 => {
                    for _ in 0..self.rng.gen_range(1..=6) {
                        self.write(d);
                    }
                }
                60..75 => self.push(d).await,
                75..87 => self.pull(d).await,
                87..97 => {
                    self.push(d).await;
                    self.pull(d).await;
                }
                _ => {}
            }
        }
        // One more restart with work pending everywhere.
        self.restart().await;
    }

    fn disturb_clock_and_link(&mut self, d: usize) {
        let rng = &mut self.rng;
        let dev = &mut self.devices[d];
        if rng.gen_bool(P_CLOCK_BACK) {
            let back = rng.gen_range(MINUTE..=12 * HOUR);
            dev.skew_ms = (dev.skew_ms - back).max(-MAX_SKEW);
            self.stats.clock_jumps_back += 1;
        }
        if rng.gen_bool(P_CLOCK_RESYNC) {
            // A network time fix, or a user setting the clock: anywhere within ±48 h.
            dev.skew_ms = rng.gen_range(-MAX_SKEW..=MAX_SKEW);
            self.stats.clock_resyncs += 1;
        }
        if dev.offline_until <= self.now && rng.gen_bool(P_GO_OFFLINE) {
            dev.offline_until = self.now + rng.gen_range(20 * SECOND..=10 * MINUTE) as u64;
            self.stats.offline_stretches += 1;
        }
    }

    /// One user action on device `d`: a new event on its log, kept pending until acknowledged.
    fn write(&mut self, d: usize) {
        let rng = &mut self.rng;
        let dev = &mut self.devices[d];
        let (entity, body) = random_body(rng, dev);
        let draft = NewEvent {
            actor: format!("u-chaos-{}", self.accounts[dev.account].username)
                .parse()
                .expect("user id"),
            unit: UNITS[rng.gen_range(0..UNITS.len())]
                .parse::<UnitId>()
                .expect("unit"),
            entity,
            body,
        };
        draft
            .validate()
            .expect("the simulation writes valid events");
        let ev = dev.log.append(draft, dev.clock(self.now), rng.r#gen());
        assert!(
            self.created.insert(ev.id, ev.clone()).is_none(),
            "event id {} made twice",
            ev.id
        );
        dev.pending.insert(ev.seq, ev.clone());
        let mut refold = BTreeSet::new();
        assert!(dev.hold(&ev, &mut refold));
        assert!(
            refold.is_empty(),
            "a new local event sorts after all it holds"
        );
    }

    /// Sends one push through the network. `None` when the client sees a failure: the request
    /// was dropped or held back, or the server applied it and the answer was lost.
    async fn send_push(&mut self, account: usize, batch: &[Event]) -> Option<PushResponse> {
        self.stats.push_requests += 1;
        if self.lossy && self.rng.gen_bool(P_DROP_REQUEST) {
            self.stats.dropped_requests += 1;
            return None;
        }
        if self.lossy && self.rng.gen_bool(P_DELAY) {
            self.stats.delayed_pushes += 1;
            self.delayed.push((account, batch.to_vec()));
            return None;
        }
        let duplicate = self.lossy && self.rng.gen_bool(P_DUPLICATE);
        let token = &self.accounts[account].token;
        let started = Instant::now();
        let response = if duplicate {
            let (a, b) = tokio::join!(
                self.server.push(token, batch),
                self.server.push(token, batch)
            );
            for ((ev, x), y) in batch.iter().zip(&a.results).zip(&b.results) {
                assert_eq!(
                    acknowledged(&x.status),
                    acknowledged(&y.status),
                    "two copies of one push disagree on event {} seq {}: {:?} / {:?}",
                    ev.id,
                    ev.seq,
                    x.status,
                    y.status
                );
            }
            self.stats.duplicated_pushes += 1;
            self.record(&b);
            a
        } else {
            self.server.push(token, batch).await
        };
        self.stats.push_time += started.elapsed();
        self.record(&response);
        if self.lossy && self.rng.gen_bool(P_DROP_RESPONSE) {
            self.stats.dropped_responses += 1;
            return None;
        }
        Some(response)
    }

    /// What the server answered, whether or not the client gets to read it.
    fn record(&mut self, response: &PushResponse) {
        self.stats.tally(response);
        for outcome in &response.results {
            assert!(
                self.created.contains_key(&outcome.id),
                "an outcome for an event nobody made"
            );
            if outcome.status == PushStatus::Accepted {
                assert!(
                    self.accepted.insert(outcome.id),
                    "event {} was accepted (stored) twice",
                    outcome.id
                );
            }
        }
    }

    /// The device pushes everything pending, in batches of random size; the network may
    /// reorder the batches and the events inside one.
    async fn push(&mut self, d: usize) {
        if self.devices[d].offline_until > self.now {
            self.stats.offline_skips += 1;
            return;
        }
        let pending: Vec<Event> = self.devices[d].pending.values().cloned().collect();
        let mut batches: Vec<Vec<Event>> = Vec::new();
        let mut rest = pending.as_slice();
        while !rest.is_empty() {
            let n = self.rng.gen_range(1..=12).min(rest.len());
            batches.push(rest[..n].to_vec());
            rest = &rest[n..];
        }
        if batches.len() > 1 && self.rng.gen_bool(P_REORDER) {
            batches.shuffle(&mut self.rng);
            self.stats.reordered_syncs += 1;
        }
        for mut batch in batches {
            if batch.len() > 1 && self.rng.gen_bool(P_SHUFFLE_BATCH) {
                batch.shuffle(&mut self.rng);
                self.stats.shuffled_batches += 1;
            }
            let account = self.devices[d].account;
            let Some(response) = self.send_push(account, &batch).await else {
                // A failure: everything stays pending, retried on a later sync.
                if self.rng.gen_bool(P_STOP_AFTER_FAILURE) {
                    break;
                }
                continue;
            };
            self.take_outcomes(d, &batch, &response, false);
        }
    }

    fn take_outcomes(&mut self, d: usize, batch: &[Event], response: &PushResponse, healed: bool) {
        let dev = &mut self.devices[d];
        for (ev, outcome) in batch.iter().zip(&response.results) {
            match &outcome.status {
                PushStatus::Accepted | PushStatus::Duplicate => {
                    dev.pending.remove(&ev.seq);
                    self.acked.insert(ev.id);
                }
                // Sent before the events it follows: stays pending, pushed again later.
                PushStatus::Rejected {
                    reason: RejectReason::BrokenChain,
                    ..
                } if !healed => {}
                PushStatus::Rejected { reason, detail } => panic!(
                    "{}: event {} seq {} rejected as {reason}{}: {detail}",
                    dev.name,
                    ev.id,
                    ev.seq,
                    if healed {
                        " although sent in order on a healed network"
                    } else {
                        ""
                    }
                ),
            }
        }
    }

    /// The device pulls a few pages (an interrupted sync resumes from its cursor), each of a
    /// random small size.
    async fn pull(&mut self, d: usize) {
        if self.devices[d].offline_until > self.now {
            self.stats.offline_skips += 1;
            return;
        }
        for _ in 0..self.rng.gen_range(1..=6) {
            let limit = self.rng.gen_range(1..=60);
            let Some(page) = self.send_pull(d, limit).await else {
                break;
            };
            self.receive(d, &page);
            if self.rng.gen_bool(P_DUPLICATE) {
                // The same page delivered twice: nothing may be held twice.
                self.stats.duplicated_pages += 1;
                self.receive(d, &page);
            }
            let more = page.more;
            if !more {
                break;
            }
        }
    }

    async fn send_pull(&mut self, d: usize, limit: u32) -> Option<PullResponse> {
        self.stats.pull_requests += 1;
        if self.lossy && self.rng.gen_bool(P_DROP_REQUEST) {
            self.stats.dropped_requests += 1;
            return None;
        }
        let dev = &self.devices[d];
        let started = Instant::now();
        let page = self
            .server
            .pull(&self.accounts[dev.account].token, dev.cursor, limit)
            .await;
        self.stats.pull_time += started.elapsed();
        if self.lossy && self.rng.gen_bool(P_DROP_RESPONSE) {
            self.stats.dropped_responses += 1;
            return None;
        }
        Some(page)
    }

    fn receive(&mut self, d: usize, page: &PullResponse) {
        let dev = &mut self.devices[d];
        let local = dev.clock(self.now);
        let mut refold = BTreeSet::new();
        for ev in &page.events {
            assert!(
                ev.hash_ok(),
                "{}: pulled event {} fails its hash",
                dev.name,
                ev.id
            );
            let original = self
                .created
                .get(&ev.id)
                .unwrap_or_else(|| panic!("{}: pulled event {} nobody made", dev.name, ev.id));
            assert_eq!(original, ev, "the server altered event {}", ev.id);
            self.stats.received += 1;
            if dev.hold(ev, &mut refold) {
                dev.log.observe(ev, local);
            } else {
                self.stats.received_again += 1;
            }
        }
        dev.refold(refold, &mut self.stats);
        dev.cursor = page.next.0;
    }

    /// A push the network held back arrives now, after newer ones; nobody reads the answer.
    async fn deliver_late(&mut self) {
        let i = self.rng.gen_range(0..self.delayed.len());
        let (account, batch) = self.delayed.swap_remove(i);
        let response = self
            .server
            .push(&self.accounts[account].token, &batch)
            .await;
        self.record(&response);
        self.stats.delivered_late += 1;
    }

    async fn restart(&mut self) {
        let started = Instant::now();
        self.server.restart().await;
        self.stats.restart_time += started.elapsed();
        self.stats.restarts += 1;
        let stored = self.server.stored_ids().await;
        let lost: Vec<String> = self
            .acked
            .iter()
            .map(db_text)
            .filter(|id| !stored.contains(id))
            .collect();
        assert!(
            lost.is_empty(),
            "restart {}: {} acknowledged events are gone, e.g. {:?}",
            self.stats.restarts,
            lost.len(),
            &lost[..lost.len().min(5)]
        );
    }

    /// The network heals: every device pushes what is pending, in order, and pulls to the end,
    /// round after round until all hold every event. PostgreSQL serves a commit only once older
    /// transactions in the cluster have ended, hence the patience.
    async fn heal(&mut self) {
        self.lossy = false;
        for dev in &mut self.devices {
            dev.offline_until = 0;
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            self.stats.heal_rounds += 1;
            for d in 0..DEVICES {
                let pending: Vec<Event> = self.devices[d].pending.values().cloned().collect();
                for batch in pending.chunks(200) {
                    let account = self.devices[d].account;
                    let response = self.send_push(account, batch).await.expect("healed");
                    self.take_outcomes(d, batch, &response, true);
                }
            }
            for d in 0..DEVICES {
                loop {
                    let page = self.send_pull(d, 500).await.expect("healed");
                    let more = page.more;
                    self.receive(d, &page);
                    if !more {
                        break;
                    }
                }
            }
            let total = self.created.len();
            let converged = self
                .devices
                .iter()
                .all(|dev| dev.pending.is_empty() && dev.held.len() == total);
            if converged {
                break;
            }
            if Instant::now() > deadline {
                let state: Vec<String> = self
                    .devices
                    .iter()
                    .map(|dev| {
                        format!(
                            "{}: {} pending, holds {}/{total}, cursor {}",
                            dev.name,
                            dev.pending.len(),
                            dev.held.len(),
                            dev.cursor
                        )
                    })
                    .collect();
                panic!(
                    "no convergence after {} healed rounds:\n{}",
                    self.stats.heal_rounds,
                    state.join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Whatever the network still held back arrives last and must change nothing.
        let before = self.server.stored_ids().await.len();
        for (account, batch) in std::mem::take(&mut self.delayed) {
            let response = self
                .server
                .push(&self.accounts[account].token, &batch)
                .await;
            self.record(&response);
            for outcome in &response.results {
                assert_eq!(
                    outcome.status,
                    PushStatus::Duplicate,
                    "a stale replay of {} after convergence",
                    outcome.id
                );
            }
            self.stats.stale_replays += 1;
        }
        assert_eq!(self.server.stored_ids().await.len(), before);
    }

    /// The end state: one event set everywhere, each created event exactly once, intact
    /// chains, identical projections, nothing acknowledged lost, nothing left rejected.
    async fn check(&self) {
        // The server's log, read through the API by a district admin whose scope covers all.
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut server_events: Vec<Event>;
        loop {
            server_events = Vec::new();
            let mut cursor = 0;
            loop {
                let page = self.server.pull(&self.auditor.token, cursor, 1000).await;
                server_events.extend(page.events);
                cursor = page.next.0;
                if !page.more {
                    break;
                }
            }
            if server_events.len() >= self.created.len() || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut served: BTreeMap<EventId, Event> = BTreeMap::new();
        for ev in &server_events {
            assert!(
                served.insert(ev.id, ev.clone()).is_none(),
                "the server served event {} twice",
                ev.id
            );
        }
        same_events("the server", &served, &self.created);
        assert!(server_events.iter().all(Event::hash_ok));

        // Every device's chain, complete from seq 1, as stored on the server.
        let mut chains: BTreeMap<DeviceId, Vec<Event>> = BTreeMap::new();
        for ev in server_events.iter().cloned() {
            chains.entry(ev.device.clone()).or_default().push(ev);
        }
        assert_eq!(chains.len(), DEVICES);
        for dev in &self.devices {
            let chain = chains.get_mut(&dev.log.device).expect("every device wrote");
            chain.sort_by_key(|e| e.seq);
            verify_chain(chain).unwrap_or_else(|e| panic!("{}: {e}", dev.name));
            assert_eq!(chain.len() as u64, dev.log.next_seq - 1, "{}", dev.name);
            assert_eq!(chain.last().map(|e| e.hash), Some(dev.log.last_hash));
        }
        let breaks = verify(&self.server.store).await.expect("verify");
        assert!(breaks.is_empty(), "verify: {breaks:?}");

        // Acknowledged and accepted: every created event, the latter exactly once.
        let all: BTreeSet<EventId> = self.created.keys().copied().collect();
        assert_eq!(self.acked, all, "every event ends acknowledged");
        assert_eq!(self.accepted, all, "every event accepted exactly once");

        // Every device holds exactly that set, and all fold to one state.
        let expected = fold_all(&server_events);
        same_view(
            "the server",
            &expected,
            &fold_all(&self.created.values().cloned().collect::<Vec<_>>()),
        );
        for dev in &self.devices {
            same_events(&dev.name, &dev.held, &self.created);
            let held: Vec<Event> = dev.held.values().cloned().collect();
            same_view(&dev.name, &fold_all(&held), &expected);
            same_view(&format!("{} (incremental)", dev.name), &dev.view, &expected);
        }

        // Rejections were all superseded: none outstanding for anybody.
        for account in &self.accounts {
            let open = self.server.outstanding_rejections(&account.token).await;
            assert!(
                open.is_empty(),
                "{}: rejections still outstanding: {open:?}",
                account.username
            );
        }
    }

    /// Guards the guard: a run without drops, duplicates, reordering, restarts, skew or
    /// conflicts would prove nothing.
    fn assert_the_chaos_happened(&self) {
        let s = &self.stats;
        assert!(self.created.len() >= TARGET_EVENTS);
        assert!(s.restarts >= 5, "restarts: {}", s.restarts);
        assert!(s.dropped_requests > 0 && s.dropped_responses > 0);
        assert!(s.duplicated_pushes > 0 && s.duplicated_pages > 0);
        assert!(s.delivered_late > 0 && s.stale_replays > 0);
        assert!(s.reordered_syncs > 0 && s.shuffled_batches > 0);
        assert!(
            s.rejected.get("broken_chain").copied().unwrap_or(0) > 0,
            "out-of-order deliveries must have been refused"
        );
        assert!(s.duplicate > 0 && s.received_again > 0);
        assert!(s.clock_jumps_back > 0 && s.refolds > 0);
        assert!(self.contested_persons() >= SHARED_PERSONS);
    }

    /// Persons corrected by at least two devices.
    fn contested_persons(&self) -> usize {
        let mut editors: BTreeMap<&EntityId, BTreeSet<&DeviceId>> = BTreeMap::new();
        for ev in self.created.values() {
            if matches!(ev.body, EventBody::PersonCorrected { .. }) {
                editors.entry(&ev.entity).or_default().insert(&ev.device);
            }
        }
        editors.values().filter(|d| d.len() >= 2).count()
    }

    fn summary(&self, total: Duration, written: Duration) -> String {
        let s = &self.stats;
        let persons = fold_all(&self.created.values().cloned().collect::<Vec<_>>())
            .values()
            .filter(|e| e.kind == EntityKind::Person)
            .count();
        // One hash over the log in canonical order: equal for equal runs.
        let events: Vec<Event> = self.created.values().cloned().collect();
        let mut bytes = Vec::new();
        for ev in canonical_order(&events) {
            bytes.extend_from_slice(&ev.hash.0);
        }
        let fingerprint = Hash::of(&bytes).to_string();
        let skews: Vec<String> = self
            .devices
            .iter()
            .map(|d| format!("{:+.1}h", d.skew_ms as f64 / HOUR as f64))
            .collect();
        format!(
            "chaos [{db:?}] seed {seed}: {devices} devices, {events} events, {persons} persons \
             ({contested} edited from several devices), converged in {total:.1?} \
             (writing phase {written:.1?})\n\
             \x20 network: {push} pushes, {pull} pulls; dropped {dreq} requests and {dres} \
             responses after the server applied them; {dup} pushes and {dup_pages} pages duplicated; {delayed} held \
             back ({late} delivered late, {stale} replayed after convergence); {reorder} syncs \
             with batches reordered, {shuffled} batches shuffled; {offline} offline stretches\n\
             \x20 server: {acc} accepted, {dupl} duplicate, rejected {rej:?}; {restarts} restarts\n\
             \x20 devices: {recv} events pulled ({again} already held), {refolds} re-folds; clocks \
             jumped back {back}x, reset {resync}x; final skews {skews:?}; {rounds} healed rounds\n\
             \x20 time: pushes {push_time:.1?}, pulls {pull_time:.1?}, restarts {restart_time:.1?}\n\
             \x20 fingerprint {fingerprint}",
            db = self.db,
            seed = self.seed,
            devices = DEVICES,
            events = self.created.len(),
            contested = self.contested_persons(),
            push = s.push_requests,
            pull = s.pull_requests,
            dreq = s.dropped_requests,
            dres = s.dropped_responses,
            dup = s.duplicated_pushes,
            dup_pages = s.duplicated_pages,
            delayed = s.delayed_pushes,
            late = s.delivered_late,
            stale = s.stale_replays,
            reorder = s.reordered_syncs,
            shuffled = s.shuffled_batches,
            offline = s.offline_stretches,
            acc = s.accepted,
            dupl = s.duplicate,
            rej = s.rejected,
            restarts = s.restarts,
            recv = s.received,
            again = s.received_again,
            refolds = s.refolds,
            back = s.clock_jumps_back,
            resync = s.clock_resyncs,
            rounds = s.heal_rounds,
            push_time = s.push_time,
            pull_time = s.pull_time,
            restart_time = s.restart_time,
        )
    }
}

// ---- what devices write -----------------------------------------------------------------------

/// A random action on the directory: mostly corrections of persons the device knows (or the
/// shared ones), some registrations, relatives and notes.
fn random_body(rng: &mut ChaCha8Rng, dev: &mut SimDevice) -> (EntityId, EventBody) {
    let roll = rng.gen_range(0..100);
    if roll < 6 || (dev.persons.is_empty() && roll < 50) {
        dev.next_person += 1;
        let entity = format!("person:{}-{}", dev.name, dev.next_person);
        return (entity.parse().expect("entity"), random_person(rng));
    }
    let person = pick_person(rng, dev);
    let body = match roll {
        0..9 => random_person(rng), // registered again: every field overwritten
        9..65 => {
            let mut fields = BTreeMap::new();
            for _ in 0..rng.gen_range(1..=3) {
                let field = PERSON_FIELDS[rng.gen_range(0..PERSON_FIELDS.len())];
                fields.insert(field.to_string(), random_field(rng, field));
            }
            EventBody::PersonCorrected { fields }
        }
        65..78 => {
            let mut other = pick_person(rng, dev);
            if other == person {
                // Nobody's own relative: one more resident, never a subject itself.
                other = shared_person(SHARED_PERSONS);
            }
            EventBody::RelativeLinked {
                other,
                relation: RELATIONS[rng.gen_range(0..RELATIONS.len())],
            }
        }
        _ => EventBody::Note {
            text: format!("第{}次入户走访", rng.gen_range(1..1000)),
        },
    };
    (person, body)
}

fn shared_person(i: usize) -> EntityId {
    format!("person:p{i:02}").parse().expect("entity")
}

/// Half the time a shared person, otherwise one the device has seen.
fn pick_person(rng: &mut ChaCha8Rng, dev: &SimDevice) -> EntityId {
    if dev.persons.is_empty() || rng.gen_bool(0.5) {
        shared_person(rng.gen_range(0..SHARED_PERSONS))
    } else {
        dev.persons[rng.gen_range(0..dev.persons.len())].clone()
    }
}

fn random_person(rng: &mut ChaCha8Rng) -> EventBody {
    EventBody::PersonRecorded {
        name: random_name(rng),
        sex: if rng.gen_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        },
        ethnicity: ETHNICITIES[rng.gen_range(0..ETHNICITIES.len())].into(),
        id_number: random_id_number(rng),
        birth_date: random_date(rng),
        phone: rng.gen_bool(0.7).then(|| random_phone(rng)),
    }
}

fn random_field(rng: &mut ChaCha8Rng, field: &str) -> Value {
    match field {
        "name" => json!(random_name(rng)),
        "sex" => json!(if rng.gen_bool(0.5) { "male" } else { "female" }),
        "ethnicity" => json!(ETHNICITIES[rng.gen_range(0..ETHNICITIES.len())]),
        "id_number" => json!(random_id_number(rng)),
        "birth_date" => json!(random_date(rng)),
        "phone" if rng.gen_bool(0.2) => Value::Null,
        "phone" => json!(random_phone(rng)),
        other => panic!("no generator for person field {other}"),
    }
}

fn random_name(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{}",
        NAMES[rng.gen_range(0..NAMES.len())],
        rng.gen_range(0..100)
    )
}

fn random_id_number(rng: &mut ChaCha8Rng) -> String {
    format!("500101{:012}", rng.gen_range(0..1_000_000_000_000u64))
}

fn random_date(rng: &mut ChaCha8Rng) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        rng.gen_range(1940..2010),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28),
    )
    .expect("valid date")
}

fn random_phone(rng: &mut ChaCha8Rng) -> String {
    format!("138{:08}", rng.gen_range(0..100_000_000))
}

// ---- comparisons with short failure messages --------------------------------------------------

fn same_events(who: &str, got: &BTreeMap<EventId, Event>, want: &BTreeMap<EventId, Event>) {
    let missing: Vec<&EventId> = want.keys().filter(|id| !got.contains_key(id)).collect();
    let extra: Vec<&EventId> = got.keys().filter(|id| !want.contains_key(id)).collect();
    let altered: Vec<&EventId> = got
        .iter()
        .filter(|(id, ev)| want.get(id).is_some_and(|w| w != *ev))
        .map(|(id, _)| id)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && altered.is_empty(),
        "{who} holds {} events, {} were created: {} missing (e.g. {:?}), {} unknown (e.g. {:?}), \
         {} altered (e.g. {:?})",
        got.len(),
        want.len(),
        missing.len(),
        missing.first(),
        extra.len(),
        extra.first(),
        altered.len(),
        altered.first()
    );
}

fn same_view(
    who: &str,
    got: &BTreeMap<EntityId, EntityState>,
    want: &BTreeMap<EntityId, EntityState>,
) {
    if got == want {
        return;
    }
    let differs = want
        .keys()
        .chain(got.keys())
        .find(|id| got.get(*id) != want.get(*id))
        .expect("maps differ somewhere");
    panic!(
        "{who}: projection of {differs} differs ({} vs {} entities):\n got  {}\n want {}",
        got.len(),
        want.len(),
        fmt_state(got.get(differs)),
        fmt_state(want.get(differs))
    );
}

fn fmt_state(state: Option<&EntityState>) -> String {
    match state {
        None => "nothing".into(),
        Some(s) => format!("{} after {} events, last {:?}", s.doc, s.events, s.last),
    }
}
