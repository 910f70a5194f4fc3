//! Projections: the state a screen shows, folded from events in the canonical order
//! `(hlc, device, seq)`. Two devices holding the same set of events, received in any order and
//! with any repeats, fold to the same state.
//!
//! `EntityState` is the generic view of one entity (a JSON document of its current fields);
//! modules fold their own typed views with the `Projection` trait.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::event::{EntityKind, Event, EventBody, OrderKey, PERSON_FIELDS};
use crate::ids::{EntityId, UnitId};

/// Canonical order; events with equal keys (only possible in a forked or forged log) are
/// ordered by id and hash so that every device still picks the same one.
fn canonical_cmp(a: &Event, b: &Event) -> Ordering {
    a.hlc
        .cmp(&b.hlc)
        .then_with(|| a.device.cmp(&b.device))
        .then(a.seq.cmp(&b.seq))
        .then(a.id.cmp(&b.id))
        .then(a.hash.cmp(&b.hash))
}

/// Sorts events into the canonical fold order and drops repeated ids (keeping the first).
pub fn canonical_sort(events: &mut Vec<Event>) {
    events.sort_by(canonical_cmp);
    let mut seen = BTreeSet::new();
    events.retain(|e| seen.insert(e.id));
}

/// The same as `canonical_sort`, without copying the events.
pub fn canonical_order(events: &[Event]) -> Vec<&Event> {
    let mut refs: Vec<&Event> = events.iter().collect();
    refs.sort_by(|a, b| canonical_cmp(a, b));
    let mut seen = BTreeSet::new();
    refs.retain(|e| seen.insert(e.id));
    refs
}

/// A view folded from events. `apply` receives events in canonical order, each once.
pub trait Projection: Default {
    fn apply(&mut self, ev: &Event);
}

/// Folds any projection from a set of events, in canonical order, without repeats.
pub fn fold<P: Projection>(events: &[Event]) -> P {
    let mut view = P::default();
    for ev in canonical_order(events) {
        view.apply(ev);
    }
    view
}

/// The current state of one entity, as shown by generic screens and stored in the
/// `entities` store (app) or table (server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityState {
    pub id: EntityId,
    pub kind: EntityKind,
    /// The unit of the latest folded event.
    pub unit: UnitId,
    /// A JSON object of current fields: what the `…Recorded` event set, with later corrections
    /// merged in, and for persons a `relatives` array of `{"other", "relation"}`.
    pub doc: Value,
    /// The order key of the latest folded event.
    pub last: OrderKey,
    /// How many events were folded in.
    pub events: u32,
}

/// What `apply` did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The event changed the state.
    Folded,
    /// The event does not change this entity's state: an unknown kind (kept in the log, folded
    /// once an update understands it), a note, another entity, a body of the wrong entity kind,
    /// or the event already folded last.
    Skipped,
    /// The event sorts before `state.last`: the state is unchanged and the caller must re-fold
    /// the entity from all its stored events (`fold_entity`).
    Refold,
}

