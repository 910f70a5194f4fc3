//! Evidence photos on the device: content-addressed blobs in the `blobs` store, keyed by their
//! SHA-256 (hex). A photo taken here waits with `uploaded: 0` until the sync has had a 2xx for
//! it; one fetched from the server is stored as already uploaded.
//!
//! The bytes are kept as a `Uint8Array` (not JSON): a photo is hundreds of kilobytes.

use cunju_domain::blob;
use cunju_domain::ids::Hash;
use js_sys::{Object, Reflect, Uint8Array};
use rexie::TransactionMode;
use wasm_bindgen::{JsCast, JsValue};

use super::schema::BLOBS;
use super::{Store, StoreError, finish, only};

/// A photo as stored on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub hash: Hash,
    pub bytes: Vec<u8>,
    /// The image type, e.g. `image/jpeg`.
    pub mime: String,
    /// Whether the server has confirmed it has it.
    pub uploaded: bool,
}

impl Store {
    /// Stores a photo taken on this device and returns its name (SHA-256). Storing the same
    /// bytes again changes nothing (an uploaded blob stays uploaded).
    pub async fn put_blob(&self, bytes: &[u8], mime: &str) -> Result<Hash, StoreError> {
        blob::check_size(bytes.len()).map_err(|e| StoreError::Invalid(e.message_zh()))?;
        let hash = Hash::of(bytes);
        self.write_blob(hash, bytes, mime, false).await?;
        Ok(hash)
    }

    /// Stores a photo received from the server, after checking the bytes are the ones named.
    pub async fn put_synced_blob(
        &self,
        hash: Hash,
        bytes: &[u8],
        mime: &str,
    ) -> Result<(), StoreError> {
        blob::check(hash, bytes).map_err(|e| StoreError::Invalid(e.message_zh()))?;
        self.write_blob(hash, bytes, mime, true).await
    }

    async fn write_blob(
        &self,
        hash: Hash,
        bytes: &[u8],
        mime: &str,
        uploaded: bool,
    ) -> Result<(), StoreError> {
        // A photo taken here exists nowhere else until it is uploaded.
        let tx = if uploaded {
            self.tx(&[BLOBS], TransactionMode::ReadWrite)?
        } else {
            self.durable_tx(&[BLOBS])?
        };
        let result = async {
            let store = tx.store(BLOBS).map_err(StoreError::from_idb)?;
            let key = JsValue::from_str(&hash.to_string());
            let existing = store.get(key).await.map_err(StoreError::from_idb)?;
            if existing.is_some_and(|v| !v.is_undefined()) {
                return Ok(());
            }
            let record = Object::new();
            set(&record, "hash", &JsValue::from_str(&hash.to_string()))?;
            set(&record, "mime", &JsValue::from_str(mime))?;
            set(&record, "uploaded", &JsValue::from(u8::from(uploaded)))?;
            set(&record, "bytes", &Uint8Array::from(bytes).into())?;
            store
                .put(&record.into(), None)
                .await
                .map_err(StoreError::from_idb)?;
            Ok(())
        }
        .await;
        finish(tx, result).await
    }

    /// The photo named `hash`, if this device has it.
    pub async fn blob(&self, hash: &Hash) -> Result<Option<StoredBlob>, StoreError> {
        let tx = self.tx(&[BLOBS], TransactionMode::ReadOnly)?;
        let store = tx.store(BLOBS).map_err(StoreError::from_idb)?;
        match store
            .get(JsValue::from_str(&hash.to_string()))
            .await
            .map_err(StoreError::from_idb)?
        {
            Some(v) if !v.is_undefined() => read_record(&v).map(Some),
            _ => Ok(None),
        }
    }

    /// The names of the photos not yet confirmed by the server, oldest name order.
    pub async fn pending_blobs(&self) -> Result<Vec<Hash>, StoreError> {
        let tx = self.tx(&[BLOBS], TransactionMode::ReadOnly)?;
        let store = tx.store(BLOBS).map_err(StoreError::from_idb)?;
        let index = store.index("uploaded").map_err(StoreError::from_idb)?;
        let keys = index
            .get_all_keys(Some(only(&JsValue::from(0u8))?), None)
            .await
            .map_err(StoreError::from_idb)?;
        keys.into_iter()
            .map(|k| {
                k.as_string()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| StoreError::Encoding("blob key is not a SHA-256".into()))
            })
            .collect()
    }

    /// How many photos wait to be uploaded.
    pub async fn pending_blob_count(&self) -> Result<u32, StoreError> {
        let tx = self.tx(&[BLOBS], TransactionMode::ReadOnly)?;
        let store = tx.store(BLOBS).map_err(StoreError::from_idb)?;
        let index = store.index("uploaded").map_err(StoreError::from_idb)?;
        index
            .count(Some(only(&JsValue::from(0u8))?))
            .await
            .map_err(StoreError::from_idb)
    }

    /// Records that the server has the photo (after a 2xx for it). Unknown names are ignored.
    pub async fn mark_blob_uploaded(&self, hash: &Hash) -> Result<(), StoreError> {
        let tx = self.tx(&[BLOBS], TransactionMode::ReadWrite)?;
        let result = async {
            let store = tx.store(BLOBS).map_err(StoreError::from_idb)?;
            let key = JsValue::from_str(&hash.to_string());
            if let Some(record) = store.get(key).await.map_err(StoreError::from_idb)?
                && !record.is_undefined()
            {
                set(record.unchecked_ref(), "uploaded", &JsValue::from(1u8))?;
                store
                    .put(&record, None)
                    .await
                    .map_err(StoreError::from_idb)?;
            }
            Ok(())
        }
        .await;
        finish(tx, result).await
    }
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), StoreError> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| StoreError::Encoding(format!("{e:?}")))
}

fn get(source: &JsValue, key: &str) -> Result<JsValue, StoreError> {
    Reflect::get(source, &JsValue::from_str(key))
        .map_err(|e| StoreError::Encoding(format!("{e:?}")))
}

fn read_record(value: &JsValue) -> Result<StoredBlob, StoreError> {
    let bad = |what: &str| StoreError::Encoding(format!("blob record: {what}"));
    let hash = get(value, "hash")?
        .as_string()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("hash"))?;
    let mime = get(value, "mime")?.as_string().ok_or_else(|| bad("mime"))?;
    let uploaded = get(value, "uploaded")?
        .as_f64()
        .ok_or_else(|| bad("uploaded"))?
        != 0.0;
    let bytes = get(value, "bytes")?
        .dyn_into::<Uint8Array>()
        .map_err(|_| bad("bytes"))?
        .to_vec();
    Ok(StoredBlob {
        hash,
        bytes,
        mime,
        uploaded,
    })
}
