//! Storage: one `Store` over SQLite (embedded default) and PostgreSQL, with the same behaviour.
//!
//! All SQL of the server lives in this module and in `migrations/`. Most statements are written
//! once with `$N` placeholders (both drivers accept them) and run on either pool through
//! `on_pool!`; only the event log's commit-order handling differs per database (see `events`).
//! `server_log` writes the server's own events (imports, demo data) in large batches.

mod blobs;
mod devices;
mod events;
mod server_log;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use cunju_domain::event::Event;
use cunju_domain::ids::{EntityId, UnitId};
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

pub use blobs::BlobRow;
pub use devices::DeviceRow;
pub use events::{PullPage, RejectionRow, StoredEvent, db_text, from_db_text};
pub use server_log::SERVER_ACTOR;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("cannot create database directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored row is not valid: {0}")]
    Corrupt(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("the server may not write this event: {0}")]
    InvalidEvent(String),
    /// A batched insert found an id or (device, seq) taken by a concurrent push; the push is
    /// redone one event at a time (never leaves `Store::push_from`).
    #[error("a concurrent push stored some of these events first")]
    BatchRaced,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a `Store` talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The server's database: cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code against whichever pool the store holds. The body is type-checked once
/// per database, so one SQL text serves both when the dialects agree.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool) => $body,
            Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// The turn to write one SQLite database (a FIFO queue, one per database file), and the pushes
/// waiting for it.
///
/// SQLite lets one transaction write at a time. A writer that finds the lock taken sleeps in
/// SQLite's busy handler for 1, 2, 5 … up to 100 ms before it looks again, so under a burst of
/// pushes the lock sits free while the waiters sleep and each push waits far longer than it
/// works. Writers of the event log therefore queue here, in arrival order, before they ask for
/// the lock, and find it free when their turn comes.
///
/// Pushes also leave their batch in `pushes` before they queue: whoever gets the turn writes
/// every batch waiting there in one transaction (group commit, see `events::write_group`).
#[derive(Default)]
pub(crate) struct SqliteWriter {
    pub turn: tokio::sync::Mutex<()>,
    pub pushes: std::sync::Mutex<Vec<events::QueuedPush>>,
}

pub(crate) fn sqlite_writer(pool: &SqlitePool) -> std::sync::Arc<SqliteWriter> {
    type Gates = std::collections::HashMap<std::path::PathBuf, std::sync::Arc<SqliteWriter>>;
    static GATES: std::sync::LazyLock<std::sync::Mutex<Gates>> =
        std::sync::LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut gates = GATES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    gates.entry(file).or_default().clone()
}

/// A user account as stored.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub scope: String,
    pub display_name: String,
    /// Disabled accounts cannot sign in and hold no live token.
    pub disabled: bool,
    /// A joint-review department user's department (snake_case), else `None`.
    pub department: Option<String>,
}

/// New values for an account's role, scope and display name (`None`: unchanged).
#[derive(Clone, Debug, Default)]
pub struct UserUpdate {
    pub role: Option<String>,
    pub scope: Option<String>,
    pub display_name: Option<String>,
}

const USER_COLUMNS: &str = "u.id, u.username, u.password_hash, u.role, u.scope, u.display_name, u.disabled_at, u.department";

