//! The event log: push (validate and append), pull (serve in commit order), rejections and
//! the rows `verify` reads.
//!
//! Every decision about an event is the domain's (`Event::hash_ok`, `check_next`,
//! `authorize_event`); this module orders those checks, records the outcome and keeps the
//! pull cursor safe.
//!
//! Commit order. A pull cursor is the last `position` served. On SQLite every push takes the
//! write lock first (`BEGIN IMMEDIATE`, after its turn in `sqlite_writer`'s queue), so
//! positions are handed out in commit order and `position > cursor` never skips anything. On PostgreSQL positions come from a sequence and
//! a transaction holding position 7 may commit after one holding position 8. Each row
//! therefore records its writing transaction (`txid`), and pull only serves rows written by
//! transactions older than the oldest one still running (`pg_snapshot_xmin`); those rows can
//! no longer change, and any row committed later has a larger `txid`. Served in
//! `(txid, position)` order, the served sequence is a prefix that only ever grows.

use std::future::Future;

use cunju_domain::authz::authorize_event;
use cunju_domain::clock::Hlc;
use cunju_domain::event::{Event, check_next, check_next_across};
use cunju_domain::sync::{Profile, PushOutcome, PushStatus, RejectReason};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::{Postgres, Row, Sqlite, Transaction};

use super::{Result, Store, StoreError, on_pool};

/// An event as stored, with its server position.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub position: i64,
    pub event: Event,
    /// When the server received it (ms since the epoch, server clock).
    pub received_ms: i64,
}

/// What a push needs of an already stored event: its hash (same event or another under the
/// same id?) and when the server received it (told to the device again).
#[derive(Clone, Debug)]
struct StoredHash {
    hash: String,
    received_ms: i64,
}

/// One page of a pull.
#[derive(Clone, Debug)]
pub struct PullPage {
    pub events: Vec<StoredEvent>,
    /// Position of the last event served, or the request's cursor if none.
    pub next: i64,
    pub more: bool,
}

/// A stored rejection, as shown to the device that pushed the event.
#[derive(Clone, Debug, Serialize)]
pub struct RejectionRow {
    pub event_id: String,
    pub device: String,
    pub seq: i64,
    pub unit: String,
    pub reason: String,
    pub detail: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub attempts: i64,
}

/// The longest code of a district (区县) or above: 6 digits in the national area codes (50 is
/// Chongqing, 500101 one of its districts; the demo district is 5099). Longer codes are
/// townships, villages and groups.
const DISTRICT_CODE_MAX_LEN: usize = 6;

pub(super) const EVENT_COLUMNS: &str = "position, id, device, seq, hlc_wall, hlc_counter, actor, unit, entity, body, prev, hash, received_at";

impl Store {
    /// Validates and appends a batch pushed by `pusher`. Returns one outcome per event, in
    /// the order given. Events are processed per device in `seq` order, so a batch may carry
    /// a device's next several events.
    pub async fn push(
        &self,
        pusher: &Profile,
        events: Vec<Event>,
        now_ms: i64,
    ) -> Result<Vec<PushOutcome>> {
        self.push_from(pusher, None, events, now_ms).await
    }

    /// `push`, noting the devices whose events were stored and the token they came with (so
    /// revoking a device revokes its tokens; see `revoke_device`).
    pub async fn push_from(
        &self,
        pusher: &Profile,
        token_hash: Option<&str>,
        events: Vec<Event>,
        now_ms: i64,
    ) -> Result<Vec<PushOutcome>> {
        let content: Vec<_> = events.iter().map(|e| content_verdict(pusher, e)).collect();
        let pool = match self {
            Store::Sqlite(pool) => pool,
            Store::Postgres(pool) => {
                return push_postgres(pool, pusher, token_hash, &events, &content, now_ms).await;
            }
        };
        let writer = super::sqlite_writer(pool);
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        writer
            .pushes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(QueuedPush {
                pusher: pusher.clone(),
                token_hash: token_hash.map(str::to_string),
                events,
                content,
                now_ms,
                reply,
            });
        // Wait for our turn in the process before asking SQLite for the lock. The push that had
        // the turn before us may have written our batch with its own.
        let _turn = writer.turn.lock().await;
        if let Ok(written) = answer.try_recv() {
            return written;
        }
        let group = {
            let mut waiting = writer
                .pushes
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut events = 0;
            let n = waiting
                .iter()
                .take_while(|p| {
                    events += p.events.len();
                    events <= MAX_GROUP_EVENTS
                })
                .count()
                .max(1)
                .min(waiting.len());
            waiting.drain(..n).collect::<Vec<_>>()
        };
        if !group.is_empty() {
            write_group(pool, group).await;
        }
        answer
            .await
            .map_err(|_| StoreError::Corrupt("a queued push was dropped unanswered".into()))?
    }

