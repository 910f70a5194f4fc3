//! The shapes kept in IndexedDB. Indexed fields sit at the top level as plain strings and numbers;
//! the event and the projection themselves are kept as JSON text, so what was received is what
//! is pushed and hashed again, byte for byte (a JS number cannot tell `1.0` from `1`).

use cunju_domain::event::Event;
use cunju_domain::projection::EntityState;
use cunju_domain::sync::RejectReason;
use serde::{Deserialize, Serialize};

use super::StoreError;

/// Where an event stands with the server; stored as the `pending` field (and index) of its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum SyncMark {
    /// The server has it (accepted, duplicate, or received by a pull).
    Acked,
    /// Written on this device and not acknowledged yet: the next push sends it.
    Pending,
    /// The server refused it; kept on the device with the reason until the user re-queues it.
    Rejected,
}

impl SyncMark {
    pub(crate) const fn code(self) -> u8 {
        match self {
            SyncMark::Acked => 0,
            SyncMark::Pending => 1,
            SyncMark::Rejected => 2,
        }
    }
}

impl From<SyncMark> for u8 {
    fn from(mark: SyncMark) -> u8 {
        mark.code()
    }
}

impl TryFrom<u8> for SyncMark {
    type Error = String;
    fn try_from(code: u8) -> Result<SyncMark, String> {
        match code {
            0 => Ok(SyncMark::Acked),
            1 => Ok(SyncMark::Pending),
            2 => Ok(SyncMark::Rejected),
            other => Err(format!("unknown sync mark {other}")),
        }
    }
}

/// Why the server refused one of our events, as shown on the sync screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub reason: RejectReason,
    /// The server's explanation (technical; the reason carries the user-facing text).
    pub detail: String,
    /// When the refusal arrived (device clock, ms).
    pub at_ms: u64,
}

/// A rejected event with its reason.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedEvent {
    pub event: Event,
    pub rejection: Rejection,
}

/// One record of the `events` store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EventRecord {
    pub id: String,
    pub entity: String,
    pub device: String,
    pub seq: u64,
    pub pending: SyncMark,
    /// The event as JSON text.
    pub json: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    /// When the server received the event (ms, server clock), once a pull has said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_ms: Option<u64>,
}

impl EventRecord {
    pub fn new(event: &Event, pending: SyncMark) -> Result<EventRecord, StoreError> {
        Ok(EventRecord {
            id: event.id.to_string(),
            entity: event.entity.to_string(),
            device: event.device.to_string(),
            seq: event.seq,
            pending,
            json: serde_json::to_string(event).map_err(|e| StoreError::Encoding(e.to_string()))?,
            rejection: None,
            received_ms: None,
        })
    }

    pub fn event(&self) -> Result<Event, StoreError> {
        serde_json::from_str(&self.json)
            .map_err(|e| StoreError::Encoding(format!("event {}: {e}", self.id)))
    }
}

/// One record of the `entities` store: the materialised projection of one entity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EntityRecord {
    pub id: String,
    pub kind: String,
    pub unit: String,
    /// The `EntityState` as JSON text.
    pub json: String,
}

impl EntityRecord {
    pub fn new(state: &EntityState) -> Result<EntityRecord, StoreError> {
        Ok(EntityRecord {
            id: state.id.to_string(),
            kind: state.kind.as_str().to_string(),
            unit: state.unit.to_string(),
            json: serde_json::to_string(state).map_err(|e| StoreError::Encoding(e.to_string()))?,
        })
    }

    pub fn state(&self) -> Result<EntityState, StoreError> {
        serde_json::from_str(&self.json)
            .map_err(|e| StoreError::Encoding(format!("entity {}: {e}", self.id)))
    }
}
