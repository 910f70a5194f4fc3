//! The IndexedDB schemas of earlier releases, written out as they were, so an upgrade test keeps
//! meaning "a phone that installed that release" when `src/store/schema.rs` changes.

use rexie::{Index, ObjectStore, Rexie, RexieBuilder};

/// Version 1, the first release (the walking skeleton): events, entities, meta.
pub fn first_release(name: &str) -> RexieBuilder {
    Rexie::builder(name)
        .version(1)
        .add_object_store(
            ObjectStore::new("events")
                .key_path("id")
                .add_index(Index::new("entity", "entity"))
                .add_index(Index::new_array("device_seq", ["device", "seq"]).unique(true))
                .add_index(Index::new("pending", "pending")),
        )
        .add_object_store(
            ObjectStore::new("entities")
                .key_path("id")
                .add_index(Index::new_array("kind_unit", ["kind", "unit"])),
        )
        .add_object_store(ObjectStore::new("meta"))
}

/// Version 2: the first release plus the photo store.
#[allow(dead_code)] // Not every test file upgrades from version 2.
pub fn version_2(name: &str) -> RexieBuilder {
    first_release(name).version(2).add_object_store(
        ObjectStore::new("blobs")
            .key_path("hash")
            .add_index(Index::new("uploaded", "uploaded")),
    )
}