    /// Events inside `scope` after `cursor`, at most `limit`, in commit order.
    ///
    /// "Within scope" is a range of the unit index: unit codes are digits and a subtree's codes
    /// extend its root's, so they are the codes from `scope` up to `scope:` (':' sorts right
    /// after '9' in byte order, which is why PostgreSQL compares with the "C" collation).
    pub async fn pull(&self, scope: &str, cursor: i64, limit: u32) -> Result<PullPage> {
        let fetch = i64::from(limit) + 1;
        let upper = format!("{scope}:");
        let rows = match self {
            Store::Sqlite(pool) => {
                // A district's or city's scope holds most of the log: read it in log order. A
                // township's or village's is a small part: read that part through the unit index
                // (SQLite cannot tell the two apart from a bound parameter).
                let access = if scope.len() > DISTRICT_CODE_MAX_LEN {
                    "INDEXED BY events_unit"
                } else {
                    "NOT INDEXED"
                };
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events {access}
                     WHERE position > $1 AND unit >= $2 AND unit < $3
                     ORDER BY position LIMIT $4"
                );
                let rows = sqlx::query(&sql)
                    .bind(cursor)
                    .bind(scope)
                    .bind(&upper)
                    .bind(fetch)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(stored_event).collect::<Result<Vec<_>>>()?
            }
            Store::Postgres(pool) => {
                // After the cursor = after (its txid, its position) in commit order.
                let after = if cursor == 0 {
                    "TRUE"
                } else {
                    "(txid, position) > ((SELECT c.txid FROM events c WHERE c.position = $1), $1)"
                };
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events
                     WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
                       AND ($1 = 0 OR {after})
                       AND unit COLLATE \"C\" >= $2 AND unit COLLATE \"C\" < $3
                     ORDER BY txid, position LIMIT $4"
                );
                let rows = sqlx::query(&sql)
                    .bind(cursor)
                    .bind(scope)
                    .bind(&upper)
                    .bind(fetch)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(stored_event).collect::<Result<Vec<_>>>()?
            }
        };
        let more = rows.len() as i64 > i64::from(limit);
        let rows: Vec<StoredEvent> = rows.into_iter().take(limit as usize).collect();
        let next = rows.last().map_or(cursor, |r| r.position);
        Ok(PullPage {
            events: rows,
            next,
            more,
        })
    }

    /// Whether `position` names a stored event (a pull cursor must).
    pub async fn position_exists(&self, position: i64) -> Result<bool> {
        let sql = "SELECT COUNT(*) FROM events WHERE position = $1";
        let n: i64 =
            on_pool!(self, pool => sqlx::query_scalar(sql).bind(position).fetch_one(pool).await?);
        Ok(n > 0)
    }

    /// Rejections of events pushed by `user` (optionally of one device) that are still
    /// outstanding, i.e. the event has not been accepted since.
    pub async fn rejections(&self, user: &str, device: Option<&str>) -> Result<Vec<RejectionRow>> {
        let sql =
            "SELECT event_id, device, seq, unit, reason, detail, first_seen, last_seen, attempts
                   FROM rejections r
                   WHERE pushed_by = $1 AND ($2 IS NULL OR device = $2)
                     AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = r.event_id)
                   ORDER BY device, seq, id";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(user).bind(device).fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok(RejectionRow {
                    event_id: r.try_get("event_id")?,
                    device: r.try_get("device")?,
                    seq: r.try_get("seq")?,
                    unit: r.try_get("unit")?,
                    reason: r.try_get("reason")?,
                    detail: r.try_get("detail")?,
                    first_seen: r.try_get("first_seen")?,
                    last_seen: r.try_get("last_seen")?,
                    attempts: r.try_get("attempts")?,
                }))
                .collect()
        })
    }

    /// Stored events of one body kind (`unit_recorded`, …) within `scope` (`""`: all), in
    /// position order. For projections folded on request; not for sync (see `pull`).
    pub async fn events_of_kind(&self, kind: &str, scope: &str) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events
             WHERE kind = $1 AND substr(unit, 1, length($2)) = $2 ORDER BY position"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(kind).bind(scope).fetch_all(pool).await?;
            rows.iter().map(|r| stored_event(r).map(|s| s.event)).collect()
        })
    }

    /// How many events of one body kind lie within `scope`, of any actor or of `actor`.
    pub async fn count_events_of_kind(
        &self,
        kind: &str,
        scope: &str,
        actor: Option<&str>,
    ) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM events
                   WHERE kind = $1 AND substr(unit, 1, length($2)) = $2
                     AND ($3 IS NULL OR actor = $3)";
        let n: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(kind)
            .bind(scope)
            .bind(actor)
            .fetch_one(pool)
            .await?);
        Ok(n)
    }

    /// Every device that has stored events.
    pub async fn devices(&self) -> Result<Vec<String>> {
        let sql = "SELECT DISTINCT device FROM events ORDER BY device";
        let devices: Vec<String> =
            on_pool!(self, pool => sqlx::query_scalar(sql).fetch_all(pool).await?);
        Ok(devices)
    }

    /// Every event of `device` the server refused, as pushed (for `verify`, whose chains run
    /// through them).
    pub async fn refused_events(&self, device: &str) -> Result<Vec<Event>> {
        let sql = "SELECT event FROM rejections WHERE device = $1
                   AND reason IN ('not_permitted', 'out_of_scope', 'invalid_body') ORDER BY seq";
        let rows: Vec<String> =
            on_pool!(self, pool => sqlx::query_scalar(sql).bind(device).fetch_all(pool).await?);
        Ok(rows
            .iter()
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect())
    }

    /// A device's stored events in `seq` order, each rebuilt from its columns (so a changed
    /// column shows up as a hash mismatch). A row that cannot be rebuilt is an `Err` entry.
    pub async fn device_events(&self, device: &str) -> Result<Vec<(i64, Result<Event>)>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE device = $1 ORDER BY seq");
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(device).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    let seq: i64 = r.try_get("seq")?;
                    Ok((seq, stored_event(r).map(|s| s.event)))
                })
                .collect()
        })
    }
}

