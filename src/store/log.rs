//! The event log on the device: appending local events, applying remote ones, keeping the
//! projections in `entities` current, and the bookkeeping of what the server has acknowledged.

use cunju_domain::event::{DeviceLog, EntityKind, Event, NewEvent};
use cunju_domain::ids::{DeviceId, EntityId, EventId, UnitId, UserId};
use cunju_domain::projection::{self, Applied, EntityState};
use cunju_domain::sync::{Cursor, RejectReason};
use futures::future::try_join_all;
use rexie::{KeyRange, TransactionMode};
use wasm_bindgen::JsValue;

use super::records::{EntityRecord, EventRecord, RejectedEvent, Rejection, SyncMark};
use super::schema::{ENTITIES, EVENTS, META};
use super::{Store, StoreError, decode, encode, finish, get_decoded, meta, only};
use crate::platform;

/// Largest integer a JS number holds exactly: above any `seq` a device will write.
const MAX_SAFE_SEQ: u64 = (1 << 53) - 1;

/// What `apply_remote` did with a page of events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// New to this device: stored and projected.
    pub applied: u32,
    /// Already here and already acknowledged: nothing to do.
    pub duplicates: u32,
    /// Our own events that were still waiting for an acknowledgement: now acknowledged.
    pub confirmed: u32,
    /// Refused because this device holds another event with the same (device, seq); kept out
    /// rather than overwrite anything (should never happen with a correct server).
    pub conflicts: u32,
}

/// A projection as this connection last wrote it: the state, and the JSON text stored (what
/// the next append compares the stored record with).
pub(super) struct KnownProjection {
    state: EntityState,
    json: JsValue,
}

/// What one append committed.
struct Appended {
    events: Vec<Event>,
    log: DeviceLog,
    projection: Option<KnownProjection>,
}

impl Store {
    /// Makes the next event of this device from `draft` and stores it and its projection in
    /// one transaction. The event is confirmed (returned) only after the
    /// transaction commits; on any error nothing is written.
    pub async fn append(&self, draft: NewEvent) -> Result<Event, StoreError> {
        let mut events = self.append_many(vec![draft]).await?;
        Ok(events.pop().expect("one draft makes one event"))
    }

    /// Makes the next events of this device from `drafts`, in order, and stores them and the
    /// projections they change in one transaction: all of them commit or none. The device log
    /// is read at most once (the last event is its record), and each entity's projection is
    /// read, folded with all of its events and written once, however many events there are.
    pub async fn append_many(&self, drafts: Vec<NewEvent>) -> Result<Vec<Event>, StoreError> {
        for draft in &drafts {
            draft.validate().map_err(|e| StoreError::Invalid(e.0))?;
        }
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let known = self.device_log.borrow_mut().take();
        let projection = self.projection.borrow_mut().take();
        let from_memory = known.is_some();
        let result = match self.append_after(drafts.clone(), known, projection).await {
            // Another tab appended (its event took our sequence number) or wrote the
            // projection since we last did: again, from what is stored.
            Err(e) if e == StoreError::Stale || (from_memory && e == StoreError::Conflict) => {
                self.append_after(drafts, None, None).await
            }
            other => other,
        };
        result.map(|appended| {
            *self.device_log.borrow_mut() = Some(appended.log);
            *self.projection.borrow_mut() = appended.projection;
            appended.events
        })
    }

