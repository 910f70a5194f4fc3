//! Browser tests of on-device storage (run in headless Chromium by `cargo xtask test`).

use cunju::store::{Store, StoreError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A database of its own per test, deleted first so reruns start clean.
async fn fresh(name: &str) -> Store {
    Store::delete(name).await.expect("delete test database");
    Store::open(name).await.expect("open test database")
}

#[wasm_bindgen_test]
async fn meta_value_survives_close_and_reopen() {
    let name = "cunju-test-meta-reopen";
    let store = fresh(name).await;
    assert_eq!(store.meta::<String>("device").await.unwrap(), None);
    store.set_meta("device", &"d-0001".to_string()).await.unwrap();
    store.close();

    let reopened = Store::open(name).await.unwrap();
    assert_eq!(
        reopened.meta::<String>("device").await.unwrap(),
        Some("d-0001".to_string())
    );
    assert_eq!(reopened.schema_version().unwrap(), 1);
    reopened.close();
    Store::delete(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_value_of_the_wrong_shape_is_a_clear_error_not_a_panic() {
    let name = "cunju-test-meta-shape";
    let store = fresh(name).await;
    store.set_meta("cursor", &"not a number".to_string()).await.unwrap();
    let err = store.meta::<u64>("cursor").await.unwrap_err();
    assert!(matches!(err, StoreError::Encoding(_)), "{err:?}");
    assert!(err.message(cunju::i18n::Lang::Zh).contains("记录格式错误"));
    store.close();
    Store::delete(name).await.unwrap();
}
