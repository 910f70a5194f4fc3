//! `cunju-domain`: the one model shared by the app (wasm) and the server (native).
//!
//! Pure Rust: no I/O, no async, no web or database types. Every rule that matters lives here
//! so the phone and the server can never disagree. See `ARCHITECTURE.md` at the repository root.
//!
//! Start with `event` (the log is the source of truth), then `projection` (what screens show),
//! `sync` (the wire) and `authz` (who may write what).

pub mod allowance;
pub mod app_info;
pub mod authz;
pub mod blob;
pub mod bundle;
pub mod clock;
pub mod devices;
pub mod directory;
pub mod election;
pub mod eligibility;
pub mod event;
pub mod export;
pub mod ids;
pub mod money;
pub mod projection;
pub mod sync;
#[cfg(feature = "testing")]
pub mod testing;
pub mod training;
