//! What an event says: the typed, versioned `EventBody` and the small enums it uses.
//!
//! On the wire a body is `{"kind": "...", "v": 1, "data": {...}}`. A kind or version this build
//! does not know is kept verbatim as `EventBody::Unknown`, so an older app never loses or alters
//! events written by a newer one.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::ids::{EntityId, UnitId};

/// What kind of thing an entity is; also the prefix of its `EntityId` (`person:…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// 单位 — a node of the jurisdiction tree.
    Unit,
    /// 人员 — a resident, official or candidate.
    Person,
    // ── elections: entity kinds ──

    // ── eligibility: entity kinds ──

    // ── allowances: entity kinds ──

    // ── training: entity kinds ──
}

impl EntityKind {
    pub const ALL: &'static [EntityKind] = &[
        EntityKind::Unit,
        EntityKind::Person,
        // ── elections ──

        // ── eligibility ──

        // ── allowances ──

        // ── training ──
    ];

    /// The stable name, used as the entity id prefix and in storage indexes.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Unit => "unit",
            EntityKind::Person => "person",
            // ── elections ──

            // ── eligibility ──

            // ── allowances ──

            // ── training ──
        }
    }

    /// The kind named by an entity id's prefix, if any.
    pub fn of(entity: &EntityId) -> Option<EntityKind> {
        EntityKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == entity.kind_prefix())
    }
}

/// The level of a unit in the jurisdiction tree (domain-spec §6.1). Villages may sit under a
/// street and communities under a town, so the kind never implies the parent's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 市
    City,
    /// 区
    District,
    /// 县 (including 自治县)
    County,
    /// 乡镇
    Township,
    /// 街道
    Street,
    /// 村 (村民委员会)
    Village,
    /// 社区 (居民委员会)
    Community,
    /// 村民小组 / 居民小组
    Group,
}

impl UnitKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::City => "市",
            UnitKind::District => "区",
            UnitKind::County => "县",
            UnitKind::Township => "乡镇",
            UnitKind::Street => "街道",
            UnitKind::Village => "村",
            UnitKind::Community => "社区",
            UnitKind::Group => "小组",
        }
    }
}

/// 性别
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

/// How `other` is related to the person the event is about ("`other` is my …").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// 配偶
    Spouse,
    /// 父母
    Parent,
    /// 子女
    Child,
    /// 兄弟姐妹
    Sibling,
    /// 祖父母
    PaternalGrandparent,
    /// 外祖父母
    MaternalGrandparent,
    /// 孙子女
    PaternalGrandchild,
    /// 外孙子女
    MaternalGrandchild,
}

impl Relation {
    pub fn label_zh(self) -> &'static str {
        match self {
            Relation::Spouse => "配偶",
            Relation::Parent => "父母",
            Relation::Child => "子女",
            Relation::Sibling => "兄弟姐妹",
            Relation::PaternalGrandparent => "祖父母",
            Relation::MaternalGrandparent => "外祖父母",
            Relation::PaternalGrandchild => "孙子女",
            Relation::MaternalGrandchild => "外孙子女",
        }
    }
}

/// The fields of a person record, the only ones a `PersonCorrected` may change.
pub const PERSON_FIELDS: [&str; 6] = [
    "name",
    "sex",
    "ethnicity",
    "id_number",
    "birth_date",
    "phone",
];

/// What an event records. Adding a variant: give it a snake_case kind, add it to `KNOWN_KINDS`
/// at version 1. Changing a variant's data in any way: bump its version there, so older apps keep
/// the new shape as `Unknown` instead of misreading it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    remote = "Self",
    tag = "kind",
    content = "data",
    rename_all = "snake_case"
)]
pub enum EventBody {
    /// 单位登记 — a node of the jurisdiction tree (its entity is `EntityId::unit(code)`).
    UnitRecorded {
        code: UnitId,
        name: String,
        unit_kind: UnitKind,
        parent: Option<UnitId>,
    },
    /// 人员登记 — a person entered in the directory.
    PersonRecorded {
        name: String,
        sex: Sex,
        ethnicity: String,
        id_number: String,
        birth_date: NaiveDate,
        phone: Option<String>,
    },
    /// 信息更正 — new values for some fields of a person (`PERSON_FIELDS`); per field, the
    /// last event in canonical order wins.
    PersonCorrected { fields: BTreeMap<String, Value> },
    /// 亲属关系 — `other` is this person's `relation`.
    RelativeLinked { other: EntityId, relation: Relation },
    /// 备注 — a free-text note on any entity.
    Note { text: String },
    // ── elections (a module's variants carry a struct defined in its own module) ──

