use idb::Database;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransaction};

use crate::{Result, RexieBuilder, Transaction, TransactionMode};

/// Rexie database (wrapper on top of indexed db)
#[derive(Debug)]
pub struct Rexie {
    pub(crate) database: Database,
    /// The same connection as a plain `IDBDatabase`, for what `idb` does not wrap (the
    /// durability option of a transaction).
    pub(crate) raw: Option<IdbDatabase>,
}

/// The durability hint of a read-write transaction (IndexedDB 3.0). `Strict`: the transaction
/// completes only after its changes were flushed to storage. `Relaxed`: as soon as the operating
/// system has them. `Default`: the browser's choice (relaxed in Chromium since version 121).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Default,
    Strict,
    Relaxed,
}

impl Durability {
    pub fn as_str(self) -> &'static str {
        match self {
            Durability::Default => "default",
            Durability::Strict => "strict",
            Durability::Relaxed => "relaxed",
        }
    }
}


impl Rexie {
    /// Creates a builder for database with given name
    pub fn builder(name: &str) -> RexieBuilder {
        RexieBuilder::new(name)
    }

    /// Returns name of the database
    pub fn name(&self) -> String {
        self.database.name()
    }

    /// Returns version of the database
    pub fn version(&self) -> Result<u32> {
        self.database.version().map_err(Into::into)
    }

    /// Returns names of all stores in the database
    pub fn store_names(&self) -> Vec<String> {
        self.database.store_names()
    }

    /// Creates a new transaction on the database
    pub fn transaction<T: AsRef<str>>(
        &self,
        store_names: &[T],
        mode: TransactionMode,
    ) -> Result<Transaction> {
        let transaction = self.database.transaction(store_names, mode)?;
        Ok(Transaction {
            transaction,
            raw: None,
        })
    }

    /// Creates a new transaction on the database with the given durability hint.
    pub fn transaction_with_durability<T: AsRef<str>>(
        &self,
        store_names: &[T],
        mode: TransactionMode,
        durability: Durability,
    ) -> Result<Transaction> {
        let Some(raw) = &self.raw else {
            return self.transaction(store_names, mode);
        };
        let names: Array = store_names
            .iter()
            .map(|s| JsValue::from(s.as_ref()))
            .collect();
        let options = Object::new();
        // Setting a property of a fresh plain object cannot fail.
        let _ = Reflect::set(
            &options,
            &JsValue::from_str("durability"),
            &JsValue::from_str(durability.as_str()),
        );
        // `IDBDatabase.transaction(storeNames, mode, options)`: web-sys binds the options only
        // under its unstable APIs.
        let mode = match mode {
            TransactionMode::ReadOnly => "readonly",
            TransactionMode::ReadWrite => "readwrite",
            TransactionMode::VersionChange => "versionchange",
        };
        let raw_transaction = Reflect::get(raw, &JsValue::from_str("transaction"))
            .and_then(|f| f.dyn_into::<Function>().map_err(JsValue::from))
            .and_then(|f| f.call3(raw, &names, &JsValue::from_str(mode), &options))
            .and_then(|t| t.dyn_into::<IdbTransaction>().map_err(JsValue::from))
            .map_err(idb::Error::TransactionOpenFailed)?;
        Ok(Transaction {
            transaction: raw_transaction.clone().into(),
            raw: Some(raw_transaction),
        })
    }

    /// Closes the database
    pub fn close(self) {
        self.database.close();
    }

    /// Deletes a database. Note that the future returned by this function doesn't reach completion until the database
    /// is closed across all tabs in the browser.
    pub async fn delete(name: &str) -> Result<()> {
        Self::builder(name).delete().await
    }
}