    /// `append_many` continuing `known`, this connection's last written device log, and
    /// `projection`, the projection it last wrote, or the stored ones if `None`. What is known
    /// is not waited for: the events are made from it at once. The device log is not read at
    /// all: if another tab appended meanwhile, its event holds our next sequence number and the
    /// unique `device_seq` index refuses ours (`Conflict`). A known projection is read in the
    /// same transaction ahead of the writes; if it is not what this connection wrote, another
    /// tab or a pulled page wrote it meanwhile and the transaction is aborted with `Stale`.
    /// Either way nothing commits.
    async fn append_after(
        &self,
        drafts: Vec<NewEvent>,
        known: Option<DeviceLog>,
        projection: Option<KnownProjection>,
    ) -> Result<Appended, StoreError> {
        // The device holds the only copy of a new event until it is pushed.
        let tx = self.durable_tx(&[EVENTS, ENTITIES, META])?;
        let result = async {
            let (events, entities, meta_store) = stores(&tx)?;
            // Reads at once, then writes at once (see `apply_page`): the projections the
            // drafts change (only drafts that have one) and, unless known, the device log.
            let touched: std::collections::BTreeSet<EntityId> = drafts
                .iter()
                .filter(|d| d.body.entity_kind().is_some())
                .map(|d| d.entity.clone())
                .collect();
            // The projection last written is used as it is when it is the only one touched; its
            // stored JSON text is what the check expects to find.
            let (known_state, expected) = match projection {
                Some(KnownProjection { state, json })
                    if touched.len() == 1 && touched.contains(&state.id) =>
                {
                    let id = state.id.clone();
                    (Some(state), Some((id, json)))
                }
                _ => (None, None),
            };
            let read_projections = async {
                match known_state {
                    Some(state) => Ok(Projections::known(state)),
                    None => Projections::load(&entities, touched.iter().cloned()).await,
                }
            };
            let (mut log, mut projections, first_use) = match known {
                Some(log) => (log, read_projections.await?, false),
                None => {
                    let (log, projections) =
                        futures::join!(load_device_log(&meta_store, &events), read_projections);
                    let StoredLog { log, stored } = log?;
                    (log, projections?, !stored)
                }
            };
            let mut writes = Writes::default();
            let mut written = Vec::with_capacity(drafts.len());
            for draft in drafts {
                let event = log.append(draft, platform::now_ms(), platform::random_bytes());
                writes
                    .events
                    .push((encode(&EventRecord::new(&event, SyncMark::Pending)?)?, true));
                projections.apply(&event, &events, &mut writes).await?;
                written.push(event);
            }
            let records = projections.changed_records()?;
            // What this connection will know of the projection once this commits.
            let next_json = match (touched.len(), records.first(), &expected) {
                (1, Some((_, record)), _) => Some(record_json(record)),
                (1, None, Some((_, unchanged))) => Some(unchanged.clone()),
                _ => None,
            };
            writes.entities = records.into_iter().map(|(_, record)| record).collect();
            let next = next_json.and_then(|json| {
                let state = projections.states.remove(touched.first()?)??;
                Some(KnownProjection { state, json })
            });
            // The check is polled first, so its read is queued before the writes. The device
            // log is written once, when this device's first event makes its identity.
            futures::try_join!(
                projection_still_stored(&entities, expected.as_ref()),
                writes.send(&events, &entities),
                async {
                    if first_use {
                        save_device_log(&meta_store, &log).await
                    } else {
                        Ok(())
                    }
                }
            )?;
            Ok(Appended {
                events: written,
                log,
                projection: next,
            })
        }
        .await;
        finish(tx, result).await
    }

    /// Stores events received from the server and updates their projections, in one
    /// transaction. Idempotent by event id; the device clock observes every new event so later
    /// local events sort after them.
    pub async fn apply_remote(&self, events: &[Event]) -> Result<ApplyReport, StoreError> {
        self.apply_page(events, &[], None).await
    }

    /// `apply_remote`, and in the same transaction moves `user`'s pull cursor to `next`, so an
    /// interrupted sync resumes after the last page that was fully stored. `received` is the
    /// server's receipt time of each event (`PullResponse::receipts`); it is kept with the
    /// event, this device's own events included.
    pub async fn apply_pulled(
        &self,
        events: &[Event],
        received: &[Option<u64>],
        user: &UserId,
        next: Cursor,
    ) -> Result<ApplyReport, StoreError> {
        self.apply_page(events, received, Some((user, next))).await
    }

    /// Stores a page in one transaction. The quick pass reads, for each device in the page,
    /// the stored events in the page's range of its sequence numbers (one request per device,
    /// not one per event). An event whose id is stored at another (device, seq) — which a
    /// correct server never sends — makes its `add` fail; the page is then stored again by the
    /// careful pass, which also reads each event by id.
    async fn apply_page(
        &self,
        page: &[Event],
        received: &[Option<u64>],
        cursor: Option<(&UserId, Cursor)>,
    ) -> Result<ApplyReport, StoreError> {
        match self.apply_page_once(page, received, cursor, false).await {
            Err(StoreError::Conflict) => self.apply_page_once(page, received, cursor, true).await,
            other => other,
        }
    }

