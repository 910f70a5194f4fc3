//! Browser tests of on-device storage (run in headless Chromium by `cargo xtask test`).

use cunju::store::{Store, StoreError};
use wasm_bindgen_test::*;

mod old_schemas;

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
    store
        .set_meta("device", &"d-0001".to_string())
        .await
        .unwrap();
    store.close();

    let reopened = Store::open(name).await.unwrap();
    assert_eq!(
        reopened.meta::<String>("device").await.unwrap(),
        Some("d-0001".to_string())
    );
    assert_eq!(
        reopened.schema_version().unwrap(),
        cunju::store::SCHEMA_VERSION
    );
    reopened.close();
    Store::delete(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_value_of_the_wrong_shape_is_a_clear_error_not_a_panic() {
    let name = "cunju-test-meta-shape";
    let store = fresh(name).await;
    store
        .set_meta("cursor", &"not a number".to_string())
        .await
        .unwrap();
    let err = store.meta::<u64>("cursor").await.unwrap_err();
    assert!(matches!(err, StoreError::Encoding(_)), "{err:?}");
    assert!(err.message(cunju::i18n::Lang::Zh).contains("记录格式错误"));
    store.close();
    Store::delete(name).await.unwrap();
}

/// A database as the first release created it.
async fn open_first_release_schema(name: &str) -> rexie::Rexie {
    old_schemas::first_release(name)
        .build()
        .await
        .expect("create a first-release database")
}

#[wasm_bindgen_test]
async fn a_database_of_the_first_release_opens_with_its_data_and_takes_events() {
    use cunju_domain::event::{EntityKind, EventBody, NewEvent};
    use cunju_domain::ids::{EntityId, EventId};

    let name = "cunju-test-first-release";
    Store::delete(name).await.unwrap();
    let old = open_first_release_schema(name).await;
    let tx = old
        .transaction(&["meta"], rexie::TransactionMode::ReadWrite)
        .unwrap();
    let meta = tx.store("meta").unwrap();
    meta.put(&"kept".into(), Some(&"note".into()))
        .await
        .unwrap();
    tx.done().await.unwrap();
    old.close();

    let store = Store::open(name).await.expect("the current code opens it");
    assert_eq!(
        store.schema_version().unwrap(),
        cunju::store::SCHEMA_VERSION
    );
    assert_eq!(
        store.meta::<String>("note").await.unwrap(),
        Some("kept".to_string())
    );
    let entity = EntityId::new(EntityKind::Unit.as_str(), EventId::new(1, [0; 10]));
    let event = store
        .append(NewEvent {
            actor: "u1".parse().unwrap(),
            unit: "509901001".parse().unwrap(),
            entity: entity.clone(),
            body: EventBody::Note {
                text: "旧库新记录".into(),
            },
        })
        .await
        .expect("its indexes serve the event log");
    assert_eq!(store.pending(10).await.unwrap(), vec![event]);
    store.close();
    Store::delete(name).await.unwrap();
}

/// A phone still on schema 2 with events waiting to be pushed: the upgrade indexes them, and a
/// push then takes them a batch at a time in chain order (what the server checks).
#[wasm_bindgen_test]
async fn waiting_events_of_a_version_2_database_are_pushed_in_chain_order_after_the_upgrade() {
    use cunju_domain::event::{EntityKind, EventBody, NewEvent};
    use cunju_domain::ids::{EntityId, EventId};
    use rexie::TransactionMode;

    // Five waiting events made by the current code, copied as they are stored into a
    // database of schema 2 (whose `events` store has no `pending_order` index).
    let source = "cunju-test-v2-source";
    let store = fresh(source).await;
    let entity = EntityId::new(EntityKind::Unit.as_str(), EventId::new(2, [0; 10]));
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(
            store
                .append(NewEvent {
                    actor: "u1".parse().unwrap(),
                    unit: "5099001001".parse().unwrap(),
                    entity: entity.clone(),
                    body: EventBody::Note {
                        text: format!("升级前第 {i} 条"),
                    },
                })
                .await
                .unwrap(),
        );
    }
    store.close();
    let raw = rexie::Rexie::builder(source)
        .version(cunju::store::SCHEMA_VERSION)
        .build()
        .await
        .unwrap();
    let tx = raw
        .transaction(&["events", "meta"], TransactionMode::ReadOnly)
        .unwrap();
    let records = tx
        .store("events")
        .unwrap()
        .get_all(None, None)
        .await
        .unwrap();
    let device_log = tx
        .store("meta")
        .unwrap()
        .get("device_log".into())
        .await
        .unwrap();
    tx.done().await.unwrap();
    raw.close();
    Store::delete(source).await.unwrap();
    assert_eq!(records.len(), 5);

    let name = "cunju-test-v2-upgrade";
    Store::delete(name).await.unwrap();
    let old = old_schemas::version_2(name)
        .build()
        .await
        .expect("create a version-2 database");
    let tx = old
        .transaction(&["events", "meta"], TransactionMode::ReadWrite)
        .unwrap();
    // Stored in reverse: the index, not the insertion order, must give the chain order.
    for record in records.iter().rev() {
        tx.store("events").unwrap().put(record, None).await.unwrap();
    }
    if let Some(log) = device_log {
        tx.store("meta")
            .unwrap()
            .put(&log, Some(&"device_log".into()))
            .await
            .unwrap();
    }
    tx.done().await.unwrap();
    old.close();

    let store = Store::open(name).await.expect("the current code opens it");
    assert_eq!(store.schema_version().unwrap(), 3);
    assert_eq!(store.pending_count().await.unwrap(), 5);
    assert_eq!(store.pending(2).await.unwrap(), made[..2].to_vec());
    assert_eq!(store.pending(100).await.unwrap(), made);
    // Acknowledged events leave the waiting list; the rest keep their order.
    store.mark_acked(&[made[0].id, made[2].id]).await.unwrap();
    assert_eq!(
        store.pending(2).await.unwrap(),
        vec![made[1].clone(), made[3].clone()]
    );
    store.close();
    Store::delete(name).await.unwrap();
}
