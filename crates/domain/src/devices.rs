//! Devices as administrators see them (`GET /api/v1/devices`): every installation that has
//! stored events, whose account it belongs to, and whether it was revoked (a lost phone).

use serde::{Deserialize, Serialize};

use crate::authz::Role;
use crate::ids::{DeviceId, UnitId};

/// One device. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub device: DeviceId,
    /// The account that first stored events from it.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: UnitId,
    pub first_seen: i64,
    pub last_seen: i64,
    /// Events of this device stored on the server.
    pub events: i64,
    /// When an administrator revoked it; its events are then refused and its tokens dead.
    pub revoked_at: Option<i64>,
}

/// `GET /api/v1/devices`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesResponse {
    pub devices: Vec<DeviceInfo>,
}

/// `POST /api/v1/devices/{device}/revoke`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeResponse {
    pub device: DeviceInfo,
    /// Sessions (tokens) that were still live and are now signed out.
    pub tokens_revoked: u64,
}
