//! Browser tests of evidence photos on the device: the content-addressed blob store (also in a
//! database upgraded from the first release), and the background upload that resumes — a
//! photo is marked uploaded only after the server said 2xx.

use std::cell::RefCell;

use cunju::store::{Store, StoreError};
use cunju::sync::api::ApiError;
use cunju::sync::engine::{BlobTransport, upload_pending_blobs};
use cunju_domain::blob::MAX_BLOB_BYTES;
use cunju_domain::ids::Hash;
use wasm_bindgen_test::*;

mod old_schemas;

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh(name: &str) -> Store {
    Store::delete(name).await.expect("delete test database");
    Store::open(name).await.expect("open test database")
}

async fn done(store: Store, name: &str) {
    store.close();
    Store::delete(name).await.unwrap();
}

fn photo(seed: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, seed];
    bytes.extend((0..5000u32).map(|i| (i % 251) as u8 ^ seed));
    bytes
}

#[wasm_bindgen_test]
async fn a_photo_is_stored_under_its_sha256_and_waits_for_upload() {
    let name = "cunju-test-blobs-store";
    let store = fresh(name).await;
    let bytes = photo(1);

    let hash = store.put_blob(&bytes, "image/jpeg").await.unwrap();
    assert_eq!(hash, Hash::of(&bytes));
    // The same photo again is one blob.
    assert_eq!(store.put_blob(&bytes, "image/jpeg").await.unwrap(), hash);
    assert_eq!(store.pending_blobs().await.unwrap(), vec![hash]);
    assert_eq!(store.pending_blob_count().await.unwrap(), 1);

    let blob = store.blob(&hash).await.unwrap().expect("stored");
    assert_eq!(blob.bytes, bytes);
    assert_eq!(blob.mime, "image/jpeg");
    assert!(!blob.uploaded);
    assert_eq!(store.blob(&Hash::of(b"absent")).await.unwrap(), None);

    store.mark_blob_uploaded(&hash).await.unwrap();
    assert_eq!(store.pending_blob_count().await.unwrap(), 0);
    assert!(store.blob(&hash).await.unwrap().unwrap().uploaded);
    // Storing it again (the user attaches the same photo) does not make it pending again.
    store.put_blob(&bytes, "image/jpeg").await.unwrap();
    assert_eq!(store.pending_blob_count().await.unwrap(), 0);
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn bad_photos_are_refused_and_nothing_is_stored() {
    let name = "cunju-test-blobs-refused";
    let store = fresh(name).await;
    let err = store
        .put_blob(&vec![7u8; MAX_BLOB_BYTES + 1], "image/jpeg")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("照片过大")),
        "{err:?}"
    );
    assert!(store.put_blob(&[], "image/jpeg").await.is_err());

    // A download whose bytes are not the photo named is not kept.
    let named = Hash::of(b"the real photo");
    assert!(
        store
            .put_synced_blob(named, b"something else", "image/jpeg")
            .await
            .is_err()
    );
    assert_eq!(store.blob(&named).await.unwrap(), None);
    assert_eq!(store.pending_blob_count().await.unwrap(), 0);

    // A correct download is kept as already uploaded.
    store
        .put_synced_blob(named, b"the real photo", "image/png")
        .await
        .unwrap();
    let blob = store.blob(&named).await.unwrap().unwrap();
    assert!(blob.uploaded);
    assert_eq!(blob.mime, "image/png");
    assert_eq!(store.pending_blob_count().await.unwrap(), 0);
    done(store, name).await;
}

/// A fake server: each upload answers what the test scripted, and records what arrived.
struct FakeServer {
    answers: RefCell<Vec<Result<(), ApiError>>>,
    received: RefCell<Vec<(Hash, Vec<u8>)>>,
}

impl FakeServer {
    fn answering(answers: Vec<Result<(), ApiError>>) -> FakeServer {
        FakeServer {
            answers: RefCell::new(answers),
            received: RefCell::new(Vec::new()),
        }
    }
}

