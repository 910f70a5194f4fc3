//! Devices that have stored events, and revoking one (a lost phone): its later events are
//! refused (`unknown_device`) and every token it pushed with is revoked.

use sqlx::Row;

use super::{Result, Store, on_pool};

/// A device as stored, with its owner's account.
#[derive(Clone, Debug)]
pub struct DeviceRow {
    pub device: String,
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub events: i64,
    pub revoked_at: Option<i64>,
}

const DEVICE_SELECT: &str = "SELECT d.device, d.user_id, u.username, u.display_name, u.role,
        u.scope, d.first_seen, d.last_seen, d.revoked_at,
        (SELECT COUNT(*) FROM events e WHERE e.device = d.device) AS events
    FROM devices d JOIN users u ON u.id = d.user_id";

impl Store {
    /// The account's bundle key (hex), if it has logged in since keys exist.
    pub async fn existing_bundle_key(&self, user_id: &str) -> Result<Option<String>> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT key FROM bundle_keys WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?;
            Ok(row.map(|r| r.try_get::<String, _>("key")).transpose()?)
        })
    }

    /// The account's bundle key (hex); `fresh` becomes it if the account has none yet. Two
    /// first logins at once agree: the first insert wins and both read it back.
    pub async fn bundle_key(&self, user_id: &str, fresh: &str) -> Result<String> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO bundle_keys (user_id, key) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING")
                .bind(user_id)
                .bind(fresh)
                .execute(pool)
                .await?;
            let row = sqlx::query("SELECT key FROM bundle_keys WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await?;
            Ok(row.try_get::<String, _>("key")?)
        })
    }

    /// Devices of accounts whose scope lies within `scope` (`""`: all), most recent first.
    pub async fn devices_within(&self, scope: &str) -> Result<Vec<DeviceRow>> {
        let sql = format!(
            "{DEVICE_SELECT} WHERE substr(u.scope, 1, length($1)) = $1
             ORDER BY d.last_seen DESC, d.device"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(scope).fetch_all(pool).await?;
            rows.iter().map(device_row).collect()
        })
    }

    pub async fn device(&self, device: &str) -> Result<Option<DeviceRow>> {
        let sql = format!("{DEVICE_SELECT} WHERE d.device = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(device).fetch_optional(pool).await?;
            row.map(|r| device_row(&r)).transpose()
        })
    }

    /// Revokes a device and every live token it pushed with; returns how many tokens were
    /// revoked (`None`: no such device). Revoking twice keeps the first time.
    pub async fn revoke_device(&self, device: &str, by: &str, now_ms: i64) -> Result<Option<u64>> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let found = sqlx::query(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1),
                                    revoked_by = COALESCE(revoked_by, $2)
                 WHERE device = $3",
            )
            .bind(now_ms)
            .bind(by)
            .bind(device)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if found == 0 {
                return Ok(None);
            }
            let tokens = sqlx::query(
                "UPDATE tokens SET revoked_at = $1
                 WHERE revoked_at IS NULL
                   AND hash IN (SELECT token_hash FROM device_tokens WHERE device = $2)",
            )
            .bind(now_ms)
            .bind(device)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(Some(tokens))
        })
    }
}

fn device_row<R>(r: &R) -> Result<DeviceRow>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(DeviceRow {
        device: r.try_get("device")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: r.try_get("role")?,
        scope: r.try_get("scope")?,
        first_seen: r.try_get("first_seen")?,
        last_seen: r.try_get("last_seen")?,
        events: r.try_get("events")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}