    async fn apply_page_once(
        &self,
        page: &[Event],
        received: &[Option<u64>],
        cursor: Option<(&UserId, Cursor)>,
        careful: bool,
    ) -> Result<ApplyReport, StoreError> {
        // This writes the device log too (the clock observes every new event): the next append
        // reads it again.
        self.device_log.borrow_mut().take();
        let tx = self.tx(&[EVENTS, ENTITIES, META], TransactionMode::ReadWrite)?;
        let result = async {
            let (events, entities, meta_store) = stores(&tx)?;
            let device_seq = events.index("device_seq").map_err(StoreError::from_idb)?;
            let now = platform::now_ms();
            let mut report = ApplyReport::default();
            // Every read of the page is sent at once and every write is sent together at the
            // end: IndexedDB runs a transaction's requests in order, so waiting for each answer
            // before sending the next request would only add a round trip per request.
            let slots = page_slots(page);
            let ids: Vec<JsValue> = if careful {
                page.iter()
                    .map(|e| JsValue::from_str(&e.id.to_string()))
                    .collect()
            } else {
                Vec::new()
            };
            let (log, by_id, by_slot, projections) = futures::join!(
                load_device_log(&meta_store, &events),
                try_join_all(
                    ids.iter()
                        .map(|id| get_decoded::<EventRecord>(&events, id.clone()))
                ),
                try_join_all(slots.iter().map(|(device, (first, last))| {
                    stored_slots(&device_seq, device, *first, *last)
                })),
                Projections::load(&entities, page.iter().map(|e| e.entity.clone())),
            );
            let (mut log, mut by_id, mut projections) = (log?.log, by_id?, projections?);
            let by_slot: std::collections::HashMap<(String, u64), EventRecord> = by_slot?
                .into_iter()
                .flatten()
                .map(|r| ((r.device.clone(), r.seq), r))
                .collect();
            let mut writes = Writes::default();
            let mut seen_ids = std::collections::HashSet::new();
            let mut seen_slots = std::collections::HashSet::new();
            for (i, event) in page.iter().enumerate() {
                if !seen_ids.insert(event.id) {
                    report.duplicates += 1;
                    continue;
                }
                let receipt = received.get(i).copied().flatten();
                let slot = (event.device.to_string(), event.seq);
                let in_slot = by_slot.get(&slot);
                // Stored: found by id (careful), or in its own slot under its own id. In
                // the quick pass an id stored at another slot is found by `add` refusing it.
                let (stored, slot_taken) = if careful {
                    let stored = by_id.get_mut(i).and_then(Option::take);
                    (stored, in_slot.is_some())
                } else {
                    match in_slot {
                        Some(record) if record.id == event.id.to_string() => {
                            (Some(record.clone()), false)
                        }
                        other => (None, other.is_some()),
                    }
                };
                if let Some(mut record) = stored {
                    let learnt_receipt = receipt.is_some() && record.received_ms != receipt;
                    if record.pending == SyncMark::Acked && !learnt_receipt {
                        report.duplicates += 1;
                        continue;
                    }
                    if record.pending == SyncMark::Acked {
                        report.duplicates += 1;
                    } else {
                        record.pending = SyncMark::Acked;
                        record.rejection = None;
                        report.confirmed += 1;
                    }
                    record.received_ms = receipt.or(record.received_ms);
                    writes.events.push((encode(&record)?, false));
                    continue;
                }
                if slot_taken || !seen_slots.insert((&event.device, event.seq)) {
                    web_sys::console::warn_1(
                        &format!("cunju: event {} conflicts with a stored event of the same device and seq", event.id)
                            .into(),
                    );
                    report.conflicts += 1;
                    continue;
                }
                let mut record = EventRecord::new(event, SyncMark::Acked)?;
                record.received_ms = receipt;
                writes.events.push((encode(&record)?, true));
                projections.apply(event, &events, &mut writes).await?;
                // Our own chain, known to the server beyond what this device remembers, is
                // continued after rather than a sequence number used twice.
                log.follow(event, now);
                report.applied += 1;
            }
            writes.entities = projections.changed()?;
            writes.send(&events, &entities).await?;
            save_device_log(&meta_store, &log).await?;
            if let Some((user, next)) = cursor {
                meta_store
                    .put(&encode(&next.0)?, Some(&JsValue::from_str(&meta::cursor_key(user))))
                    .await
                    .map_err(StoreError::from_idb)?;
            }
            Ok(report)
        }
        .await;
        let outcome = finish(tx, result).await;
        self.device_log.borrow_mut().take();
        outcome
    }

