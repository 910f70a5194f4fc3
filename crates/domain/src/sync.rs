//! Wire types of the HTTP API (`/api/v1`) shared by the app and the server: push, pull, login,
//! and the error body. Changing a name here changes the protocol.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::authz::Role;
use crate::event::Event;
use crate::ids::{DeviceId, EventId, UnitId, UserId};

/// Most events accepted in one push.
pub const MAX_PUSH_BATCH: usize = 500;
/// Most events returned by one pull.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// `POST /api/v1/sync/push`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub events: Vec<Event>,
}

/// One outcome per pushed event, in the order pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<PushOutcome>,
}

/// Wire form: `{"id": "…", "status": "accepted", "received_ms": 1700000000000}` or
/// `{"id": "…", "status": "rejected", "reason": "out_of_scope", "detail": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushOutcome {
    pub id: EventId,
    #[serde(flatten)]
    pub status: PushStatus,
    /// When the server received the event (ms since the epoch, the server's clock), for an
    /// accepted or duplicate event. The device keeps it with the event, so it never has to
    /// pull its own events back to learn it (see `PullParams::skip_device`). Absent from a
    /// server that does not send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PushStatus {
    /// Stored now.
    Accepted,
    /// Already stored (same id, same hash): pushing twice is harmless.
    Duplicate,
    /// Refused; stored on the server as a rejection and shown to the user on the device.
    Rejected {
        reason: RejectReason,
        detail: String,
    },
}

/// Why the server refused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    OutOfScope,
    NotPermitted,
    BrokenChain,
    BadHash,
    InvalidBody,
    UnknownDevice,
}

impl RejectReason {
    pub const ALL: [RejectReason; 6] = [
        RejectReason::OutOfScope,
        RejectReason::NotPermitted,
        RejectReason::BrokenChain,
        RejectReason::BadHash,
        RejectReason::InvalidBody,
        RejectReason::UnknownDevice,
    ];

    /// Stable snake_case code, as on the wire.
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::OutOfScope => "out_of_scope",
            RejectReason::NotPermitted => "not_permitted",
            RejectReason::BrokenChain => "broken_chain",
            RejectReason::BadHash => "bad_hash",
            RejectReason::InvalidBody => "invalid_body",
            RejectReason::UnknownDevice => "unknown_device",
        }
    }

    /// What the user reads, and what to do next.
    pub fn message_zh(self) -> &'static str {
        match self {
            RejectReason::OutOfScope => "该记录不属于您负责的辖区，请联系上级管理员。",
            RejectReason::NotPermitted => "您的角色无权进行此项操作。",
            RejectReason::BrokenChain => "本设备的记录不连续，请先完成同步后重试，或联系管理员。",
            RejectReason::BadHash => "记录内容与校验值不符，可能已被篡改，请联系管理员。",
            RejectReason::InvalidBody => "记录内容不完整或格式有误，请更新应用后重新填写。",
            RejectReason::UnknownDevice => "服务器不认识本设备，请重新登录。",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            RejectReason::OutOfScope => {
                "This record is outside your jurisdiction. Contact your administrator."
            }
            RejectReason::NotPermitted => "Your role is not allowed to do this.",
            RejectReason::BrokenChain => {
                "This device's records are not continuous. Sync again, or contact your administrator."
            }
            RejectReason::BadHash => {
                "The record does not match its checksum and may have been altered. Contact your administrator."
            }
            RejectReason::InvalidBody => {
                "The record is incomplete or malformed. Update the app and enter it again."
            }
            RejectReason::UnknownDevice => "The server does not know this device. Log in again.",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A position in the server's log; `Cursor(0)` is the start.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cursor(pub u64);

/// The query of `GET /api/v1/sync/pull?after=CURSOR&limit=N&skip_device=ID`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PullParams {
    /// The cursor of the last page stored (0: from the start).
    #[serde(default)]
    pub after: u64,
    /// Most events wanted (at most `MAX_PULL_LIMIT`).
    pub limit: Option<u32>,
    /// The pulling device. Its own events are left out of the page (the push answer carried
    /// their receipt times) while the cursor still moves past them.
    pub skip_device: Option<DeviceId>,
}

impl PullParams {
    /// Whether `event`, within the reader's scope and readable by them, goes into the page:
    /// every event except the skipped device's own.
    pub fn serves(&self, event: &Event) -> bool {
        self.skip_device.as_ref() != Some(&event.device)
    }

    /// The query string, without the `?` (ids are letters, digits and `_.:-`, which a query
    /// carries as they are).
    pub fn query(&self) -> String {
        let mut q = format!("after={}", self.after);
        if let Some(limit) = self.limit {
            q.push_str(&format!("&limit={limit}"));
        }
        if let Some(device) = &self.skip_device {
            q.push_str(&format!("&skip_device={device}"));
        }
        q
    }
}

/// `GET /api/v1/sync/pull` (`PullParams`)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub events: Vec<Event>,
    /// When the server received each event (ms since the epoch, the server's clock), in the
    /// order of `events`. A tick shows it next to the device's own time. Empty from a server
    /// that does not send it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub received_ms: Vec<u64>,
    /// Pass as `after` next time.
    pub next: Cursor,
    /// True if more events wait after `next`.
    pub more: bool,
}