/// Most events one SQLite transaction of grouped pushes takes on (a push larger than this is
/// written alone).
const MAX_GROUP_EVENTS: usize = 5_000;

/// A push waiting for its turn to write to SQLite, and where its outcome goes.
pub(crate) struct QueuedPush {
    pusher: Profile,
    token_hash: Option<String>,
    events: Vec<Event>,
    content: Vec<Option<(RejectReason, String)>>,
    now_ms: i64,
    reply: tokio::sync::oneshot::Sender<Result<Vec<PushOutcome>>>,
}

/// Writes the pushes that queued for one turn in a single transaction: each judged and
/// inserted in arrival order, exactly as if alone (a later push sees what an earlier one
/// stored), and one commit for all. If the transaction fails, each push is written alone again,
/// so one push's failure is never another's.
async fn write_group(pool: &sqlx::SqlitePool, group: Vec<QueuedPush>) {
    let together = async {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut outcomes = Vec::with_capacity(group.len());
        for p in &group {
            let out = ingest(
                &mut tx,
                &p.pusher,
                p.token_hash.as_deref(),
                &p.events,
                &p.content,
                p.now_ms,
                Insert::Batched,
            )
            .await?;
            outcomes.push(out);
        }
        tx.commit().await?;
        Ok::<_, StoreError>(outcomes)
    }
    .await;
    match together {
        Ok(outcomes) => {
            for (p, out) in group.into_iter().zip(outcomes) {
                let _ = p.reply.send(Ok(out));
            }
        }
        Err(e) if group.len() == 1 => {
            if let Some(p) = group.into_iter().next() {
                let _ = p.reply.send(Err(e));
            }
        }
        Err(_) => {
            for p in group {
                let alone = write_alone(pool, &p).await;
                let _ = p.reply.send(alone);
            }
        }
    }
}

/// One push in a transaction of its own (the write lock makes a `BatchRaced` impossible here;
/// it would be judged again one event at a time all the same).
async fn write_alone(pool: &sqlx::SqlitePool, p: &QueuedPush) -> Result<Vec<PushOutcome>> {
    let (pusher, token_hash) = (&p.pusher, p.token_hash.as_deref());
    for insert in [Insert::Batched, Insert::OneByOne] {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        match ingest(
            &mut tx, pusher, token_hash, &p.events, &p.content, p.now_ms, insert,
        )
        .await
        {
            Err(StoreError::BatchRaced) => continue,
            Err(e) => return Err(e),
            Ok(out) => {
                tx.commit().await?;
                return Ok(out);
            }
        }
    }
    Err(StoreError::BatchRaced)
}

/// PostgreSQL takes concurrent pushes in concurrent transactions. Two batches lock unique keys
/// in (device, seq) order, so they cannot deadlock on each other; the retry only guards
/// against the unexpected.
async fn push_postgres(
    pool: &sqlx::PgPool,
    pusher: &Profile,
    token_hash: Option<&str>,
    events: &[Event],
    content: &[Option<(RejectReason, String)>],
    now_ms: i64,
) -> Result<Vec<PushOutcome>> {
    let mut attempt = 0;
    let mut insert = Insert::Batched;
    loop {
        attempt += 1;
        let mut tx = pool.begin().await?;
        let result =
            match ingest(&mut tx, pusher, token_hash, events, content, now_ms, insert).await {
                Ok(out) => tx.commit().await.map(|_| out).map_err(StoreError::from),
                Err(e) => Err(e),
            };
        match result {
            Err(StoreError::Db(e)) if attempt < 3 && is_transient(&e) => continue,
            // A concurrent push stored one of these ids or (device, seq) first: the batch was
            // judged on a chain that is not the stored one. Judge it again, one event at a
            // time, each insert seen before the next event is judged.
            Err(StoreError::BatchRaced) if insert == Insert::Batched => insert = Insert::OneByOne,
            other => return other,
        }
    }
}

/// How `ingest` writes the events it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Insert {
    /// All of them at the end, in a few multi-row statements: a push of a hundred events is a
    /// handful of round trips to the database instead of a hundred. The batch judges each event
    /// against the ones it accepted before it; if the database then refuses any row (a
    /// concurrent push took its id or its place in the chain), the whole transaction is
    /// abandoned with `StoreError::BatchRaced` and redone `OneByOne`.
    Batched,
    /// Each one as soon as it is judged, so a conflict is seen before the next event is judged.
    OneByOne,
}

