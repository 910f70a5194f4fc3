//! The IndexedDB schema and its versions. Every version bump is a migration: add the new
//! stores/indexes to [`builder`], bump [`VERSION`], and add a browser test that opens a database
//! of the previous version full of data and checks that it survives (`tests/store.rs`).

use rexie::{Index, ObjectStore, Rexie, RexieBuilder};

pub const EVENTS: &str = "events";
pub const ENTITIES: &str = "entities";
pub const META: &str = "meta";
pub const BLOBS: &str = "blobs";

/// Current schema version.
/// 1: `events` (key `id`; indexes `entity`, `device_seq` unique, `pending`), `entities` (key `id`;
///    index `kind_unit`), `meta` (out-of-line keys). Record shapes: `records.rs`.
/// 2: `blobs` (evidence photos; key `hash`, the SHA-256 in hex; index `uploaded`, 0 or 1).
///    Record shape: `blobs.rs`. The stores of version 1 are untouched.
/// 3: `events` gains the index `pending_order` (`pending`, `device`, `seq`), so a push reads
///    the next batch of waiting events in chain order without reading every waiting event.
pub const VERSION: u32 = 3;

/// Every index states `unique` and `multi_entry` explicitly: on an upgrade, idb's builder drops
/// and rebuilds any index whose flags it cannot compare, which would re-index every event.
fn index(name: &str, key_path: &str) -> Index {
    Index::new(name, key_path).unique(false).multi_entry(false)
}

fn compound_index<'a>(
    name: &str,
    key_paths: impl IntoIterator<Item = &'a str>,
    unique: bool,
) -> Index {
    Index::new_array(name, key_paths)
        .unique(unique)
        .multi_entry(false)
}

pub fn builder(name: &str) -> RexieBuilder {
    Rexie::builder(name)
        .version(VERSION)
        .add_object_store(
            ObjectStore::new(EVENTS)
                .key_path("id")
                .add_index(index("entity", "entity"))
                .add_index(compound_index("device_seq", ["device", "seq"], true))
                .add_index(index("pending", "pending"))
                .add_index(compound_index(
                    "pending_order",
                    ["pending", "device", "seq"],
                    false,
                )),
        )
        .add_object_store(
            ObjectStore::new(ENTITIES)
                .key_path("id")
                .add_index(compound_index("kind_unit", ["kind", "unit"], false)),
        )
        .add_object_store(ObjectStore::new(META))
        .add_object_store(
            ObjectStore::new(BLOBS)
                .key_path("hash")
                .add_index(index("uploaded", "uploaded")),
        )
}