/// Folds one event into an entity's state incrementally. Valid only when `ev` sorts after
/// `state.last`, which is the usual case (new local events, sync in order); a late event that
/// sorts earlier returns `Applied::Refold` and leaves the state untouched.
///
/// Rules: a `…Recorded` event sets the fields it carries; `PersonCorrected` sets the person
/// fields it carries (per field, the last event in canonical order wins);
/// `RelativeLinked` adds `{"other", "relation"}` to `relatives` unless already there.
pub fn apply(state: &mut Option<EntityState>, ev: &Event) -> Applied {
    let Some(kind) = ev.body.entity_kind() else {
        return Applied::Skipped;
    };
    if EntityKind::of(&ev.entity) != Some(kind) {
        return Applied::Skipped;
    }
    let key = ev.order_key();
    if let Some(s) = state.as_ref() {
        if s.id != ev.entity || s.kind != kind || key == s.last {
            return Applied::Skipped;
        }
        if key < s.last {
            return Applied::Refold;
        }
    }
    let s = state.get_or_insert_with(|| EntityState {
        id: ev.entity.clone(),
        kind,
        unit: ev.unit.clone(),
        doc: Value::Object(Map::new()),
        last: key.clone(),
        events: 0,
    });
    let doc = s.doc.as_object_mut().expect("doc is always a JSON object");
    match &ev.body {
        EventBody::UnitRecorded { .. } | EventBody::PersonRecorded { .. } => {
            if let Value::Object(data) = &ev.body.to_value()["data"] {
                doc.extend(data.clone());
            }
        }
        EventBody::PersonCorrected { fields } => {
            for (field, value) in fields {
                if PERSON_FIELDS.contains(&field.as_str()) {
                    doc.insert(field.clone(), value.clone());
                }
            }
        }
        EventBody::RelativeLinked { other, relation } => {
            let link = json!({"other": other, "relation": relation});
            let relatives = doc
                .entry("relatives")
                .or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(list) = relatives
                && !list.contains(&link)
            {
                list.push(link);
            }
        }
        // ── elections ──
        EventBody::ElectionOpened(_)
        | EventBody::ElectionDayMoved(_)
        | EventBody::StepTicked(_)
        | EventBody::StepUnticked(_)
        | EventBody::StepEdited(_) => crate::election::record::fold_into_doc(doc, ev),
        EventBody::ElectionRoll(_) => crate::election::roll::apply_to_doc(doc, ev),
        EventBody::HolidaysSet(_) => crate::election::holidays::fold_into_doc(doc, ev),

        // ── eligibility ──
        EventBody::RulePackCloned(_)
        | EventBody::RulePackChanged(_)
        | EventBody::ReviewBatchCompiled(_)
        | EventBody::ReviewBatchSent(_)
        | EventBody::ReviewAnswered(_)
        | EventBody::ReviewSignedOff(_)
        | EventBody::WarnDecided(_)
        | EventBody::VerdictsIssued(_) => crate::eligibility::ledger::summarise(doc, &ev.body),

        // ── allowances ──
        EventBody::QualificationRecorded(_)
        | EventBody::AllowanceRatesSet(_)
        | EventBody::RosterDrafted(_)
        | EventBody::RosterReviewed(_)
        | EventBody::RosterSentBack(_)
        | EventBody::RosterApproved(_) => crate::allowance::records::fold_into_doc(doc, ev),

        // ── training ──
        EventBody::TrainingPlanRecorded(_)
        | EventBody::TrainingClassRecorded(_)
        | EventBody::TrainingSessionScheduled(_)
        | EventBody::TraineesEnrolled(_)
        | EventBody::AttendanceMarked(_)
        | EventBody::AttendanceUndone(_)
        | EventBody::CertificatesIssued(_)
        | EventBody::AssessmentRecorded(_)
        | EventBody::EnrollmentChanged(_) => crate::training::events::fold_into(doc, &ev.body),
        EventBody::Note { .. } | EventBody::Unknown(_) => unreachable!("no entity kind"),
    }
    s.unit = ev.unit.clone();
    s.last = key;
    s.events += 1;
    Applied::Folded
}

/// Folds one entity from its events (any order, repeats allowed). Events of other entities are
/// ignored; the entity is that of the first event in canonical order. `None` if nothing folds.
pub fn fold_entity(events: &[Event]) -> Option<EntityState> {
    let ordered = canonical_order(events);
    let target = &ordered.first()?.entity;
    let mut state = None;
    for ev in ordered.iter().filter(|e| &e.entity == target) {
        let _ = apply(&mut state, ev);
    }
    state
}

/// Every entity's state, keyed by id.
impl Projection for BTreeMap<EntityId, EntityState> {
    fn apply(&mut self, ev: &Event) {
        let mut state = self.remove(&ev.entity);
        let _ = apply(&mut state, ev);
        if let Some(state) = state {
            self.insert(ev.entity.clone(), state);
        }
    }
}