    // ── eligibility ──

    // ── allowances ──

    // ── training ──
    /// A kind or version this build does not know, kept as the exact JSON received.
    #[serde(skip)]
    Unknown(Value),
}

/// Every kind this build understands, with the one version of its data it reads.
pub const KNOWN_KINDS: &[(&str, u64)] = &[
    ("unit_recorded", 1),
    ("person_recorded", 1),
    ("person_corrected", 1),
    ("relative_linked", 1),
    ("note", 1),
    // ── elections ──

    // ── eligibility ──

    // ── allowances ──

    // ── training ──
];

/// Why an event body is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid event body: {0}")]
pub struct BodyError(pub String);

fn invalid(msg: impl Into<String>) -> BodyError {
    BodyError(msg.into())
}

impl EventBody {
    /// The `kind` written on the wire (`person_recorded`, …; for `Unknown`, whatever it says).
    pub fn kind_name(&self) -> &str {
        match self {
            EventBody::UnitRecorded { .. } => "unit_recorded",
            EventBody::PersonRecorded { .. } => "person_recorded",
            EventBody::PersonCorrected { .. } => "person_corrected",
            EventBody::RelativeLinked { .. } => "relative_linked",
            EventBody::Note { .. } => "note",
            // ── elections ──

            // ── eligibility ──

            // ── allowances ──

            // ── training ──
            EventBody::Unknown(v) => v.get("kind").and_then(Value::as_str).unwrap_or(""),
        }
    }

    /// The version of the body's data (`v` on the wire).
    pub fn version(&self) -> u64 {
        match self {
            EventBody::Unknown(v) => v.get("v").and_then(Value::as_u64).unwrap_or(0),
            known => known_version(known.kind_name()).expect("every known kind has a version"),
        }
    }

    /// The kind of entity this body is about; `None` for bodies that fit any entity (a note)
    /// and for unknown kinds.
    pub fn entity_kind(&self) -> Option<EntityKind> {
        match self {
            EventBody::UnitRecorded { .. } => Some(EntityKind::Unit),
            EventBody::PersonRecorded { .. }
            | EventBody::PersonCorrected { .. }
            | EventBody::RelativeLinked { .. } => Some(EntityKind::Person),
            // ── elections ──

            // ── eligibility ──

            // ── allowances ──

            // ── training ──
            EventBody::Note { .. } | EventBody::Unknown(_) => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, EventBody::Unknown(_))
    }

    /// The wire form as a JSON value: `{"kind", "v", "data"}`, or the kept JSON of `Unknown`.
    pub fn to_value(&self) -> Value {
        match self {
            EventBody::Unknown(v) => v.clone(),
            known => {
                let mut value = EventBody::serialize(known, serde_json::value::Serializer)
                    .expect("known bodies serialize to JSON");
                value["v"] = Value::from(known.version());
                value
            }
        }
    }