/// The push rules, in order: already stored (duplicate) → hash → body → permission and
/// scope → chain continuity with the device's last stored event → store. Every rejection is
/// recorded.
async fn ingest<T: EventTx>(
    tx: &mut T,
    pusher: &Profile,
    token_hash: Option<&str>,
    events: &[Event],
    content: &[Option<(RejectReason, String)>],
    now_ms: i64,
    insert: Insert,
) -> Result<Vec<PushOutcome>> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by(|&a, &b| {
        let (ea, eb) = (&events[a], &events[b]);
        (db_text(&ea.device), ea.seq).cmp(&(db_text(&eb.device), eb.seq))
    });
    let mut outcomes: Vec<Option<PushOutcome>> = vec![None; events.len()];
    let pushed_by = db_text(&pusher.user);
    let mut stored_devices = std::collections::BTreeSet::new();
    let mut devices = DeviceCache::default();
    let ids: Vec<String> = events.iter().map(|e| db_text(&e.id)).collect();
    let mut stored = tx.stored_hashes(&ids).await?;
    // Accepted by this batch and not yet inserted (`Insert::Batched`): by id, and in the order
    // judged ((device, seq), as `OneByOne` inserts them).
    let mut accepted = std::collections::HashMap::new();
    let mut to_insert: Vec<&Event> = Vec::new();
    for i in order {
        let event = &events[i];
        let mut verdict = match stored.remove(&ids[i]) {
            // Already stored before this push began.
            Some(stored) => same_or_refused(&stored, event),
            None => {
                judge(
                    tx,
                    &mut devices,
                    &accepted,
                    pusher,
                    event,
                    content[i].clone(),
                )
                .await?
            }
        };
        if let Verdict::Store = verdict {
            verdict = match insert {
                Insert::Batched => {
                    let hash = StoredHash {
                        hash: db_text(&event.hash),
                        received_ms: now_ms,
                    };
                    accepted.insert(ids[i].clone(), hash);
                    to_insert.push(event);
                    Verdict::Stored
                }
                Insert::OneByOne if tx.insert_event(event, &pushed_by, now_ms).await? => {
                    Verdict::Stored
                }
                Insert::OneByOne => {
                    // A concurrent push stored this id or this (device, seq) first: what this
                    // batch remembers of the device is no longer its last event.
                    devices.forget_last(&db_text(&event.device));
                    after_conflict(tx, event).await?
                }
            };
        }
        let (status, received_ms) = match verdict {
            Verdict::Stored => {
                let device = db_text(&event.device);
                devices.stored(&device, event);
                stored_devices.insert(device);
                (PushStatus::Accepted, Some(now_ms))
            }
            Verdict::Duplicate(received_ms) => (PushStatus::Duplicate, Some(received_ms)),
            Verdict::Reject(reason, detail) => {
                tx.insert_rejection(event, &pushed_by, reason.code(), &detail, now_ms)
                    .await?;
                (PushStatus::Rejected { reason, detail }, None)
            }
            Verdict::Store => unreachable!("a verdict to store is carried out above"),
        };
        outcomes[i] = Some(PushOutcome {
            id: event.id,
            status,
            received_ms: received_ms.and_then(|ms| u64::try_from(ms).ok()),
        });
    }
    if !to_insert.is_empty() && !tx.insert_events(&to_insert, &pushed_by, now_ms).await? {
        return Err(StoreError::BatchRaced);
    }
    for device in &stored_devices {
        tx.note_device(device, &pushed_by, token_hash, now_ms)
            .await?;
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.expect("every event judged"))
        .collect())
}

/// What one batch has already read about its devices, so a batch carrying a device's next
/// hundred events reads the device's state once instead of once per event: whether it is
/// revoked (fixed for the transaction) and its last stored event (this batch's own last insert).
#[derive(Default)]
struct DeviceCache {
    revoked: std::collections::HashMap<String, bool>,
    last: std::collections::HashMap<String, Option<Event>>,
}

impl DeviceCache {
    async fn revoked<T: EventTx>(&mut self, tx: &mut T, device: &str) -> Result<bool> {
        if let Some(&known) = self.revoked.get(device) {
            return Ok(known);
        }
        let revoked = tx.device_revoked(device).await?;
        self.revoked.insert(device.to_string(), revoked);
        Ok(revoked)
    }

    async fn last<T: EventTx>(&mut self, tx: &mut T, device: &str) -> Result<Option<Event>> {
        if let Some(known) = self.last.get(device) {
            return Ok(known.clone());
        }
        let last = tx.last_of_device(device).await?;
        self.last.insert(device.to_string(), last.clone());
        Ok(last)
    }

    fn stored(&mut self, device: &str, event: &Event) {
        self.last.insert(device.to_string(), Some(event.clone()));
    }

    fn forget_last(&mut self, device: &str) {
        self.last.remove(device);
    }
}

