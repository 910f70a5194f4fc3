//! The device's storage: IndexedDB through rexie, behind one small async API so that screens
//! never touch IndexedDB themselves.
//!
//! Object stores (architecture §3): `events` (the log, key `id`), `entities` (materialised
//! projections) and `meta` (device id, clock, sync cursor, cached profile, schema version).

mod error;
mod schema;

pub use error::StoreError;

use rexie::{Rexie, TransactionMode};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

/// Name of the app's database. Tests open databases under other names.
pub const DEFAULT_DB_NAME: &str = "cunju";

/// An open connection to one Cunju database.
pub struct Store {
    db: Rexie,
}

impl Store {
    /// Opens (creating or upgrading as needed) the app's database.
    pub async fn open_default() -> Result<Store, StoreError> {
        Store::open(DEFAULT_DB_NAME).await
    }

    /// Opens (creating or upgrading as needed) the database `name`.
    pub async fn open(name: &str) -> Result<Store, StoreError> {
        let db = schema::builder(name).build().await.map_err(StoreError::from_open)?;
        Ok(Store { db })
    }

    /// Closes the connection (a later `open` sees everything committed).
    pub fn close(self) {
        self.db.close();
    }

    /// Deletes the database `name` and all its records. Used by tests and by "reset device".
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Rexie::delete(name).await.map_err(StoreError::from_idb)
    }

    /// The schema version the open database is at.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.db.version().map_err(StoreError::from_idb)
    }

    /// Reads one value of the `meta` store.
    pub async fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::META], TransactionMode::ReadOnly)
            .map_err(StoreError::from_idb)?;
        let store = tx.store(schema::META).map_err(StoreError::from_idb)?;
        let value = store.get(JsValue::from_str(key)).await.map_err(StoreError::from_idb)?;
        match value {
            None => Ok(None),
            Some(js) => decode(js).map(Some),
        }
    }

    /// Writes one value of the `meta` store and waits until it is committed.
    pub async fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[schema::META], TransactionMode::ReadWrite)
            .map_err(StoreError::from_idb)?;
        let store = tx.store(schema::META).map_err(StoreError::from_idb)?;
        store
            .put(&encode(value)?, Some(&JsValue::from_str(key)))
            .await
            .map_err(StoreError::from_idb)?;
        tx.done().await.map_err(StoreError::from_idb)?;
        Ok(())
    }
}

/// Converts a Rust value to the plain JS object IndexedDB stores (maps become objects).
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| StoreError::Encoding(e.to_string()))
}

pub(crate) fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, StoreError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| StoreError::Encoding(e.to_string()))
}