    /// Reads the wire form. A known kind at a known version must parse and be in canonical form
    /// (exactly what `to_value` writes back), otherwise its hash could never verify; any other
    /// kind or version becomes `Unknown`.
    pub fn from_value(value: Value) -> Result<EventBody, BodyError> {
        let obj = value
            .as_object()
            .ok_or_else(|| invalid("a body is a JSON object with kind, v and data"))?;
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("the body has no string \"kind\""))?;
        let v = obj
            .get("v")
            .and_then(Value::as_u64)
            .ok_or_else(|| invalid(format!("{kind}: the body has no integer \"v\"")))?;
        if known_version(kind) != Some(v) {
            return Ok(EventBody::Unknown(value));
        }
        let mut tagged = obj.clone();
        tagged.remove("v");
        let body = EventBody::deserialize(Value::Object(tagged))
            .map_err(|e| invalid(format!("{kind} v{v}: {e}")))?;
        if body.to_value() != value {
            return Err(invalid(format!(
                "{kind} v{v}: not in canonical form (extra or missing fields)"
            )));
        }
        Ok(body)
    }

    /// Rules a body must satisfy on its own (see also `Event::validate` for rules that involve
    /// the event's unit and entity).
    pub fn validate(&self) -> Result<(), BodyError> {
        match self {
            EventBody::UnitRecorded {
                code, name, parent, ..
            } => {
                non_empty("name", name)?;
                if let Some(parent) = parent
                    && (parent == code || !code.is_within(parent))
                {
                    return Err(invalid(format!(
                        "unit {code}: its code must extend its parent's code {parent}"
                    )));
                }
                Ok(())
            }
            EventBody::PersonRecorded {
                name,
                ethnicity,
                id_number,
                ..
            } => {
                non_empty("name", name)?;
                non_empty("ethnicity", ethnicity)?;
                non_empty("id_number", id_number)
            }
            EventBody::PersonCorrected { fields } => {
                if fields.is_empty() {
                    return Err(invalid("a correction must change at least one field"));
                }
                fields
                    .iter()
                    .try_for_each(|(key, value)| check_person_field(key, value))
            }
            EventBody::RelativeLinked { other, .. } => {
                if EntityKind::of(other) == Some(EntityKind::Person) {
                    Ok(())
                } else {
                    Err(invalid(format!("relative {other} is not a person")))
                }
            }
            EventBody::Note { text } => non_empty("text", text),
            // ── elections ──

            // ── eligibility ──

            // ── allowances ──

            // ── training ──
            EventBody::Unknown(_) => Err(invalid(format!(
                "unknown kind {:?} v{}: this build is older than the one that wrote it",
                self.kind_name(),
                self.version()
            ))),
        }
    }
}

fn known_version(kind: &str) -> Option<u64> {
    KNOWN_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, v)| *v)
}

fn non_empty(field: &str, value: &str) -> Result<(), BodyError> {
    if value.trim().is_empty() {
        Err(invalid(format!("{field} must not be empty")))
    } else {
        Ok(())
    }
}

/// A corrected person field must hold what `PersonRecorded` would hold there.
fn check_person_field(key: &str, value: &Value) -> Result<(), BodyError> {
    let ok = match key {
        "name" | "ethnicity" | "id_number" => value.as_str().is_some_and(|s| !s.trim().is_empty()),
        "sex" => Sex::deserialize(value).is_ok(),
        "birth_date" => NaiveDate::deserialize(value).is_ok(),
        "phone" => value.is_null() || value.is_string(),
        _ => {
            return Err(invalid(format!(
                "{key:?} is not a person field; correctable fields: {}",
                PERSON_FIELDS.join(", ")
            )));
        }
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(format!("{value} is not a valid {key}")))
    }
}

impl Serialize for EventBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s).map_err(S::Error::custom)
    }
}

