//! Sample data for the tests of other crates (feature `testing`; never in a release build).

use crate::event::EventBody;

/// One valid body of every event kind this build knows (`KNOWN_KINDS`), in that order. Each
/// module adds its sample next to its marker in `event/body.rs`, so tests generated from this
/// list (the server's permission matrix) cover new kinds without being edited.
pub fn sample_bodies() -> Vec<EventBody> {
    crate::event::sample_bodies()
}
