//! The HTTP API end to end, on SQLite and (when `CUNJU_TEST_POSTGRES_URL` is set) PostgreSQL.

mod common;

use std::collections::HashSet;
use std::io::Write;

use common::{Db, Device, Harness, event_id, ids, statuses};
use cunju_domain::sync::{PullParams, PushStatus};
use cunju_server::verify::verify;
use serde_json::{Value, json};

on_both_databases!(
    health_reports_protocol_and_database,
    login_returns_token_and_profile,
    logout_revokes_the_token,
    wrong_password_is_401_json,
    login_is_rate_limited_after_five_failures,
    requests_without_token_are_401,
    push_accepts_a_chain_and_a_retry_is_duplicate,
    push_orders_a_batch_by_seq,
    a_push_carrying_an_event_twice_stores_it_once,
    concurrent_pushes_of_many_devices_each_get_their_own_answer,
    push_rejects_bad_hash,
    push_rejects_a_gap_as_broken_chain_until_filled,
    push_rejects_events_outside_scope,
    a_refused_event_does_not_block_the_device_chain_behind_it,
    push_rejects_what_the_role_may_not_write,
    push_rejects_an_invalid_body,
    aggregate_only_roles_pull_nothing,
    pull_pages_with_cursor_inside_scope,
    pull_serves_a_scope_and_its_subtree_and_nothing_beside_it,
    pull_with_unknown_cursor_is_400,
    pull_tells_when_the_server_received_each_event,
    push_tells_receipt_times_and_pull_skips_the_device_s_own_events,
    malformed_json_is_400_json,
    wrong_shape_json_is_400_json,
    oversize_body_is_413_json,
    gzip_request_body_is_accepted,
    unknown_api_route_is_404_json_with_security_headers,
    large_responses_are_gzip_compressed,
    static_files_fall_back_to_index_html,
    verify_detects_a_tampered_row,
    concurrent_pushers_and_a_puller_lose_nothing,
);

const TOWN: &str = "5099001";
const VILLAGE: &str = "5099001001";
const OTHER_VILLAGE: &str = "5099002001";

async fn health_reports_protocol_and_database(db: Db) {
    let h = Harness::start(db).await;
    let res = h.http.get(h.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let name = if db == Db::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(body, json!({"status": "ok", "protocol": 1, "db": name}));
}

async fn login_returns_token_and_profile(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "township_supervisor", TOWN).await;
    assert_eq!(alice.token.len(), 64);
    let me: Value = alice.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["role"], "township_supervisor");
    assert_eq!(me["scope"], TOWN);
    assert_eq!(me["display_name"], "alice");
}

async fn logout_revokes_the_token(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let res = h
        .http
        .post(h.url("/api/v1/auth/logout"))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(alice.get("/api/v1/me").await.status(), 401);
}

async fn wrong_password_is_401_json(db: Db) {
    let h = Harness::start(db).await;
    h.user("alice", "village_official", VILLAGE).await;
    let res = h.login("alice", "wrong").await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_credentials");
    let res = h.login("nobody", "wrong").await;
    assert_eq!(res.status(), 401);
}