enum Verdict {
    /// Passed every check: insert it.
    Store,
    Stored,
    /// Already stored, received at this time (ms).
    Duplicate(i64),
    Reject(RejectReason, String),
}

/// The rules an event is judged by on its own, without the database: hash, body, then
/// permission and scope. `push_from` applies them to the whole batch before it waits for its
/// turn to write, so the write lock is held for the rules that need the stored log only.
fn content_verdict(pusher: &Profile, event: &Event) -> Option<(RejectReason, String)> {
    if !event.hash_ok() {
        return Some((
            RejectReason::BadHash,
            "哈希与内容不符 / hash does not match the event's content".into(),
        ));
    }
    if let Err(e) = event.validate() {
        return Some((RejectReason::InvalidBody, format!("记录内容有误 / {e}")));
    }
    if let Err(reason) = authorize_event(pusher, event) {
        let detail = format!(
            "{} / {} ({} in unit {})",
            reason.message_zh(),
            reason.message_en(),
            event.body.kind_name(),
            event.unit
        );
        return Some((reason, detail));
    }
    None
}

/// The event is not stored (as far as the batch's first look saw): the remaining rules, with
/// the event's `content_verdict` in its place after the device check.
async fn judge<T: EventTx>(
    tx: &mut T,
    devices: &mut DeviceCache,
    accepted: &std::collections::HashMap<String, StoredHash>,
    pusher: &Profile,
    event: &Event,
    content: Option<(RejectReason, String)>,
) -> Result<Verdict> {
    let device = db_text(&event.device);
    if devices.revoked(tx, &device).await? {
        return Ok(Verdict::Reject(
            RejectReason::UnknownDevice,
            "本设备已被管理员停用，请换用其他设备登录 / this device was revoked by an administrator"
                .into(),
        ));
    }
    if let Some((reason, detail)) = content {
        return Ok(Verdict::Reject(reason, detail));
    }
    let mut last = devices.last(tx, &device).await?;
    let mut chained = check_next(last.as_ref(), event);
    if chained.is_err() {
        // What the batch remembers may predate a concurrent push of this device (PostgreSQL,
        // read committed): judge by the stored chain as it is now.
        devices.forget_last(&device);
        last = devices.last(tx, &device).await?;
        chained = check_next(last.as_ref(), event);
    }
    if chained.is_err() {
        // The chain may run through this user's own refused events (see `check_next_across`).
        let after = last.as_ref().map_or(Ok(0), |l| to_i64(l.seq))?;
        let refused = tx
            .refused_between(&device, &db_text(&pusher.user), after, to_i64(event.seq)?)
            .await?;
        chained = check_next_across(last.as_ref(), &refused, event);
    }
    if let Err(e) = chained {
        // The same event earlier in this batch (accepted, not yet inserted), or a concurrent
        // push of it committed after `existing` looked (PostgreSQL, read committed): the
        // chain just read then holds it, and a second look finds it.
        if let Some(stored) = accepted.get(&db_text(&event.id)) {
            return Ok(same_or_refused(stored, event));
        }
        if let Some(v) = existing(tx, event).await? {
            return Ok(v);
        }
        return Ok(Verdict::Reject(
            e.reject_reason(),
            format!("与本设备已存事件不衔接 / does not continue this device's chain: {e}"),
        ));
    }
    Ok(Verdict::Store)
}

/// If the id is already stored: the same event is a duplicate, a different one is refused.
async fn existing<T: EventTx>(tx: &mut T, event: &Event) -> Result<Option<Verdict>> {
    Ok(tx
        .stored_hash(&db_text(&event.id))
        .await?
        .map(|stored| same_or_refused(&stored, event)))
}

/// An event whose id is stored with `stored`'s hash: the same event again is a duplicate;
/// other content under that id is refused.
fn same_or_refused(stored: &StoredHash, event: &Event) -> Verdict {
    if stored.hash == db_text(&event.hash) {
        Verdict::Duplicate(stored.received_ms)
    } else {
        Verdict::Reject(
            RejectReason::BrokenChain,
            "该事件编号已被另一内容使用 / this event id is already stored with other content"
                .into(),
        )
    }
}

async fn after_conflict<T: EventTx>(tx: &mut T, event: &Event) -> Result<Verdict> {
    Ok(existing(tx, event).await?.unwrap_or_else(|| {
        Verdict::Reject(
            RejectReason::BrokenChain,
            "本设备该序号已存另一事件 / another event holds this device sequence number".into(),
        )
    }))
}