    /// The projection of one entity, if any event about it is on this device.
    pub async fn entity(&self, id: &EntityId) -> Result<Option<EntityState>, StoreError> {
        let tx = self.tx(&[ENTITIES], TransactionMode::ReadOnly)?;
        let entities = tx.store(ENTITIES).map_err(StoreError::from_idb)?;
        let record: Option<EntityRecord> =
            get_decoded(&entities, JsValue::from_str(id.as_str())).await?;
        record.map(|r| r.state()).transpose()
    }

    /// Every entity of `kind` whose unit lies within `scope` (the unit itself or below it),
    /// through the `kind_unit` index.
    pub async fn query(
        &self,
        kind: EntityKind,
        scope: &UnitId,
    ) -> Result<Vec<EntityState>, StoreError> {
        let tx = self.tx(&[ENTITIES], TransactionMode::ReadOnly)?;
        let entities = tx.store(ENTITIES).map_err(StoreError::from_idb)?;
        let index = entities.index("kind_unit").map_err(StoreError::from_idb)?;
        // Unit codes extend their parent's code, so a subtree is a prefix range of the index.
        let lower = encode(&(kind.as_str(), scope.as_str()))?;
        let upper = encode(&(kind.as_str(), format!("{}\u{ffff}", scope.as_str())))?;
        let range = KeyRange::bound(&lower, &upper, None, None)
            .map_err(|e| StoreError::from_idb(e.into()))?;
        let rows = index
            .get_all(Some(range), None)
            .await
            .map_err(StoreError::from_idb)?;
        let mut states = Vec::with_capacity(rows.len());
        for row in rows {
            let state = decode::<EntityRecord>(row)?.state()?;
            if state.unit.is_within(scope) {
                states.push(state);
            }
        }
        Ok(states)
    }

