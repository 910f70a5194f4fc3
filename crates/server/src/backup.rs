//! `cunju-server backup` and `restore`.
//!
//! SQLite: an online backup with `VACUUM INTO` (a consistent snapshot taken inside one read
//! transaction, while the server keeps serving), and a restore that checks the copy
//! (`PRAGMA integrity_check` and every hash chain) before it replaces the database file.
//!
//! PostgreSQL: `pg_dump --format=custom` of the schema the server uses, and `pg_restore` into
//! an empty database, followed by the same chain check. Both tools come with PostgreSQL and must
//! be on `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::store::{Store, StoreError};
use crate::verify::{ChainBreak, verify};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0} already exists; choose a new file name")]
    Exists(PathBuf),
    #[error("the backup is damaged: {0}")]
    Damaged(String),
    #[error("the backup's hash chains are broken ({} problem(s)): {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Broken(Vec<ChainBreak>),
    #[error(
        "{0} already holds data; stop the server and pass --force to replace it (it is kept as {0}.before-restore)"
    )]
    TargetInUse(PathBuf),
    #[error("{tool} failed: {message}")]
    Tool { tool: &'static str, message: String },
}

/// What a backup or restore holds, to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub events: i64,
    pub devices: usize,
    pub users: i64,
}

async fn summary(store: &Store) -> Result<Summary, BackupError> {
    let events: i64 = count(store, "SELECT COUNT(*) FROM events").await?;
    let users: i64 = count(store, "SELECT COUNT(*) FROM users").await?;
    Ok(Summary {
        events,
        devices: store.devices().await?.len(),
        users,
    })
}

async fn count(store: &Store, sql: &str) -> Result<i64, BackupError> {
    Ok(match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
    })
}

/// The file of a `sqlite://PATH` URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// Writes a backup of the database at `db_url` to `out` (a new file).
pub async fn backup(db_url: &str, out: &Path) -> Result<Summary, BackupError> {
    if out.exists() {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let store = Store::connect(db_url).await?;
    store.migrate().await?;
    let result = match &store {
        Store::Sqlite(pool) => {
            // One statement, one read transaction: a consistent snapshot while writers go on.
            sqlx::query("VACUUM INTO $1")
                .bind(out.to_string_lossy().as_ref())
                .execute(pool)
                .await?;
            summary(&store).await
        }
        Store::Postgres(pool) => {
            let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
                .fetch_one(pool)
                .await?;
            let summary = summary(&store).await;
            run_tool(
                Command::new("pg_dump")
                    .args([
                        "--format=custom",
                        "--no-owner",
                        "--schema",
                        &schema,
                        "--file",
                    ])
                    .arg(out)
                    .args(["--dbname", db_url]),
                "pg_dump",
            )?;
            summary
        }
    };
    store.close().await;
    result
}

/// Restores the backup `from` into the database at `db_url`, after checking it. SQLite: the
/// file is checked as a copy and only then moved into place; a database that already holds
/// data is replaced only with `force` (and kept beside it). PostgreSQL: `pg_restore` into a
/// database that does not yet have the schema.
pub async fn restore(db_url: &str, from: &Path, force: bool) -> Result<Summary, BackupError> {
    if let Some(target) = sqlite_path(db_url) {
        return restore_sqlite(&target, from, force).await;
    }
    run_tool(
        Command::new("pg_restore")
            .args([
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                db_url,
            ])
            .arg(from),
        "pg_restore",
    )?;
    let store = Store::connect(db_url).await?;
    let checked = check(&store).await;
    store.close().await;
    checked
}

async fn restore_sqlite(target: &Path, from: &Path, force: bool) -> Result<Summary, BackupError> {
    if !from.is_file() {
        return Err(BackupError::Damaged(format!(
            "{} is not a file",
            from.display()
        )));
    }
    if target.exists() && std::fs::metadata(target)?.len() > 0 && !force {
        return Err(BackupError::TargetInUse(target.to_path_buf()));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let staging = with_suffix(target, ".restoring");
    remove_sqlite_files(&staging)?;
    std::fs::copy(from, &staging)?;
    let checked = check_sqlite_copy(&staging).await;
    let summary = match checked {
        Ok(summary) => summary,
        Err(e) => {
            remove_sqlite_files(&staging)?;
            return Err(match e {
                BackupError::Store(StoreError::Db(db)) => BackupError::Damaged(db.to_string()),
                other => other,
            });
        }
    };
    if target.exists() {
        let kept = with_suffix(target, ".before-restore");
        remove_sqlite_files(&kept)?;
        std::fs::rename(target, &kept)?;
    }
    remove_sqlite_files(target)?;
    std::fs::rename(&staging, target)?;
    for suffix in ["-wal", "-shm"] {
        let leftover = with_suffix(&staging, suffix);
        if leftover.exists() {
            std::fs::remove_file(leftover)?;
        }
    }
    Ok(summary)
}

/// Opens the staged copy: integrity, schema up to date, every chain intact.
async fn check_sqlite_copy(staging: &Path) -> Result<Summary, BackupError> {
    let store = Store::connect(&format!("sqlite://{}", staging.display())).await?;
    let result = check_opened_sqlite(&store).await;
    store.close().await;
    result
}

async fn check_opened_sqlite(store: &Store) -> Result<Summary, BackupError> {
    let Store::Sqlite(pool) = store else {
        unreachable!("a sqlite URL")
    };
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(pool)
        .await
        .map_err(|e| BackupError::Damaged(e.to_string()))?;
    if integrity != ["ok"] {
        return Err(BackupError::Damaged(integrity.join("; ")));
    }
    store.migrate().await?;
    let summary = check(store).await?;
    // Everything into the main file: only that file is moved into place.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await?;
    Ok(summary)
}

/// Every chain must verify; then the summary.
async fn check(store: &Store) -> Result<Summary, BackupError> {
    let breaks = verify(store).await?;
    if !breaks.is_empty() {
        return Err(BackupError::Broken(breaks));
    }
    summary(store).await
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Removes a SQLite database file and its `-wal`/`-shm` companions, if present.
fn remove_sqlite_files(path: &Path) -> Result<(), BackupError> {
    for suffix in ["", "-wal", "-shm"] {
        let p = with_suffix(path, suffix);
        if p.exists() {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(())
}

fn run_tool(cmd: &mut Command, tool: &'static str) -> Result<(), BackupError> {
    let out = cmd.output().map_err(|e| BackupError::Tool {
        tool,
        message: format!("cannot run it ({e}); install the PostgreSQL client tools"),
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            tool,
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}
