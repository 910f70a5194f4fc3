//! Evidence blobs: immutable photo bytes named by their SHA-256. The handler checks the name
//! against the bytes (`cunju_domain::blob::check`) before anything is written here.

use sqlx::Row;

use super::{Result, Store, on_pool};

/// A stored blob.
#[derive(Clone, Debug)]
pub struct BlobRow {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Store {
    /// Stores a blob; `false` when it was already there (nothing changes then).
    pub async fn put_blob(
        &self,
        hash: &str,
        content_type: &str,
        bytes: &[u8],
        uploaded_by: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let sql = "INSERT INTO blobs (hash, content_type, size, bytes, uploaded_by, uploaded_at)
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(sql)
            .bind(hash)
            .bind(content_type)
            .bind(bytes.len() as i64)
            .bind(bytes)
            .bind(uploaded_by)
            .bind(now_ms)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(inserted == 1)
    }

    /// The blob named `hash`, if stored.
    pub async fn blob(&self, hash: &str) -> Result<Option<BlobRow>> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT content_type, bytes FROM blobs WHERE hash = $1")
                .bind(hash)
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(r) => Some(BlobRow {
                    content_type: r.try_get("content_type")?,
                    bytes: r.try_get("bytes")?,
                }),
                None => None,
            })
        })
    }

    /// How many blobs are stored.
    pub async fn blob_count(&self) -> Result<i64> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM blobs").fetch_one(pool).await?)
        })
    }
}