/// The few statements a push runs inside its transaction.
trait EventTx: Send {
    fn stored_hash(&mut self, id: &str) -> impl Future<Output = Result<Option<StoredHash>>> + Send;
    /// The stored hash of each of `ids` that is stored (one statement for a whole batch).
    fn stored_hashes(
        &mut self,
        ids: &[String],
    ) -> impl Future<Output = Result<std::collections::HashMap<String, StoredHash>>> + Send;
    fn last_of_device(
        &mut self,
        device: &str,
    ) -> impl Future<Output = Result<Option<Event>>> + Send;
    /// False if any of the ids or (device, seq) pairs is already taken; the rows that were
    /// free are then inserted, and the caller abandons the transaction.
    fn insert_events(
        &mut self,
        events: &[&Event],
        pushed_by: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// False if the id or (device, seq) is already taken.
    fn insert_event(
        &mut self,
        event: &Event,
        pushed_by: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The refused events of `device` pushed by `pushed_by` with `after < seq < before`, refused
    /// for what they say (not permitted, out of scope, invalid body) — never for their place in
    /// the chain: an event refused as out of order is still to come and must not be skipped.
    fn refused_between(
        &mut self,
        device: &str,
        pushed_by: &str,
        after: i64,
        before: i64,
    ) -> impl Future<Output = Result<Vec<Event>>> + Send;
    /// Whether an administrator revoked this device.
    fn device_revoked(&mut self, device: &str) -> impl Future<Output = Result<bool>> + Send;
    /// Records that `device` stored events for `user`, with `token_hash` if known.
    fn note_device(
        &mut self,
        device: &str,
        user: &str,
        token_hash: Option<&str>,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    fn insert_rejection(
        &mut self,
        event: &Event,
        pushed_by: &str,
        reason: &str,
        detail: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

macro_rules! impl_event_tx {
    ($db:ty) => {
        impl<'c> EventTx for Transaction<'c, $db> {
            async fn stored_hash(&mut self, id: &str) -> Result<Option<StoredHash>> {
                Ok(sqlx::query_as::<_, (String, i64)>(
                    "SELECT hash, received_at FROM events WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut **self)
                .await?
                .map(|(hash, received_ms)| StoredHash { hash, received_ms }))
            }

            async fn stored_hashes(
                &mut self,
                ids: &[String],
            ) -> Result<std::collections::HashMap<String, StoredHash>> {
                if ids.is_empty() {
                    return Ok(Default::default());
                }
                let placeholders = (1..=ids.len())
                    .map(|n| format!("${n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "SELECT id, hash, received_at FROM events WHERE id IN ({placeholders})"
                );
                let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql);
                for id in ids {
                    query = query.bind(id);
                }
                Ok(query
                    .fetch_all(&mut **self)
                    .await?
                    .into_iter()
                    .map(|(id, hash, received_ms)| (id, StoredHash { hash, received_ms }))
                    .collect())
            }

            async fn last_of_device(&mut self, device: &str) -> Result<Option<Event>> {
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE device = $1 ORDER BY seq DESC LIMIT 1"
                );
                let row = sqlx::query(&sql).bind(device).fetch_optional(&mut **self).await?;
                row.map(|r| stored_event(&r).map(|s| s.event)).transpose()
            }

            async fn insert_events(
                &mut self,
                events: &[&Event],
                pushed_by: &str,
                now_ms: i64,
            ) -> Result<bool> {
                let rows = events.iter().map(|e| EventRow::of(e)).collect::<Result<Vec<_>>>()?;
                for chunk in rows.chunks(ROWS_PER_INSERT) {
                    let mut insert = insert_rows(chunk, pushed_by, now_ms);
                    insert.push(" ON CONFLICT DO NOTHING");
                    let n = insert.build().execute(&mut **self).await?.rows_affected();
                    if n != chunk.len() as u64 {
                        return Ok(false);
                    }
                }
                Ok(true)
            }

            async fn insert_event(&mut self, e: &Event, pushed_by: &str, now_ms: i64) -> Result<bool> {
                let body = serde_json::to_string(&e.body).map_err(|x| StoreError::Corrupt(x.to_string()))?;
                let n = sqlx::query(
                    "INSERT INTO events (id, device, seq, hlc_wall, hlc_counter, actor, unit, entity,
                                         kind, body, prev, hash, pushed_by, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                     ON CONFLICT DO NOTHING",
                )
                .bind(db_text(&e.id))
                .bind(db_text(&e.device))
                .bind(to_i64(e.seq)?)
                .bind(to_i64(e.hlc.wall_ms)?)
                .bind(to_i64(u64::from(e.hlc.counter))?)
                .bind(db_text(&e.actor))
                .bind(db_text(&e.unit))
                .bind(db_text(&e.entity))
                .bind(e.body.kind_name())
                .bind(body)
                .bind(db_text(&e.prev))
                .bind(db_text(&e.hash))
                .bind(pushed_by)
                .bind(now_ms)
                .execute(&mut **self)
                .await?
                .rows_affected();
                Ok(n == 1)
            }

            async fn refused_between(
                &mut self,
                device: &str,
                pushed_by: &str,
                after: i64,
                before: i64,
            ) -> Result<Vec<Event>> {
                let rows: Vec<String> = sqlx::query_scalar(
                    "SELECT event FROM rejections
                     WHERE device = $1 AND pushed_by = $2 AND seq > $3 AND seq < $4
                       AND reason IN ('not_permitted', 'out_of_scope', 'invalid_body')
                     ORDER BY seq",
                )
                .bind(device)
                .bind(pushed_by)
                .bind(after)
                .bind(before)
                .fetch_all(&mut **self)
                .await?;
                Ok(rows.iter().filter_map(|t| serde_json::from_str(t).ok()).collect())
            }

            async fn device_revoked(&mut self, device: &str) -> Result<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM devices WHERE device = $1 AND revoked_at IS NOT NULL",
                )
                .bind(device)
                .fetch_one(&mut **self)
                .await?;
                Ok(n > 0)
            }

            async fn note_device(
                &mut self,
                device: &str,
                user: &str,
                token_hash: Option<&str>,
                now_ms: i64,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO devices (device, user_id, first_seen, last_seen)
                     VALUES ($1, $2, $3, $3)
                     ON CONFLICT (device) DO UPDATE SET last_seen = excluded.last_seen",
                )
                .bind(device)
                .bind(user)
                .bind(now_ms)
                .execute(&mut **self)
                .await?;
                if let Some(token_hash) = token_hash {
                    sqlx::query(
                        "INSERT INTO device_tokens (device, token_hash) VALUES ($1, $2)
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(device)
                    .bind(token_hash)
                    .execute(&mut **self)
                    .await?;
                }
                Ok(())
            }

            async fn insert_rejection(
                &mut self,
                e: &Event,
                pushed_by: &str,
                reason: &str,
                detail: &str,
                now_ms: i64,
            ) -> Result<()> {
                let event = serde_json::to_string(e).map_err(|x| StoreError::Corrupt(x.to_string()))?;
                sqlx::query(
                    "INSERT INTO rejections (event_id, device, seq, unit, pushed_by, reason, detail,
                                             event, first_seen, last_seen)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
                     ON CONFLICT (event_id, reason) DO UPDATE
                     SET detail = excluded.detail, last_seen = excluded.last_seen,
                         attempts = rejections.attempts + 1",
                )
                .bind(db_text(&e.id))
                .bind(db_text(&e.device))
                .bind(to_i64(e.seq)?)
                .bind(db_text(&e.unit))
                .bind(pushed_by)
                .bind(reason)
                .bind(detail)
                .bind(event)
                .bind(now_ms)
                .execute(&mut **self)
                .await?;
                Ok(())
            }
        }
    };
}

/// Rows per INSERT statement: 14 parameters each stays under both databases' limits
/// (SQLite 32,766; PostgreSQL 65,535).
pub(super) const ROWS_PER_INSERT: usize = 1000;

/// One event as the columns of an `events` row.
pub(super) struct EventRow {
    id: String,
    device: String,
    seq: i64,
    hlc_wall: i64,
    hlc_counter: i64,
    actor: String,
    unit: String,
    entity: String,
    kind: String,
    body: String,
    prev: String,
    hash: String,
}

impl EventRow {
    pub(super) fn of(e: &Event) -> Result<EventRow> {
        Ok(EventRow {
            id: db_text(&e.id),
            device: db_text(&e.device),
            seq: to_i64(e.seq)?,
            hlc_wall: to_i64(e.hlc.wall_ms)?,
            hlc_counter: i64::from(e.hlc.counter),
            actor: db_text(&e.actor),
            unit: db_text(&e.unit),
            entity: db_text(&e.entity),
            kind: e.body.kind_name().to_string(),
            body: serde_json::to_string(&e.body).map_err(|x| StoreError::Corrupt(x.to_string()))?,
            prev: db_text(&e.prev),
            hash: db_text(&e.hash),
        })
    }
}

/// `INSERT INTO events … VALUES (…), (…)` for `rows` (at most `ROWS_PER_INSERT`), stored by
/// `pushed_by` at `now_ms`.
pub(super) fn insert_rows<'a, DB>(
    rows: &'a [EventRow],
    pushed_by: &'a str,
    now_ms: i64,
) -> sqlx::QueryBuilder<'a, DB>
where
    DB: sqlx::Database,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let mut insert = sqlx::QueryBuilder::new(
        "INSERT INTO events (id, device, seq, hlc_wall, hlc_counter, actor, unit,
                             entity, kind, body, prev, hash, pushed_by, received_at) ",
    );
    insert.push_values(rows, |mut b, r| {
        b.push_bind(r.id.as_str())
            .push_bind(r.device.as_str())
            .push_bind(r.seq)
            .push_bind(r.hlc_wall)
            .push_bind(r.hlc_counter)
            .push_bind(r.actor.as_str())
            .push_bind(r.unit.as_str())
            .push_bind(r.entity.as_str())
            .push_bind(r.kind.as_str())
            .push_bind(r.body.as_str())
            .push_bind(r.prev.as_str())
            .push_bind(r.hash.as_str())
            .push_bind(pushed_by)
            .push_bind(now_ms);
    });
    insert
}

