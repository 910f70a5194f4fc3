//! Tamper evidence: each device's events form a hash chain (seq 1, 2, 3 …, each `prev` the hash
//! of the one before). `check_next` checks one link on push; `verify_chain` checks a whole chain.

use crate::ids::{DeviceId, Hash};
use crate::sync::RejectReason;

use super::Event;

/// What is wrong with a device's chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("event {seq} of device {found} is mixed into the chain of device {expected}")]
    MixedDevice {
        expected: DeviceId,
        found: DeviceId,
        seq: u64,
    },
    #[error("device {device}: expected event {expected}, found {found}; events {expected} to {} are missing", found - 1)]
    Gap {
        device: DeviceId,
        expected: u64,
        found: u64,
    },
    #[error("device {device}: expected event {expected}, found {found} again or out of order")]
    OutOfOrder {
        device: DeviceId,
        expected: u64,
        found: u64,
    },
    #[error(
        "device {device}: event {seq} does not link to the hash of the event before it (altered, reordered or forked chain)"
    )]
    WrongPrev { device: DeviceId, seq: u64 },
    #[error("device {device}: event {seq} does not match its hash (altered after it was written)")]
    BadHash { device: DeviceId, seq: u64 },
}

impl ChainError {
    /// The push rejection this error means.
    pub fn reject_reason(&self) -> RejectReason {
        match self {
            ChainError::BadHash { .. } => RejectReason::BadHash,
            _ => RejectReason::BrokenChain,
        }
    }
}

/// Checks that `next` continues its device's chain after `prev` (the last stored event of that
/// device, or `None` if there is none: then `next` must be seq 1 with `prev` = `Hash::ZERO`).
///
/// Continuity only: same device, next seq, `next.prev == prev.hash`. It does not recompute
/// `next`'s hash; check `Event::hash_ok` for that.
pub fn check_next(prev: Option<&Event>, next: &Event) -> Result<(), ChainError> {
    let (expected_seq, expected_prev) = match prev {
        None => (1, Hash::ZERO),
        Some(p) => {
            if p.device != next.device {
                return Err(ChainError::MixedDevice {
                    expected: p.device.clone(),
                    found: next.device.clone(),
                    seq: next.seq,
                });
            }
            (p.seq + 1, p.hash)
        }
    };
    let device = || next.device.clone();
    if next.seq > expected_seq {
        return Err(ChainError::Gap {
            device: device(),
            expected: expected_seq,
            found: next.seq,
        });
    }
    if next.seq < expected_seq {
        return Err(ChainError::OutOfOrder {
            device: device(),
            expected: expected_seq,
            found: next.seq,
        });
    }
    if next.prev != expected_prev {
        return Err(ChainError::WrongPrev {
            device: device(),
            seq: next.seq,
        });
    }
    Ok(())
}

/// `check_next` for a chain that runs through events the server refused. A refused event (not
/// permitted, out of scope, invalid body) stays in its device's chain: the device has already
/// linked its later events to it, and refusing those too would lose records that are fine.
/// `next` continues after `prev` if it links to `prev` directly or through a run of `refused`
/// events, one per seq, each with a valid hash and each linking to the one before.
/// The error is the one `check_next` gives for the direct link.
pub fn check_next_across(
    prev: Option<&Event>,
    refused: &[Event],
    next: &Event,
) -> Result<(), ChainError> {
    let direct = check_next(prev, next);
    if direct.is_ok() {
        return direct;
    }
    let floor = prev.map_or(0, |p| p.seq);
    if next.seq <= floor + 1 {
        // No seq between the stored event and `next` for a refused one to fill.
        return direct;
    }
    let mut link = next;
    while link.seq > floor + 1 {
        let Some(before) = refused.iter().find(|r| {
            r.device == next.device && r.seq + 1 == link.seq && r.hash == link.prev && r.hash_ok()
        }) else {
            return direct;
        };
        link = before;
    }
    check_next(prev, link).or(direct)
}

