//! The event: the immutable record of one user action, its canonical encoding and hash, and the
//! per-device log that numbers, timestamps and chains new events.
//!
//! `body` holds what was recorded; `chain` checks that a device's events are complete and unaltered.

mod body;
mod chain;

#[cfg(feature = "testing")]
pub(crate) use body::tests::samples as sample_bodies;
pub use body::{
    BodyError, EntityKind, EventBody, KNOWN_KINDS, PERSON_FIELDS, Relation, Sex, UnitKind,
};
pub use chain::{ChainError, check_next, check_next_across, verify_chain};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::{Hlc, HlcClock};
use crate::ids::{DeviceId, EntityId, EventId, Hash, UnitId, UserId};

/// One immutable event (architecture §2). The JSON field names are part of the sync protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    /// The installation that wrote it.
    pub device: DeviceId,
    /// 1, 2, 3 … per device, without gaps.
    pub seq: u64,
    pub hlc: Hlc,
    /// Who was logged in.
    pub actor: UserId,
    /// The jurisdiction node the event belongs to: the scope for sync and permissions.
    pub unit: UnitId,
    /// What it changes.
    pub entity: EntityId,
    pub body: EventBody,
    /// `hash` of this device's previous event; `Hash::ZERO` for its first.
    pub prev: Hash,
    /// SHA-256 of `canonical_bytes()`.
    pub hash: Hash,
}

/// The canonical fold order of events: `(hlc, device, seq)`. Unique per event in a valid log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OrderKey(pub Hlc, pub DeviceId, pub u64);

impl Event {
    /// The bytes the hash covers. The app and the server both rely on this exact encoding;
    /// changing it breaks every stored chain.
    ///
    /// It is the UTF-8 JSON text of the object
    /// `{"actor", "body", "device", "entity", "hlc": {"counter", "wall_ms"}, "id", "prev", "seq", "unit"}`
    /// (every field except `hash`, each written as in the event's own JSON; `body` as its wire
    /// form `{"data", "kind", "v"}`, or the kept JSON of an unknown body), with:
    /// - the keys of every object, at every depth, sorted by their UTF-8 bytes;
    /// - no whitespace;
    /// - strings escaped as serde_json writes them (`"`, `\` and control characters only;
    ///   other characters as raw UTF-8), numbers as serde_json writes them.
    ///
    /// The sort is done here rather than left to serde_json's map, so the encoding holds even if
    /// another crate in the build enables serde_json's `preserve_order`.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let value = json!({
            "id": self.id,
            "device": self.device,
            "seq": self.seq,
            "hlc": self.hlc,
            "actor": self.actor,
            "unit": self.unit,
            "entity": self.entity,
            "body": self.body.to_value(),
            "prev": self.prev,
        });
        let mut out = String::new();
        write_canonical(&value, &mut out);
        out.into_bytes()
    }

    /// SHA-256 over `canonical_bytes()`.
    pub fn compute_hash(&self) -> Hash {
        Hash::of(&self.canonical_bytes())
    }

    /// True if `hash` matches the content.
    pub fn hash_ok(&self) -> bool {
        self.compute_hash() == self.hash
    }

    /// Whether `seq` (from 1) and the clock fit the signed 64-bit integers every database
    /// stores them in. An event beyond that was forged or corrupted, never written by a device.
    pub fn fits_storage(&self) -> bool {
        const MAX: u64 = i64::MAX as u64;
        (1..=MAX).contains(&self.seq) && self.hlc.wall_ms <= MAX
    }

    pub fn order_key(&self) -> OrderKey {
        OrderKey(self.hlc, self.device.clone(), self.seq)
    }

    /// Rules on the content (body, unit, entity) that the server enforces on push and a screen
    /// should check before appending. Hash, chain and permissions are checked elsewhere.
    pub fn validate(&self) -> Result<(), BodyError> {
        validate_content(&self.unit, &self.entity, &self.body)
    }
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        leaf => out.push_str(&leaf.to_string()),
    }
}

