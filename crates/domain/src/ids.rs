//! Identifiers: time-ordered event ids, validated string newtypes for devices, users, entities
//! and jurisdiction units, and the SHA-256 hash that links each device's events.
//!
//! Every id is checked when it is made or deserialized, so the rest of the code never meets a bad one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a piece of text is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} is {len} characters long; at most {max} are allowed")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{what} contains {ch:?}; only letters, digits and _ . : - are allowed")]
    BadChar { what: &'static str, ch: char },
    #[error("unit code {0:?} must be 2 to 18 digits (e.g. 5001001001)")]
    BadUnitCode(String),
    #[error("event id {0:?} must be 26 Crockford base32 characters starting with 0-7")]
    BadEventId(String),
    #[error("hash {0:?} must be 64 hex digits")]
    BadHash(String),
}

// ---------------------------------------------------------------------------------------------
// EventId

/// A 128-bit, time-ordered event id in the ULID layout: 48 bits of unix milliseconds followed by
/// 80 random bits. Written as 26 uppercase Crockford base32 characters; ordered by value, so
/// ids made later sort later (ties broken by the random part).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(pub u128);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const MS_BITS_MASK: u64 = (1 << 48) - 1;

impl EventId {
    /// Builds an id from a time and 10 random bytes. Only the low 48 bits of `ms` are kept
    /// (enough until the year 10889).
    pub fn new(ms: u64, random: [u8; 10]) -> EventId {
        let mut low = [0u8; 16];
        low[6..].copy_from_slice(&random);
        EventId(((ms & MS_BITS_MASK) as u128) << 80 | u128::from_be_bytes(low))
    }

    /// The unix milliseconds encoded in the id.
    pub fn timestamp_ms(&self) -> u64 {
        (self.0 >> 80) as u64
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 26];
        for (i, c) in out.iter_mut().enumerate() {
            let shift = 125 - 5 * i;
            *c = CROCKFORD[((self.0 >> shift) & 31) as usize];
        }
        f.write_str(std::str::from_utf8(&out).expect("base32 alphabet is ASCII"))
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventId({self})")
    }
}

impl FromStr for EventId {
    type Err = IdError;

    /// Accepts the 26-character form in either case (ULID text is case-insensitive).
    fn from_str(s: &str) -> Result<EventId, IdError> {
        let bad = || IdError::BadEventId(s.to_string());
        if s.len() != 26 {
            return Err(bad());
        }
        let mut value: u128 = 0;
        for (i, b) in s.bytes().enumerate() {
            let digit = CROCKFORD
                .iter()
                .position(|&c| c == b.to_ascii_uppercase())
                .ok_or_else(bad)? as u128;
            // The first character carries only the top 3 of 130 bits.
            if i == 0 && digit > 7 {
                return Err(bad());
            }
            value = value << 5 | digit;
        }
        Ok(EventId(value))
    }
}

impl Serialize for EventId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// String ids

const MAX_ID_LEN: usize = 64;

fn check_token(what: &'static str, s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty { what });
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::TooLong {
            what,
            len: s.len(),
            max: MAX_ID_LEN,
        });
    }
    match s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-')))
    {
        Some(ch) => Err(IdError::BadChar { what, ch }),
        None => Ok(()),
    }
}

fn check_unit_code(s: &str) -> Result<(), IdError> {
    if (2..=18).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(IdError::BadUnitCode(s.to_string()))
    }
}

/// Defines a validated `String` newtype: `TryFrom<String>`, `FromStr`, `as_str`, `Display`,
/// and serde as a plain string that is validated on the way in.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                let check: fn(&str) -> Result<(), IdError> = $check;
                check(&s)?;
                Ok($name(s))
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $name::try_from(s.to_string())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $name::try_from(String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// One installation of the app (a browser profile on a phone or laptop), or the server.
    DeviceId,
    |s| check_token("device id", s)
);
string_id!(
    /// A user account.
    UserId,
    |s| check_token("user id", s)
);
string_id!(
    /// The thing an event changes: a unit, a person, an election… Written `kind:…`, e.g.
    /// `person:01J9Z3…` or `unit:5001001001`.
    EntityId,
    |s| check_token("entity id", s)
);
string_id!(
    /// A jurisdiction node (市/区县/乡镇街道/村社区/小组), by its code. A child's code extends its
    /// parent's code, so the subtree of a unit is every code that starts with it:
    /// city `50`, district `5001`, township `5001001`, village `5001001001`.
    UnitId,
    check_unit_code
);