/// Verifies one device's complete chain, given sorted by seq from 1: every event has the same
/// device, matches its hash, and links to the one before. Reports the first problem.
pub fn verify_chain(events: &[Event]) -> Result<(), ChainError> {
    let mut prev: Option<&Event> = None;
    for event in events {
        if let Some(first) = events.first()
            && first.device != event.device
        {
            return Err(ChainError::MixedDevice {
                expected: first.device.clone(),
                found: event.device.clone(),
                seq: event.seq,
            });
        }
        if !event.hash_ok() {
            return Err(ChainError::BadHash {
                device: event.device.clone(),
                seq: event.seq,
            });
        }
        check_next(prev, event)?;
        prev = Some(event);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::{NOW, note};
    use crate::event::{DeviceLog, EventBody};

    #[test]
    fn a_chain_continues_through_refused_events_only_when_every_link_holds() {
        let five = chain(5);
        let (stored, refused, next) = (&five[0], &five[1..3], &five[3]);
        // Seq 2 and 3 were refused; seq 4 links through them to the stored seq 1.
        assert_eq!(check_next_across(Some(stored), refused, next), Ok(()));
        assert!(check_next(Some(stored), next).is_err());
        // A missing refused link, a tampered one, or one of another device breaks the bridge.
        assert!(check_next_across(Some(stored), &refused[1..], next).is_err());
        let mut tampered = refused.to_vec();
        if let EventBody::Note { text } = &mut tampered[0].body {
            text.push('!');
        }
        assert!(check_next_across(Some(stored), &tampered, next).is_err());
        let mut other = refused.to_vec();
        other[1].device = "d2".parse().unwrap();
        assert!(check_next_across(Some(stored), &other, next).is_err());
        // From an empty chain: seq 1 and 2 refused, seq 3 still continues.
        assert_eq!(check_next_across(None, &five[..2], &five[2]), Ok(()));
        // The direct link needs no refused events at all.
        assert_eq!(check_next_across(Some(&five[2]), &[], next), Ok(()));
        // A refused event that is itself the next one does not make a gap acceptable.
        assert!(check_next_across(Some(stored), &five[3..4], &five[4]).is_err());
    }

    fn three() -> Vec<Event> {
        chain(3)
    }

    /// The first `n` notes of device d1, chained.
    fn chain(n: u64) -> Vec<Event> {
        let mut log = DeviceLog::new("d1".parse().unwrap());
        (1..=n)
            .map(|i| {
                log.append(
                    note("u1", "5001", "person:a", &format!("n{i}")),
                    NOW + i,
                    [i as u8; 10],
                )
            })
            .collect()
    }

    fn device() -> DeviceId {
        "d1".parse().unwrap()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let events = three();
        assert_eq!(verify_chain(&events), Ok(()));
        assert_eq!(verify_chain(&[]), Ok(()));
        assert_eq!(check_next(None, &events[0]), Ok(()));
        assert_eq!(check_next(Some(&events[0]), &events[1]), Ok(()));
    }

    #[test]
    fn a_tampered_field_is_a_bad_hash() {
        let mut events = three();
        events[1].body = EventBody::Note {
            text: "改过".into(),
        };
        assert_eq!(
            verify_chain(&events),
            Err(ChainError::BadHash {
                device: device(),
                seq: 2
            })
        );
    }

    #[test]
    fn a_tampered_and_rehashed_event_breaks_the_next_link() {
        let mut events = three();
        events[1].body = EventBody::Note {
            text: "改过".into(),
        };
        events[1].hash = events[1].compute_hash();
        assert_eq!(
            verify_chain(&events),
            Err(ChainError::WrongPrev {
                device: device(),
                seq: 3
            })
        );
    }

    #[test]
    fn reordered_events_break_the_chain() {
        let events = three();
        // Served out of order.
        let swapped = vec![events[0].clone(), events[2].clone(), events[1].clone()];
        assert_eq!(
            verify_chain(&swapped),
            Err(ChainError::Gap {
                device: device(),
                expected: 2,
                found: 3
            })
        );
        // Renumbered (and rehashed) to look in order: the links give it away.
        let mut renumbered = swapped;
        renumbered[1].seq = 2;
        renumbered[1].hash = renumbered[1].compute_hash();
        renumbered[2].seq = 3;
        renumbered[2].hash = renumbered[2].compute_hash();
        assert_eq!(
            verify_chain(&renumbered),
            Err(ChainError::WrongPrev {
                device: device(),
                seq: 2
            })
        );
    }

    #[test]
    fn a_skipped_event_is_a_gap() {
        let events = three();
        let skipped = [events[0].clone(), events[2].clone()];
        let err = verify_chain(&skipped).unwrap_err();
        assert_eq!(
            err,
            ChainError::Gap {
                device: device(),
                expected: 2,
                found: 3
            }
        );
        assert_eq!(
            err.to_string(),
            "device d1: expected event 2, found 3; events 2 to 2 are missing"
        );
        assert_eq!(err.reject_reason(), RejectReason::BrokenChain);
    }

    #[test]
    fn a_repeated_event_is_out_of_order() {
        let events = three();
        assert_eq!(
            check_next(Some(&events[1]), &events[1]),
            Err(ChainError::OutOfOrder {
                device: device(),
                expected: 3,
                found: 2
            })
        );
    }

    #[test]
    fn the_first_event_must_be_seq_one_after_zero() {
        let events = three();
        assert_eq!(
            check_next(None, &events[1]),
            Err(ChainError::Gap {
                device: device(),
                expected: 1,
                found: 2
            })
        );
        let mut first = events[0].clone();
        first.prev = Hash([7; 32]);
        assert_eq!(
            check_next(None, &first),
            Err(ChainError::WrongPrev {
                device: device(),
                seq: 1
            })
        );
    }

    #[test]
    fn another_devices_event_is_mixed_in() {
        let events = three();
        let mut other = DeviceLog::new("d2".parse().unwrap());
        other.next_seq = 2;
        other.last_hash = events[0].hash;
        let foreign = other.append(note("u1", "5001", "person:a", "x"), NOW, [0; 10]);
        let err = verify_chain(&[events[0].clone(), foreign.clone()]).unwrap_err();
        assert!(matches!(err, ChainError::MixedDevice { seq: 2, .. }));
        assert!(matches!(
            check_next(Some(&events[0]), &foreign),
            Err(ChainError::MixedDevice { .. })
        ));
    }
}