fn validate_content(unit: &UnitId, entity: &EntityId, body: &EventBody) -> Result<(), BodyError> {
    body.validate()?;
    if let Some(kind) = body.entity_kind()
        && EntityKind::of(entity) != Some(kind)
    {
        return Err(BodyError(format!(
            "a {} event must be about a {} entity, not {entity}",
            body.kind_name(),
            kind.as_str()
        )));
    }
    match body {
        EventBody::UnitRecorded { code, .. } if *entity != EntityId::unit(code) || unit != code => {
            Err(BodyError(format!(
                "a unit record for {code} must have entity unit:{code} and unit {code}"
            )))
        }
        EventBody::RelativeLinked { other, .. } if other == entity => {
            Err(BodyError(format!("{entity} cannot be their own relative")))
        }
        EventBody::HolidaysSet(set) => {
            crate::election::holidays::check_placement(unit, entity, set)
                .map_err(|e| BodyError(e.to_string()))
        }
        _ => Ok(()),
    }
}

/// What a screen supplies for a new event; the device log adds the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub actor: UserId,
    pub unit: UnitId,
    pub entity: EntityId,
    pub body: EventBody,
}

impl NewEvent {
    /// The same rules as `Event::validate`, before the event is made.
    pub fn validate(&self) -> Result<(), BodyError> {
        validate_content(&self.unit, &self.entity, &self.body)
    }
}

/// A device's writing state: the next sequence number, the hash to chain to, and the clock.
/// The app keeps the device id and the clock as of its last pull in one record, and reads the
/// rest from the last event the device wrote (`follow`): each appended event is its own record
/// of the chain's head, committed with it, so a crash can neither reuse a sequence number nor
/// fork the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceLog {
    pub device: DeviceId,
    /// Starts at 1.
    pub next_seq: u64,
    /// `Hash::ZERO` until the first event.
    pub last_hash: Hash,
    pub clock: HlcClock,
}

impl DeviceLog {
    pub fn new(device: DeviceId) -> DeviceLog {
        DeviceLog {
            device,
            next_seq: 1,
            last_hash: Hash::ZERO,
            clock: HlcClock::default(),
        }
    }

    /// Makes the next event of this device: a fresh id (timestamped with the event's HLC wall
    /// time, so ids from one device never go back in time), the next seq, an HLC tick, the link
    /// to the previous event and the hash.
    pub fn append(&mut self, draft: NewEvent, now_ms: u64, random: [u8; 10]) -> Event {
        let hlc = self.clock.tick(now_ms);
        let mut event = Event {
            id: EventId::new(hlc.wall_ms, random),
            device: self.device.clone(),
            seq: self.next_seq,
            hlc,
            actor: draft.actor,
            unit: draft.unit,
            entity: draft.entity,
            body: draft.body,
            prev: self.last_hash,
            hash: Hash::ZERO,
        };
        event.hash = event.compute_hash();
        self.next_seq += 1;
        self.last_hash = event.hash;
        event
    }

    /// Takes note of an event received from elsewhere (clock only), so later local events sort
    /// after it.
    pub fn observe(&mut self, remote: &Event, now_ms: u64) {
        self.clock.observe(remote.hlc, now_ms);
    }

