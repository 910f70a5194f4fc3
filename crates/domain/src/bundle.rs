//! 离线传输包 — for villages with no signal at all: a device writes its pending events into a
//! file that travels by USB stick or messaging app, and another device or the server imports it
//! with the same checks as a push (so importing twice changes nothing).
//!
//! The bundle is sealed and signed. `seal` is SHA-256 over the events' own hashes, each of which
//! covers its content and links to the one before, so a damaged or edited file is refused.
//! `signature` is HMAC-SHA256 under the account's [`BundleKey`] — 32 random bytes the server
//! keeps per account and gives only to that account's signed-in devices — over the format, the
//! device, the time and the seal, so a file re-sealed by anyone without the key is refused too.
//! Authority still comes from the importer, who must be the events' author
//! (`authz::authorize_event`), or the server operator on the command line.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};

use crate::event::{Event, check_next};
use crate::ids::{DeviceId, Hash, IdError};

/// The `format` written in every bundle of this version.
pub const BUNDLE_FORMAT: &str = "cunju-bundle/2";

/// An account's key for signing bundles: 32 random bytes, written as 64 hex digits. The server
/// keeps one per account and sends it with every login; it is never shown or logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BundleKey(Hash);

impl BundleKey {
    pub fn from_bytes(bytes: [u8; 32]) -> BundleKey {
        BundleKey(Hash(bytes))
    }

    /// The key as stored (64 lowercase hex digits).
    pub fn to_hex(&self) -> String {
        self.0.to_string()
    }

    fn mac(&self) -> Hmac<sha2::Sha256> {
        Hmac::<sha2::Sha256>::new_from_slice(&self.0.0).expect("HMAC takes a key of any length")
    }
}

impl fmt::Debug for BundleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BundleKey(…)")
    }
}

impl FromStr for BundleKey {
    type Err = IdError;
    fn from_str(s: &str) -> Result<BundleKey, IdError> {
        s.parse().map(BundleKey)
    }
}
/// Most events in one bundle (a week offline is a few hundred).
pub const MAX_BUNDLE_EVENTS: usize = 5_000;

/// A device's events, consecutive by `seq`, in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub device: DeviceId,
    /// When the file was written (ms since the Unix epoch, the device's clock).
    pub created_ms: u64,
    pub events: Vec<Event>,
    /// SHA-256 over the events' hashes, in order.
    pub seal: Hash,
    /// HMAC-SHA256 under the account's [`BundleKey`] over format, device, time and seal.
    pub signature: Hash,
}

/// Why a bundle file is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a Cunju bundle of a known version (format {0:?})")]
    Format(String),
    #[error("the bundle holds no events")]
    Empty,
    #[error("the bundle holds {0} events; at most {MAX_BUNDLE_EVENTS}")]
    TooLarge(usize),
    #[error("event {seq} is from device {found}, not the bundle's device")]
    OtherDevice { seq: u64, found: DeviceId },
    #[error("event {seq} does not match its hash (the file was edited or damaged)")]
    BadHash { seq: u64 },
    #[error("event {seq} does not follow the event before it in the file")]
    Broken { seq: u64 },
    #[error("the seal does not match the events (the file was edited or damaged)")]
    Seal,
    #[error("the signature does not match: not exported by a device of this account, or edited")]
    Signature,
}

impl BundleError {
    pub fn message_zh(&self) -> String {
        match self {
            BundleError::Format(_) => "这不是村居台账的传输包，或版本过新，请更新应用".into(),
            BundleError::Empty => "传输包里没有记录".into(),
            BundleError::TooLarge(n) => {
                format!("传输包有 {n} 条记录，最多 {MAX_BUNDLE_EVENTS} 条，请分多次导出")
            }
            BundleError::OtherDevice { seq, .. } => {
                format!("第 {seq} 条记录来自其他设备，传输包已损坏")
            }
            BundleError::BadHash { seq } => {
                format!("第 {seq} 条记录与校验值不符，传输包已被修改或损坏")
            }
            BundleError::Broken { seq } => format!("第 {seq} 条记录与前一条不衔接，传输包不完整"),
            BundleError::Seal => "传输包校验失败，文件已被修改或损坏".into(),
            BundleError::Signature => {
                "传输包签名无效：它不是本账号的设备导出的，或已被修改。请用导出时登录的账号导入"
                    .into()
            }
        }
    }
}

impl Bundle {
    /// Seals `events` (one device's, consecutive) into a bundle signed with `key`.
    pub fn new(device: DeviceId, events: Vec<Event>, created_ms: u64, key: &BundleKey) -> Bundle {
        let seal = seal_of(&events);
        let mut bundle = Bundle {
            format: BUNDLE_FORMAT.into(),
            device,
            created_ms,
            events,
            seal,
            signature: Hash::ZERO,
        };
        bundle.signature = Hash(bundle.signed_mac(key).finalize().into_bytes().into());
        bundle
    }

    fn signed_mac(&self, key: &BundleKey) -> Hmac<sha2::Sha256> {
        let mut mac = key.mac();
        mac.update(self.format.as_bytes());
        mac.update(&[0]);
        mac.update(self.device.as_ref().as_bytes());
        mac.update(&[0]);
        mac.update(&self.created_ms.to_be_bytes());
        mac.update(&self.seal.0);
        mac
    }

    /// The file is whole ([`Bundle::check`]) and was signed with `key` (compared in constant
    /// time).
    pub fn verify(&self, key: &BundleKey) -> Result<(), BundleError> {
        self.check()?;
        self.signed_mac(key)
            .verify_slice(&self.signature.0)
            .map_err(|_| BundleError::Signature)
    }

