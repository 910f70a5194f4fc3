//! Evidence photos: `PUT/GET /api/v1/blobs/{sha256}` — on SQLite and (when
//! `CUNJU_TEST_POSTGRES_URL` is set) PostgreSQL.

mod common;

use common::{Client, Db, Harness};
use cunju_domain::blob::{BlobStored, MAX_BLOB_BYTES};
use cunju_domain::ids::Hash;
use serde_json::Value;

on_both_databases!(
    upload_then_download_returns_the_same_bytes_and_is_idempotent,
    a_body_that_does_not_match_its_name_is_refused_and_nothing_is_stored,
    an_oversize_blob_is_refused_with_a_clear_error,
    without_a_sign_in_nothing_is_uploaded_or_served,
    a_missing_blob_is_404_and_a_bad_name_400,
);

const TOWN: &str = "5099001";

async fn put(client: &Client, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    client
        .http
        .put(format!("{}/api/v1/blobs/{name}", client.base))
        .bearer_auth(&client.token)
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn code_of(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// Bytes that look like a small JPEG (the server does not decode them).
fn photo(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

async fn upload_then_download_returns_the_same_bytes_and_is_idempotent(db: Db) {
    let h = Harness::start(db).await;
    let supervisor = h.user("sup", "township_supervisor", TOWN).await;
    let official = h.user("vo", "village_official", "5099001001").await;
    let bytes = photo(1, 20_000);
    let name = Hash::of(&bytes).to_string();

    let res = put(&supervisor, &name, bytes.clone()).await;
    assert_eq!(res.status(), 201);
    let stored: BlobStored = res.json().await.unwrap();
    assert_eq!(stored.sha256.to_string(), name);
    assert_eq!(stored.size, bytes.len() as u64);
    assert!(stored.created);

    // The same blob again (a resumed upload) is fine and changes nothing.
    let res = put(&official, &name, bytes.clone()).await;
    assert_eq!(res.status(), 200);
    let again: BlobStored = res.json().await.unwrap();
    assert!(!again.created);
    assert_eq!(h.store.blob_count().await.unwrap(), 1);

    // Another signed-in user downloads it, byte for byte, cacheable for ever.
    let res = official.get(&format!("/api/v1/blobs/{name}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let cache = res.headers()["cache-control"].to_str().unwrap().to_string();
    assert!(
        cache.contains("immutable") && cache.contains("max-age=31536000"),
        "{cache}"
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
}

async fn a_body_that_does_not_match_its_name_is_refused_and_nothing_is_stored(db: Db) {
    let h = Harness::start(db).await;
    let supervisor = h.user("sup", "township_supervisor", TOWN).await;
    let bytes = photo(2, 1000);
    let name = Hash::of(b"some other photo").to_string();

    let (status, code, message) = code_of(put(&supervisor, &name, bytes).await).await;
    assert_eq!((status, code.as_str()), (400, "blob_hash_mismatch"));
    assert!(message.contains("照片内容与编号不符"), "{message}");
    assert_eq!(h.store.blob_count().await.unwrap(), 0);
    let res = supervisor.get(&format!("/api/v1/blobs/{name}")).await;
    assert_eq!(res.status(), 404);
}

async fn an_oversize_blob_is_refused_with_a_clear_error(db: Db) {
    let h = Harness::start(db).await;
    let supervisor = h.user("sup", "township_supervisor", TOWN).await;

    // One byte over the limit, correctly named: refused for its size alone.
    let big = photo(3, MAX_BLOB_BYTES + 1 - 4);
    assert_eq!(big.len(), MAX_BLOB_BYTES + 1);
    let name = Hash::of(&big).to_string();
    let (status, code, message) = code_of(put(&supervisor, &name, big).await).await;
    assert_eq!((status, code.as_str()), (413, "blob_too_large"));
    assert!(message.contains("照片过大"), "{message}");
    assert_eq!(h.store.blob_count().await.unwrap(), 0);

    // Exactly at the limit is accepted.
    let limit = photo(4, MAX_BLOB_BYTES - 4);
    let name = Hash::of(&limit).to_string();
    assert_eq!(put(&supervisor, &name, limit).await.status(), 201);
    assert_eq!(h.store.blob_count().await.unwrap(), 1);
}

async fn without_a_sign_in_nothing_is_uploaded_or_served(db: Db) {
    let h = Harness::start(db).await;
    let supervisor = h.user("sup", "township_supervisor", TOWN).await;
    let bytes = photo(5, 500);
    let name = Hash::of(&bytes).to_string();

    let res = h
        .http
        .put(h.url(&format!("/api/v1/blobs/{name}")))
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    let (status, code, _) = code_of(res).await;
    assert_eq!((status, code.as_str()), (401, "unauthenticated"));
    assert_eq!(h.store.blob_count().await.unwrap(), 0);

    assert_eq!(put(&supervisor, &name, bytes).await.status(), 201);
    let res = h
        .http
        .get(h.url(&format!("/api/v1/blobs/{name}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = h
        .http
        .get(h.url(&format!("/api/v1/blobs/{name}")))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

async fn a_missing_blob_is_404_and_a_bad_name_400(db: Db) {
    let h = Harness::start(db).await;
    let supervisor = h.user("sup", "township_supervisor", TOWN).await;
    let absent = Hash::of(b"never uploaded").to_string();
    let (status, code, _) = code_of(supervisor.get(&format!("/api/v1/blobs/{absent}")).await).await;
    assert_eq!((status, code.as_str()), (404, "no_such_blob"));

    let (status, code, _) = code_of(put(&supervisor, "not-a-hash", photo(6, 10)).await).await;
    assert_eq!((status, code.as_str()), (400, "blob_bad_name"));
    let upper = absent.to_uppercase();
    let (status, code, _) = code_of(supervisor.get(&format!("/api/v1/blobs/{upper}")).await).await;
    assert_eq!((status, code.as_str()), (400, "blob_bad_name"));
    assert_eq!(h.store.blob_count().await.unwrap(), 0);
}