    /// One stored event and where it stands with the server.
    pub async fn event(&self, id: &EventId) -> Result<Option<(Event, SyncMark)>, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadOnly)?;
        let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
        let record: Option<EventRecord> =
            get_decoded(&events, JsValue::from_str(&id.to_string())).await?;
        record.map(|r| Ok((r.event()?, r.pending))).transpose()
    }

    /// When the server received a stored event (ms, server clock); `None` until a pull has
    /// brought that news (or for an event not on this device).
    pub async fn received_ms(&self, id: &EventId) -> Result<Option<u64>, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadOnly)?;
        let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
        let record: Option<EventRecord> =
            get_decoded(&events, JsValue::from_str(&id.to_string())).await?;
        Ok(record.and_then(|r| r.received_ms))
    }

    /// Every stored event about `entity`, in fold order.
    pub async fn events_of(&self, entity: &EntityId) -> Result<Vec<Event>, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadOnly)?;
        let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
        entity_events(&events, entity.as_str()).await
    }

    /// Every event this device wrote, in `seq` order (for checks and exports).
    pub async fn device_events(&self, device: &DeviceId) -> Result<Vec<Event>, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadOnly)?;
        let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
        let index = events.index("device_seq").map_err(StoreError::from_idb)?;
        let lower = encode(&(device.as_str(), 0u64))?;
        let upper = encode(&(device.as_str(), MAX_SAFE_SEQ))?;
        let range = KeyRange::bound(&lower, &upper, None, None)
            .map_err(|e| StoreError::from_idb(e.into()))?;
        let rows = index
            .get_all(Some(range), None)
            .await
            .map_err(StoreError::from_idb)?;
        rows.into_iter()
            .map(|row| decode::<EventRecord>(row)?.event())
            .collect()
    }

    /// This device's identity, next sequence number, last hash and clock; `None` before the
    /// first event was written or received.
    pub async fn device_log(&self) -> Result<Option<DeviceLog>, StoreError> {
        let tx = self.tx(&[EVENTS, META], TransactionMode::ReadOnly)?;
        let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
        let meta_store = tx.store(META).map_err(StoreError::from_idb)?;
        let stored = load_device_log(&meta_store, &events).await?;
        Ok(stored.stored.then_some(stored.log))
    }

    /// Up to `limit` events waiting to be pushed, oldest first per device (the order the
    /// server needs to check each chain).
    pub async fn pending(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.pending_after(None, limit).await
    }

    /// `pending`, from after `after` (an event's device and seq) in the queue: the batch that
    /// follows one still in flight, read while the server works on that one.
    pub async fn pending_after(
        &self,
        after: Option<(&DeviceId, u64)>,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadOnly)?;
        let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
        queued_records_after(&events, after, limit)
            .await?
            .into_iter()
            .map(|record| record.event())
            .collect()
    }

    /// How many events wait to be pushed.
    pub async fn pending_count(&self) -> Result<u32, StoreError> {
        self.count_marked(SyncMark::Pending).await
    }

    /// How many events the server refused (kept here until re-queued).
    pub async fn rejected_count(&self) -> Result<u32, StoreError> {
        self.count_marked(SyncMark::Rejected).await
    }

    /// The events the server refused, with the reasons, oldest first.
    pub async fn rejected(&self) -> Result<Vec<RejectedEvent>, StoreError> {
        let mut records = self.records_marked(SyncMark::Rejected).await?;
        records.sort_by(|a, b| (&a.device, a.seq).cmp(&(&b.device, b.seq)));
        records
            .into_iter()
            .map(|record| {
                let rejection = record.rejection.clone().unwrap_or(Rejection {
                    reason: RejectReason::InvalidBody,
                    detail: String::new(),
                    at_ms: 0,
                });
                Ok(RejectedEvent {
                    event: record.event()?,
                    rejection,
                })
            })
            .collect()
    }

    /// Records that the server has these events (accepted or duplicate).
    pub async fn mark_acked(&self, ids: &[EventId]) -> Result<u32, StoreError> {
        let acked: Vec<_> = ids.iter().map(|id| (*id, None)).collect();
        self.settle_push(&acked, &[]).await
    }

    /// Records the outcome of one push in one transaction: `acked` are acknowledged, each with
    /// the server's receipt time if it sent one; `rejected` are set aside with their reasons.
    /// Unknown ids are ignored. Returns how many changed.
    pub async fn settle_push(
        &self,
        acked: &[(EventId, Option<u64>)],
        rejected: &[(EventId, Rejection)],
    ) -> Result<u32, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadWrite)?;
        let result = async {
            let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
            let mut changes: std::collections::HashMap<String, Settled> = acked
                .iter()
                .map(|(id, receipt)| (id.to_string(), (SyncMark::Acked, None, *receipt)))
                .chain(rejected.iter().map(|(id, why)| {
                    (
                        id.to_string(),
                        (SyncMark::Rejected, Some(why.clone()), None),
                    )
                }))
                .collect();
            let mut writes = Writes::default();
            // A push sends the head of the queue, so its answer is normally about the events
            // still at the head: one read finds them all.
            for record in queued_records(&events, changes.len()).await? {
                if let Some(change) = changes.remove(&record.id) {
                    writes
                        .events
                        .push((encode(&settled(record, change))?, false));
                }
            }
            // Any other: read by id (all reads at once, then all writes at once, as in
            // `apply_page`). Unknown ids are ignored.
            let others: Vec<(String, Settled)> = changes.into_iter().collect();
            let records = try_join_all(
                others
                    .iter()
                    .map(|(id, _)| get_decoded::<EventRecord>(&events, JsValue::from_str(id))),
            )
            .await?;
            for ((_, change), record) in others.into_iter().zip(records) {
                let Some(record) = record else {
                    continue;
                };
                // An acknowledged event stays acknowledged whatever a later answer says.
                if record.pending == SyncMark::Acked {
                    continue;
                }
                writes
                    .events
                    .push((encode(&settled(record, change))?, false));
            }
            let changed = writes.events.len() as u32;
            writes.send_events(&events).await?;
            Ok(changed)
        }
        .await;
        finish(tx, result).await
    }

    /// Puts every rejected event back in the push queue (after the user fixed the cause, e.g.
    /// logged in with the right account). Returns how many were re-queued.
    pub async fn requeue_rejected(&self) -> Result<u32, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadWrite)?;
        let result = async {
            let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
            let index = events.index("pending").map_err(StoreError::from_idb)?;
            let key = JsValue::from(SyncMark::Rejected.code());
            let rows = index
                .get_all(Some(only(&key)?), None)
                .await
                .map_err(StoreError::from_idb)?;
            let mut changed = 0;
            for row in rows {
                let mut record: EventRecord = decode(row)?;
                record.pending = SyncMark::Pending;
                record.rejection = None;
                events
                    .put(&encode(&record)?, None)
                    .await
                    .map_err(StoreError::from_idb)?;
                changed += 1;
            }
            Ok(changed)
        }
        .await;
        finish(tx, result).await
    }

    async fn records_marked(&self, mark: SyncMark) -> Result<Vec<EventRecord>, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadOnly)?;
        let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
        let index = events.index("pending").map_err(StoreError::from_idb)?;
        let key = JsValue::from(mark.code());
        let rows = index
            .get_all(Some(only(&key)?), None)
            .await
            .map_err(StoreError::from_idb)?;
        rows.into_iter().map(decode).collect()
    }

    async fn count_marked(&self, mark: SyncMark) -> Result<u32, StoreError> {
        let tx = self.tx(&[EVENTS], TransactionMode::ReadOnly)?;
        let events = tx.store(EVENTS).map_err(StoreError::from_idb)?;
        let index = events.index("pending").map_err(StoreError::from_idb)?;
        let key = JsValue::from(mark.code());
        index
            .count(Some(only(&key)?))
            .await
            .map_err(StoreError::from_idb)
    }
}