async fn login_is_rate_limited_after_five_failures(db: Db) {
    let h = Harness::start(db).await;
    h.user("alice", "village_official", VILLAGE).await;
    for _ in 0..5 {
        assert_eq!(h.login("alice", "wrong").await.status(), 401);
    }
    // Even the right password is refused now, with a clear reason.
    let res = h.login("alice", common::PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts");
    assert!(body["message"].as_str().unwrap().contains("15"));
    // Other accounts are unaffected.
    h.user("bob", "village_official", VILLAGE).await;
}

async fn requests_without_token_are_401(db: Db) {
    let h = Harness::start(db).await;
    for path in [
        "/api/v1/me",
        "/api/v1/sync/pull?after=0",
        "/api/v1/sync/rejections",
    ] {
        let res = h.http.get(h.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated");
    }
    let res = h
        .http
        .get(h.url("/api/v1/me"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

async fn push_accepts_a_chain_and_a_retry_is_duplicate(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let events = phone.events(VILLAGE, 3);
    assert_eq!(statuses(&alice.push(&events).await), ["accepted"; 3]);
    // The response was lost; the app pushes the same batch again plus one more.
    let mut retry = events.clone();
    retry.push(phone.event(VILLAGE, 3));
    assert_eq!(
        statuses(&alice.push(&retry).await),
        ["duplicate", "duplicate", "duplicate", "accepted"]
    );
    let page = alice.pull_at_least(0, 100, 4).await;
    assert_eq!(page["events"].as_array().unwrap().len(), 4);
}

async fn push_orders_a_batch_by_seq(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let mut events = phone.events(VILLAGE, 3);
    events.reverse();
    let res = alice.push(&events).await;
    assert_eq!(statuses(&res), ["accepted"; 3]);
    // Outcomes come back in the order sent.
    let sent: Vec<String> = events.iter().map(event_id).collect();
    let got: Vec<String> = res
        .results
        .iter()
        .map(|o| cunju_server::store::db_text(&o.id))
        .collect();
    assert_eq!(sent, got);
}

/// The server writes a batch's accepted events together at the end (one statement, not one
/// per event): an event the batch carries twice must still be stored once and answered
/// `duplicate` the second time, and other content under the same id refused.
async fn a_push_carrying_an_event_twice_stores_it_once(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let events = phone.events(VILLAGE, 2);
    let mut other = events[1].clone();
    other.body = common::body(77);
    other.hash = other.compute_hash();
    let batch = vec![
        events[0].clone(),
        events[1].clone(),
        events[1].clone(),
        other,
    ];
    let res = alice.push(&batch).await;
    assert_eq!(
        statuses(&res),
        ["accepted", "accepted", "duplicate", "rejected:broken_chain"]
    );
    assert_eq!(res.results[2].received_ms, res.results[1].received_ms);
    match &res.results[3].status {
        PushStatus::Rejected { detail, .. } => {
            assert!(
                detail.contains("already stored with other content"),
                "{detail}"
            )
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let page = alice.pull_at_least(0, 100, 2).await;
    assert_eq!(
        ids(page["events"].as_array().unwrap()),
        [event_id(&events[0]), event_id(&events[1])]
    );
}

/// Forty devices push at the same moment. On SQLite the pushes that queue for the write lock
/// are written in one transaction (group commit): each must still get exactly its own
/// outcomes, and every event be stored once, each device's chain in order.
async fn concurrent_pushes_of_many_devices_each_get_their_own_answer(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let batches: Vec<Vec<cunju_domain::event::Event>> = (0..40)
        .map(|d| Device::new(&format!("phone{d}"), &alice.profile).events(VILLAGE, 25))
        .collect();
    let mut pushes = tokio::task::JoinSet::new();
    for (d, batch) in batches.iter().enumerate() {
        let (alice, batch) = (alice.clone(), batch.clone());
        pushes.spawn(async move { (d, alice.push(&batch).await) });
    }
    let mut answers: Vec<_> = pushes.join_all().await;
    answers.sort_by_key(|(d, _)| *d);
    let answers: Vec<_> = answers.into_iter().map(|(_, a)| a).collect();
    for (batch, answer) in batches.iter().zip(&answers) {
        let sent: Vec<String> = batch.iter().map(event_id).collect();
        let got: Vec<String> = answer
            .results
            .iter()
            .map(|o| cunju_server::store::db_text(&o.id))
            .collect();
        assert_eq!(sent, got);
        assert_eq!(statuses(answer), ["accepted"; 25]);
    }
    let served = alice.pull_all().await;
    assert_eq!(served.len(), 1000);
    let mut last_seq = std::collections::HashMap::new();
    for e in &served {
        let seq = e["seq"].as_u64().unwrap();
        let before = last_seq.insert(e["device"].as_str().unwrap().to_string(), seq);
        assert_eq!(
            before.map_or(1, |s| s + 1),
            seq,
            "a device's events out of order"
        );
    }
}

async fn push_rejects_bad_hash(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let mut forged = phone.event(VILLAGE, 0);
    forged.body = common::body(999);
    assert_eq!(
        statuses(&alice.push(&[forged]).await),
        ["rejected:bad_hash"]
    );
    let list: Value = alice
        .get("/api/v1/sync/rejections")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["rejections"][0]["reason"], "bad_hash");
    assert_eq!(alice.pull(0, 10).await["events"], json!([]));
}

async fn push_rejects_a_gap_as_broken_chain_until_filled(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let events = phone.events(VILLAGE, 3);
    assert_eq!(statuses(&alice.push(&events[..1]).await), ["accepted"]);
    // seq 3 without seq 2.
    assert_eq!(
        statuses(&alice.push(&events[2..]).await),
        ["rejected:broken_chain"]
    );
    let list: Value = alice
        .get("/api/v1/sync/rejections")
        .await
        .json()
        .await
        .unwrap();
    let rejections = list["rejections"].as_array().unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0]["event_id"], event_id(&events[2]));
    assert_eq!(rejections[0]["reason"], "broken_chain");
    // Once the gap is filled the event is accepted and no longer listed as rejected.
    assert_eq!(
        statuses(&alice.push(&events[1..]).await),
        ["accepted", "accepted"]
    );
    let list: Value = alice
        .get("/api/v1/sync/rejections")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["rejections"], json!([]));
}

async fn push_rejects_events_outside_scope(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let events = vec![phone.event(OTHER_VILLAGE, 0)];
    assert_eq!(
        statuses(&alice.push(&events).await),
        ["rejected:out_of_scope"]
    );
    // The township above her village is outside her scope too.
    let mut tablet = Device::new("tablet", &alice.profile);
    assert_eq!(
        statuses(&alice.push(&[tablet.event(TOWN, 0)]).await),
        ["rejected:out_of_scope"]
    );
    let list: Value = alice
        .get("/api/v1/sync/rejections")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["rejections"].as_array().unwrap().len(), 2);
    // Filtered by device.
    let device = cunju_server::store::db_text(&phone.id);
    let list: Value = alice
        .get(&format!("/api/v1/sync/rejections?device={device}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["rejections"].as_array().unwrap().len(), 1);
}

async fn a_refused_event_does_not_block_the_device_chain_behind_it(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let first = phone.event(VILLAGE, 0);
    let outside = phone.event(OTHER_VILLAGE, 1);
    let after = phone.event(VILLAGE, 2);
    let later = phone.event(VILLAGE, 3);
    assert_eq!(statuses(&alice.push(&[first]).await), ["accepted"]);
    // In one batch: the refused event, then the one chained after it, which is fine and kept.
    assert_eq!(
        statuses(&alice.push(&[outside, after]).await),
        ["rejected:out_of_scope", "accepted"]
    );
    // In a later push too.
    assert_eq!(statuses(&alice.push(&[later]).await), ["accepted"]);
    // PostgreSQL serves a commit once older transactions in the cluster have ended.
    assert_eq!(
        alice.pull_at_least(0, 10, 3).await["events"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(verify(&h.store).await.unwrap(), vec![]);

    // A gap that no refused event of the pusher fills is still a broken chain.
    let mut tablet = Device::new("tablet", &alice.profile);
    let skipped = tablet.events(VILLAGE, 2);
    assert_eq!(
        statuses(&alice.push(&skipped[1..]).await),
        ["rejected:broken_chain"]
    );
}

async fn push_rejects_what_the_role_may_not_write(db: Db) {
    let h = Harness::start(db).await;
    let trainer = h.user("tina", "trainer", "5099").await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    // A trainer may not add notes to the directory.
    let mut t = Device::new("t", &trainer.profile);
    assert_eq!(
        statuses(&trainer.push(&[t.event(VILLAGE, 0)]).await),
        ["rejected:not_permitted"]
    );
    // Nobody may push an event written in someone else's name.
    let mut forged = Device::new("f", &trainer.profile);
    assert_eq!(
        statuses(&alice.push(&[forged.event(VILLAGE, 0)]).await),
        ["rejected:not_permitted"]
    );
}

async fn push_rejects_an_invalid_body(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let entity = "entity-x".parse().unwrap();
    let empty_note = phone.log.append(
        cunju_domain::event::NewEvent {
            actor: alice.profile.user.clone(),
            unit: VILLAGE.parse().unwrap(),
            entity,
            body: cunju_domain::event::EventBody::Note { text: "  ".into() },
        },
        1_750_000_000_000,
        [7; 10],
    );
    assert_eq!(
        statuses(&alice.push(&[empty_note]).await),
        ["rejected:invalid_body"]
    );
}

/// The city viewer sees aggregates only: its pull succeeds, like every device's, and is empty.
async fn aggregate_only_roles_pull_nothing(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    alice.push(&phone.events(VILLAGE, 3)).await;
    alice.pull_when_visible(0, 100).await;
    let city = h.user("cv", "city_viewer", "50").await;
    let page = city.pull(0, 100).await;
    assert_eq!(page, json!({"events": [], "next": 0, "more": false}));
}

async fn pull_pages_with_cursor_inside_scope(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let bob = h.user("bob", "village_official", OTHER_VILLAGE).await;
    let supervisor = h.user("carol", "township_supervisor", TOWN).await;
    let mut a = Device::new("a", &alice.profile);
    let mut b = Device::new("b", &bob.profile);
    let mine = a.events(VILLAGE, 25);
    alice.push(&mine).await;
    bob.push(&b.events(OTHER_VILLAGE, 5)).await;

    let mut seen = Vec::new();
    let mut cursor = 0;
    let mut pages = Vec::new();
    loop {
        let page = alice.pull_when_visible(cursor, 10).await;
        let events = page["events"].as_array().unwrap();
        seen.extend(ids(events));
        pages.push(events.len());
        cursor = page["next"].as_u64().unwrap();
        if !page["more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(pages, [10, 10, 5]);
    assert_eq!(seen, mine.iter().map(event_id).collect::<Vec<_>>());
    // Nothing new: same cursor back, no more.
    let page = alice.pull(cursor, 10).await;
    assert_eq!(page["events"], json!([]));
    assert_eq!(page["next"].as_u64().unwrap(), cursor);
    assert_eq!(page["more"], false);
    // Bob's village is another scope; the supervisor of Alice's township sees only hers.
    assert_eq!(
        bob.pull_when_visible(0, 100).await["events"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        supervisor.pull_when_visible(0, 100).await["events"]
            .as_array()
            .unwrap()
            .len(),
        25
    );
}

/// "Inside scope" is "the unit's code starts with the scope's": a group under the village and
/// a longer code that extends it are inside; the village next door and a shorter code that the
/// village extends are not. Checked for every kind of scope the pull reads differently (a
/// village or township through the unit index, a district in log order).
async fn pull_serves_a_scope_and_its_subtree_and_nothing_beside_it(db: Db) {
    let h = Harness::start(db).await;
    let units = [
        "5099001001",
        "509900100101",
        "50990010010",
        "5099001002",
        "509900100",
    ];
    let mut pushed: Vec<(String, String)> = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        let official = h.user(&format!("v{i}"), "village_official", unit).await;
        let mut phone = Device::new(&format!("phone{i}"), &official.profile);
        let events = phone.events(unit, 3);
        official.push(&events).await;
        pushed.extend(events.iter().map(|e| (unit.to_string(), event_id(e))));
    }
    let readers = [
        h.user("alice", "village_official", "5099001001").await,
        h.user("bob", "village_official", "5099001002").await,
        h.user("carol", "township_supervisor", "5099001").await,
        h.user("admin", "district_admin", "5099").await,
    ];
    for reader in &readers {
        let scope = reader.profile.scope.to_string();
        let page = reader.pull_when_visible(0, 1000).await;
        let mut seen = ids(page["events"].as_array().unwrap());
        let mut expected: Vec<String> = pushed
            .iter()
            .filter(|(unit, _)| unit.starts_with(&scope))
            .map(|(_, id)| id.clone())
            .collect();
        seen.sort();
        expected.sort();
        assert_eq!(seen, expected, "scope {scope}");
    }
    // Alice's village holds its own events, its group's and the longer code's: nine.
    assert_eq!(
        readers[0].pull_when_visible(0, 1000).await["events"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
}

/// A tick carries the device's time; the pull adds the server's receipt time of every event,
/// one per event and in the same order, so a supervisor's phone can show both.
async fn pull_tells_when_the_server_received_each_event(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let first = phone.events(VILLAGE, 3);
    let before = now_ms();
    alice.push(&first).await;
    let between = now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let second = phone.events(VILLAGE, 2);
    alice.push(&second).await;
    let after = now_ms();

    let page = alice.pull_when_visible(0, 100).await;
    let events = page["events"].as_array().unwrap();
    let received: Vec<u64> = page["received_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(events.len(), 5);
    assert_eq!(received.len(), events.len());
    for r in &received[..3] {
        assert!(
            (before..=between).contains(r),
            "{r} not in {before}..={between}"
        );
    }
    for r in &received[3..] {
        assert!(
            (between..=after).contains(r),
            "{r} not in {between}..={after}"
        );
    }
    // A page with no events carries no receipts.
    let cursor = page["next"].as_u64().unwrap();
    assert!(alice.pull(cursor, 10).await.get("received_ms").is_none());
}

/// The push answer carries each stored event's receipt time (a duplicate: the first one), so
/// the device can pull with `skip_device` and never download its own events again; the cursor
/// still moves past them, and other devices' events (the same user's too) still arrive.
async fn push_tells_receipt_times_and_pull_skips_the_device_s_own_events(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let mut laptop = Device::new("laptop", &alice.profile);
    let mine = phone.events(VILLAGE, 3);
    let before = now_ms();
    let answer = alice.push(&mine).await;
    let after = now_ms();
    let receipts: Vec<u64> = answer
        .results
        .iter()
        .map(|o| {
            assert_eq!(o.status, PushStatus::Accepted);
            o.received_ms.expect("a receipt time")
        })
        .collect();
    for r in &receipts {
        assert!(
            (before..=after).contains(r),
            "{r} not in {before}..={after}"
        );
    }
    let again = alice.push(&mine).await;
    for (o, r) in again.results.iter().zip(&receipts) {
        assert_eq!(o.status, PushStatus::Duplicate);
        assert_eq!(o.received_ms, Some(*r), "the first receipt, not now");
    }
    let theirs = laptop.events(VILLAGE, 2);
    alice.push(&theirs).await;

    let everything = alice.pull_at_least(0, 1000, 5).await;
    assert_eq!(everything["events"].as_array().unwrap().len(), 5);
    // The query as the app writes it (`PullParams::query`).
    let skip = |after: u64, limit: u32| {
        let alice = &alice;
        let params = PullParams {
            after,
            limit: Some(limit),
            skip_device: Some(phone.id.clone()),
        };
        async move {
            let res = alice
                .get(&format!("/api/v1/sync/pull?{}", params.query()))
                .await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let page = skip(0, 1000).await;
    let got = ids(page["events"].as_array().unwrap());
    let mut expected: Vec<String> = theirs.iter().map(event_id).collect();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    expected.sort();
    assert_eq!(got_sorted, expected);
    assert_eq!(page["received_ms"].as_array().unwrap().len(), 2);
    assert_eq!(page["next"], everything["next"]);

    // A page holding only the device's own events is empty, yet the cursor moves on.
    let first = skip(0, 3).await;
    assert!(first["events"].as_array().unwrap().is_empty());
    assert_eq!(first["more"], true);
    let cursor = first["next"].as_u64().unwrap();
    assert!(cursor > 0);
    let rest = skip(cursor, 1000).await;
    assert_eq!(rest["events"].as_array().unwrap().len(), 2);

    // Not a device id: refused, not ignored.
    let res = alice
        .get("/api/v1/sync/pull?after=0&skip_device=not%20a%20device")
        .await;
    assert_eq!(res.status(), 400);
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

async fn pull_with_unknown_cursor_is_400(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let res = alice.get("/api/v1/sync/pull?after=12345").await;
    assert_eq!(res.status(), 400);
    let res = alice.get("/api/v1/sync/pull?after=-1").await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
}

async fn malformed_json_is_400_json(db: Db) {
    let h = Harness::start(db).await;
    let res = h
        .http
        .post(h.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("malformed request")
    );
}

async fn wrong_shape_json_is_400_json(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let res = h
        .http
        .post(h.url("/api/v1/sync/push"))
        .bearer_auth(&alice.token)
        .json(&json!({"events": [{"id": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
}

async fn oversize_body_is_413_json(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let huge = format!(
        "{{\"events\": [], \"pad\": \"{}\"}}",
        "x".repeat(9 * 1024 * 1024)
    );
    let res = h
        .http
        .post(h.url("/api/v1/sync/push"))
        .bearer_auth(&alice.token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "payload_too_large");

    // The limit holds after decompression too: a small gzip body that inflates past it.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"{\"events\": [], \"pad\": \"").unwrap();
    gz.write_all(&vec![b'x'; 20 * 1024 * 1024]).unwrap();
    gz.write_all(b"\"}").unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024);
    let res = h
        .http
        .post(h.url("/api/v1/sync/push"))
        .bearer_auth(&alice.token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(bomb)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

async fn gzip_request_body_is_accepted(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let json = serde_json::to_vec(&json!({"events": phone.events(VILLAGE, 2)})).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json).unwrap();
    let res = h
        .http
        .post(h.url("/api/v1/sync/push"))
        .bearer_auth(&alice.token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: cunju_domain::sync::PushResponse = res.json().await.unwrap();
    assert_eq!(statuses(&body), ["accepted"; 2]);
}

async fn unknown_api_route_is_404_json_with_security_headers(db: Db) {
    let h = Harness::start(db).await;
    let res = h
        .http
        .get(h.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let headers = res.headers().clone();
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("'wasm-unsafe-eval'")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("referrer-policy"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    let res = h.http.delete(h.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
}

async fn large_responses_are_gzip_compressed(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    alice.push(&phone.events(VILLAGE, 20)).await;
    alice.pull_when_visible(0, 100).await;
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let res = raw
        .get(h.url("/api/v1/sync/pull?after=0&limit=100"))
        .bearer_auth(&alice.token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

async fn static_files_fall_back_to_index_html(db: Db) {
    let dir = std::env::temp_dir().join(format!("cunju-dist-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>村居台账</title>",
    )
    .unwrap();
    std::fs::write(
        dir.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(dir.join("app.js"), "console.log('app');").unwrap();
    std::fs::write(
        dir.join("cunju-export-worker_loader.js"),
        "importScripts('./cunju-export-worker.js');",
    )
    .unwrap();
    let h = Harness::start_with_static(db, Some(dir.clone())).await;
    for path in ["/", "/elections/some-id"] {
        let res = h.http.get(h.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
        assert!(res.headers().contains_key("content-security-policy"));
        assert!(res.text().await.unwrap().contains("村居台账"));
    }
    let res = h.http.get(h.url("/sw.js")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-cache");
    // The export worker has no content hash in its name: revalidated too.
    let res = h
        .http
        .get(h.url("/cunju-export-worker_loader.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let res = h.http.get(h.url("/app.js")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(!res.headers().contains_key("cache-control"));
    // The API keeps its JSON 404 even with an app being served.
    let res = h.http.get(h.url("/api/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    std::fs::remove_dir_all(dir).ok();
}

async fn verify_detects_a_tampered_row(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &alice.profile);
    let events = phone.events(VILLAGE, 3);
    alice.push(&events).await;
    assert_eq!(verify(&h.store).await.unwrap(), vec![]);

    let forged = serde_json::to_string(&common::body(777)).unwrap();
    let id = event_id(&events[1]);
    let sql = "UPDATE events SET body = $1 WHERE id = $2";
    match &h.store {
        cunju_server::store::Store::Sqlite(pool) => {
            sqlx::query(sql)
                .bind(&forged)
                .bind(&id)
                .execute(pool)
                .await
                .unwrap();
        }
        cunju_server::store::Store::Postgres(pool) => {
            sqlx::query(sql)
                .bind(&forged)
                .bind(&id)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let breaks = verify(&h.store).await.unwrap();
    assert!(!breaks.is_empty());
    assert_eq!(breaks[0].seq, 2, "{breaks:?}");
}

/// Several devices push concurrently while a puller follows the cursor in a loop. Whatever
/// order the transactions commit in, the puller must see every accepted event exactly once.
async fn concurrent_pushers_and_a_puller_lose_nothing(db: Db) {
    const PUSHERS: usize = 6;
    const BATCHES: u64 = 15;
    const PER_BATCH: u64 = 4;
    let h = Harness::start(db).await;
    let supervisor = h.user("carol", "township_supervisor", TOWN).await;
    let mut pushed = HashSet::new();
    let mut tasks = Vec::new();
    for p in 0..PUSHERS {
        let client = supervisor.clone();
        let mut device = Device::new(&format!("d{p}"), &client.profile);
        let batches: Vec<_> = (0..BATCHES)
            .map(|b| {
                (0..PER_BATCH)
                    .map(|i| device.event(VILLAGE, b * PER_BATCH + i))
                    .collect::<Vec<_>>()
            })
            .collect();
        pushed.extend(batches.iter().flatten().map(event_id));
        tasks.push(tokio::spawn(async move {
            for batch in batches {
                let res = client.push(&batch).await;
                assert!(
                    statuses(&res).iter().all(|s| s == "accepted"),
                    "{:?}",
                    statuses(&res)
                );
            }
        }));
    }
    let expected = pushed.len();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let puller = {
        let client = supervisor.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut cursor = 0;
            let mut seen = Vec::new();
            let mut deadline = None;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = client.pull(cursor, 7).await;
                seen.extend(ids(page["events"].as_array().unwrap()));
                cursor = page["next"].as_u64().unwrap();
                if finished && !page["more"].as_bool().unwrap() {
                    // Everything is committed; on PostgreSQL unrelated transactions elsewhere in
                    // the cluster may still hold visibility back for a moment.
                    let deadline = *deadline.get_or_insert_with(|| {
                        std::time::Instant::now() + std::time::Duration::from_secs(20)
                    });
                    if seen.len() >= expected || std::time::Instant::now() > deadline {
                        return seen;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = puller.await.unwrap();
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "an event was served twice");
    assert_eq!(unique, pushed, "pulled set differs from pushed set");
}