impl_event_tx!(Sqlite);
impl_event_tx!(Postgres);

fn is_transient(e: &sqlx::Error) -> bool {
    // 40P01 deadlock_detected, 40001 serialization_failure.
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "40P01" || c == "40001")
}

/// Rebuilds an event from its columns: every column parsed into its domain type, the body
/// straight from its JSON text. A column that does not parse is `StoreError::Corrupt`.
pub(super) fn stored_event<R>(r: &R) -> Result<StoredEvent>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let position: i64 = r.try_get("position")?;
    let id: String = r.try_get("id")?;
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("event {id} at position {position}: {what}: {e}"))
    };
    let text = |column: &str| r.try_get::<String, _>(column).map_err(StoreError::from);
    let number = |column: &str| -> Result<u64> {
        let n: i64 = r.try_get(column)?;
        u64::try_from(n).map_err(|e| corrupt(column, &e))
    };
    let body: String = r.try_get("body")?;
    let event = Event {
        id: from_db_text(&id)?,
        device: from_db_text(&text("device")?)?,
        seq: number("seq")?,
        hlc: Hlc {
            wall_ms: number("hlc_wall")?,
            counter: u32::try_from(number("hlc_counter")?)
                .map_err(|e| corrupt("hlc_counter", &e))?,
        },
        actor: from_db_text(&text("actor")?)?,
        unit: from_db_text(&text("unit")?)?,
        entity: from_db_text(&text("entity")?)?,
        body: serde_json::from_str(&body).map_err(|e| corrupt("body", &e))?,
        prev: from_db_text(&text("prev")?)?,
        hash: from_db_text(&text("hash")?)?,
    };
    let received_ms = r.try_get::<i64, _>("received_at")?;
    Ok(StoredEvent {
        position,
        event,
        received_ms,
    })
}

