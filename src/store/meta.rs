//! Small values kept in the `meta` store: the device log, the cached session, the pull cursor
//! and unit tree (per user, since scopes differ) and the time of the last successful sync.

use cunju_domain::directory::units::Unit;
use cunju_domain::ids::UserId;
use cunju_domain::sync::{Cursor, Profile};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};

pub(crate) const DEVICE_LOG: &str = "device_log";
const SESSION: &str = "session";
const LAST_SYNC: &str = "last_sync_ms";
const STORAGE_PERSISTED: &str = "storage_persisted";

pub(crate) fn cursor_key(user: &UserId) -> String {
    format!("cursor/{user}")
}

/// Who is logged in on this device. The profile stays cached after the token expires (or while
/// offline), so the app keeps working; pushes wait until a token is present again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub profile: Profile,
    /// The bearer token; `None` once the server said it is no longer valid.
    pub token: Option<String>,
    /// The account's key for signing offline transfer bundles; kept when the token expires, so
    /// a phone out of signal can still export.
    #[serde(default)]
    pub bundle_key: Option<cunju_domain::bundle::BundleKey>,
}

impl Store {
    /// The cached session, if anyone has logged in on this device.
    pub async fn session(&self) -> Result<Option<Session>, StoreError> {
        self.meta(SESSION).await
    }

    /// Caches a session after a successful login.
    pub async fn save_session(&self, session: &Session) -> Result<(), StoreError> {
        self.set_meta(SESSION, session).await
    }

    /// Drops the token (the server refused it) but keeps the cached profile.
    pub async fn forget_token(&self) -> Result<(), StoreError> {
        match self.session().await? {
            Some(mut session) if session.token.is_some() => {
                session.token = None;
                self.save_session(&session).await
            }
            _ => Ok(()),
        }
    }

    /// Forgets the session entirely (log out). Events stay on the device.
    pub async fn clear_session(&self) -> Result<(), StoreError> {
        self.delete_meta(SESSION).await
    }

    /// Where `user`'s next pull starts.
    pub async fn cursor(&self, user: &UserId) -> Result<Cursor, StoreError> {
        Ok(Cursor(
            self.meta::<u64>(&cursor_key(user)).await?.unwrap_or(0),
        ))
    }

    pub async fn set_cursor(&self, user: &UserId, cursor: Cursor) -> Result<(), StoreError> {
        self.set_meta(&cursor_key(user), &cursor.0).await
    }

    /// The unit tree of `user`'s scope as last fetched (for choosing a unit offline).
    pub async fn units(&self, user: &UserId) -> Result<Vec<Unit>, StoreError> {
        Ok(self
            .meta(&format!("units/{user}"))
            .await?
            .unwrap_or_default())
    }

    pub async fn save_units(&self, user: &UserId, units: &[Unit]) -> Result<(), StoreError> {
        self.set_meta(&format!("units/{user}"), &units).await
    }

    /// When the last sync finished without error (device clock, ms).
    pub async fn last_sync_ms(&self) -> Result<Option<u64>, StoreError> {
        self.meta(LAST_SYNC).await
    }

    pub async fn set_last_sync_ms(&self, ms: u64) -> Result<(), StoreError> {
        self.set_meta(LAST_SYNC, &ms).await
    }

    /// Asks the browser, once per device, to keep our data under storage pressure.
    pub async fn ensure_persistent_storage(&self) -> Result<bool, StoreError> {
        if self.meta::<bool>(STORAGE_PERSISTED).await? == Some(true) {
            return Ok(true);
        }
        let granted = crate::platform::request_persistent_storage().await;
        self.set_meta(STORAGE_PERSISTED, &granted).await?;
        Ok(granted)
    }
}