impl<'de> Deserialize<'de> for EventBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EventBody::from_value(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn samples() -> Vec<EventBody> {
        vec![
            EventBody::UnitRecorded {
                code: "5001001001".parse().unwrap(),
                name: "石桥村".into(),
                unit_kind: UnitKind::Village,
                parent: Some("5001001".parse().unwrap()),
            },
            EventBody::PersonRecorded {
                name: "张三".into(),
                sex: Sex::Male,
                ethnicity: "汉族".into(),
                id_number: "500101199001011234".into(),
                birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                phone: None,
            },
            EventBody::PersonCorrected {
                fields: BTreeMap::from([("phone".to_string(), json!("13800000000"))]),
            },
            EventBody::RelativeLinked {
                other: "person:01ARZ3NDEKTSV4RRFFQ69G5FAV".parse().unwrap(),
                relation: Relation::MaternalGrandchild,
            },
            EventBody::Note {
                text: "入户走访".into(),
            },
            // ── elections ──

            // ── eligibility ──

            // ── allowances ──

            // ── training ──
        ]
    }

    #[test]
    fn known_bodies_have_the_kind_v_data_shape() {
        let body = &samples()[3];
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({"kind": "relative_linked", "v": 1, "data": {
                "other": "person:01ARZ3NDEKTSV4RRFFQ69G5FAV", "relation": "maternal_grandchild"}})
        );
    }

    #[test]
    fn every_known_kind_round_trips_and_names_itself() {
        let samples = samples();
        assert_eq!(samples.len(), KNOWN_KINDS.len(), "a sample per known kind");
        for body in samples {
            let value = serde_json::to_value(&body).unwrap();
            assert_eq!(value["kind"], body.kind_name());
            assert!(KNOWN_KINDS.contains(&(body.kind_name(), body.version())));
            assert_eq!(serde_json::from_value::<EventBody>(value).unwrap(), body);
            assert_eq!(body.validate(), Ok(()));
        }
    }

    #[test]
    fn unknown_kind_is_kept_verbatim() {
        let raw = json!({"kind": "ballot_cast", "v": 3, "data": {"z": [1, 2.5, null], "a": "票"}});
        let body: EventBody = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(body, EventBody::Unknown(raw.clone()));
        assert_eq!(body.kind_name(), "ballot_cast");
        assert_eq!(body.version(), 3);
        assert_eq!(body.entity_kind(), None);
        assert_eq!(serde_json::to_value(&body).unwrap(), raw);
        assert!(
            body.validate().is_err(),
            "the server refuses kinds it does not know"
        );
    }

    #[test]
    fn known_kind_at_a_newer_version_is_kept_as_unknown() {
        let raw = json!({"kind": "note", "v": 2, "data": {"text": "x", "lang": "zh"}});
        let body: EventBody = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(body, EventBody::Unknown(raw));
    }

    #[test]
    fn known_kind_with_bad_or_extra_data_is_an_error() {
        for raw in [
            json!({"kind": "note", "v": 1, "data": {"text": 5}}),
            json!({"kind": "note", "v": 1, "data": {"text": "x", "extra": 1}}),
            json!({"kind": "note", "v": 1, "data": {"text": "x"}, "more": true}),
            json!({"kind": "note", "data": {"text": "x"}}),
            json!({"v": 1, "data": {}}),
            json!("note"),
        ] {
            assert!(
                serde_json::from_value::<EventBody>(raw.clone()).is_err(),
                "{raw} should be refused"
            );
        }
    }

    #[test]
    fn correction_accepts_only_person_fields_with_valid_values() {
        let corr = |k: &str, v: Value| EventBody::PersonCorrected {
            fields: BTreeMap::from([(k.to_string(), v)]),
        };
        assert!(corr("birth_date", json!("1990-02-28")).validate().is_ok());
        assert!(corr("birth_date", json!("1990-02-30")).validate().is_err());
        assert!(corr("sex", json!("female")).validate().is_ok());
        assert!(corr("sex", json!("other")).validate().is_err());
        assert!(corr("phone", Value::Null).validate().is_ok());
        assert!(corr("name", json!(" ")).validate().is_err());
        assert!(corr("relatives", json!([])).validate().is_err());
        let empty = EventBody::PersonCorrected {
            fields: BTreeMap::new(),
        };
        assert!(empty.validate().is_err());
    }

    #[test]
    fn unit_code_must_extend_its_parent() {
        let unit = |code: &str, parent: &str| EventBody::UnitRecorded {
            code: code.parse().unwrap(),
            name: "x".into(),
            unit_kind: UnitKind::Village,
            parent: Some(parent.parse().unwrap()),
        };
        assert!(unit("5001001001", "5001001").validate().is_ok());
        assert!(unit("5001002001", "5001001").validate().is_err());
        assert!(unit("5001001", "5001001").validate().is_err());
    }
}
