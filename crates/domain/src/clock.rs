//! The hybrid logical clock (HLC) that orders events across devices whose wall clocks disagree.
//!
//! A timestamp is wall milliseconds plus a counter. A device's clock never goes backwards, and
//! after it sees a remote event its next write sorts after that event, whatever the phone's clock says.

use serde::{Deserialize, Serialize};

/// One HLC timestamp. Ordered by `wall_ms`, then `counter`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
}

/// A device's clock state: the greatest timestamp it has issued or observed.
/// Persisted with the device log so a reload cannot reuse a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HlcClock {
    pub last: Hlc,
}

impl HlcClock {
    /// A timestamp for a local write: strictly greater than every timestamp issued or observed
    /// before, and equal to `now_ms` when the wall clock is ahead of everything seen.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        let last = self.last;
        let next = if now_ms > last.wall_ms {
            Hlc {
                wall_ms: now_ms,
                counter: 0,
            }
        } else if last.counter < u32::MAX {
            Hlc {
                wall_ms: last.wall_ms,
                counter: last.counter + 1,
            }
        } else {
            // Four billion writes in one millisecond: borrow the next millisecond.
            Hlc {
                wall_ms: last.wall_ms + 1,
                counter: 0,
            }
        };
        self.last = next;
        next
    }

    /// Takes note of a received event's timestamp, so the next `tick` sorts after it.
    ///
    /// `now_ms` is accepted for symmetry with `tick` and future drift checks; the state only
    /// needs the maximum of what it has seen (the next `tick` merges the wall clock).
    pub fn observe(&mut self, remote: Hlc, _now_ms: u64) {
        self.last = self.last.max(remote);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: u64 = 1_750_000_000_000;
    const HOURS_48: i64 = 48 * 3600 * 1000;

    #[test]
    fn tick_follows_the_wall_clock_when_it_moves_forward() {
        let mut clock = HlcClock::default();
        assert_eq!(
            clock.tick(NOW),
            Hlc {
                wall_ms: NOW,
                counter: 0
            }
        );
        assert_eq!(
            clock.tick(NOW + 5),
            Hlc {
                wall_ms: NOW + 5,
                counter: 0
            }
        );
    }

    #[test]
    fn tick_never_goes_backwards_when_the_wall_clock_does() {
        let mut clock = HlcClock::default();
        let a = clock.tick(NOW);
        let b = clock.tick(NOW - 3_600_000);
        let c = clock.tick(NOW);
        assert!(a < b && b < c);
        assert_eq!(
            b,
            Hlc {
                wall_ms: NOW,
                counter: 1
            }
        );
    }

    #[test]
    fn tick_after_observe_sorts_after_the_remote_event() {
        let mut clock = HlcClock::default();
        clock.tick(NOW);
        let remote = Hlc {
            wall_ms: NOW + 86_400_000,
            counter: 7,
        };
        clock.observe(remote, NOW);
        assert_eq!(
            clock.tick(NOW),
            Hlc {
                wall_ms: NOW + 86_400_000,
                counter: 8
            }
        );
    }

    #[test]
    fn observing_an_older_event_changes_nothing() {
        let mut clock = HlcClock::default();
        let a = clock.tick(NOW);
        clock.observe(
            Hlc {
                wall_ms: NOW - 10,
                counter: 99,
            },
            NOW,
        );
        assert_eq!(clock.last, a);
    }

    #[test]
    fn counter_overflow_borrows_the_next_millisecond() {
        let mut clock = HlcClock {
            last: Hlc {
                wall_ms: NOW,
                counter: u32::MAX,
            },
        };
        assert_eq!(
            clock.tick(NOW),
            Hlc {
                wall_ms: NOW + 1,
                counter: 0
            }
        );
    }

    #[derive(Debug, Clone)]
    enum Step {
        Tick {
            jump_ms: i64,
        },
        Observe {
            jump_ms: i64,
            skew_ms: i64,
            counter: u32,
        },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (-HOURS_48..=HOURS_48).prop_map(|jump_ms| Step::Tick { jump_ms }),
            (-HOURS_48..=HOURS_48, -HOURS_48..=HOURS_48, 0u32..5).prop_map(
                |(jump_ms, skew_ms, counter)| Step::Observe {
                    jump_ms,
                    skew_ms,
                    counter
                }
            ),
        ]
    }

    proptest! {
        #[test]
        fn hlc_ticks_strictly_increase_under_any_jumps_and_skew(steps in prop::collection::vec(step(), 1..60)) {
            let mut clock = HlcClock::default();
            let mut now = NOW;
            let mut floor: Option<Hlc> = None; // every later tick must exceed this
            for step in steps {
                match step {
                    Step::Tick { jump_ms } => {
                        now = now.saturating_add_signed(jump_ms);
                        let t = clock.tick(now);
                        if let Some(f) = floor {
                            prop_assert!(t > f, "tick {t:?} not after {f:?}");
                        }
                        prop_assert!(t.wall_ms >= now, "a tick is never behind the wall clock");
                        floor = Some(t);
                    }
                    Step::Observe { jump_ms, skew_ms, counter } => {
                        now = now.saturating_add_signed(jump_ms);
                        let remote = Hlc { wall_ms: now.saturating_add_signed(skew_ms), counter };
                        clock.observe(remote, now);
                        floor = Some(floor.map_or(remote, |f| f.max(remote)));
                    }
                }
            }
        }
    }
}
