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
    /// 选举 — one committee election (`election:<X>`): timetable, ticks, breaches.
    Election,
    /// 选民登记与计票台账 — the registers and tally of `election:<X>`, id `election_roll:<X>`.
    ElectionRoll,
    /// 节假日安排 — a district's holidays of one year (`holidays:<district>:<year>`).
    Holidays,
    // ── eligibility: entity kinds ──
    /// 资格审查规则包 — a district's copy of a rule pack (`rule_pack:…`).
    RulePack,
    /// 联审批次 — one village's preliminary candidates in the joint review (`review_batch:…`).
    ReviewBatch,
    // ── allowances: entity kinds ──
    /// 资格档案 — a community worker's qualification file (`qualification:<person>`).
    Qualification,
    /// 发放标准 — a district's allowance rate tables (`allowance_rates:<district>`).
    AllowanceRates,
    /// 发放花名册 — a payment roster.
    Roster,
    // ── training: entity kinds ──
    /// 培训计划
    TrainingPlan,
    /// 培训班
    TrainingClass,
    /// 课次 (with its attendance)
    TrainingSession,
}

impl EntityKind {
    pub const ALL: &'static [EntityKind] = &[
        EntityKind::Unit,
        EntityKind::Person,
        // ── elections ──
        EntityKind::Election,
        EntityKind::ElectionRoll,
        EntityKind::Holidays,
        // ── eligibility ──
        EntityKind::RulePack,
        EntityKind::ReviewBatch,
        // ── allowances ──
        EntityKind::Qualification,
        EntityKind::AllowanceRates,
        EntityKind::Roster,
        // ── training ──
        EntityKind::TrainingPlan,
        EntityKind::TrainingClass,
        EntityKind::TrainingSession,
    ];

    /// The stable name, used as the entity id prefix and in storage indexes.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Unit => "unit",
            EntityKind::Person => "person",
            // ── elections ──
            EntityKind::Election => "election",
            EntityKind::ElectionRoll => "election_roll",
            EntityKind::Holidays => "holidays",
            // ── eligibility ──
            EntityKind::RulePack => "rule_pack",
            EntityKind::ReviewBatch => "review_batch",
            // ── allowances ──
            EntityKind::Qualification => "qualification",
            EntityKind::AllowanceRates => "allowance_rates",
            EntityKind::Roster => "roster",
            // ── training ──
            EntityKind::TrainingPlan => "training_plan",
            EntityKind::TrainingClass => "training_class",
            EntityKind::TrainingSession => "training_session",
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
    /// 选举登记
    ElectionOpened(crate::election::ElectionOpened),
    /// 变更选举日
    ElectionDayMoved(crate::election::ElectionDayMoved),
    /// 确认步骤完成 (township supervisor)
    StepTicked(crate::election::StepTicked),
    /// 撤销确认
    StepUnticked(crate::election::StepUnticked),
    /// 补充材料 (village official)
    StepEdited(crate::election::StepEdited),
    /// 选民登记与计票 — every event of an election roll (`op` names which).
    ElectionRoll(crate::election::roll::RollEvent),
    /// 设定节假日 — a district's holidays and 调休 working days of one year (district admin).
    HolidaysSet(crate::election::holidays::HolidaysSet),

    // ── eligibility ──
    /// 复制规则包 (district admin).
    RulePackCloned(crate::eligibility::events::PackCloned),
    /// 修改规则包: rules on/off, parameters (district admin).
    RulePackChanged(crate::eligibility::events::PackChanged),
    /// 汇总初步候选人 (township).
    ReviewBatchCompiled(crate::eligibility::events::BatchCompiled),
    /// 报送县级联审 (township).
    ReviewBatchSent(crate::eligibility::events::BatchSent),
    /// 部门联审意见, with HIT details (department; read by it and district admins only).
    ReviewAnswered(crate::eligibility::events::DepartmentAnswers),
    /// 部门签署: results per rule and person, no details (department).
    ReviewSignedOff(crate::eligibility::events::DepartmentSignOff),
    /// 乡镇党委研究决定 on a WARN hit (township).
    WarnDecided(crate::eligibility::WarnDecision),
    /// 下发审查结论: verdict codes only, for the village (township).
    VerdictsIssued(crate::eligibility::events::IssuedVerdicts),

    // ── allowances ──
    /// 资格档案 — one fact of a worker's qualification file.
    QualificationRecorded(crate::allowance::records::QualificationFact),
    /// 发放标准 — a district rate table and its pro-rating rule.
    AllowanceRatesSet(crate::allowance::records::RatesSet),
    /// 编制名册
    RosterDrafted(crate::allowance::records::RosterDraft),
    /// 街道/乡镇审核
    RosterReviewed(crate::allowance::records::RosterReview),
    /// 退回修改
    RosterSentBack(crate::allowance::records::RosterSendBack),
    /// 区县审批 — the frozen roster.
    RosterApproved(crate::allowance::records::RosterApproval),

    // ── training ──
    /// 培训计划登记
    TrainingPlanRecorded(crate::training::events::PlanRecorded),
    /// 培训班登记
    TrainingClassRecorded(crate::training::events::ClassRecorded),
    /// 课次安排
    TrainingSessionScheduled(crate::training::events::SessionScheduled),
    /// 学员报名
    TraineesEnrolled(crate::training::events::TraineesEnrolled),
    /// 签到等考勤标记
    AttendanceMarked(crate::training::events::AttendanceMarked),
    /// 撤销考勤标记
    AttendanceUndone(crate::training::events::AttendanceUndone),
    /// 结业证书发放
    CertificatesIssued(crate::training::events::CertificatesIssued),
    /// 考核结果
    AssessmentRecorded(crate::training::events::AssessmentRecorded),
    /// 退学 / 免训 / 恢复在读
    EnrollmentChanged(crate::training::events::EnrollmentChanged),
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
    ("election_opened", 1),
    ("election_day_moved", 1),
    ("step_ticked", 1),
    ("step_unticked", 1),
    ("step_edited", 1),
    ("election_roll", 1),
    ("holidays_set", 1),
    // ── eligibility ──
    ("rule_pack_cloned", 1),
    ("rule_pack_changed", 1),
    ("review_batch_compiled", 1),
    ("review_batch_sent", 1),
    ("review_answered", 1),
    ("review_signed_off", 1),
    ("warn_decided", 1),
    ("verdicts_issued", 1),
    // ── allowances ──
    ("qualification_recorded", 1),
    ("allowance_rates_set", 1),
    ("roster_drafted", 1),
    ("roster_reviewed", 1),
    ("roster_sent_back", 1),
    ("roster_approved", 1),
    // ── training ──
    ("training_plan_recorded", 1),
    ("training_class_recorded", 1),
    ("training_session_scheduled", 1),
    ("trainees_enrolled", 1),
    ("attendance_marked", 1),
    ("attendance_undone", 1),
    ("certificates_issued", 1),
    ("assessment_recorded", 1),
    ("enrollment_changed", 1),
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
            EventBody::ElectionOpened(_) => "election_opened",
            EventBody::ElectionDayMoved(_) => "election_day_moved",
            EventBody::StepTicked(_) => "step_ticked",
            EventBody::StepUnticked(_) => "step_unticked",
            EventBody::StepEdited(_) => "step_edited",
            EventBody::ElectionRoll(_) => "election_roll",
            EventBody::HolidaysSet(_) => "holidays_set",

            // ── eligibility ──
            EventBody::RulePackCloned(_) => "rule_pack_cloned",
            EventBody::RulePackChanged(_) => "rule_pack_changed",
            EventBody::ReviewBatchCompiled(_) => "review_batch_compiled",
            EventBody::ReviewBatchSent(_) => "review_batch_sent",
            EventBody::ReviewAnswered(_) => "review_answered",
            EventBody::ReviewSignedOff(_) => "review_signed_off",
            EventBody::WarnDecided(_) => "warn_decided",
            EventBody::VerdictsIssued(_) => "verdicts_issued",

            // ── allowances ──
            EventBody::QualificationRecorded(_) => "qualification_recorded",
            EventBody::AllowanceRatesSet(_) => "allowance_rates_set",
            EventBody::RosterDrafted(_) => "roster_drafted",
            EventBody::RosterReviewed(_) => "roster_reviewed",
            EventBody::RosterSentBack(_) => "roster_sent_back",
            EventBody::RosterApproved(_) => "roster_approved",

            // ── training ──
            EventBody::TrainingPlanRecorded(_) => "training_plan_recorded",
            EventBody::TrainingClassRecorded(_) => "training_class_recorded",
            EventBody::TrainingSessionScheduled(_) => "training_session_scheduled",
            EventBody::TraineesEnrolled(_) => "trainees_enrolled",
            EventBody::AttendanceMarked(_) => "attendance_marked",
            EventBody::AttendanceUndone(_) => "attendance_undone",
            EventBody::CertificatesIssued(_) => "certificates_issued",
            EventBody::AssessmentRecorded(_) => "assessment_recorded",
            EventBody::EnrollmentChanged(_) => "enrollment_changed",
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
            EventBody::ElectionOpened(_)
            | EventBody::ElectionDayMoved(_)
            | EventBody::StepTicked(_)
            | EventBody::StepUnticked(_)
            | EventBody::StepEdited(_) => Some(EntityKind::Election),
            EventBody::ElectionRoll(_) => Some(EntityKind::ElectionRoll),
            EventBody::HolidaysSet(_) => Some(EntityKind::Holidays),

            // ── eligibility ──
            EventBody::RulePackCloned(_) | EventBody::RulePackChanged(_) => {
                Some(EntityKind::RulePack)
            }
            EventBody::ReviewBatchCompiled(_)
            | EventBody::ReviewBatchSent(_)
            | EventBody::ReviewAnswered(_)
            | EventBody::ReviewSignedOff(_)
            | EventBody::WarnDecided(_)
            | EventBody::VerdictsIssued(_) => Some(EntityKind::ReviewBatch),

            // ── allowances ──
            EventBody::QualificationRecorded(_) => Some(EntityKind::Qualification),
            EventBody::AllowanceRatesSet(_) => Some(EntityKind::AllowanceRates),
            EventBody::RosterDrafted(_)
            | EventBody::RosterReviewed(_)
            | EventBody::RosterSentBack(_)
            | EventBody::RosterApproved(_) => Some(EntityKind::Roster),

            // ── training ──
            EventBody::TrainingPlanRecorded(_) => Some(EntityKind::TrainingPlan),
            EventBody::TrainingClassRecorded(_)
            | EventBody::TraineesEnrolled(_)
            | EventBody::CertificatesIssued(_)
            | EventBody::AssessmentRecorded(_)
            | EventBody::EnrollmentChanged(_) => Some(EntityKind::TrainingClass),
            EventBody::TrainingSessionScheduled(_)
            | EventBody::AttendanceMarked(_)
            | EventBody::AttendanceUndone(_) => Some(EntityKind::TrainingSession),
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
            EventBody::ElectionOpened(b) => Ok(b.validate()?),
            EventBody::ElectionDayMoved(b) => Ok(b.validate()?),
            EventBody::StepTicked(b) => Ok(b.validate()?),
            EventBody::StepUnticked(b) => Ok(b.validate()?),
            EventBody::StepEdited(b) => Ok(b.validate()?),
            EventBody::ElectionRoll(ev) => {
                crate::election::roll::validate_event(ev).map_err(|e| invalid(e.to_string()))
            }
            EventBody::HolidaysSet(set) => set.validate().map_err(|e| invalid(e.to_string())),

            // ── eligibility ──
            EventBody::RulePackCloned(c) => c.validate(),
            EventBody::RulePackChanged(c) => c.validate(),
            EventBody::ReviewBatchCompiled(c) => c.validate(),
            EventBody::ReviewBatchSent(_) => Ok(()),
            EventBody::ReviewAnswered(a) => a.validate(),
            EventBody::ReviewSignedOff(s) => s.validate(),
            EventBody::WarnDecided(d) => d.validate(),
            EventBody::VerdictsIssued(v) => v.validate(),

            // ── allowances ──
            EventBody::QualificationRecorded(fact) => fact
                .validate()
                .map_err(crate::allowance::records::body_error),
            EventBody::AllowanceRatesSet(set) => set
                .validate()
                .map_err(crate::allowance::records::body_error),
            EventBody::RosterDrafted(draft) => draft
                .validate()
                .map_err(crate::allowance::records::body_error),
            EventBody::RosterReviewed(review) => review
                .validate()
                .map_err(crate::allowance::records::body_error),
            EventBody::RosterSentBack(back) => back
                .validate()
                .map_err(crate::allowance::records::body_error),
            EventBody::RosterApproved(approval) => approval
                .validate()
                .map_err(crate::allowance::records::body_error),

            // ── training ──
            EventBody::TrainingPlanRecorded(_)
            | EventBody::TrainingClassRecorded(_)
            | EventBody::TrainingSessionScheduled(_)
            | EventBody::TraineesEnrolled(_)
            | EventBody::AttendanceMarked(_)
            | EventBody::AttendanceUndone(_)
            | EventBody::CertificatesIssued(_)
            | EventBody::AssessmentRecorded(_)
            | EventBody::EnrollmentChanged(_) => crate::training::events::validate_body(self)
                .map_err(|e| invalid(format!("{}: {e}", self.kind_name()))),
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
        let mut bodies = vec![
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
        ];
        // The module samples are built by each module's own test helpers.
        bodies.extend(module_samples());
        bodies
    }

    /// One sample body of every module event kind.
    fn module_samples() -> Vec<EventBody> {
        vec![
            // ── elections ──
            EventBody::ElectionOpened(crate::election::record::tests::opened()),
            EventBody::ElectionDayMoved(crate::election::ElectionDayMoved {
                election_day: NaiveDate::from_ymd_opt(2026, 4, 5).unwrap(),
                reason: "与春耕冲突".into(),
            }),
            EventBody::StepTicked(crate::election::record::tests::ticked(
                crate::election::StepCode::V05,
                NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            )),
            EventBody::StepUnticked(crate::election::StepUnticked {
                step: crate::election::StepCode::V05,
                reason: "公告照片不清".into(),
            }),
            EventBody::StepEdited(crate::election::StepEdited {
                step: crate::election::StepCode::V05,
                notes: "补拍公告照片".into(),
                evidence: vec![crate::ids::Hash::of(b"photo")],
            }),
            EventBody::ElectionRoll(crate::election::roll::tests::sample_event()),
            EventBody::HolidaysSet(crate::election::holidays::tests::national_day_2026()),
            // ── eligibility ──
            EventBody::RulePackCloned(crate::eligibility::events::PackCloned {
                pack: crate::eligibility::RulePack::cq_candidate_2021()
                    .clone_as("CQ-candidate-2026")
                    .unwrap(),
                source_id: "CQ-candidate-2021".into(),
                source_version: 1,
            }),
            EventBody::RulePackChanged(crate::eligibility::events::PackChanged {
                base_version: 1,
                changes: vec![crate::eligibility::PackChange::SetEnabled {
                    rule: crate::eligibility::RuleId::new("N18"),
                    enabled: false,
                }],
            }),
            EventBody::ReviewBatchCompiled(crate::eligibility::events::tests::compiled()),
            EventBody::ReviewBatchSent(crate::eligibility::events::BatchSent {}),
            EventBody::ReviewAnswered(crate::eligibility::events::tests::answers()),
            EventBody::ReviewSignedOff(crate::eligibility::events::tests::sign_off()),
            EventBody::WarnDecided(crate::eligibility::events::tests::decision()),
            EventBody::VerdictsIssued(crate::eligibility::events::IssuedVerdicts {
                verdicts: vec![crate::eligibility::events::IssuedVerdict {
                    person: "person:01ARZ3NDEKTSV4RRFFQ69G5FAV".parse().unwrap(),
                    code: crate::eligibility::VerdictCode::Clear,
                }],
            }),
            // ── allowances ──
            crate::allowance::records::tests::sample_fact(),
            crate::allowance::records::tests::sample_rates(),
            crate::allowance::records::tests::sample_draft(),
            crate::allowance::records::tests::sample_review(),
            crate::allowance::records::tests::sample_send_back(),
            crate::allowance::records::tests::sample_approval(),
            // ── training ──
            crate::training::events::tests::sample("training_plan_recorded"),
            crate::training::events::tests::sample("training_class_recorded"),
            crate::training::events::tests::sample("training_session_scheduled"),
            crate::training::events::tests::sample("trainees_enrolled"),
            crate::training::events::tests::sample("attendance_marked"),
            crate::training::events::tests::sample("attendance_undone"),
            crate::training::events::tests::sample("certificates_issued"),
            crate::training::events::tests::sample("assessment_recorded"),
            crate::training::events::tests::sample("enrollment_changed"),
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