impl DeviceId {
    /// A fresh device id from 16 random bytes: `d` + 32 lowercase hex digits.
    pub fn from_random(bytes: [u8; 16]) -> DeviceId {
        DeviceId(format!("d{}", hex::encode(bytes)))
    }
}

impl EntityId {
    /// `kind_prefix:EVENTID`, e.g. `person:01J9Z3…` for the entity created by that event.
    ///
    /// Panics if `kind_prefix` is not a valid id fragment (it is always a constant in code).
    pub fn new(kind_prefix: &str, id: EventId) -> EntityId {
        let text = format!("{kind_prefix}:{id}");
        EntityId::try_from(text).expect("entity kind prefix must be a short [A-Za-z0-9_.-] word")
    }

    /// The entity of a unit record: `unit:` + its code, so two devices recording the same unit
    /// speak of the same entity.
    pub fn unit(code: &UnitId) -> EntityId {
        EntityId(format!("unit:{code}"))
    }

    /// The part before the first `:` (`person` for `person:01J…`), or the whole id if none.
    pub fn kind_prefix(&self) -> &str {
        self.0.split(':').next().unwrap_or_default()
    }
}

impl UnitId {
    /// True if `self` is `scope` or lies in its subtree.
    pub fn is_within(&self, scope: &UnitId) -> bool {
        self.0.starts_with(&scope.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Hash

/// A SHA-256 digest. Written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The `prev` of a device's first event.
    pub const ZERO: Hash = Hash([0; 32]);

    /// SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Hash {
        use sha2::Digest;
        Hash(sha2::Sha256::digest(bytes).into())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl FromStr for Hash {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Hash, IdError> {
        let bad = || IdError::BadHash(s.to_string());
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| bad())?;
        Ok(Hash(out))
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_id_base32_round_trips() {
        for id in [
            EventId(0),
            EventId(u128::MAX),
            EventId::new(1_750_000_000_000, [0xAB; 10]),
        ] {
            let text = id.to_string();
            assert_eq!(text.len(), 26);
            assert_eq!(text, text.to_uppercase());
            assert_eq!(text.parse::<EventId>().unwrap(), id);
            assert_eq!(text.to_lowercase().parse::<EventId>().unwrap(), id);
        }
        assert_eq!(EventId(0).to_string(), "00000000000000000000000000");
        assert_eq!(EventId(u128::MAX).to_string(), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    }

    #[test]
    fn event_id_matches_the_ulid_layout() {
        // The ULID spec's example id; its first 10 characters are the 48-bit time
        // (1469922850259, decoded independently).
        let id: EventId = "01ARZ3NDEKTSV4RRFFQ69G5FAV".parse().unwrap();
        assert_eq!(id.timestamp_ms(), 1_469_922_850_259);
        let made = EventId::new(1_469_922_850_259, [0; 10]);
        assert_eq!(made.to_string(), "01ARZ3NDEK0000000000000000");
        let random = EventId::new(0, [0xFF; 10]);
        assert_eq!(random.to_string(), "0000000000ZZZZZZZZZZZZZZZZ");
    }

    #[test]
    fn event_id_rejects_bad_text() {
        for bad in [
            "",
            "01ARZ3NDEKTSV4RRFFQ69G5FA",
            "01ARZ3NDEKTSV4RRFFQ69G5FAVV",
            "01ARZ3NDEKTSV4RRFFQ69G5FAU", // U is not in Crockford's alphabet
            "81ARZ3NDEKTSV4RRFFQ69G5FAV", // overflows 128 bits
        ] {
            assert!(
                bad.parse::<EventId>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn event_ids_order_by_time_then_randomness() {
        let early = EventId::new(1_000, [0xFF; 10]);
        let late = EventId::new(1_001, [0x00; 10]);
        assert!(early < late);
        assert!(
            early.to_string() < late.to_string(),
            "text sorts like the value"
        );
        assert!(EventId::new(1_000, [0; 10]) < EventId::new(1_000, [1; 10]));
    }

    #[test]
    fn event_id_serializes_as_its_text() {
        let id = EventId::new(1_750_000_000_000, [7; 10]);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<EventId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<EventId>("\"nope\"").is_err());
    }

    #[test]
    fn string_ids_reject_empty_long_and_odd_characters() {
        assert_eq!(
            "".parse::<UserId>(),
            Err(IdError::Empty { what: "user id" })
        );
        assert!(matches!(
            "x".repeat(65).parse::<DeviceId>(),
            Err(IdError::TooLong { len: 65, .. })
        ));
        assert!("x".repeat(64).parse::<DeviceId>().is_ok());
        assert!(matches!(
            "person 1".parse::<EntityId>(),
            Err(IdError::BadChar { ch: ' ', .. })
        ));
        assert!(matches!(
            "张三".parse::<UserId>(),
            Err(IdError::BadChar { ch: '张', .. })
        ));
        assert!("u-1_a.b:C".parse::<UserId>().is_ok());
    }

    #[test]
    fn string_ids_validate_on_deserialize() {
        assert!(serde_json::from_str::<UserId>("\"alice\"").is_ok());
        assert!(serde_json::from_str::<UserId>("\"\"").is_err());
        assert!(serde_json::from_str::<UnitId>("\"50a1\"").is_err());
        assert_eq!(
            serde_json::to_string(&"5001".parse::<UnitId>().unwrap()).unwrap(),
            "\"5001\""
        );
    }

    #[test]
    fn unit_codes_are_two_to_eighteen_digits() {
        assert!("50".parse::<UnitId>().is_ok());
        assert!("5".parse::<UnitId>().is_err());
        assert!("1".repeat(18).parse::<UnitId>().is_ok());
        assert!("1".repeat(19).parse::<UnitId>().is_err());
        assert!("50-01".parse::<UnitId>().is_err());
    }

    #[test]
    fn is_within_means_same_unit_or_its_subtree() {
        let unit = |s: &str| s.parse::<UnitId>().unwrap();
        let village = unit("5001001001");
        assert!(village.is_within(&unit("5001001001")));
        assert!(village.is_within(&unit("5001001")));
        assert!(village.is_within(&unit("50")));
        assert!(!village.is_within(&unit("5001002")));
        assert!(
            !unit("5001001").is_within(&village),
            "a parent is not within its child"
        );
    }

    #[test]
    fn device_id_from_random_is_d_plus_hex() {
        let id = DeviceId::from_random([0xAB; 16]);
        assert_eq!(id.as_str(), format!("d{}", "ab".repeat(16)));
    }

    #[test]
    fn entity_id_joins_kind_and_event_id() {
        let ev = EventId::new(1_750_000_000_000, [1; 10]);
        let id = EntityId::new("person", ev);
        assert_eq!(id.as_str(), format!("person:{ev}"));
        assert_eq!(id.kind_prefix(), "person");
        let code: UnitId = "5001001".parse().unwrap();
        assert_eq!(EntityId::unit(&code).as_str(), "unit:5001001");
    }

    #[test]
    fn hash_is_lowercase_hex() {
        let h = Hash::of(b"abc");
        let text = h.to_string();
        assert_eq!(
            text,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(text.parse::<Hash>().unwrap(), h);
        assert!(text.to_uppercase().parse::<Hash>().is_err());
        assert_eq!(
            serde_json::to_string(&Hash::ZERO).unwrap(),
            format!("\"{}\"", "0".repeat(64))
        );
    }
}
