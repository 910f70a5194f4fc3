//! The IndexedDB schema and its versions. Every version bump is a migration: add the new
//! stores/indexes to [`builder`], bump [`VERSION`], and add a browser test that opens a database
//! of the previous version full of data and checks that it survives (`tests/store.rs`).

use rexie::{Index, ObjectStore, Rexie, RexieBuilder};

pub const EVENTS: &str = "events";
pub const ENTITIES: &str = "entities";
pub const META: &str = "meta";

/// Current schema version.
/// 1: `events`, `entities`, `meta`.
pub const VERSION: u32 = 1;

pub fn builder(name: &str) -> RexieBuilder {
    Rexie::builder(name)
        .version(VERSION)
        .add_object_store(
            ObjectStore::new(EVENTS)
                .key_path("id")
                .add_index(Index::new("entity", "entity"))
                .add_index(Index::new_array("device_seq", ["device", "seq"]).unique(true))
                .add_index(Index::new("pending", "pending")),
        )
        .add_object_store(
            ObjectStore::new(ENTITIES)
                .key_path("id")
                .add_index(Index::new_array("kind_unit", ["kind", "unit"])),
        )
        .add_object_store(ObjectStore::new(META))
}
