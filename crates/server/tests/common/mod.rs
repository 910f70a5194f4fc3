//! Test harness: a fresh database (SQLite file, or a PostgreSQL schema when
//! `CUNJU_TEST_POSTGRES_URL` is set) and the real server on an ephemeral port.
#![allow(dead_code)]

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use cunju_domain::event::{DeviceLog, Event, EventBody, NewEvent};
use cunju_domain::ids::{DeviceId, EntityId, UnitId, UserId};
use cunju_domain::sync::{LoginResponse, Profile, PushResponse, PushStatus};
use cunju_server::store::{Store, db_text};
use cunju_server::testing::TestServer;
use cunju_server::{AppState, seed};
use serde_json::Value;
use sqlx::postgres::PgConnectOptions;

pub const PASSWORD: &str = "correct horse";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs one test body on SQLite, and on PostgreSQL when configured.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::common::Db::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if $crate::common::postgres_url().is_none() {
                        eprintln!("CUNJU_TEST_POSTGRES_URL not set: skipping PostgreSQL run");
                        return;
                    }
                    super::$name($crate::common::Db::Postgres).await;
                }
            )*
        }
    };
}

pub fn postgres_url() -> Option<String> {
    std::env::var("CUNJU_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "cunju_t_{}_{}_{:08x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    )
}

enum Cleanup {
    SqliteDir(PathBuf),
    PostgresSchema { url: String, schema: String },
}

pub struct Harness {
    pub db: Db,
    /// The database URL for the command line (`--db`): the same file or PostgreSQL schema.
    pub db_url: String,
    pub store: Store,
    pub server: TestServer,
    pub http: reqwest::Client,
    cleanup: Cleanup,
}

impl Harness {
    pub async fn start(db: Db) -> Harness {
        Self::start_with_static(db, None).await
    }

    pub async fn start_with_static(db: Db, static_dir: Option<PathBuf>) -> Harness {
        let name = unique_name();
        let (store, cleanup, db_url) = match db {
            Db::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                let url = format!("sqlite://{}/cunju.db", dir.display());
                (
                    Store::connect(&url).await.expect("open sqlite"),
                    Cleanup::SqliteDir(dir),
                    url,
                )
            }
            Db::Postgres => {
                let url = postgres_url().expect("CUNJU_TEST_POSTGRES_URL");
                let admin = PgConnectOptions::from_str(&url).expect("postgres url");
                let mut conn = sqlx::ConnectOptions::connect(&admin)
                    .await
                    .expect("connect postgres");
                sqlx::query(&format!("CREATE SCHEMA {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create schema");
                let options = admin.options([("search_path", name.as_str())]);
                let store = Store::connect_postgres(options).await.expect("pool");
                let separator = if url.contains('?') { '&' } else { '?' };
                let db_url = format!("{url}{separator}options=-c%20search_path%3D{name}");
                (store, Cleanup::PostgresSchema { url, schema: name }, db_url)
            }
        };
        store.migrate().await.expect("migrate");
        let server = TestServer::start(AppState {
            store: store.clone(),
            static_dir,
        })
        .await;
        Harness {
            db,
            db_url,
            store,
            server,
            http: reqwest::Client::new(),
            cleanup,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// Creates an account and signs it in.
    pub async fn user(&self, username: &str, role: &str, scope: &str) -> Client {
        let row = seed::new_user(username, PASSWORD, role, scope, username).expect("valid user");
        self.store.insert_user(&row, 0).await.expect("insert user");
        let res = self.login(username, PASSWORD).await;
        assert_eq!(res.status(), 200, "login of {username}");
        let login: LoginResponse = res.json().await.unwrap();
        Client {
            http: self.http.clone(),
            base: self.url(""),
            token: login.token,
            profile: login.profile,
            bundle_key: login
                .bundle_key
                .expect("every login carries the bundle key"),
        }
    }

    /// Signs in an existing account.
    pub async fn client(&self, username: &str, password: &str) -> Client {
        let res = self.login(username, password).await;
        assert_eq!(res.status(), 200, "login of {username}");
        let login: LoginResponse = res.json().await.unwrap();
        Client {
            http: self.http.clone(),
            base: self.url(""),
            token: login.token,
            profile: login.profile,
            bundle_key: login
                .bundle_key
                .expect("every login carries the bundle key"),
        }
    }

    /// Records the demo district's units (no people) as server events.
    pub async fn demo_units(&self) {
        let drafts = cunju_server::units::record_units(&seed::demo_units());
        self.store
            .append_server_events(drafts, 1_750_000_000_000)
            .await
            .expect("record demo units");
    }

    /// Runs the `cunju-server` binary; returns its exit code and stdout + stderr.
    pub fn cli(&self, args: &[&str]) -> (i32, String) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cunju-server"))
            .args(args)
            .env_remove("CUNJU_DB")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run cunju-server");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code().unwrap_or(-1), text)
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresSchema { url, schema } => {
                drop_schema_blocking(self.store.clone(), url.clone(), schema.clone());
            }
        }
    }
}

/// A signed-in user.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub profile: Profile,
    /// The account's key for signing bundles, as the login gave it.
    pub bundle_key: cunju_domain::bundle::BundleKey,
}

