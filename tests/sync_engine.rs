//! Browser tests of one sync run against an in-memory server: bounded push batches,
//! acknowledgements with the server's receipt times, rejections, paged pulls that leave this
//! device's own events out and resume after an interruption, a lost push answer, and a 401 that
//! keeps every event queued.

use std::cell::RefCell;

use chrono::NaiveDate;
use cunju::store::Store;
use cunju::sync::api::ApiError;
use cunju::sync::engine::{Progress, Transport, sync_once};
use cunju_domain::event::{DeviceLog, Event, EventBody, NewEvent, Sex};
use cunju_domain::ids::{EntityId, EventId, UnitId, UserId};
use cunju_domain::sync::{
    Cursor, MAX_PUSH_BATCH, PullParams, PullResponse, PushOutcome, PushRequest, PushResponse,
    PushStatus, RejectReason,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: u64 = 1_750_000_000_000;
const SCOPE: &str = "509901";

async fn fresh(name: &str) -> Store {
    Store::delete(name).await.expect("delete test database");
    Store::open(name).await.expect("open test database")
}

async fn done(store: Store, name: &str) {
    store.close();
    Store::delete(name).await.unwrap();
}

fn me() -> UserId {
    "u-village".parse().unwrap()
}

fn person_in(unit: &str, n: u32) -> NewEvent {
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    NewEvent {
        actor: me(),
        unit: unit.parse::<UnitId>().unwrap(),
        entity: EntityId::new("person", EventId::new(NOW, random)),
        body: EventBody::PersonRecorded {
            name: format!("村民{n}"),
            sex: Sex::Male,
            ethnicity: "土家族".into(),
            id_number: "500101199001011234".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            phone: None,
        },
    }
}

/// What the fake server should do with the next call.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    Offline,
    ExpiredToken,
    /// The push is stored, but its answer never reaches the device.
    AnswerLost,
    /// The push is stored, but the answer names only the first half of its events.
    HalfAnswered,
}

/// A server that keeps a log in memory, refuses events outside `SCOPE`, and serves pages of
/// `page_size` events.
struct FakeServer {
    log: RefCell<Vec<Event>>,
    page_size: usize,
    push_batches: RefCell<Vec<usize>>,
    pulls_after: RefCell<Vec<u64>>,
    /// Faults for the next calls, first one first.
    faults: RefCell<Vec<Fault>>,
}

impl FakeServer {
    fn new(page_size: usize) -> FakeServer {
        FakeServer {
            log: RefCell::new(Vec::new()),
            page_size,
            push_batches: RefCell::default(),
            pulls_after: RefCell::default(),
            faults: RefCell::default(),
        }
    }

    fn next_fault(&self) -> Result<(), ApiError> {
        let mut faults = self.faults.borrow_mut();
        let fault = if faults.is_empty() {
            Fault::None
        } else {
            faults.remove(0)
        };
        match fault {
            Fault::None | Fault::AnswerLost | Fault::HalfAnswered => Ok(()),
            Fault::Offline => Err(ApiError::Network("TypeError: Failed to fetch".into())),
            Fault::ExpiredToken => Err(ApiError::Unauthorized {
                code: "unauthenticated".into(),
                message: "未登录或登录已过期，请重新登录 / not signed in or session expired".into(),
            }),
        }
    }
}

impl Transport for FakeServer {
    async fn push(&self, _token: &str, request: &PushRequest) -> Result<PushResponse, ApiError> {
        let lost = self.faults.borrow().first() == Some(&Fault::AnswerLost);
        let half = self.faults.borrow().first() == Some(&Fault::HalfAnswered);
        self.next_fault()?;
        self.push_batches.borrow_mut().push(request.events.len());
        let scope: UnitId = SCOPE.parse().unwrap();
        let mut log = self.log.borrow_mut();
        let results = request
            .events
            .iter()
            .map(|event| {
                // The event at position p was received at time 1_000 + p.
                let (status, received_ms) =
                    if let Some(p) = log.iter().position(|e| e.id == event.id) {
                        (PushStatus::Duplicate, Some(1_000 + p as u64 + 1))
                    } else if !event.unit.is_within(&scope) {
                        let detail = format!("unit {}", event.unit);
                        let reason = RejectReason::OutOfScope;
                        (PushStatus::Rejected { reason, detail }, None)
                    } else {
                        log.push(event.clone());
                        (PushStatus::Accepted, Some(1_000 + log.len() as u64))
                    };
                PushOutcome {
                    id: event.id,
                    status,
                    received_ms,
                }
            })
            .collect();
        if lost {
            return Err(ApiError::Network("TypeError: Failed to fetch".into()));
        }
        let mut results: Vec<PushOutcome> = results;
        if half {
            results.truncate(results.len() / 2);
        }
        Ok(PushResponse { results })
    }