/// Folds every entity found in `events`.
pub fn fold_all(events: &[Event]) -> BTreeMap<EntityId, EntityState> {
    fold(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::NOW;
    use crate::event::{DeviceLog, NewEvent, Relation, Sex};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn new_event(entity: &str, body: EventBody) -> NewEvent {
        NewEvent {
            actor: "u1".parse().unwrap(),
            unit: "5001001001".parse().unwrap(),
            entity: entity.parse().unwrap(),
            body,
        }
    }

    fn recorded(name: &str) -> EventBody {
        EventBody::PersonRecorded {
            name: name.into(),
            sex: Sex::Male,
            ethnicity: "汉族".into(),
            id_number: "500101199001011234".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            phone: None,
        }
    }

    fn corrected(field: &str, value: Value) -> EventBody {
        EventBody::PersonCorrected {
            fields: BTreeMap::from([(field.to_string(), value)]),
        }
    }

    fn linked(other: &str, relation: Relation) -> EventBody {
        EventBody::RelativeLinked {
            other: other.parse().unwrap(),
            relation,
        }
    }

    fn log(name: &str) -> DeviceLog {
        DeviceLog::new(name.parse().unwrap())
    }

    #[test]
    fn recorded_person_becomes_a_document() {
        let mut a = log("a");
        let ev = a.append(new_event("person:p", recorded("张三")), NOW, [0; 10]);
        let state = fold_entity(std::slice::from_ref(&ev)).unwrap();
        assert_eq!(state.kind, EntityKind::Person);
        assert_eq!(state.doc["name"], "张三");
        assert_eq!(state.doc["birth_date"], "1990-01-01");
        assert_eq!(state.doc["phone"], Value::Null);
        assert_eq!(state.last, ev.order_key());
        assert_eq!(state.events, 1);
    }

    #[test]
    fn later_correction_wins_per_field_whatever_the_arrival_order() {
        let (mut a, mut b) = (log("a"), log("b"));
        let rec = a.append(new_event("person:p", recorded("张三")), NOW, [0; 10]);
        b.observe(&rec, NOW);
        // b's clock is an hour behind, yet its correction follows what it has seen.
        let first = b.append(
            new_event("person:p", corrected("name", json!("张山"))),
            NOW - 3_600_000,
            [1; 10],
        );
        a.observe(&first, NOW);
        let second = a.append(
            new_event("person:p", corrected("name", json!("张珊"))),
            NOW + 1,
            [2; 10],
        );
        let phone = b.append(
            new_event("person:p", corrected("phone", json!("13800000000"))),
            NOW,
            [3; 10],
        );

        let one =
            fold_entity(&[rec.clone(), first.clone(), second.clone(), phone.clone()]).unwrap();
        let other = fold_entity(&[phone, second, first, rec]).unwrap();
        assert_eq!(one, other);
        assert_eq!(one.doc["name"], "张珊");
        assert_eq!(one.doc["phone"], "13800000000");
    }

    #[test]
    fn relatives_are_listed_once() {
        let mut a = log("a");
        let events: Vec<Event> = [
            recorded("张三"),
            linked("person:q", Relation::Spouse),
            linked("person:q", Relation::Spouse),
            linked("person:r", Relation::Child),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, body)| a.append(new_event("person:p", body), NOW + i as u64, [i as u8; 10]))
        .collect();
        let state = fold_entity(&events).unwrap();
        assert_eq!(
            state.doc["relatives"],
            json!([{"other": "person:q", "relation": "spouse"}, {"other": "person:r", "relation": "child"}])
        );
        assert_eq!(state.events, 4);
    }

    #[test]
    fn unknown_bodies_are_skipped_by_the_fold_but_stay_in_the_log() {
        let mut a = log("a");
        let rec = a.append(new_event("person:p", recorded("张三")), NOW, [0; 10]);
        let future = a.append(
            new_event(
                "person:p",
                EventBody::Unknown(json!({"kind": "person_moved", "v": 1, "data": {"to": "5002"}})),
            ),
            NOW + 1,
            [1; 10],
        );
        let mut log_events = vec![future.clone(), rec.clone()];
        canonical_sort(&mut log_events);
        assert_eq!(
            log_events,
            vec![rec.clone(), future.clone()],
            "kept, in order"
        );
        let state = fold_entity(&log_events).unwrap();
        assert_eq!(state, fold_entity(&[rec]).unwrap());
        let mut s = Some(state);
        assert_eq!(apply(&mut s, &future), Applied::Skipped);
    }

    #[test]
    fn canonical_sort_orders_by_hlc_device_seq_and_drops_repeats() {
        let (mut a, mut b) = (log("a"), log("b"));
        let a1 = a.append(new_event("person:p", recorded("x")), NOW, [1; 10]);
        let b1 = b.append(new_event("person:p", recorded("y")), NOW, [0; 10]);
        let a2 = a.append(new_event("person:p", recorded("z")), NOW - 1, [2; 10]);
        let mut events = vec![a2.clone(), b1.clone(), a1.clone(), b1.clone(), a2.clone()];
        canonical_sort(&mut events);
        // a1 and b1 share the HLC: device name breaks the tie; a2 ticked past a1.
        assert_eq!(events, vec![a1, b1, a2]);
    }

    #[test]
    fn a_late_earlier_event_asks_for_a_refold() {
        let (mut a, mut b) = (log("a"), log("b"));
        let rec = a.append(new_event("person:p", recorded("张三")), NOW, [0; 10]);
        let early = b.append(
            new_event("person:p", corrected("name", json!("旧名"))),
            NOW + 1,
            [1; 10],
        );
        let late = a.append(
            new_event("person:p", corrected("name", json!("新名"))),
            NOW + 2,
            [2; 10],
        );
        let mut state = None;
        assert_eq!(apply(&mut state, &rec), Applied::Folded);
        assert_eq!(apply(&mut state, &late), Applied::Folded);
        let before = state.clone();
        assert_eq!(apply(&mut state, &early), Applied::Refold);
        assert_eq!(state, before, "untouched");
        assert_eq!(apply(&mut state, &late), Applied::Skipped, "already folded");
        let refolded = fold_entity(&[rec, late, early]).unwrap();
        assert_eq!(refolded.doc["name"], "新名");
    }

    // --- convergence -------------------------------------------------------------------------

    const ENTITIES: [&str; 3] = ["person:p0", "person:p1", "person:p2"];
    const NAMES: [&str; 3] = ["张三", "李四", "王五"];
    const RELATIONS: [Relation; 3] = [Relation::Spouse, Relation::Parent, Relation::Sibling];
    const HOURS_48: i64 = 48 * 3600 * 1000;

    #[derive(Debug, Clone)]
    enum Op {
        Record(usize, usize),
        CorrectName(usize, usize),
        CorrectPhone(usize, Option<u8>),
        Link(usize, usize, usize),
        Future(usize),
    }

    #[derive(Debug, Clone)]
    struct Step {
        device: usize,
        sync_first: bool,
        advance_ms: u64,
        op: Op,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..3usize, 0..3usize).prop_map(|(e, n)| Op::Record(e, n)),
            (0..3usize, 0..3usize).prop_map(|(e, n)| Op::CorrectName(e, n)),
            (0..3usize, proptest::option::of(any::<u8>()))
                .prop_map(|(e, p)| Op::CorrectPhone(e, p)),
            (0..3usize, 0..3usize, 0..3usize).prop_map(|(e, o, r)| Op::Link(e, o, r)),
            (0..3usize).prop_map(Op::Future),
        ]
    }

    fn step() -> impl Strategy<Value = Step> {
        // Many zero advances, so events on different devices often share a wall time.
        let advance = prop_oneof![Just(0u64), 0..5_000u64];
        (0..3usize, any::<bool>(), advance, op()).prop_map(
            |(device, sync_first, advance_ms, op)| Step {
                device,
                sync_first,
                advance_ms,
                op,
            },
        )
    }

    fn body(op: &Op) -> (usize, EventBody) {
        match *op {
            Op::Record(e, n) => (e, recorded(NAMES[n])),
            Op::CorrectName(e, n) => (e, corrected("name", json!(NAMES[n]))),
            Op::CorrectPhone(e, p) => (
                e,
                corrected(
                    "phone",
                    p.map_or(Value::Null, |p| json!(format!("138{p:08}"))),
                ),
            ),
            Op::Link(e, o, r) => (e, linked(ENTITIES[o], RELATIONS[r])),
            Op::Future(e) => (
                e,
                EventBody::Unknown(json!({"kind": "future", "v": 9, "data": {"e": e}})),
            ),
        }
    }

    fn skew() -> impl Strategy<Value = i64> {
        prop_oneof![Just(0i64), -HOURS_48..=HOURS_48]
    }

    /// Several devices with skewed clocks write events, syncing now and then.
    fn simulate(skews: &[i64; 3], steps: &[Step]) -> Vec<Event> {
        let mut logs: Vec<DeviceLog> = ["da", "db", "dc"].into_iter().map(log).collect();
        let mut all: Vec<Event> = vec![];
        let mut now = NOW;
        for (i, s) in steps.iter().enumerate() {
            now += s.advance_ms;
            let local = now.saturating_add_signed(skews[s.device]);
            if s.sync_first {
                for ev in &all {
                    logs[s.device].observe(ev, local);
                }
            }
            let (e, body) = body(&s.op);
            let ev = logs[s.device].append(
                new_event(ENTITIES[e], body),
                local,
                (i as u128).to_be_bytes()[6..].try_into().unwrap(),
            );
            all.push(ev);
        }
        all
    }

    /// A shuffled copy with some events repeated, from a seed (xorshift keeps the test free of
    /// extra dependencies).
    fn shuffle_with_repeats(events: &[Event], mut seed: u64) -> Vec<Event> {
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut out = events.to_vec();
        for _ in 0..events.len() / 2 {
            let i = (next() % events.len() as u64) as usize;
            out.push(events[i].clone());
        }
        for i in (1..out.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            out.swap(i, j);
        }
        out
    }

    proptest! {
        #[test]
        fn any_arrival_order_with_repeats_folds_to_the_same_state(
            skews in prop::array::uniform3(skew()),
            steps in prop::collection::vec(step(), 1..40),
            seed in 1..u64::MAX,
        ) {
            let events = simulate(&skews, &steps);
            let expected = fold_all(&events);
            let arrived = shuffle_with_repeats(&events, seed);
            prop_assert_eq!(&fold_all(&arrived), &expected);

            for entity in ENTITIES {
                let id: EntityId = entity.parse().unwrap();
                let mine: Vec<Event> = arrived.iter().filter(|e| e.entity == id).cloned().collect();
                let folded = fold_entity(&mine);
                prop_assert_eq!(folded.as_ref(), expected.get(&id));

                // Incremental application in canonical order equals the full fold.
                let mut state = None;
                for ev in canonical_order(&mine) {
                    prop_assert_ne!(apply(&mut state, ev), Applied::Refold);
                }
                prop_assert_eq!(state.as_ref(), expected.get(&id));
            }
        }

        #[test]
        fn a_device_applying_events_as_they_arrive_converges(
            skews in prop::array::uniform3(skew()),
            steps in prop::collection::vec(step(), 1..40),
            seed in 1..u64::MAX,
        ) {
            let events = simulate(&skews, &steps);
            let expected = fold_all(&events);
            // What the app does: store each new event once, apply it, re-fold on `Refold`.
            let mut stored: Vec<Event> = vec![];
            let mut states: BTreeMap<EntityId, EntityState> = BTreeMap::new();
            for ev in shuffle_with_repeats(&events, seed) {
                if stored.iter().any(|s| s.id == ev.id) {
                    continue;
                }
                stored.push(ev.clone());
                let mut state = states.remove(&ev.entity);
                if apply(&mut state, &ev) == Applied::Refold {
                    let mine: Vec<Event> = stored.iter().filter(|e| e.entity == ev.entity).cloned().collect();
                    state = fold_entity(&mine);
                }
                if let Some(state) = state {
                    states.insert(ev.entity.clone(), state);
                }
            }
            prop_assert_eq!(states, expected);
        }
    }
}