    /// Takes note of a stored event that may be this device's own: one of its chain beyond
    /// what this log holds (the last one the device wrote, or one the server hands back after
    /// the device lost its records) moves the chain's head past it, so no sequence number is
    /// used twice. Every event moves the clock, as `observe`.
    pub fn follow(&mut self, event: &Event, now_ms: u64) {
        if event.device == self.device && event.seq >= self.next_seq {
            self.next_seq = event.seq + 1;
            self.last_hash = event.hash;
        }
        self.observe(event, now_ms);
    }
}

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests {
    // Without `test`, only the sample bodies' helpers are used (the permission matrix of `testing`).
    #![cfg_attr(not(test), allow(dead_code, unused_imports))]
    use super::*;
    use serde_json::json;

    pub(crate) const NOW: u64 = 1_750_000_000_000;

    pub(crate) fn note(actor: &str, unit: &str, entity: &str, text: &str) -> NewEvent {
        NewEvent {
            actor: actor.parse().unwrap(),
            unit: unit.parse().unwrap(),
            entity: entity.parse().unwrap(),
            body: EventBody::Note { text: text.into() },
        }
    }

    fn device(name: &str) -> DeviceLog {
        DeviceLog::new(name.parse().unwrap())
    }

    #[test]
    fn seq_and_clock_must_fit_a_signed_64_bit_column() {
        let mut e = device("d1").append(note("u1", "5001", "person:p1", "x"), NOW, [1; 10]);
        assert!(e.fits_storage());
        e.seq = i64::MAX as u64;
        assert!(e.fits_storage());
        e.seq = i64::MAX as u64 + 1;
        assert!(!e.fits_storage());
        e.seq = 0;
        assert!(!e.fits_storage(), "seq starts at 1");
        e.seq = 1;
        e.hlc.wall_ms = u64::MAX;
        assert!(!e.fits_storage());
    }

    #[test]
    fn append_numbers_chains_and_hashes() {
        let mut log = device("d1");
        let a = log.append(note("u1", "5001001001", "person:a", "一"), NOW, [1; 10]);
        let b = log.append(
            note("u1", "5001001001", "person:a", "二"),
            NOW - 5_000,
            [2; 10],
        );
        assert_eq!((a.seq, b.seq), (1, 2));
        assert_eq!(a.prev, Hash::ZERO);
        assert_eq!(b.prev, a.hash);
        assert!(a.hash_ok() && b.hash_ok());
        assert!(
            b.hlc > a.hlc,
            "a backward wall clock still moves the HLC forward"
        );
        assert!(b.id > a.id);
        assert_eq!(log.next_seq, 3);
        assert_eq!(log.last_hash, b.hash);
    }

    #[test]
    fn a_log_follows_its_own_last_event_and_only_observes_others() {
        let mut writer = device("d1");
        let first = writer.append(note("u1", "5001", "unit:5001", "一"), NOW, [1; 10]);
        let second = writer.append(note("u1", "5001", "unit:5001", "二"), NOW, [2; 10]);
        // What was stored before the two appends: the id, nothing written yet.
        let mut log = device("d1");
        log.follow(&second, NOW);
        assert_eq!(
            log, writer,
            "the last event alone restores the head and the clock"
        );
        // An older event of the chain changes nothing.
        log.follow(&first, NOW);
        assert_eq!(log, writer);
        // Another device's event moves only the clock.
        let mut other = device("d2");
        let later = other.append(note("u2", "5001", "unit:5001", "三"), NOW + 60_000, [3; 10]);
        log.follow(&later, NOW);
        assert_eq!((log.next_seq, log.last_hash), (3, second.hash));
        assert_eq!(log.clock.last, later.hlc);
        let third = log.append(note("u1", "5001", "unit:5001", "四"), NOW, [4; 10]);
        assert_eq!((third.seq, third.prev), (3, second.hash));
        assert!(third.hlc > later.hlc);
    }

    #[test]
    fn event_json_uses_the_protocol_field_names() {
        let mut log = device("d1");
        let ev = log.append(note("u1", "5001", "unit:5001", "x"), NOW, [0; 10]);
        let value = serde_json::to_value(&ev).unwrap();
        let mut keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "actor", "body", "device", "entity", "hash", "hlc", "id", "prev", "seq", "unit"
            ]
        );
        assert_eq!(value["hlc"], json!({"wall_ms": NOW, "counter": 0}));
        assert_eq!(serde_json::from_value::<Event>(value).unwrap(), ev);
    }

    #[test]
    fn canonical_bytes_are_sorted_compact_json() {
        let mut log = device("d1");
        let ev = log.append(note("u1", "5001", "unit:5001", "备注 \"x\""), NOW, [0; 10]);
        let text = String::from_utf8(ev.canonical_bytes()).unwrap();
        let expected = format!(
            concat!(
                r#"{{"actor":"u1","body":{{"data":{{"text":"备注 \"x\""}},"kind":"note","v":1}},"#,
                r#""device":"d1","entity":"unit:5001","hlc":{{"counter":0,"wall_ms":{now}}},"#,
                r#""id":"{id}","prev":"{zero}","seq":1,"unit":"5001"}}"#
            ),
            now = NOW,
            id = ev.id,
            zero = Hash::ZERO
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn hash_changes_when_any_field_changes() {
        let mut log = device("d1");
        let ev = log.append(note("u1", "5001", "unit:5001", "x"), NOW, [0; 10]);
        let mut variants = vec![];
        let mut e = ev.clone();
        e.seq = 2;
        variants.push(e);
        let mut e = ev.clone();
        e.hlc.counter = 1;
        variants.push(e);
        let mut e = ev.clone();
        e.actor = "u2".parse().unwrap();
        variants.push(e);
        let mut e = ev.clone();
        e.unit = "5002".parse().unwrap();
        variants.push(e);
        let mut e = ev.clone();
        e.body = EventBody::Note { text: "y".into() };
        variants.push(e);
        let mut e = ev.clone();
        e.prev = Hash([1; 32]);
        variants.push(e);
        for e in variants {
            assert!(!e.hash_ok(), "{e:?} should not verify");
        }
    }

    #[test]
    fn unknown_kind_round_trips_byte_identically_and_its_hash_verifies() {
        // An event written by a newer app, as it arrives on the wire.
        let mut log = device("dnew");
        let mut ev = log.append(note("u1", "5001001001", "ballot:1", "x"), NOW, [9; 10]);
        ev.body = EventBody::Unknown(json!({
            "kind": "ballot_cast", "v": 2,
            "data": {"votes": [{"candidate": "person:1", "mark": "○"}], "ratio": 0.5, "big": 18446744073709551615u64}
        }));
        ev.hash = ev.compute_hash();
        let wire = serde_json::to_string(&ev).unwrap();

        let received: Event = serde_json::from_str(&wire).unwrap();
        assert!(matches!(received.body, EventBody::Unknown(_)));
        assert!(received.hash_ok());
        assert_eq!(serde_json::to_string(&received).unwrap(), wire);
    }

    #[test]
    fn hash_does_not_depend_on_the_key_order_received() {
        let mut log = device("d1");
        let ev = log.append(note("u1", "5001", "x:1", "t"), NOW, [0; 10]);
        let body_a = r#"{"kind":"future","v":1,"data":{"b":1,"a":{"y":2,"x":1}}}"#;
        let body_b = r#"{"data":{"a":{"x":1,"y":2},"b":1},"v":1,"kind":"future"}"#;
        let mut a = ev.clone();
        a.body = serde_json::from_str(body_a).unwrap();
        let mut b = ev;
        b.body = serde_json::from_str(body_b).unwrap();
        assert_eq!(a.compute_hash(), b.compute_hash());
    }

    #[test]
    fn validate_ties_body_to_entity_and_unit() {
        let village: UnitId = "5001001001".parse().unwrap();
        let record = |entity: &str, unit: &str| NewEvent {
            actor: "u1".parse().unwrap(),
            unit: unit.parse().unwrap(),
            entity: entity.parse().unwrap(),
            body: EventBody::UnitRecorded {
                code: village.clone(),
                name: "石桥村".into(),
                unit_kind: UnitKind::Village,
                parent: Some("5001001".parse().unwrap()),
            },
        };
        assert!(record("unit:5001001001", "5001001001").validate().is_ok());
        assert!(record("unit:5001001", "5001001001").validate().is_err());
        assert!(record("unit:5001001001", "5001001").validate().is_err());
        assert!(
            record("person:5001001001", "5001001001")
                .validate()
                .is_err()
        );

        let link = |entity: &str, other: &str| NewEvent {
            actor: "u1".parse().unwrap(),
            unit: village.clone(),
            entity: entity.parse().unwrap(),
            body: EventBody::RelativeLinked {
                other: other.parse().unwrap(),
                relation: Relation::Spouse,
            },
        };
        assert!(link("person:a", "person:b").validate().is_ok());
        assert!(link("person:a", "person:a").validate().is_err());
        assert!(link("unit:5001", "person:b").validate().is_err());
        assert!(note("u1", "5001", "anything:1", "ok").validate().is_ok());
    }
}
