//! The sync client (architecture §4): pushes this device's unacknowledged events in bounded
//! batches, pulls everything after the cursor, and keeps the state the header badge and the
//! `/sync` screen show. Offline is the normal case, not an error: events wait on the device.
//!
//! - [`api`]: the HTTP calls (`/api/v1`), each with a time limit and a clear error;
//! - [`engine`]: one sync run, resumable at every step (tested against an in-memory server);
//! - [`state`]: the signals in context and the scheduler (online event, timer, backoff, button).

pub mod api;
pub mod engine;
pub mod state;

pub use engine::{Progress, SyncError, SyncReport};
pub use state::{SyncState, provide_sync, use_sync};