/// Records one transaction writes, sent together at its end (`send`).
#[derive(Default)]
struct Writes {
    /// Event records, each with whether it is new (`add`: fails rather than overwrite).
    events: Vec<(JsValue, bool)>,
    /// Entity records (projections).
    entities: Vec<JsValue>,
}

impl Writes {
    /// Sends every write at once and waits for all of them; the first failure is the error
    /// (and the caller's `finish` aborts the transaction, so none of them commits).
    async fn send(
        &mut self,
        events: &rexie::Store,
        entities: &rexie::Store,
    ) -> Result<(), StoreError> {
        let entity_writes = std::mem::take(&mut self.entities);
        futures::try_join!(
            self.send_events(events),
            try_join_all(entity_writes.iter().map(|record| async move {
                entities
                    .put(record, None)
                    .await
                    .map(drop)
                    .map_err(StoreError::from_idb)
            })),
        )?;
        Ok(())
    }

    /// `send` for the event records only.
    async fn send_events(&mut self, events: &rexie::Store) -> Result<(), StoreError> {
        let event_writes = std::mem::take(&mut self.events);
        try_join_all(event_writes.iter().map(|(record, new)| async move {
            if *new {
                events.add(record, None).await.map(drop)
            } else {
                events.put(record, None).await.map(drop)
            }
            .map_err(StoreError::from_idb)
        }))
        .await?;
        Ok(())
    }
}

/// The projections a page of events touches, read once, folded in memory, written once.
struct Projections {
    states: std::collections::HashMap<EntityId, Option<EntityState>>,
    changed: std::collections::BTreeSet<EntityId>,
}

impl Projections {
    /// Reads the current projection of each of `touched` (repeats read once), all at once.
    async fn load(
        entities: &rexie::Store,
        touched: impl IntoIterator<Item = EntityId>,
    ) -> Result<Projections, StoreError> {
        let ids: Vec<EntityId> = touched
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let records = try_join_all(
            ids.iter()
                .map(|id| get_decoded::<EntityRecord>(entities, JsValue::from_str(id.as_str()))),
        )
        .await?;
        let mut states = std::collections::HashMap::new();
        for (id, record) in ids.into_iter().zip(records) {
            states.insert(id, record.map(|r| r.state()).transpose()?);
        }
        Ok(Projections {
            states,
            changed: Default::default(),
        })
    }

