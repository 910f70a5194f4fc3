//! PostgreSQL only: a push that commits after a later-numbered one is never skipped by pull.

mod common;

use common::{Db, Device, Harness, event_id, ids};
use cunju_server::store::{Store, db_text};

const VILLAGE: &str = "5099001001";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn late_commit_is_served_after_earlier_cursor() {
    if common::postgres_url().is_none() {
        eprintln!("CUNJU_TEST_POSTGRES_URL not set: skipping");
        return;
    }
    let h = Harness::start(Db::Postgres).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let mut slow = Device::new("slow", &alice.profile);
    let mut fast = Device::new("fast", &alice.profile);
    let late = slow.event(VILLAGE, 0);
    let early = fast.event(VILLAGE, 0);

    // A transaction takes a position first and stays open, as a slow push would.
    let Store::Postgres(pool) = &h.store else {
        unreachable!()
    };
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO events (id, device, seq, hlc_wall, hlc_counter, actor, unit, entity, kind,
                             body, prev, hash, pushed_by, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'note', $9, $10, $11, $6, 0)",
    )
    .bind(db_text(&late.id))
    .bind(db_text(&late.device))
    .bind(late.seq as i64)
    .bind(late.hlc.wall_ms as i64)
    .bind(i64::from(late.hlc.counter))
    .bind(db_text(&late.actor))
    .bind(db_text(&late.unit))
    .bind(db_text(&late.entity))
    .bind(serde_json::to_string(&late.body).unwrap())
    .bind(db_text(&late.prev))
    .bind(db_text(&late.hash))
    .execute(&mut *tx)
    .await
    .unwrap();

    // Meanwhile another push takes a larger position and commits.
    alice.push(std::slice::from_ref(&early)).await;
    let page = alice.pull(0, 100).await;
    assert_eq!(
        ids(page["events"].as_array().unwrap()),
        Vec::<String>::new(),
        "nothing may be served past a transaction that is still open"
    );
    let cursor = page["next"].as_u64().unwrap();

    tx.commit().await.unwrap();
    let page = alice.pull_when_visible(cursor, 100).await;
    let got = ids(page["events"].as_array().unwrap());
    assert_eq!(got, vec![event_id(&late), event_id(&early)]);
}
