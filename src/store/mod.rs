//! The device's storage: IndexedDB through rexie, behind one small async API so that screens
//! never touch IndexedDB themselves.
//!
//! Object stores (architecture §3): `events` (the log, key `id`), `entities` (materialised
//! projections), `meta` (device log with the HLC, sync cursor, cached session) and `blobs`
//! (evidence photos, content-addressed).
//! Every write that belongs together — an event and its projection (the event itself is the
//! record of the chain's head: `log::load_device_log`) — commits in one read-write transaction
//! or not at all.

mod blobs;
mod error;
mod log;
mod meta;
mod records;
mod schema;
mod shared;

pub use blobs::StoredBlob;
pub use error::StoreError;
pub use log::ApplyReport;
pub use meta::Session;
pub use records::{RejectedEvent, Rejection, SyncMark};
pub use schema::VERSION as SCHEMA_VERSION;
pub use shared::shared;

use rexie::{Durability, KeyRange, Rexie, Transaction, TransactionMode, TransactionResult};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

/// Name of the app's database. Tests open databases under other names.
pub const DEFAULT_DB_NAME: &str = "cunju";

/// An open connection to one Cunju database.
pub struct Store {
    db: Rexie,
    /// This device's log as this connection last wrote it, so an append need not read it first
    /// (another tab's append meanwhile makes ours fail on the unique `device_seq` index, and
    /// `append_many` redoes it). `None`: read it (`meta` and the last event this device wrote).
    device_log: std::cell::RefCell<Option<cunju_domain::event::DeviceLog>>,
    /// The projection this connection's last append wrote, checked the same way: a screen that
    /// records one mark after another (the door screen) then neither waits for nor decodes it.
    projection: std::cell::RefCell<Option<log::KnownProjection>>,
}

impl Store {
    /// Opens (creating or upgrading as needed) the app's database.
    pub async fn open_default() -> Result<Store, StoreError> {
        Store::open(DEFAULT_DB_NAME).await
    }

    /// Opens (creating or upgrading as needed) the database `name`.
    pub async fn open(name: &str) -> Result<Store, StoreError> {
        let db = schema::builder(name)
            .build()
            .await
            .map_err(StoreError::from_open)?;
        Ok(Store {
            db,
            device_log: Default::default(),
            projection: Default::default(),
        })
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
        let tx = self.tx(&[schema::META], TransactionMode::ReadOnly)?;
        let store = tx.store(schema::META).map_err(StoreError::from_idb)?;
        get_decoded(&store, JsValue::from_str(key)).await
    }

    /// Writes one value of the `meta` store and waits until it is committed.
    pub async fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let tx = self.tx(&[schema::META], TransactionMode::ReadWrite)?;
        let result = async {
            let store = tx.store(schema::META).map_err(StoreError::from_idb)?;
            store
                .put(&encode(value)?, Some(&JsValue::from_str(key)))
                .await
                .map_err(StoreError::from_idb)?;
            Ok(())
        }
        .await;
        finish(tx, result).await
    }

    /// Removes one value of the `meta` store.
    pub async fn delete_meta(&self, key: &str) -> Result<(), StoreError> {
        let tx = self.tx(&[schema::META], TransactionMode::ReadWrite)?;
        let result = async {
            let store = tx.store(schema::META).map_err(StoreError::from_idb)?;
            store
                .delete(JsValue::from_str(key))
                .await
                .map_err(StoreError::from_idb)
        }
        .await;
        finish(tx, result).await
    }

    /// A transaction with the browser's default durability, which in Chromium is "relaxed":
    /// it completes once the operating system has the changes. For reads, and for writes the
    /// server can give back (a pulled page, a push's outcome, the session).
    fn tx(&self, stores: &[&str], mode: TransactionMode) -> Result<Transaction, StoreError> {
        self.db
            .transaction(stores, mode)
            .map_err(StoreError::from_idb)
    }

    /// A read-write transaction with "strict" durability: it completes only after its changes
    /// were flushed to storage. For writes whose only copy is on this device (a new record, a
    /// photo taken here), so that "saved" survives the battery running out a moment later.
    fn durable_tx(&self, stores: &[&str]) -> Result<Transaction, StoreError> {
        self.db
            .transaction_with_durability(stores, TransactionMode::ReadWrite, Durability::Strict)
            .map_err(StoreError::from_idb)
    }
}

/// Ends a read-write transaction: on success waits for the commit (an abort, e.g. for quota, is
/// an error); on failure aborts, so nothing of it is written.
async fn finish<T>(tx: Transaction, result: Result<T, StoreError>) -> Result<T, StoreError> {
    match result {
        Ok(value) => match tx.done().await.map_err(StoreError::from_idb)? {
            TransactionResult::Committed => Ok(value),
            TransactionResult::Aborted => Err(StoreError::Aborted),
        },
        Err(err) => {
            // It may already be aborted by the failed request; either way nothing commits.
            let _ = tx.abort().await;
            Err(err)
        }
    }
}

async fn get_decoded<T: DeserializeOwned>(
    store: &rexie::Store,
    key: JsValue,
) -> Result<Option<T>, StoreError> {
    match store.get(key).await.map_err(StoreError::from_idb)? {
        None => Ok(None),
        Some(js) if js.is_undefined() => Ok(None),
        Some(js) => decode(js).map(Some),
    }
}

fn only(key: &JsValue) -> Result<KeyRange, StoreError> {
    KeyRange::only(key).map_err(|e| StoreError::from_idb(e.into()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The browser itself reports the durability a transaction was opened with.
    #[wasm_bindgen_test]
    async fn durable_writes_are_strict_and_the_rest_use_the_default() {
        let name = "cunju-test-durability";
        let _ = Store::delete(name).await;
        let store = Store::open(name).await.unwrap();
        let durable = store.durable_tx(&[schema::EVENTS]).unwrap();
        assert_eq!(durable.durability().as_deref(), Some("strict"));
        let _ = durable.done().await;
        let plain = store
            .tx(&[schema::EVENTS], TransactionMode::ReadWrite)
            .unwrap();
        assert_eq!(plain.durability(), None, "opened without a hint");
        let _ = plain.done().await;
        store.close();
        Store::delete(name).await.unwrap();
    }
}