impl Client {
    pub async fn push(&self, events: &[Event]) -> PushResponse {
        let res = self.push_raw(events).await;
        assert_eq!(res.status(), 200, "push failed");
        res.json().await.unwrap()
    }

    pub async fn push_raw(&self, events: &[Event]) -> reqwest::Response {
        self.http
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(&self.token)
            .json(&serde_json::json!({ "events": events }))
            .send()
            .await
            .unwrap()
    }

    /// One pull page as JSON.
    pub async fn pull(&self, after: u64, limit: u32) -> Value {
        let res = self
            .http
            .get(format!(
                "{}/api/v1/sync/pull?after={after}&limit={limit}",
                self.base
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "pull failed");
        res.json().await.unwrap()
    }

    /// Like `pull`, but waits (up to 20 s) for a non-empty page. On PostgreSQL a committed
    /// event is served only once every older writing transaction in the cluster has ended, and
    /// tests run in parallel.
    pub async fn pull_when_visible(&self, after: u64, limit: u32) -> Value {
        self.pull_at_least(after, limit, 1).await
    }

    /// Like `pull_when_visible`, waiting until at least `count` events are visible (on
    /// PostgreSQL a commit becomes visible to pulls only once older transactions end).
    pub async fn pull_at_least(&self, after: u64, limit: u32, count: usize) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let page = self.pull(after, limit).await;
            if page["events"].as_array().unwrap().len() >= count
                || std::time::Instant::now() > deadline
            {
                return page;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Every event the user receives, following the cursor until nothing more waits.
    pub async fn pull_all(&self) -> Vec<Value> {
        let (mut cursor, mut out) = (0, Vec::new());
        loop {
            let page = self.pull(cursor, 1000).await;
            out.extend(page["events"].as_array().unwrap().iter().cloned());
            cursor = page["next"].as_u64().unwrap();
            if !page["more"].as_bool().unwrap() {
                return out;
            }
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }
}

/// A device writing events as `actor` — the app's own event builder.
pub struct Device {
    pub id: DeviceId,
    pub log: DeviceLog,
    pub actor: UserId,
}

impl Device {
    pub fn new(name: &str, actor: &Profile) -> Device {
        let id: DeviceId =
            serde_json::from_value(Value::String(format!("{name}-{}", unique_name()))).unwrap();
        Device {
            id: id.clone(),
            log: DeviceLog::new(id),
            actor: actor.user.clone(),
        }
    }

    /// The next event of this device: `body` on `entity` in `unit`, dated by its sequence.
    pub fn write(&mut self, unit: &str, entity: &str, body: EventBody) -> Event {
        self.log.append(
            NewEvent {
                actor: self.actor.clone(),
                unit: unit.parse().unwrap(),
                entity: entity.parse().unwrap(),
                body,
            },
            1_750_000_000_000 + self.log.next_seq,
            rand::random(),
        )
    }

    pub fn event(&mut self, unit: &str, n: u64) -> Event {
        let unit: UnitId = serde_json::from_value(Value::String(unit.into())).unwrap();
        let entity: EntityId =
            serde_json::from_value(Value::String(format!("entity-{n}"))).unwrap();
        self.log.append(
            NewEvent {
                actor: self.actor.clone(),
                unit,
                entity,
                body: body(n),
            },
            1_750_000_000_000 + n,
            rand::random::<[u8; 10]>(),
        )
    }

    pub fn events(&mut self, unit: &str, count: u64) -> Vec<Event> {
        (0..count).map(|n| self.event(unit, n)).collect()
    }
}

pub fn body(n: u64) -> EventBody {
    EventBody::Note {
        text: format!("第 {n} 条记录"),
    }
}

pub fn statuses(res: &PushResponse) -> Vec<String> {
    res.results
        .iter()
        .map(|o| match &o.status {
            PushStatus::Accepted => "accepted".to_string(),
            PushStatus::Duplicate => "duplicate".to_string(),
            PushStatus::Rejected { reason, .. } => format!("rejected:{}", reason.code()),
        })
        .collect()
}

fn db_text_value(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

pub fn ids(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| db_text_value(&e["id"])).collect()
}

pub fn event_id(e: &Event) -> String {
    db_text(&e.id)
}

/// Closes `store` and drops a test's PostgreSQL schema, from a `Drop` (which cannot await):
/// the work runs on a thread with its own runtime.
pub fn drop_schema_blocking(store: Store, url: String, schema: String) {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            store.close().await;
            let opts = PgConnectOptions::from_str(&url).unwrap();
            if let Ok(mut conn) = sqlx::ConnectOptions::connect(&opts).await {
                let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                    .execute(&mut conn)
                    .await;
            }
        });
    })
    .join()
    .ok();
}
