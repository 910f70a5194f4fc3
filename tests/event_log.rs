//! Browser tests of the event log on the device: appending, the hash chain and device identity
//! across reloads, projections, remote events and the push bookkeeping.

use chrono::NaiveDate;
use cunju::store::{Rejection, Store, StoreError, SyncMark};
use cunju_domain::event::{DeviceLog, EntityKind, Event, EventBody, NewEvent, Sex, verify_chain};
use cunju_domain::ids::{EntityId, EventId, UnitId, UserId};
use cunju_domain::sync::{Cursor, RejectReason};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const VILLAGE: &str = "509901001";
const NOW: u64 = 1_750_000_000_000;

/// A database of its own per test, deleted first so reruns start clean.
async fn fresh(name: &str) -> Store {
    Store::delete(name).await.expect("delete test database");
    Store::open(name).await.expect("open test database")
}

async fn done(store: Store, name: &str) {
    store.close();
    Store::delete(name).await.unwrap();
}

fn unit(code: &str) -> UnitId {
    code.parse().unwrap()
}

fn user(name: &str) -> UserId {
    name.parse().unwrap()
}

fn new_person_id(n: u8) -> EntityId {
    EntityId::new("person", EventId::new(NOW, [n; 10]))
}

fn person(entity: &EntityId, name: &str) -> NewEvent {
    NewEvent {
        actor: user("u-village"),
        unit: unit(VILLAGE),
        entity: entity.clone(),
        body: EventBody::PersonRecorded {
            name: name.into(),
            sex: Sex::Female,
            ethnicity: "汉族".into(),
            id_number: "500101199001011234".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            phone: None,
        },
    }
}

fn correction(entity: &EntityId, field: &str, value: serde_json::Value) -> NewEvent {
    NewEvent {
        actor: user("u-other"),
        unit: unit(VILLAGE),
        entity: entity.clone(),
        body: EventBody::PersonCorrected {
            fields: [(field.to_string(), value)].into_iter().collect(),
        },
    }
}

/// The server's refusal of an event outside the pusher's scope.
fn out_of_scope() -> Rejection {
    Rejection {
        reason: RejectReason::OutOfScope,
        detail: "unit 509901001".into(),
        at_ms: NOW,
    }
}

/// Events as another device would have written them, at wall times of our choosing.
fn remote_device(name: &str) -> DeviceLog {
    DeviceLog::new(name.parse().unwrap())
}