impl PullResponse {
    /// The server's receipt time of each event, in the order of `events`; all `None` when the
    /// server sent none (or a list of another length, which cannot be matched up).
    pub fn receipts(&self) -> Vec<Option<u64>> {
        if self.received_ms.len() == self.events.len() {
            self.received_ms.iter().copied().map(Some).collect()
        } else {
            vec![None; self.events.len()]
        }
    }
}

/// `POST /api/v1/auth/login`
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Opaque bearer token.
    pub token: String,
    pub profile: Profile,
    /// The account's key for signing offline transfer bundles (`bundle::BundleKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_key: Option<crate::bundle::BundleKey>,
}

impl fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginResponse")
            .field("token", &"<redacted>")
            .field("profile", &self.profile)
            .finish()
    }
}

/// Who is logged in: the app caches it to work offline; the server authorises with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user: UserId,
    pub display_name: String,
    pub role: Role,
    /// The root of the subtree the user works in.
    pub scope: UnitId,
    /// 所属部门 — a joint-review department user's department (`None` for other roles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<crate::eligibility::Department>,
}

/// The JSON body of every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable snake_case code.
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reject_reason_codes_match_the_wire() {
        for reason in RejectReason::ALL {
            assert_eq!(serde_json::to_value(reason).unwrap(), json!(reason.code()));
            assert!(!reason.message_zh().is_empty() && !reason.message_en().is_empty());
        }
    }

    #[test]
    fn push_outcome_is_flat_on_the_wire() {
        let id = EventId::new(1, [0; 10]);
        let rejected = PushOutcome {
            id,
            status: PushStatus::Rejected {
                reason: RejectReason::OutOfScope,
                detail: "unit 5002".into(),
            },
            received_ms: None,
        };
        let value = serde_json::to_value(&rejected).unwrap();
        assert_eq!(
            value,
            json!({"id": id.to_string(), "status": "rejected", "reason": "out_of_scope", "detail": "unit 5002"})
        );
        assert_eq!(
            serde_json::from_value::<PushOutcome>(value).unwrap(),
            rejected
        );
        let accepted = PushOutcome {
            id,
            status: PushStatus::Accepted,
            received_ms: Some(1_700_000_000_000),
        };
        let value = serde_json::to_value(&accepted).unwrap();
        assert_eq!(
            value,
            json!({"id": id.to_string(), "status": "accepted", "received_ms": 1_700_000_000_000u64})
        );
        assert_eq!(
            serde_json::from_value::<PushOutcome>(value).unwrap(),
            accepted
        );
        // An older server sends no receipt time.
        assert_eq!(
            serde_json::from_value::<PushOutcome>(
                json!({"id": id.to_string(), "status": "duplicate"})
            )
            .unwrap(),
            PushOutcome {
                id,
                status: PushStatus::Duplicate,
                received_ms: None
            }
        );
    }

    #[test]
    fn pull_params_write_their_query_and_skip_only_that_device() {
        let params = PullParams {
            after: 7,
            limit: Some(1000),
            skip_device: Some("dabc".parse().unwrap()),
        };
        assert_eq!(params.query(), "after=7&limit=1000&skip_device=dabc");
        assert_eq!(PullParams::default().query(), "after=0");
        let mut mine = crate::event::DeviceLog::new("dabc".parse().unwrap());
        let mut theirs = crate::event::DeviceLog::new("dxyz".parse().unwrap());
        let note = || crate::event::NewEvent {
            actor: "u1".parse().unwrap(),
            unit: "5099001001".parse().unwrap(),
            entity: "unit:5099001001".parse().unwrap(),
            body: crate::event::EventBody::Note {
                text: "走访".into(),
            },
        };
        assert!(!params.serves(&mine.append(note(), 1, [1; 10])));
        assert!(params.serves(&theirs.append(note(), 1, [2; 10])));
        assert!(PullParams::default().serves(&mine.append(note(), 2, [3; 10])));
    }

    #[test]
    fn cursor_is_a_bare_number() {
        let pull = PullResponse {
            events: vec![],
            received_ms: vec![],
            next: Cursor(42),
            more: false,
        };
        assert_eq!(
            serde_json::to_value(&pull).unwrap(),
            json!({"events": [], "next": 42, "more": false})
        );
    }

    #[test]
    fn receipts_match_events_or_are_unknown() {
        use crate::election::StepCode;
        use crate::election::record::tests::{events, ticked};
        use chrono::NaiveDate;
        let two = events(
            "sup1",
            vec![
                crate::event::EventBody::StepTicked(ticked(StepCode::V02, NaiveDate::MIN)),
                crate::event::EventBody::StepTicked(ticked(StepCode::V03, NaiveDate::MIN)),
            ],
        );
        let mut pull: PullResponse = serde_json::from_value(json!({
            "events": two, "next": 2, "more": false
        }))
        .unwrap();
        // An older server sends no receipts: each is unknown.
        assert_eq!(pull.receipts(), vec![None, None]);
        pull.received_ms = vec![1_700_000_000_000, 1_700_000_000_500];
        assert_eq!(
            pull.receipts(),
            vec![Some(1_700_000_000_000), Some(1_700_000_000_500)]
        );
        let wire = serde_json::to_value(&pull).unwrap();
        assert_eq!(
            wire["received_ms"],
            json!([1_700_000_000_000u64, 1_700_000_000_500u64])
        );
        // A list that does not match the events cannot be paired up.
        pull.received_ms.pop();
        assert_eq!(pull.receipts(), vec![None, None]);
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let req = LoginRequest {
            username: "alice".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{req:?}").contains("hunter2"));
    }
}
