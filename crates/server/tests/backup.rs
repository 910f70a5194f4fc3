//! Backup and restore with the real binary (`cunju-server backup` / `restore`).
//!
//! SQLite: a backup taken while devices keep pushing (online) restores to a database whose
//! chains verify and whose events are all in the original; a backup of a quiet database restores
//! to exactly the same tables (a full dump compared); a damaged or tampered backup is refused and
//! the target is left alone. PostgreSQL (when `CUNJU_TEST_POSTGRES_URL` is set): `pg_dump` of the
//! server's schema restored with `pg_restore` into a fresh database, same checks.

mod common;
mod reliability;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::{Db, Device, Harness};
use cunju_server::store::Store;
use cunju_server::verify::verify;
use reliability::dump;
use sqlx::postgres::PgConnectOptions;

const VILLAGE: &str = "5099001001";

fn cli(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cunju-server"))
        .args(args)
        .env_remove("CUNJU_DB")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run cunju-server");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cunju-backup-{tag}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A database with accounts, units and three devices' events.
async fn populated(db: Db) -> (Harness, Vec<Device>, common::Client) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut devices = Vec::new();
    for name in ["phone", "tablet", "laptop"] {
        let mut d = Device::new(name, &alice.profile);
        let events = d.events(VILLAGE, 40);
        assert!(
            common::statuses(&alice.push(&events).await)
                .iter()
                .all(|s| s == "accepted")
        );
        devices.push(d);
    }
    (h, devices, alice)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_online_backup_restores_with_intact_chains() {
    let (h, mut devices, alice) = populated(Db::Sqlite).await;
    let dir = temp_dir("sqlite");

    // Online: a device keeps pushing while the backup is taken.
    let mut phone = devices.remove(0);
    let writer = {
        let alice = alice.clone();
        tokio::spawn(async move {
            for round in 0..30u64 {
                let batch: Vec<_> = (0..5)
                    .map(|i| phone.event(VILLAGE, 1_000 + round * 5 + i))
                    .collect();
                alice.push(&batch).await;
            }
        })
    };
    let online = dir.join("online.db");
    let (code, out) = cli(&[
        "backup",
        "--db",
        &h.db_url,
        "--out",
        online.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    writer.await.unwrap();

    let restored_path = dir.join("restored-online.db");
    let restored_url = format!("sqlite://{}", restored_path.display());
    let (code, out) = cli(&[
        "restore",
        "--db",
        &restored_url,
        "--from",
        online.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("all hash chains intact"), "{out}");
    let (code, out) = cli(&["verify", "--db", &restored_url]);
    assert_eq!(code, 0, "{out}");
    let restored = Store::connect(&restored_url).await.unwrap();
    assert!(verify(&restored).await.unwrap().is_empty());
    let source = dump(&h.store).await;
    let copy = dump(&restored).await;
    for row in &copy["events"] {
        assert!(
            source["events"].contains(row),
            "a restored event is in the original"
        );
    }
    assert!(
        copy["events"].len() >= 120,
        "the events before the backup are all there"
    );
    restored.close().await;

    // Quiet: the restored database is the original, table for table.
    let quiet = dir.join("quiet.db");
    let (code, out) = cli(&[
        "backup",
        "--db",
        &h.db_url,
        "--out",
        quiet.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("events"), "{out}");
    let (code, out) = cli(&[
        "backup",
        "--db",
        &h.db_url,
        "--out",
        quiet.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "never overwrites a backup: {out}");
    let (code, out) = cli(&[
        "restore",
        "--db",
        &restored_url,
        "--from",
        quiet.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "a database holding data needs --force: {out}");
    assert!(out.contains("--force"), "{out}");
    let (code, out) = cli(&[
        "restore",
        "--db",
        &restored_url,
        "--from",
        quiet.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(with_suffix(&restored_path, ".before-restore").exists());
    let restored = Store::connect(&restored_url).await.unwrap();
    assert_eq!(
        dump(&restored).await,
        dump(&h.store).await,
        "restored = original"
    );
    restored.close().await;

    // Damaged: a truncated file, and an altered event; neither touches the target.
    let before = std::fs::read(&restored_path).unwrap();
    let truncated = dir.join("truncated.db");
    let bytes = std::fs::read(&quiet).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let (code, out) = cli(&[
        "restore",
        "--db",
        &restored_url,
        "--from",
        truncated.to_str().unwrap(),
        "--force",
    ]);
    assert_ne!(code, 0, "a truncated backup is refused: {out}");
    let tampered = dir.join("tampered.db");
    std::fs::copy(&quiet, &tampered).unwrap();
    let t = Store::connect(&format!("sqlite://{}", tampered.display()))
        .await
        .unwrap();
    if let Store::Sqlite(pool) = &t {
        sqlx::query("UPDATE events SET body = replace(body, '记录', '篡改') WHERE seq = 7")
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await
            .unwrap();
    }
    t.close().await;
    let (code, out) = cli(&[
        "restore",
        "--db",
        &restored_url,
        "--from",
        tampered.to_str().unwrap(),
        "--force",
    ]);
    assert_ne!(code, 0, "a tampered backup is refused: {out}");
    assert!(out.contains("hash chains are broken"), "{out}");
    assert_eq!(
        std::fs::read(&restored_path).unwrap(),
        before,
        "target untouched"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_dump_restores_with_intact_chains() {
    let Some(url) = common::postgres_url() else {
        eprintln!("CUNJU_TEST_POSTGRES_URL not set: skipping PostgreSQL run");
        return;
    };
    let (h, _devices, _alice) = populated(Db::Postgres).await;
    let dir = temp_dir("pg");
    let file = dir.join("cunju.pgdump");
    let (code, out) = cli(&["backup", "--db", &h.db_url, "--out", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");

    // Restore into a fresh database, under the same schema name.
    let admin = PgConnectOptions::from_str(&url).unwrap();
    let mut conn = sqlx::ConnectOptions::connect(&admin).await.unwrap();
    let database = format!(
        "cunju_restore_{}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    );
    sqlx::query(&format!("CREATE DATABASE {database}"))
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let schema = h
        .db_url
        .rsplit("search_path%3D")
        .next()
        .unwrap()
        .to_string();
    let base = url.split('?').next().unwrap();
    let (root, _) = base.rsplit_once('/').unwrap();
    let target = format!("{root}/{database}?options=-c%20search_path%3D{schema}");
    let _cleanup = DropDatabase {
        url: url.clone(),
        database: database.clone(),
        dir: dir.clone(),
    };
    let (code, out) = cli(&["restore", "--db", &target, "--from", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("all hash chains intact"), "{out}");
    let (code, out) = cli(&["verify", "--db", &target]);
    assert_eq!(code, 0, "{out}");
    let restored = Store::connect(&target).await.unwrap();
    assert!(verify(&restored).await.unwrap().is_empty());
    assert_eq!(
        dump(&restored).await,
        dump(&h.store).await,
        "restored = original"
    );
    restored.close().await;
    // A second restore into the same database is refused (the schema exists).
    let (code, _) = cli(&["restore", "--db", &target, "--from", file.to_str().unwrap()]);
    assert_ne!(code, 0);
}

/// Drops the restore database (and the backup directory) at the end, pass or fail.
struct DropDatabase {
    url: String,
    database: String,
    dir: PathBuf,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let (url, database) = (self.url.clone(), self.database.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let opts = PgConnectOptions::from_str(&url).unwrap();
                if let Ok(mut conn) = sqlx::ConnectOptions::connect(&opts).await {
                    let _ = sqlx::query(&format!("DROP DATABASE {database} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join()
        .ok();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