impl Store {
    /// Connects to `sqlite://PATH` (creating the file and its directory, WAL mode) or
    /// `postgres://…`. Does not migrate.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("sqlite:") {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::BadUrl(url.into()));
            }
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)?;
            }
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                // A multi-row insert keeps a statement journal (to undo itself alone): in
                // memory, not in a temporary file written and read back for every push.
                .pragma("temp_store", "memory")
                // One writer at a time: a large push on a loaded machine can hold the write
                // lock for seconds; others wait for it rather than fail (the app's requests give
                // up after 30 s).
                .busy_timeout(Duration::from_secs(25));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Store::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(PgConnectOptions::from_str(url)?).await
        } else {
            Err(StoreError::BadUrl(url.into()))
        }
    }

    /// Connects to PostgreSQL with explicit options (tests use this to pick a schema).
    pub async fn connect_postgres(options: PgConnectOptions) -> Result<Store> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        Ok(Store::Postgres(pool))
    }

    /// Brings the schema up to date. Safe to run on every start.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Store::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Store::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// A trivial query, to tell that the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    // ---- users ------------------------------------------------------------------------------

    /// Creates a user; `Conflict` if the username is taken.
    pub async fn insert_user(&self, user: &UserRow, now_ms: i64) -> Result<()> {
        let sql =
            "INSERT INTO users (id, username, password_hash, role, scope, display_name, created_at, department)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(sql)
            .bind(&user.id)
            .bind(&user.username)
            .bind(&user.password_hash)
            .bind(&user.role)
            .bind(&user.scope)
            .bind(&user.display_name)
            .bind(now_ms)
            .bind(&user.department)
            .execute(pool)
            .await?
            .rows_affected());
        if inserted == 0 {
            return Err(StoreError::Conflict(format!("user {:?}", user.username)));
        }
        Ok(())
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(username).fetch_optional(pool).await?;
            row.map(|r| user_row(&r)).transpose()
        })
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(pool).await?;
            row.map(|r| user_row(&r)).transpose()
        })
    }

    /// Accounts whose scope lies within `scope`, by username.
    pub async fn users_within(&self, scope: &str) -> Result<Vec<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u
             WHERE substr(u.scope, 1, length($1)) = $1 ORDER BY u.username"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(scope).fetch_all(pool).await?;
            rows.iter().map(user_row).collect()
        })
    }

    /// Changes an account's role, scope or display name. Returns false if no such user.
    /// The new profile applies to the next request (profiles are read per request).
    pub async fn update_user(&self, username: &str, update: &UserUpdate) -> Result<bool> {
        let sql = "UPDATE users SET role = COALESCE($1, role), scope = COALESCE($2, scope),
                       display_name = COALESCE($3, display_name)
                   WHERE username = $4";
        let changed = on_pool!(self, pool => sqlx::query(sql)
            .bind(&update.role)
            .bind(&update.scope)
            .bind(&update.display_name)
            .bind(username)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(changed > 0)
    }

    /// Disables (revoking every token) or re-enables an account. Returns false if no such user.
    pub async fn set_disabled(&self, username: &str, disabled: bool, now_ms: i64) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE users SET disabled_at = CASE WHEN $1 THEN COALESCE(disabled_at, $2) END
                 WHERE username = $3",
            )
            .bind(disabled)
            .bind(now_ms)
            .bind(username)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if disabled {
                sqlx::query(
                    "UPDATE tokens SET revoked_at = $1
                     WHERE revoked_at IS NULL
                       AND user_id IN (SELECT id FROM users WHERE username = $2)",
                )
                .bind(now_ms)
                .bind(username)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(changed > 0)
        })
    }

    /// Replaces a user's password hash and revokes their tokens, except `keep` (the token of
    /// a user changing their own password stays signed in). Returns false if no such user.
    pub async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        keep: Option<&str>,
        now_ms: i64,
    ) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
                .bind(password_hash)
                .bind(username)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(
                "UPDATE tokens SET revoked_at = $1
                 WHERE revoked_at IS NULL AND ($3 IS NULL OR hash <> $3)
                   AND user_id IN (SELECT id FROM users WHERE username = $2)",
            )
            .bind(now_ms)
            .bind(username)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(changed > 0)
        })
    }

    // ---- tokens -----------------------------------------------------------------------------

    pub async fn insert_token(
        &self,
        hash: &str,
        user_id: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        let sql =
            "INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
        on_pool!(self, pool => {
            sqlx::query(sql)
                .bind(hash)
                .bind(user_id)
                .bind(now_ms)
                .bind(expires_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The enabled user holding a live (unexpired, unrevoked) token.
    pub async fn user_by_token(&self, hash: &str, now_ms: i64) -> Result<Option<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM tokens t JOIN users u ON u.id = t.user_id
             WHERE t.hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2
               AND u.disabled_at IS NULL"
        );
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(hash).bind(now_ms).fetch_optional(pool).await?;
            row.map(|r| user_row(&r)).transpose()
        })
    }

    pub async fn revoke_token(&self, hash: &str, now_ms: i64) -> Result<()> {
        let sql = "UPDATE tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL";
        on_pool!(self, pool => {
            sqlx::query(sql).bind(now_ms).bind(hash).execute(pool).await?;
        });
        Ok(())
    }

    // ---- login attempts ---------------------------------------------------------------------

    pub async fn failed_logins_since(&self, username: &str, since_ms: i64) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM login_attempts WHERE username = $1 AND attempted_at >= $2";
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(username)
            .bind(since_ms)
            .fetch_one(pool)
            .await?);
        Ok(count)
    }

    /// When the oldest failed login of `username` since `since_ms` happened.
    pub async fn oldest_failed_login_since(
        &self,
        username: &str,
        since_ms: i64,
    ) -> Result<Option<i64>> {
        let sql = "SELECT MIN(attempted_at) FROM login_attempts
                   WHERE username = $1 AND attempted_at >= $2";
        let oldest: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(username)
            .bind(since_ms)
            .fetch_one(pool)
            .await?);
        Ok(oldest)
    }

    pub async fn record_failed_login(&self, username: &str, now_ms: i64) -> Result<()> {
        let sql = "INSERT INTO login_attempts (username, attempted_at) VALUES ($1, $2)";
        on_pool!(self, pool => {
            sqlx::query(sql).bind(username).bind(now_ms).execute(pool).await?;
        });
        Ok(())
    }

    pub async fn clear_failed_logins(&self, username: &str) -> Result<()> {
        let sql = "DELETE FROM login_attempts WHERE username = $1";
        on_pool!(self, pool => {
            sqlx::query(sql).bind(username).execute(pool).await?;
        });
        Ok(())
    }

    // ---- units ------------------------------------------------------------------------------

    /// The `unit_recorded` events of units within `scope` (`""`: all), in no particular order;
    /// fold them with `crate::units::UnitTree`.
    pub async fn unit_events(&self, scope: &str) -> Result<Vec<Event>> {
        self.events_of_kind("unit_recorded", scope).await
    }

    /// Whether a unit with this code has been recorded.
    pub async fn unit_recorded(&self, code: &UnitId) -> Result<bool> {
        let sql = "SELECT COUNT(*) FROM events WHERE entity = $1 AND kind = 'unit_recorded'";
        let n: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(db_text(&EntityId::unit(code)))
            .fetch_one(pool)
            .await?);
        Ok(n > 0)
    }
}

fn user_row<R>(r: &R) -> Result<UserRow>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(UserRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        password_hash: r.try_get("password_hash")?,
        role: r.try_get("role")?,
        scope: r.try_get("scope")?,
        display_name: r.try_get("display_name")?,
        disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        department: r.try_get("department")?,
    })
}
