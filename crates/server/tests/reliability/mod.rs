//! Shared by the reliability tests (crash, hostile input, abuse, backups): a full dump of every
//! table, to prove that a refused request changed nothing, and the real server binary.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use cunju_server::store::Store;

/// Every row of every table, each column as text, rows sorted: two dumps are equal exactly when
/// the stored data is.
pub type Dump = BTreeMap<String, Vec<Vec<Option<String>>>>;

pub async fn dump(store: &Store) -> Dump {
    let mut out = Dump::new();
    for table in tables(store).await {
        let columns = columns(store, &table).await;
        // SQLite's quote() writes any value, blobs included, as text.
        let select: Vec<String> = columns
            .iter()
            .map(|c| match store {
                Store::Sqlite(_) => format!("quote(\"{c}\")"),
                Store::Postgres(_) => format!("CAST(\"{c}\" AS TEXT)"),
            })
            .collect();
        let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
        let sql = format!(
            "SELECT {} FROM \"{table}\" ORDER BY {}",
            select.join(", "),
            order.join(", ")
        );
        let rows = match store {
            Store::Sqlite(p) => {
                use sqlx::Row;
                sqlx::query(&sql)
                    .fetch_all(p)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| (0..columns.len()).map(|i| r.get(i)).collect())
                    .collect()
            }
            Store::Postgres(p) => {
                use sqlx::Row;
                sqlx::query(&sql)
                    .fetch_all(p)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| (0..columns.len()).map(|i| r.get(i)).collect())
                    .collect()
            }
        };
        out.insert(table, rows);
    }
    out
}

async fn tables(store: &Store) -> Vec<String> {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY table_name",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    }
}

async fn columns(store: &Store, table: &str) -> Vec<String> {
    match store {
        Store::Sqlite(p) => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(p)
                .await
                .unwrap()
        }
        Store::Postgres(p) => sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(p)
        .await
        .unwrap(),
    }
}

/// The tables whose rows differ between two dumps.
pub fn changed_tables(before: &Dump, after: &Dump) -> Vec<String> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|t| before.get(*t) != after.get(*t))
        .cloned()
        .collect()
}

/// Asserts that `after` differs from `before` only by rows added to `may_grow` (the recorded
/// rejection: `rejections`, `login_attempts`); nothing else is added, changed or removed.
pub fn assert_unchanged_except(before: &Dump, after: &Dump, may_grow: &[&str], what: &str) {
    for table in changed_tables(before, after) {
        assert!(
            may_grow.contains(&table.as_str()),
            "{what}: table {table} changed\nbefore: {:?}\nafter:  {:?}",
            before.get(&table),
            after.get(&table)
        );
        let old = before.get(&table).cloned().unwrap_or_default();
        let new = after.get(&table).cloned().unwrap_or_default();
        if table == "rejections" {
            // A retried refusal bumps `attempts`/`last_seen` of its own row; no row disappears.
            assert!(new.len() >= old.len(), "{what}: rejections lost rows");
        } else {
            for row in &old {
                assert!(
                    new.contains(row),
                    "{what}: a row of {table} was removed or changed"
                );
            }
        }
    }
}

/// The real server binary on a fixed port, restartable.
pub struct Server {
    pub port: u16,
    pub db_url: String,
    pub dir: std::path::PathBuf,
    /// `RUST_LOG` for the server (its log goes to `dir/server.log`).
    pub log_filter: String,
    child: Option<Child>,
}

impl Server {
    /// A server for the database at `db_url`, writing its log into `dir`; not started yet.
    pub fn new(db_url: &str, dir: &std::path::Path) -> Server {
        std::fs::create_dir_all(dir).unwrap();
        Server {
            port: free_port(),
            db_url: db_url.to_string(),
            dir: dir.to_path_buf(),
            log_filter: "warn".into(),
            child: None,
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Everything the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .expect("server log");
        let child = Command::new(env!("CARGO_BIN_EXE_cunju-server"))
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .args(["--db", &self.db_url, "--static-dir"])
            .arg(self.dir.join("no-app"))
            .env_remove("CUNJU_DB")
            .env("RUST_LOG", &self.log_filter)
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("start cunju-server");
        self.child = Some(child);
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reap");
        }
    }

    pub async fn wait_ready(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let res = http
                .get(format!("http://127.0.0.1:{}/api/v1/health", self.port))
                .send()
                .await;
            if matches!(&res, Ok(r) if r.status() == 200) {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                panic!("server exited with {status}:\n{log}");
            }
            assert!(Instant::now() < deadline, "server did not come up");
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}