    /// The file is whole: known format, not empty, one device, each event matching its hash
    /// and linking to the one before it in the file, and the seal intact. Whether the events
    /// continue what the importer already holds, and may be written, is the push's business.
    pub fn check(&self) -> Result<(), BundleError> {
        if self.format != BUNDLE_FORMAT {
            return Err(BundleError::Format(self.format.clone()));
        }
        if self.events.is_empty() {
            return Err(BundleError::Empty);
        }
        if self.events.len() > MAX_BUNDLE_EVENTS {
            return Err(BundleError::TooLarge(self.events.len()));
        }
        let mut before: Option<&Event> = None;
        for e in &self.events {
            if e.device != self.device {
                return Err(BundleError::OtherDevice {
                    seq: e.seq,
                    found: e.device.clone(),
                });
            }
            if !e.hash_ok() {
                return Err(BundleError::BadHash { seq: e.seq });
            }
            if let Some(prev) = before
                && check_next(Some(prev), e).is_err()
            {
                return Err(BundleError::Broken { seq: e.seq });
            }
            before = Some(e);
        }
        if seal_of(&self.events) != self.seal {
            return Err(BundleError::Seal);
        }
        Ok(())
    }
}

fn seal_of(events: &[Event]) -> Hash {
    let mut bytes = Vec::with_capacity(events.len() * 32);
    for e in events {
        bytes.extend_from_slice(&e.hash.0);
    }
    Hash::of(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::{NOW, note};
    use crate::event::{DeviceLog, EventBody};

    fn bundle(n: u64) -> Bundle {
        let mut log = DeviceLog::new("phone".parse().unwrap());
        let events = (0..n)
            .map(|i| {
                log.append(
                    note("u1", "5001", "person:p1", "走访"),
                    NOW + i,
                    [i as u8; 10],
                )
            })
            .collect();
        Bundle::new("phone".parse().unwrap(), events, NOW, &key(1))
    }

    fn key(n: u8) -> BundleKey {
        BundleKey::from_bytes([n; 32])
    }

    #[test]
    fn a_bundle_verifies_only_under_the_key_it_was_signed_with() {
        let b = bundle(3);
        assert_eq!(b.verify(&key(1)), Ok(()));
        assert_eq!(b.verify(&key(2)), Err(BundleError::Signature));
        // Re-signed under another account's key: that key verifies it, the first no longer.
        let other = Bundle::new(b.device.clone(), b.events.clone(), b.created_ms, &key(2));
        assert_eq!(other.verify(&key(2)), Ok(()));
        assert_eq!(other.verify(&key(1)), Err(BundleError::Signature));
    }

    #[test]
    fn an_edited_and_resealed_bundle_fails_its_signature() {
        // Whoever edits an event and recomputes every hash and the seal still lacks the key.
        let mut b = bundle(2);
        b.events[1].body = EventBody::Note {
            text: "改过".into(),
        };
        b.events[1].hash = b.events[1].compute_hash();
        b.seal = seal_of(&b.events);
        assert_eq!(b.check(), Ok(()));
        assert_eq!(b.verify(&key(1)), Err(BundleError::Signature));
        // So does a changed time or device name on an intact file.
        let mut b = bundle(2);
        b.created_ms += 1;
        assert_eq!(b.verify(&key(1)), Err(BundleError::Signature));
    }

    #[test]
    fn the_key_is_hex_and_never_printed() {
        let k = key(0xab);
        assert_eq!(k.to_hex(), "ab".repeat(32));
        assert_eq!(k.to_hex().parse::<BundleKey>().unwrap(), k);
        assert_eq!(format!("{k:?}"), "BundleKey(…)");
        assert!("xyz".parse::<BundleKey>().is_err());
    }

    #[test]
    fn a_sealed_bundle_checks() {
        assert_eq!(bundle(3).check(), Ok(()));
        let text = serde_json::to_string(&bundle(3)).unwrap();
        let back: Bundle = serde_json::from_str(&text).unwrap();
        assert_eq!(back.check(), Ok(()));
    }

    #[test]
    fn an_edited_event_is_refused() {
        let mut b = bundle(3);
        b.events[1].body = EventBody::Note {
            text: "改过".into(),
        };
        assert_eq!(b.check(), Err(BundleError::BadHash { seq: 2 }));
        let mut b = bundle(3);
        b.events[1].body = EventBody::Note {
            text: "改过".into(),
        };
        b.events[1].hash = b.events[1].compute_hash();
        assert_eq!(b.check(), Err(BundleError::Broken { seq: 3 }));
    }

    #[test]
    fn a_dropped_event_or_a_changed_seal_is_refused() {
        let mut b = bundle(3);
        b.events.remove(1);
        assert_eq!(b.check(), Err(BundleError::Broken { seq: 3 }));
        let mut b = bundle(3);
        b.events.pop();
        assert_eq!(b.check(), Err(BundleError::Seal));
    }

    #[test]
    fn format_device_and_size_are_checked() {
        let mut b = bundle(1);
        b.format = "cunju-bundle/1".into();
        assert!(matches!(b.check(), Err(BundleError::Format(_))));
        let mut b = bundle(1);
        b.device = "other".parse().unwrap();
        assert!(matches!(
            b.check(),
            Err(BundleError::OtherDevice { seq: 1, .. })
        ));
        assert_eq!(bundle(0).check(), Err(BundleError::Empty));
    }
}