impl BlobTransport for FakeServer {
    async fn put_blob(
        &self,
        _token: &str,
        hash: &Hash,
        bytes: &[u8],
        _mime: &str,
    ) -> Result<(), ApiError> {
        let answer = {
            let mut answers = self.answers.borrow_mut();
            if answers.is_empty() {
                Ok(())
            } else {
                answers.remove(0)
            }
        };
        if answer.is_ok() {
            self.received.borrow_mut().push((*hash, bytes.to_vec()));
        }
        answer
    }
}

#[wasm_bindgen_test]
async fn a_failed_upload_stays_pending_and_the_next_sync_resumes_it() {
    let name = "cunju-test-blobs-upload";
    let store = fresh(name).await;
    let first = store.put_blob(&photo(1), "image/jpeg").await.unwrap();
    let second = store.put_blob(&photo(2), "image/jpeg").await.unwrap();

    // Offline: nothing is marked, the round stops at the first failure.
    let offline = FakeServer::answering(vec![Err(ApiError::Network("offline".into()))]);
    let err = upload_pending_blobs(&store, &offline, "t")
        .await
        .unwrap_err();
    assert!(err.is_network());
    assert_eq!(store.pending_blob_count().await.unwrap(), 2);
    assert!(offline.received.borrow().is_empty());

    // One upload succeeds, then the server fails (5xx): only the confirmed one is marked.
    let flaky = FakeServer::answering(vec![
        Ok(()),
        Err(ApiError::Server {
            status: 503,
            code: String::new(),
            message: String::new(),
        }),
    ]);
    assert!(upload_pending_blobs(&store, &flaky, "t").await.is_err());
    let sent = flaky.received.borrow()[0].0;
    assert_eq!(store.pending_blob_count().await.unwrap(), 1);
    assert!(store.blob(&sent).await.unwrap().unwrap().uploaded);

    // The next sync uploads the rest, with the right bytes.
    let good = FakeServer::answering(vec![]);
    let report = upload_pending_blobs(&store, &good, "t").await.unwrap();
    assert_eq!(report.uploaded, 1);
    assert_eq!(store.pending_blob_count().await.unwrap(), 0);
    let (hash, bytes) = good.received.borrow()[0].clone();
    assert!(hash == first || hash == second);
    assert_ne!(hash, sent);
    assert_eq!(Hash::of(&bytes), hash);

    // Nothing is left to send.
    let idle = FakeServer::answering(vec![]);
    assert_eq!(
        upload_pending_blobs(&store, &idle, "t")
            .await
            .unwrap()
            .uploaded,
        0
    );
    assert!(idle.received.borrow().is_empty());
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn a_401_stops_the_round_and_keeps_every_photo_pending() {
    let name = "cunju-test-blobs-401";
    let store = fresh(name).await;
    store.put_blob(&photo(3), "image/jpeg").await.unwrap();
    let expired = FakeServer::answering(vec![Err(ApiError::Unauthorized {
        code: "unauthenticated".into(),
        message: String::new(),
    })]);
    let err = upload_pending_blobs(&store, &expired, "t")
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());
    assert_eq!(store.pending_blob_count().await.unwrap(), 1);
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn a_database_of_the_first_release_gains_the_photo_store() {
    let name = "cunju-test-blobs-upgrade";
    Store::delete(name).await.unwrap();
    let old = old_schemas::first_release(name).build().await.unwrap();
    let tx = old
        .transaction(&["meta"], rexie::TransactionMode::ReadWrite)
        .unwrap();
    tx.store("meta")
        .unwrap()
        .put(&"kept".into(), Some(&"note".into()))
        .await
        .unwrap();
    tx.done().await.unwrap();
    old.close();

    let store = Store::open(name).await.unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        cunju::store::SCHEMA_VERSION
    );
    assert_eq!(
        store.meta::<String>("note").await.unwrap(),
        Some("kept".into())
    );
    let hash = store.put_blob(&photo(4), "image/jpeg").await.unwrap();
    assert_eq!(store.pending_blobs().await.unwrap(), vec![hash]);
    done(store, name).await;
}