    /// Folds `event` into its entity with `projection::apply`. A late event that sorts
    /// before the entity's last one re-folds the entity from its stored events, so the writes
    /// waiting so far are sent first.
    async fn apply(
        &mut self,
        event: &Event,
        events: &rexie::Store,
        writes: &mut Writes,
    ) -> Result<(), StoreError> {
        let state = self.states.entry(event.entity.clone()).or_default();
        match projection::apply(state, event) {
            Applied::Folded => {
                self.changed.insert(event.entity.clone());
            }
            Applied::Skipped => {}
            Applied::Refold => {
                writes.send_events(events).await?;
                let all = entity_events(events, event.entity.as_str()).await?;
                let folded = projection::fold_entity(&all);
                if folded.is_some() {
                    self.changed.insert(event.entity.clone());
                }
                self.states.insert(event.entity.clone(), folded);
            }
        }
        Ok(())
    }

    /// The projection `state`, already known (no read).
    fn known(state: EntityState) -> Projections {
        Projections {
            states: [(state.id.clone(), Some(state))].into_iter().collect(),
            changed: Default::default(),
        }
    }

    fn changed(&self) -> Result<Vec<JsValue>, StoreError> {
        Ok(self
            .changed_records()?
            .into_iter()
            .map(|(_, record)| record)
            .collect())
    }

    /// Each changed projection with the record to store.
    fn changed_records(&self) -> Result<Vec<(&EntityState, JsValue)>, StoreError> {
        self.changed
            .iter()
            .filter_map(|id| self.states.get(id).and_then(Option::as_ref))
            .map(|state| Ok((state, encode(&EntityRecord::new(state)?)?)))
            .collect()
    }
}

fn stores(
    tx: &rexie::Transaction,
) -> Result<(rexie::Store, rexie::Store, rexie::Store), StoreError> {
    Ok((
        tx.store(EVENTS).map_err(StoreError::from_idb)?,
        tx.store(ENTITIES).map_err(StoreError::from_idb)?,
        tx.store(META).map_err(StoreError::from_idb)?,
    ))
}

/// What a push answer says of one event: its new mark, why it was refused, when the server
/// received it.
type Settled = (SyncMark, Option<Rejection>, Option<u64>);

/// `record` with the push answer `change` applied.
fn settled(mut record: EventRecord, (mark, rejection, receipt): Settled) -> EventRecord {
    record.pending = mark;
    record.rejection = rejection;
    record.received_ms = receipt.or(record.received_ms);
    record
}

/// The first `limit` records of the push queue, oldest first per device, in one read of the
/// `pending_order` index.
async fn queued_records(
    events: &rexie::Store,
    limit: usize,
) -> Result<Vec<EventRecord>, StoreError> {
    queued_records_after(events, None, limit).await
}

/// `queued_records` from after the event (device, seq) of `after`.
async fn queued_records_after(
    events: &rexie::Store,
    after: Option<(&DeviceId, u64)>,
    limit: usize,
) -> Result<Vec<EventRecord>, StoreError> {
    let index = events
        .index("pending_order")
        .map_err(StoreError::from_idb)?;
    // Keys are [mark, device, seq]: from [mark] (before all of them), or from just after
    // [mark, device, seq], to [mark, []] (an array sorts after every string, so after all of
    // them), in (device, seq) order.
    let code = SyncMark::Pending.code();
    let (lower, lower_open) = match after {
        None => (encode(&(code,))?, None),
        Some((device, seq)) => (encode(&(code, device.as_str(), seq))?, Some(true)),
    };
    let upper = encode(&(code, Vec::<u32>::new()))?;
    let range = KeyRange::bound(&lower, &upper, lower_open, None)
        .map_err(|e| StoreError::from_idb(e.into()))?;
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    let rows = index
        .get_all(Some(range), Some(limit))
        .await
        .map_err(StoreError::from_idb)?;
    rows.into_iter().map(decode).collect()
}

/// `Ok` if the stored projection of `expected` has the JSON text this connection wrote (or
/// nothing is expected); `Stale` if anything else wrote it since. The stored JSON text is compared in
/// JavaScript, without decoding it.
async fn projection_still_stored(
    entities: &rexie::Store,
    expected: Option<&(EntityId, JsValue)>,
) -> Result<(), StoreError> {
    let Some((id, json)) = expected else {
        return Ok(());
    };
    let stored = entities
        .get(JsValue::from_str(id.as_str()))
        .await
        .map_err(StoreError::from_idb)?;
    match stored {
        Some(record) if record_json(&record) == *json => Ok(()),
        _ => Err(StoreError::Stale),
    }
}