    async fn pull(&self, _token: &str, params: &PullParams) -> Result<PullResponse, ApiError> {
        self.next_fault()?;
        self.pulls_after.borrow_mut().push(params.after);
        let log = self.log.borrow();
        // Positions are 1-based indexes into the log.
        let start = params.after as usize;
        let take = self.page_size.min(params.limit.unwrap_or(1000) as usize);
        let looked_at = log.len().min(start + take) - start.min(log.len());
        // The fake server received the event at position p at time 1_000 + p; the skipped
        // device's events are left out, but the cursor moves past them.
        let (events, received_ms) = log
            .iter()
            .enumerate()
            .skip(start)
            .take(looked_at)
            .filter(|(_, e)| params.skip_device.as_ref() != Some(&e.device))
            .map(|(p, e)| (e.clone(), 1_000 + p as u64 + 1))
            .unzip();
        let next = Cursor((start + looked_at) as u64);
        Ok(PullResponse {
            more: (next.0 as usize) < log.len(),
            events,
            received_ms,
            next,
        })
    }
}

#[wasm_bindgen_test]
async fn push_sends_bounded_batches_and_acknowledges_them() {
    let name = "cunju-test-sync-push";
    let store = fresh(name).await;
    let count = MAX_PUSH_BATCH as u32 + 1;
    for n in 0..count {
        store.append(person_in("509901001", n)).await.unwrap();
    }
    let server = FakeServer::new(1000);
    let mut seen = Vec::new();
    let report = sync_once(&store, &server, &me(), "token", |p| seen.push(p))
        .await
        .unwrap();

    assert_eq!(*server.push_batches.borrow(), [MAX_PUSH_BATCH, 1]);
    assert_eq!(report.acked, count);
    assert_eq!(store.pending_count().await.unwrap(), 0);
    assert!(seen.contains(&Progress::Pushing {
        done: count,
        total: count
    }));
    // Each push answer told when the server received each event, so our own events are not
    // pulled back; the cursor still moves past them.
    assert_eq!(report.received, 0);
    assert_eq!(report.applied, 0);
    assert_eq!(store.cursor(&me()).await.unwrap(), Cursor(u64::from(count)));
    let first = server.log.borrow()[0].id;
    let last = server.log.borrow()[count as usize - 1].id;
    assert_eq!(store.received_ms(&first).await.unwrap(), Some(1_001));
    assert_eq!(
        store.received_ms(&last).await.unwrap(),
        Some(1_000 + u64::from(count))
    );

    // Nothing left to send: a second run pushes nothing.
    let again = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    assert_eq!(again.acked, 0);
    assert_eq!(server.push_batches.borrow().len(), 2);
    done(store, name).await;
}