fn doc_field(state: &cunju_domain::projection::EntityState, field: &str) -> serde_json::Value {
    state
        .doc
        .get(field)
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

#[wasm_bindgen_test]
async fn appended_events_survive_reopen_with_their_chain_and_device_id() {
    let name = "cunju-test-log-reopen";
    let store = fresh(name).await;
    assert_eq!(
        store.device_log().await.unwrap(),
        None,
        "no device identity before the first event"
    );
    let entity = new_person_id(1);
    let mut written = Vec::new();
    written.push(store.append(person(&entity, "张三")).await.unwrap());
    written.push(
        store
            .append(correction(&entity, "phone", json!("13800000000")))
            .await
            .unwrap(),
    );
    written.push(
        store
            .append(correction(&entity, "name", json!("张叁")))
            .await
            .unwrap(),
    );
    let device = store
        .device_log()
        .await
        .unwrap()
        .expect("device log after appending")
        .device;
    store.close();

    let store = Store::open(name).await.unwrap();
    let log = store.device_log().await.unwrap().unwrap();
    assert_eq!(log.device, device, "the device id survives a reload");
    assert_eq!(log.next_seq, 4);
    let stored = store.device_events(&device).await.unwrap();
    assert_eq!(stored, written);
    assert_eq!(stored.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    verify_chain(&stored).expect("seq 1..3 chained by prev hashes");

    // The clock and chain continue where they stopped, not from scratch.
    let fourth = store
        .append(correction(&entity, "phone", json!("13900000000")))
        .await
        .unwrap();
    assert_eq!(fourth.seq, 4);
    assert_eq!(fourth.prev, written[2].hash);
    assert!(fourth.hlc > written[2].hlc);
    assert_eq!(fourth.device, device);
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn the_projection_is_updated_with_the_event() {
    let name = "cunju-test-log-projection";
    let store = fresh(name).await;
    let entity = new_person_id(2);
    let event = store.append(person(&entity, "李四")).await.unwrap();

    let state = store
        .entity(&entity)
        .await
        .unwrap()
        .expect("projection written with the event");
    assert_eq!(doc_field(&state, "name"), json!("李四"));
    assert_eq!(state.last, event.order_key());
    assert_eq!(state.kind, EntityKind::Person);

    let in_township = store
        .query(EntityKind::Person, &unit("509901"))
        .await
        .unwrap();
    assert_eq!(
        in_township.iter().map(|s| &s.id).collect::<Vec<_>>(),
        [&entity]
    );
    assert_eq!(
        store
            .query(EntityKind::Person, &unit(VILLAGE))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .query(EntityKind::Person, &unit("509902"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .query(EntityKind::Unit, &unit("5099"))
            .await
            .unwrap()
            .is_empty()
    );

    store
        .append(correction(&entity, "name", json!("李肆")))
        .await
        .unwrap();
    let state = store.entity(&entity).await.unwrap().unwrap();
    assert_eq!(doc_field(&state, "name"), json!("李肆"));
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn an_invalid_draft_writes_nothing() {
    let name = "cunju-test-log-invalid";
    let store = fresh(name).await;
    let entity = new_person_id(3);
    let err = store.append(person(&entity, "  ")).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(err.message(cunju::i18n::Lang::Zh).contains("未保存"));
    assert_eq!(store.entity(&entity).await.unwrap(), None);
    assert_eq!(store.pending_count().await.unwrap(), 0);
    assert_eq!(
        store.device_log().await.unwrap(),
        None,
        "no sequence number was used up"
    );

    // The next valid event is seq 1: the failed one left no trace in the chain.
    let event = store.append(person(&entity, "王五")).await.unwrap();
    assert_eq!(event.seq, 1);
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn a_batch_appends_in_order_in_one_chain_and_folds_each_entity() {
    let name = "cunju-test-log-batch";
    let store = fresh(name).await;
    let first = store
        .append(person(&new_person_id(5), "孙七"))
        .await
        .unwrap();
    let (a, b) = (new_person_id(6), new_person_id(7));
    let written = store
        .append_many(vec![
            person(&a, "周八"),
            person(&b, "吴九"),
            correction(&a, "phone", json!("13700000000")),
            correction(&a, "name", json!("周捌")),
        ])
        .await
        .unwrap();
    assert_eq!(
        written.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [2, 3, 4, 5]
    );
    assert_eq!(
        written[0].prev, first.hash,
        "the batch continues the device's chain"
    );
    let log = store.device_log().await.unwrap().unwrap();
    assert_eq!(log.next_seq, 6);
    assert_eq!(log.last_hash, written[3].hash);
    let stored = store.device_events(&log.device).await.unwrap();
    assert_eq!(stored[1..], written[..]);
    verify_chain(&stored).expect("seq 1..5 chained by prev hashes");
    assert_eq!(store.pending_count().await.unwrap(), 5);

    // Each entity's projection is what folding all its events gives.
    let state_a = store.entity(&a).await.unwrap().unwrap();
    assert_eq!(doc_field(&state_a, "name"), json!("周捌"));
    assert_eq!(doc_field(&state_a, "phone"), json!("13700000000"));
    assert_eq!(state_a.last, written[3].order_key());
    let of_a = [written[0].clone(), written[2].clone(), written[3].clone()];
    assert_eq!(Some(state_a), cunju_domain::projection::fold_entity(&of_a));
    let state_b = store.entity(&b).await.unwrap().unwrap();
    assert_eq!(
        Some(state_b),
        cunju_domain::projection::fold_entity(std::slice::from_ref(&written[1]))
    );
    assert_eq!(
        store.append_many(Vec::new()).await.unwrap(),
        Vec::<Event>::new()
    );
    assert_eq!(
        store.pending_count().await.unwrap(),
        5,
        "an empty batch writes nothing"
    );
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn a_batch_with_one_invalid_draft_writes_nothing() {
    let name = "cunju-test-log-batch-invalid";
    let store = fresh(name).await;
    let (a, b) = (new_person_id(8), new_person_id(9));
    let err = store
        .append_many(vec![person(&a, "郑十"), person(&b, " ")])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.entity(&a).await.unwrap(), None);
    assert_eq!(store.pending_count().await.unwrap(), 0);
    assert_eq!(
        store.device_log().await.unwrap(),
        None,
        "no sequence number was used up"
    );
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn a_late_event_that_sorts_first_refolds_its_entity() {
    let name = "cunju-test-log-refold";
    let store = fresh(name).await;
    let entity = new_person_id(4);
    let mut a = remote_device("d-a");
    let mut b = remote_device("d-b");
    let recorded = a.append(person(&entity, "赵六"), NOW, [1; 10]);
    let later = a.append(
        correction(&entity, "name", json!("赵陆")),
        NOW + 2_000,
        [2; 10],
    );
    // Written offline on another phone between the two, and received last.
    let earlier = b.append(
        correction(&entity, "name", json!("赵留")),
        NOW + 1_000,
        [3; 10],
    );
    assert!(earlier.order_key() < later.order_key());

    store
        .apply_remote(&[recorded.clone(), later.clone()])
        .await
        .unwrap();
    let report = store
        .apply_remote(std::slice::from_ref(&earlier))
        .await
        .unwrap();
    assert_eq!(report.applied, 1);

    let state = store.entity(&entity).await.unwrap().unwrap();
    assert_eq!(
        doc_field(&state, "name"),
        json!("赵陆"),
        "the latest correction in (hlc, device, seq) order wins"
    );
    assert_eq!(state.last, later.order_key());
    let expected = cunju_domain::projection::fold_entity(&[recorded, earlier, later]).unwrap();
    assert_eq!(
        state, expected,
        "same state as folding every event in order"
    );
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn apply_remote_is_idempotent_and_observes_the_clock() {
    let name = "cunju-test-log-remote";
    let store = fresh(name).await;
    let entity = new_person_id(5);
    let mut other = remote_device("d-other");
    let tomorrow = NOW + 86_400_000;
    let page = vec![
        other.append(person(&entity, "孙七"), NOW, [1; 10]),
        other.append(
            correction(&entity, "phone", json!("13700000000")),
            tomorrow,
            [2; 10],
        ),
    ];

    let first = store.apply_remote(&page).await.unwrap();
    assert_eq!((first.applied, first.duplicates), (2, 0));
    let state = store.entity(&entity).await.unwrap().unwrap();
    let second = store.apply_remote(&page).await.unwrap();
    assert_eq!((second.applied, second.duplicates), (0, 2));
    assert_eq!(
        store.entity(&entity).await.unwrap().unwrap(),
        state,
        "applying twice changes nothing"
    );
    assert_eq!(store.events_of(&entity).await.unwrap(), page);
    assert_eq!(
        store.pending_count().await.unwrap(),
        0,
        "remote events are not ours to push"
    );

    // A local write after seeing tomorrow's event sorts after it, whatever this clock says.
    let mine = store
        .append(correction(&entity, "name", json!("孙柒")))
        .await
        .unwrap();
    assert!(mine.hlc > page[1].hlc);
    let state = store.entity(&entity).await.unwrap().unwrap();
    assert_eq!(doc_field(&state, "name"), json!("孙柒"));
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn pending_acked_and_rejected_bookkeeping() {
    let name = "cunju-test-log-pending";
    let store = fresh(name).await;
    let mut mine = Vec::new();
    for n in 0..4 {
        mine.push(
            store
                .append(person(&new_person_id(10 + n), "周八"))
                .await
                .unwrap(),
        );
    }
    assert_eq!(store.pending_count().await.unwrap(), 4);
    let batch = store.pending(3).await.unwrap();
    assert_eq!(
        batch.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3],
        "oldest first, bounded"
    );

    let rejection = out_of_scope();
    let changed = store
        .settle_push(
            &[(mine[0].id, Some(1_750_000_000_123)), (mine[1].id, None)],
            &[(mine[2].id, rejection.clone())],
        )
        .await
        .unwrap();
    assert_eq!(changed, 3);
    // The receipt time the push answer carried is kept with the event.
    assert_eq!(
        store.received_ms(&mine[0].id).await.unwrap(),
        Some(1_750_000_000_123)
    );
    assert_eq!(store.received_ms(&mine[1].id).await.unwrap(), None);
    assert_eq!(store.pending_count().await.unwrap(), 1);
    assert_eq!(store.rejected_count().await.unwrap(), 1);
    assert_eq!(store.pending(10).await.unwrap(), vec![mine[3].clone()]);
    let rejected = store.rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].event, mine[2]);
    assert_eq!(rejected[0].rejection, rejection);
    assert_eq!(
        store.event(&mine[0].id).await.unwrap().unwrap().1,
        SyncMark::Acked
    );

    // Acknowledging again, or rejecting an acknowledged event, changes nothing.
    assert_eq!(store.mark_acked(&[mine[0].id]).await.unwrap(), 0);
    assert_eq!(
        store
            .settle_push(&[], &[(mine[1].id, rejection)])
            .await
            .unwrap(),
        0
    );

    // Our own pending event coming back in a pull means the server has it.
    let report = store
        .apply_remote(std::slice::from_ref(&mine[3]))
        .await
        .unwrap();
    assert_eq!(report.confirmed, 1);
    assert_eq!(store.pending_count().await.unwrap(), 0);

    // Re-queued after the user fixed the cause, it is pushed again (nothing was lost).
    assert_eq!(store.requeue_rejected().await.unwrap(), 1);
    assert_eq!(store.rejected_count().await.unwrap(), 0);
    assert_eq!(store.pending(10).await.unwrap(), vec![mine[2].clone()]);
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn a_pulled_page_moves_that_users_cursor_in_the_same_transaction() {
    let name = "cunju-test-log-cursor";
    let store = fresh(name).await;
    let alice = user("u-alice");
    let bob = user("u-bob");
    assert_eq!(store.cursor(&alice).await.unwrap(), Cursor(0));
    let mut other = remote_device("d-other");
    let page = vec![other.append(person(&new_person_id(20), "吴九"), NOW, [1; 10])];
    store
        .apply_pulled(&page, &[Some(1_780_000_000_123)], &alice, Cursor(41))
        .await
        .unwrap();
    assert_eq!(store.cursor(&alice).await.unwrap(), Cursor(41));
    assert_eq!(
        store.cursor(&bob).await.unwrap(),
        Cursor(0),
        "each user pulls their own scope"
    );
    // An empty page still moves the cursor.
    store
        .apply_pulled(&[], &[], &alice, Cursor(42))
        .await
        .unwrap();
    assert_eq!(store.cursor(&alice).await.unwrap(), Cursor(42));
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn the_servers_receipt_time_is_kept_with_each_pulled_event() {
    let name = "cunju-test-log-receipt";
    let store = fresh(name).await;
    let alice = user("u-alice");
    let mine = store
        .append(person(&new_person_id(21), "冯十一"))
        .await
        .unwrap();
    let mut other = remote_device("d-other");
    let theirs = other.append(person(&new_person_id(22), "陈十二"), NOW, [2; 10]);
    // Not yet known: our own event is only pending; theirs has not arrived.
    assert_eq!(store.received_ms(&mine.id).await.unwrap(), None);
    assert_eq!(store.received_ms(&theirs.id).await.unwrap(), None);

    // A pull brings both back with the server's receipt times; our own event is confirmed
    // and learns its time too.
    let page = vec![mine.clone(), theirs.clone()];
    let report = store
        .apply_pulled(
            &page,
            &[Some(1_780_000_000_100), Some(1_780_000_000_200)],
            &alice,
            Cursor(2),
        )
        .await
        .unwrap();
    assert_eq!((report.confirmed, report.applied), (1, 1));
    assert_eq!(
        store.received_ms(&mine.id).await.unwrap(),
        Some(1_780_000_000_100)
    );
    assert_eq!(
        store.received_ms(&theirs.id).await.unwrap(),
        Some(1_780_000_000_200)
    );
    assert_eq!(store.pending_count().await.unwrap(), 0);

    // A page from a server that sends no receipts forgets nothing.
    let report = store
        .apply_pulled(&page, &[None, None], &alice, Cursor(2))
        .await
        .unwrap();
    assert_eq!(report.duplicates, 2);
    assert_eq!(
        store.received_ms(&theirs.id).await.unwrap(),
        Some(1_780_000_000_200)
    );
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn unknown_bodies_are_kept_byte_for_byte() {
    let name = "cunju-test-log-unknown";
    let store = fresh(name).await;
    let mut newer = remote_device("d-newer");
    let mut event: Event = newer.append(person(&new_person_id(30), "郑十"), NOW, [1; 10]);
    event.body = serde_json::from_value(json!({
        "kind": "ballot_cast", "v": 3,
        "data": {"ratio": 1.0, "big": 18446744073709551615u64, "marks": ["○", "×"]}
    }))
    .unwrap();
    event.hash = event.compute_hash();
    store
        .apply_remote(std::slice::from_ref(&event))
        .await
        .unwrap();
    let (stored, mark) = store.event(&event.id).await.unwrap().unwrap();
    assert_eq!(mark, SyncMark::Acked);
    assert!(stored.hash_ok(), "the stored copy still verifies");
    assert_eq!(
        serde_json::to_string(&stored).unwrap(),
        serde_json::to_string(&event).unwrap()
    );
    done(store, name).await;
}

/// A page is read at once and written at once: within one page, a late event still re-folds its
/// entity, the same event twice counts once, and an event that takes a (device, seq) already in
/// the page is kept out — the same outcomes as applying the events one by one.
#[wasm_bindgen_test]
async fn one_page_with_a_late_event_a_repeat_and_a_conflict_applies_like_one_by_one() {
    let name = "cunju-test-log-page";
    let store = fresh(name).await;
    let entity = new_person_id(9);
    let mut a = remote_device("d-a");
    let mut b = remote_device("d-b");
    let recorded = a.append(person(&entity, "钱八"), NOW, [1; 10]);
    let later = a.append(
        correction(&entity, "name", json!("钱捌")),
        NOW + 2_000,
        [2; 10],
    );
    let earlier = b.append(
        correction(&entity, "name", json!("钱扒")),
        NOW + 1_000,
        [3; 10],
    );
    // Another event claiming device a's first sequence number.
    let mut impostor_log = remote_device("d-a");
    let impostor = impostor_log.append(person(&new_person_id(10), "假冒"), NOW, [4; 10]);
    assert_eq!(
        (impostor.device.clone(), impostor.seq),
        (recorded.device.clone(), recorded.seq)
    );

    let page = vec![
        recorded.clone(),
        later.clone(),
        earlier.clone(),
        later.clone(),
        impostor.clone(),
    ];
    let report = store.apply_remote(&page).await.unwrap();
    assert_eq!(
        (report.applied, report.duplicates, report.conflicts),
        (3, 1, 1)
    );
    let state = store.entity(&entity).await.unwrap().unwrap();
    let expected =
        cunju_domain::projection::fold_entity(&[recorded.clone(), earlier.clone(), later.clone()])
            .unwrap();
    assert_eq!(
        state, expected,
        "same state as folding every event in order"
    );
    assert_eq!(doc_field(&state, "name"), json!("钱捌"));
    assert!(store.event(&impostor.id).await.unwrap().is_none());
    assert!(store.entity(&new_person_id(10)).await.unwrap().is_none());

    // The same page again changes nothing.
    let again = store.apply_remote(&page).await.unwrap();
    assert_eq!(
        (again.applied, again.duplicates, again.conflicts),
        (0, 4, 1)
    );
    assert_eq!(store.entity(&entity).await.unwrap().unwrap(), expected);
    done(store, name).await;
}

/// A page is checked against what is stored by one read per device of its range of sequence
/// numbers. An event whose id is already stored at another (device, seq) — a correct server
/// never sends one — is refused by the write, and the page is stored again by the careful pass,
/// which reads each event by id: the event counts as already here, the rest of the page lands.
#[wasm_bindgen_test]
async fn an_id_stored_at_another_sequence_number_is_a_duplicate_and_the_page_still_lands() {
    let name = "cunju-test-log-moved-id";
    let store = fresh(name).await;
    let mut a = remote_device("d-a");
    let first = a.append(person(&new_person_id(11), "孙九"), NOW, [1; 10]);
    store
        .apply_remote(std::slice::from_ref(&first))
        .await
        .unwrap();
    let mut moved = first.clone();
    moved.seq = 7;
    moved.hash = moved.compute_hash();
    let fresh_one = a.append(person(&new_person_id(12), "周十"), NOW + 1_000, [2; 10]);

    let report = store
        .apply_remote(&[moved.clone(), fresh_one.clone()])
        .await
        .unwrap();
    assert_eq!(
        (report.applied, report.duplicates, report.conflicts),
        (1, 1, 0)
    );
    let (kept, _) = store.event(&first.id).await.unwrap().unwrap();
    assert_eq!(kept.seq, 1, "the stored event is not overwritten");
    assert!(store.event(&fresh_one.id).await.unwrap().is_some());
    let devices = store.device_events(&first.device).await.unwrap();
    assert_eq!(
        devices.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2],
        "nothing stored at seq 7"
    );
    done(store, name).await;
}

/// Two connections to one database stand for two tabs of the app. Each keeps the device log it
/// last wrote so an append need not read it first; when the other tab appended meanwhile, the
/// stored log no longer matches, the append is redone from it, and the chain stays one.
#[wasm_bindgen_test]
async fn two_tabs_appending_keep_one_unbroken_chain() {
    let name = "cunju-test-two-tabs";
    let a = fresh(name).await;
    let b = Store::open(name).await.unwrap();
    let entity = new_person_id(40);
    let first = a.append(person(&entity, "甲")).await.unwrap();
    let second = b
        .append(correction(&entity, "name", json!("乙")))
        .await
        .unwrap();
    // `a` last wrote seq 1; the stored log is at seq 2.
    let third = a
        .append(correction(&entity, "name", json!("丙")))
        .await
        .unwrap();
    assert_eq!((first.seq, second.seq, third.seq), (1, 2, 3));
    assert_eq!(second.prev, first.hash);
    assert_eq!(third.prev, second.hash);
    assert!(
        third.hlc > second.hlc,
        "the clock continues the other tab's"
    );

    // Both at the same moment: one waits for the other's transaction, neither forks.
    let (x, y) = futures::join!(
        a.append(correction(&entity, "name", json!("丁"))),
        b.append(correction(&entity, "name", json!("戊")))
    );
    let mut seqs = vec![x.unwrap().seq, y.unwrap().seq];
    seqs.sort();
    assert_eq!(seqs, [4, 5]);

    let all = a.device_events(&first.device).await.unwrap();
    assert_eq!(all.len(), 5);
    verify_chain(&all).unwrap();
    // The projection folded all five, whichever tab wrote them.
    let state = b.entity(&entity).await.unwrap().unwrap();
    assert_eq!(state.events, 5);
    b.close();
    done(a, name).await;
}

/// An append reuses the projection this connection last wrote instead of reading it first, and
/// checks it against the stored one in the same transaction. A pulled event folded into that
/// projection in between must not be lost: the append is redone from the stored projection.
#[wasm_bindgen_test]
async fn a_projection_changed_by_a_pull_between_two_appends_keeps_the_pulled_event() {
    let name = "cunju-test-known-projection";
    let store = fresh(name).await;
    let entity = new_person_id(41);
    store.append(person(&entity, "周九")).await.unwrap();
    // Another device's correction, made a moment later, arrives by a pull.
    let mut other = remote_device("d-puller");
    let now = js_sys::Date::now() as u64;
    let pulled = other.append(
        correction(&entity, "phone", json!("13600000000")),
        now + 1_000,
        [3; 10],
    );
    let report = store
        .apply_remote(std::slice::from_ref(&pulled))
        .await
        .unwrap();
    assert_eq!(report.applied, 1);
    // Same connection, same entity: the projection it wrote itself is no longer the stored one.
    store
        .append(correction(&entity, "name", json!("周玖")))
        .await
        .unwrap();
    let state = store.entity(&entity).await.unwrap().unwrap();
    assert_eq!(state.events, 3, "all three events folded");
    assert_eq!(doc_field(&state, "phone"), json!("13600000000"));
    assert_eq!(doc_field(&state, "name"), json!("周玖"));

    // And in a row with nothing in between, each append continues the last one.
    for i in 0..3 {
        store
            .append(correction(&entity, "name", json!(format!("周{i}"))))
            .await
            .unwrap();
    }
    let state = store.entity(&entity).await.unwrap().unwrap();
    assert_eq!(state.events, 6);
    assert_eq!(doc_field(&state, "name"), json!("周2"));
    assert_eq!(state, {
        let all = store.events_of(&entity).await.unwrap();
        cunju_domain::projection::fold_entity(&all).unwrap()
    });
    done(store, name).await;
}

/// A push answer is settled from one read of the head of the queue; events it names that are
/// not there (answered out of order, or refused before) are still settled, by id.
#[wasm_bindgen_test]
async fn a_push_answer_about_events_behind_the_head_of_the_queue_is_settled_too() {
    let name = "cunju-test-settle-behind-head";
    let store = fresh(name).await;
    let mut mine = Vec::new();
    for n in 0..3 {
        mine.push(
            store
                .append(person(&new_person_id(50 + n), "吴十"))
                .await
                .unwrap(),
        );
    }
    let changed = store
        .settle_push(&[(mine[2].id, Some(NOW + 5))], &[])
        .await
        .unwrap();
    assert_eq!(changed, 1, "the last of the queue, not at its head");
    assert_eq!(store.received_ms(&mine[2].id).await.unwrap(), Some(NOW + 5));
    assert_eq!(
        store.pending(10).await.unwrap(),
        vec![mine[0].clone(), mine[1].clone()]
    );

    let rejection = out_of_scope();
    assert_eq!(
        store
            .settle_push(&[], &[(mine[0].id, rejection)])
            .await
            .unwrap(),
        1
    );
    // A later answer accepting the refused event and the one still queued settles both.
    let changed = store
        .settle_push(&[(mine[0].id, None), (mine[1].id, None)], &[])
        .await
        .unwrap();
    assert_eq!(changed, 2);
    assert_eq!(store.pending_count().await.unwrap(), 0);
    assert_eq!(store.rejected_count().await.unwrap(), 0);
    for event in &mine {
        assert_eq!(
            store.event(&event.id).await.unwrap().unwrap().1,
            SyncMark::Acked
        );
    }
    done(store, name).await;
}

/// Events without a projection (notes) leave nothing for an append to check: when another tab
/// appended meanwhile, it is the unique `device_seq` index that refuses the reused sequence
/// number, and the append is redone from the stored chain.
#[wasm_bindgen_test]
async fn two_tabs_appending_notes_keep_one_chain_through_the_sequence_index() {
    let name = "cunju-test-two-tabs-notes";
    let a = fresh(name).await;
    let b = Store::open(name).await.unwrap();
    let note = |text: &str| NewEvent {
        actor: user("u-village"),
        unit: unit(VILLAGE),
        entity: EntityId::unit(&unit(VILLAGE)),
        body: EventBody::Note { text: text.into() },
    };
    let first = a.append(note("一")).await.unwrap();
    let second = b.append(note("二")).await.unwrap();
    // `a` last wrote seq 1 and does not read the chain first: seq 2 is taken.
    let third = a.append(note("三")).await.unwrap();
    assert_eq!((first.seq, second.seq, third.seq), (1, 2, 3));
    assert_eq!(third.prev, second.hash);
    assert!(
        third.hlc > second.hlc,
        "the clock continues the other tab's"
    );
    let all = a.device_events(&first.device).await.unwrap();
    assert_eq!(all, [first, second, third]);
    verify_chain(&all).unwrap();
    b.close();
    done(a, name).await;
}