/// How an id-like value is written to a TEXT column: its JSON string form.
pub fn db_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Parses a TEXT column back into an id-like value.
pub fn from_db_text<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_value(Value::String(text.to_string()))
        .map_err(|e| StoreError::Corrupt(format!("{text:?}: {e}")))
}

pub(super) fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{v} does not fit a BIGINT")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cunju_domain::authz::Role;
    use cunju_domain::event::{DeviceLog, EventBody, NewEvent};
    use cunju_domain::ids::DeviceId;

    const VILLAGE: &str = "5099001001";

    async fn store_with_user(dir: &std::path::Path, user: &str) -> (Store, Profile) {
        let store = Store::connect(&format!("sqlite://{}/cunju.db", dir.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let row = super::super::UserRow {
            id: user.into(),
            username: user.into(),
            password_hash: "x".into(),
            role: "village_official".into(),
            scope: VILLAGE.into(),
            display_name: user.into(),
            disabled: false,
            department: None,
        };
        store.insert_user(&row, 1).await.unwrap();
        (store, profile(user))
    }

    fn profile(user: &str) -> Profile {
        Profile {
            user: user.parse().unwrap(),
            display_name: user.into(),
            role: Role::VillageOfficial,
            scope: VILLAGE.parse().unwrap(),
            department: None,
        }
    }

    fn notes(device: &str, actor: &Profile, n: u64) -> Vec<Event> {
        let mut log = DeviceLog::new(device.parse::<DeviceId>().unwrap());
        (0..n)
            .map(|k| {
                let draft = NewEvent {
                    actor: actor.user.clone(),
                    unit: VILLAGE.parse().unwrap(),
                    entity: format!("entity-{k}").parse().unwrap(),
                    body: EventBody::Note {
                        text: format!("第 {k} 条"),
                    },
                };
                let mut random = [k as u8; 10];
                random[..device.len()].copy_from_slice(device.as_bytes());
                log.append(draft, 1_750_000_000_000 + k, random)
            })
            .collect()
    }

    /// Pushes that queue behind one turn are written in one transaction; when that transaction
    /// fails because of one push, every other push is still stored, and only the failing one
    /// gets the error.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_push_in_a_group_does_not_fail_the_others() {
        let dir = std::env::temp_dir().join(format!("cunju-group-{}", std::process::id()));
        let (store, alice) = store_with_user(&dir, "alice").await;
        // No account row: storing this user's device fails the transaction (foreign key).
        let ghost = profile("ghost");
        let Store::Sqlite(pool) = &store else {
            unreachable!()
        };
        let writer = super::super::sqlite_writer(pool);
        let turn = writer.turn.lock().await;
        let push = |who: Profile, events: Vec<Event>| {
            let store = store.clone();
            tokio::spawn(async move { store.push(&who, events, 5).await })
        };
        let first = push(alice.clone(), notes("da", &alice, 3));
        let failing = push(ghost.clone(), notes("dg", &ghost, 2));
        let last = push(alice.clone(), notes("db", &alice, 4));
        while writer.pushes.lock().unwrap().len() < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        drop(turn);
        let accepted = |r: Vec<PushOutcome>| {
            r.iter()
                .filter(|o| o.status == PushStatus::Accepted)
                .count()
        };
        assert_eq!(accepted(first.await.unwrap().unwrap()), 3);
        let failed = failing.await.unwrap();
        assert!(matches!(failed, Err(StoreError::Db(_))), "{failed:?}");
        assert_eq!(accepted(last.await.unwrap().unwrap()), 4);
        let page = store.pull(VILLAGE, 0, 100).await.unwrap();
        assert_eq!(page.events.len(), 7);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