/// Batches go one after another while the answer to the one before is settled: an answer
/// that names only part of its batch leaves the rest queued, and they are sent again in the
/// same run, once, after the batches behind them.
#[wasm_bindgen_test]
async fn events_a_push_answer_left_out_are_sent_again_in_the_same_run() {
    let name = "cunju-test-sync-half-answered";
    let store = fresh(name).await;
    let count = 2 * MAX_PUSH_BATCH as u32 + 1;
    for n in 0..count {
        store.append(person_in("509901001", n)).await.unwrap();
    }
    let server = FakeServer::new(1000);
    *server.faults.borrow_mut() = vec![Fault::HalfAnswered];
    let report = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    let half = MAX_PUSH_BATCH / 2;
    assert_eq!(
        *server.push_batches.borrow(),
        [MAX_PUSH_BATCH, MAX_PUSH_BATCH, 1, MAX_PUSH_BATCH - half]
    );
    assert_eq!(report.acked, count);
    assert_eq!(store.pending_count().await.unwrap(), 0);
    assert_eq!(
        server.log.borrow().len(),
        count as usize,
        "each stored once"
    );
    // The ones sent twice carry the time the server first received them.
    let unanswered = server.log.borrow()[half].id;
    assert_eq!(
        store.received_ms(&unanswered).await.unwrap(),
        Some(1_001 + half as u64)
    );
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn a_rejected_event_is_kept_with_its_reason_and_not_resent() {
    let name = "cunju-test-sync-rejected";
    let store = fresh(name).await;
    store.append(person_in("509901001", 1)).await.unwrap();
    let outside = store.append(person_in("509902001", 2)).await.unwrap();
    let server = FakeServer::new(1000);

    let report = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    assert_eq!((report.acked, report.rejected), (1, 1));
    assert_eq!(store.pending_count().await.unwrap(), 0);
    let rejected = store.rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].event, outside);
    assert_eq!(rejected[0].rejection.reason, RejectReason::OutOfScope);
    assert!(!rejected[0].rejection.detail.is_empty());

    sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    assert_eq!(
        server.push_batches.borrow().len(),
        1,
        "a refused event waits for the user, not the timer"
    );
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn an_interrupted_pull_resumes_after_the_last_stored_page() {
    let name = "cunju-test-sync-resume";
    let store = fresh(name).await;
    let server = FakeServer::new(2);
    let mut other = DeviceLog::new("d-other".parse().unwrap());
    for n in 0..5 {
        let event = other.append(person_in("509901002", n), NOW + u64::from(n), [n as u8; 10]);
        server.log.borrow_mut().push(event);
    }
    // The connection drops after the first page.
    *server.faults.borrow_mut() = vec![Fault::None, Fault::Offline];
    let err = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap_err();
    assert!(err.is_network(), "{err:?}");
    assert_eq!(
        store.cursor(&me()).await.unwrap(),
        Cursor(2),
        "the first page is kept"
    );

    let report = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    assert_eq!(report.received, 3);
    assert_eq!(
        *server.pulls_after.borrow(),
        [0, 2, 4],
        "resumed at 2, not from the start"
    );
    assert_eq!(store.cursor(&me()).await.unwrap(), Cursor(5));
    let sent: Vec<EventId> = server.log.borrow().iter().map(|e| e.id).collect();
    for id in sent {
        assert!(store.event(&id).await.unwrap().is_some(), "{id} arrived");
    }
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn an_expired_token_keeps_every_event_queued() {
    let name = "cunju-test-sync-401";
    let store = fresh(name).await;
    for n in 0..3 {
        store.append(person_in("509901001", n)).await.unwrap();
    }
    let server = FakeServer::new(1000);
    *server.faults.borrow_mut() = vec![Fault::ExpiredToken];
    let err = sync_once(&store, &server, &me(), "old-token", |_| {})
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());
    assert!(err.message(cunju::i18n::Lang::Zh).contains("重新登录"));
    assert_eq!(store.pending_count().await.unwrap(), 3);
    assert!(server.log.borrow().is_empty());

    // After logging in again, everything goes.
    let report = sync_once(&store, &server, &me(), "new-token", |_| {})
        .await
        .unwrap();
    assert_eq!(report.acked, 3);
    assert_eq!(store.pending_count().await.unwrap(), 0);
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn offline_midway_through_a_push_loses_nothing() {
    let name = "cunju-test-sync-offline-push";
    let store = fresh(name).await;
    for n in 0..3 {
        store.append(person_in("509901001", n)).await.unwrap();
    }
    let server = FakeServer::new(1000);
    *server.faults.borrow_mut() = vec![Fault::Offline];
    let err = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap_err();
    assert!(err.is_network());
    assert_eq!(store.pending_count().await.unwrap(), 3);
    let report = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    assert_eq!(report.acked, 3);
    assert_eq!(server.log.borrow().len(), 3);
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn a_lost_push_answer_is_settled_by_the_next_push() {
    let name = "cunju-test-sync-answer-lost";
    let store = fresh(name).await;
    let made = store.append(person_in("509901001", 1)).await.unwrap();
    let server = FakeServer::new(1000);
    *server.faults.borrow_mut() = vec![Fault::AnswerLost];
    let err = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap_err();
    assert!(err.is_network(), "{err:?}");
    assert_eq!(server.log.borrow().len(), 1, "the server stored it");
    assert_eq!(
        store.pending_count().await.unwrap(),
        1,
        "the device cannot know"
    );
    assert_eq!(store.received_ms(&made.id).await.unwrap(), None);

    // The next run sends it again: the server answers "duplicate" with the time it first
    // received it, and neither side holds it twice.
    let report = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    assert_eq!((report.acked, report.received), (1, 0));
    assert_eq!(store.pending_count().await.unwrap(), 0);
    assert_eq!(server.log.borrow().len(), 1);
    assert_eq!(store.received_ms(&made.id).await.unwrap(), Some(1_001));
    done(store, name).await;
}

#[wasm_bindgen_test]
async fn another_device_s_events_still_arrive_between_our_own() {
    let name = "cunju-test-sync-skip-own";
    let store = fresh(name).await;
    let server = FakeServer::new(2);
    let mine = store.append(person_in("509901001", 1)).await.unwrap();
    sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    let mut other = DeviceLog::new("d-other".parse().unwrap());
    let theirs = other.append(person_in("509901002", 2), NOW, [2; 10]);
    server.log.borrow_mut().push(theirs.clone());
    let later = store.append(person_in("509901001", 3)).await.unwrap();

    let report = sync_once(&store, &server, &me(), "token", |_| {})
        .await
        .unwrap();
    assert_eq!((report.acked, report.received, report.applied), (1, 1, 1));
    assert!(store.event(&theirs.id).await.unwrap().is_some());
    assert_eq!(store.received_ms(&theirs.id).await.unwrap(), Some(1_002));
    assert_eq!(store.received_ms(&mine.id).await.unwrap(), Some(1_001));
    assert_eq!(store.received_ms(&later.id).await.unwrap(), Some(1_003));
    assert_eq!(store.cursor(&me()).await.unwrap(), Cursor(3));
    done(store, name).await;
}