/// The `json` field of a stored entity record, as the JavaScript string it is.
fn record_json(record: &JsValue) -> JsValue {
    js_sys::Reflect::get(record, &JsValue::from_str("json")).unwrap_or(JsValue::UNDEFINED)
}

/// For each device in `page`, the lowest and highest `seq` of its events there.
fn page_slots(page: &[Event]) -> std::collections::BTreeMap<String, (u64, u64)> {
    let mut slots = std::collections::BTreeMap::new();
    for event in page {
        slots
            .entry(event.device.to_string())
            .and_modify(|(first, last): &mut (u64, u64)| {
                *first = (*first).min(event.seq);
                *last = (*last).max(event.seq);
            })
            .or_insert((event.seq, event.seq));
    }
    slots
}

/// The stored events of `device` with `seq` from `first` to `last`, through `device_seq`.
async fn stored_slots(
    device_seq: &rexie::StoreIndex,
    device: &str,
    first: u64,
    last: u64,
) -> Result<Vec<EventRecord>, StoreError> {
    let lower = encode(&(device, first))?;
    let upper = encode(&(device, last))?;
    let range =
        KeyRange::bound(&lower, &upper, None, None).map_err(|e| StoreError::from_idb(e.into()))?;
    let rows = device_seq
        .get_all(Some(range), None)
        .await
        .map_err(StoreError::from_idb)?;
    rows.into_iter().map(decode).collect()
}

/// This device's log as stored, and whether it is (`false`: a new one with a fresh random device
/// id, before the first event).
struct StoredLog {
    log: DeviceLog,
    stored: bool,
}

/// The stored device log: the `meta` record (the device id, and the clock as of the last pulled
/// page) followed by the last event this device wrote (the chain's head and the clock's last
/// local reading), found at the end of its range of the `device_seq` index.
async fn load_device_log(
    meta_store: &rexie::Store,
    events: &rexie::Store,
) -> Result<StoredLog, StoreError> {
    let stored: Option<DeviceLog> =
        get_decoded(meta_store, JsValue::from_str(meta::DEVICE_LOG)).await?;
    let Some(mut log) = stored else {
        return Ok(StoredLog {
            log: DeviceLog::new(DeviceId::from_random(platform::random_bytes())),
            stored: false,
        });
    };
    let device_seq = events.index("device_seq").map_err(StoreError::from_idb)?;
    let device = log.device.to_string();
    let lower = encode(&(&device, 0))?;
    let upper = encode(&(&device, MAX_SAFE_SEQ))?;
    let range =
        KeyRange::bound(&lower, &upper, None, None).map_err(|e| StoreError::from_idb(e.into()))?;
    let last = device_seq
        .scan(Some(range), Some(1), None, Some(rexie::Direction::Prev))
        .await
        .map_err(StoreError::from_idb)?;
    if let Some((_, row)) = last.into_iter().next() {
        let event = decode::<EventRecord>(row)?.event()?;
        log.follow(&event, platform::now_ms());
    }
    Ok(StoredLog { log, stored: true })
}

async fn save_device_log(meta_store: &rexie::Store, log: &DeviceLog) -> Result<(), StoreError> {
    meta_store
        .put(&encode(log)?, Some(&JsValue::from_str(meta::DEVICE_LOG)))
        .await
        .map_err(StoreError::from_idb)?;
    Ok(())
}

/// The events of one entity through the `entity` index, sorted in fold order.
async fn entity_events(events: &rexie::Store, entity: &str) -> Result<Vec<Event>, StoreError> {
    let index = events.index("entity").map_err(StoreError::from_idb)?;
    let rows = index
        .get_all(Some(only(&JsValue::from_str(entity))?), None)
        .await
        .map_err(StoreError::from_idb)?;
    let mut all = rows
        .into_iter()
        .map(|row| decode::<EventRecord>(row)?.event())
        .collect::<Result<Vec<_>, _>>()?;
    projection::canonical_sort(&mut all);
    Ok(all)
}
