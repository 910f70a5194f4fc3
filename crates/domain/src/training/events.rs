//! Training as events: what a trainer records (plans, classes, sessions, enrolment, withdrawal
//! and exemption, attendance marks and their undo, assessment results, certificates), the
//! projections folded from them (`ClassDoc`,
//! `SessionDoc`, `PlanDoc` — stored as the entity's JSON document), and the ownership rule:
//! a trainer writes only about classes they own; a district admin about any in their scope.
//!
//! Every event about a class or its sessions names the class's `owner`. The server refuses a
//! trainer's event naming someone else; the projection ignores any event whose `owner` is not
//! the one the class (or session) was recorded with, so no one can take over another's class.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::certificate::{CertificateNumber, TrainingCertificate};
use super::completion::{Completion, CompletionRules, assess_completion};
use super::entities::{
    Assessment, AssessmentRequirement, AssessmentResult, Attendance, Enrollment, EnrollmentStatus,
    OrganiserLevel, Presence, Session, Slot, TargetGroup, Topic, TrainingClass, Venue,
};
use super::hours::{HoursRules, StudyHours};
use crate::authz::Role;
use crate::event::{EntityKind, Event, EventBody};
use crate::ids::{EntityId, UnitId, UserId};
use crate::sync::{Profile, RejectReason};

/// 年度培训计划登记.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecorded {
    pub year: i32,
    pub name: String,
    pub organiser_level: OrganiserLevel,
    pub target_groups: Vec<TargetGroup>,
}

/// 培训班登记 (or its correction by the same owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassRecorded {
    /// The trainer who runs the class.
    pub owner: UserId,
    pub plan: Option<EntityId>,
    pub name: String,
    /// 主办单位
    pub organiser: String,
    pub organiser_code: String,
    /// 承办单位
    pub contractor: Option<String>,
    pub target_group: TargetGroup,
    pub topics: Vec<Topic>,
    pub year: i32,
    /// 期次
    pub seq: u32,
    pub assessment: AssessmentRequirement,
}

/// 课次安排.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionScheduled {
    pub owner: UserId,
    pub class: EntityId,
    pub date: NaiveDate,
    pub slot: Slot,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
    pub venue: Venue,
    pub instructor: String,
    pub planned: StudyHours,
}

/// One enrolled person, with what the door screen shows of them (so the roster reads without
/// opening the directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trainee {
    pub person: EntityId,
    pub name: String,
    /// `5001**********1234`
    pub id_masked: String,
    pub unit: UnitId,
}

/// 学员报名 — people added to a class (already enrolled ones are skipped by the fold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraineesEnrolled {
    pub owner: UserId,
    pub trainees: Vec<Trainee>,
}

/// 签到/迟到/早退/请假 — one person's mark at a session; the latest one counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceMarked {
    pub owner: UserId,
    pub person: EntityId,
    pub presence: Presence,
}

/// 撤销 — takes back the person's latest mark at a session (the one before it counts again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceUndone {
    pub owner: UserId,
    pub person: EntityId,
}

/// 结业证书发放 — numbers fixed once issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatesIssued {
    pub owner: UserId,
    pub certificates: Vec<TrainingCertificate>,
}

/// 考核结果 — one trainee's assessment in the class (合格/不合格, the score if there was one,
/// the day). A later result for the same trainee (补考) replaces the earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentRecorded {
    pub owner: UserId,
    pub person: EntityId,
    pub result: AssessmentResult,
    pub score: Option<u32>,
    pub on: NaiveDate,
}

/// 退学/取消报名 (`Withdrawn`), 免训 (`Exempted`) or back to 在读 (`Enrolled`), with the reason.
/// A withdrawn trainee leaves the door list, the completion list and the rates; enrolling them
/// again brings them back with the marks they had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentChanged {
    pub owner: UserId,
    pub person: EntityId,
    pub status: EnrollmentStatus,
    pub reason: String,
}

/// Highest assessment score accepted (a 100-point test).
pub const MAX_SCORE: u32 = 100;

/// Why a training event body is not acceptable (shown in Chinese in the app).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrainingError {
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("the year {0} is out of range")]
    BadYear(i32),
    #[error("the class number must be at least 1")]
    BadSeq,
    #[error("the organiser code {0:?} must be 1 to 12 capital letters or digits")]
    BadOrganiserCode(String),
    #[error("the session must end after it starts")]
    BadTimes,
    #[error("a session must plan more than 0 and at most 12 study hours")]
    BadPlannedHours,
    #[error("{0} is not a {1}")]
    WrongKind(EntityId, &'static str),
    #[error("the same person is listed twice")]
    Duplicate,
    #[error("a score is a whole number from 0 to {MAX_SCORE}")]
    BadScore,
    #[error("{0} is not a trainee of this class")]
    NotEnrolled(String),
    #[error("{0} already has that status")]
    SameStatus(String),
    #[error("{0} already holds this class's certificate")]
    CertificateIssued(String),
}

impl TrainingError {
    pub fn message_zh(&self) -> String {
        match self {
            TrainingError::Empty(what) => format!("{}不能为空", field_zh(what)),
            TrainingError::BadYear(y) => format!("年度{y}不正确，请填写如2026的年份"),
            TrainingError::BadSeq => "期次至少为1".into(),
            TrainingError::BadOrganiserCode(c) => {
                format!("主办单位代码“{c}”应为1至12位大写字母或数字，例如NA")
            }
            TrainingError::BadTimes => "结束时间应晚于开始时间".into(),
            TrainingError::BadPlannedHours => "计划学时应大于0且不超过12".into(),
            TrainingError::WrongKind(id, what) => format!("{id}不是{}", field_zh(what)),
            TrainingError::Duplicate => "同一人员重复列出".into(),
            TrainingError::BadScore => format!("考核成绩应为0至{MAX_SCORE}之间的整数"),
            TrainingError::NotEnrolled(name) => format!("{name}不在本班在读学员中"),
            TrainingError::SameStatus(name) => format!("{name}已是该状态，无需重复操作"),
            TrainingError::CertificateIssued(name) => {
                format!("{name}已发结业证书，不能再退学或免训")
            }
        }
    }
}

fn field_zh(what: &str) -> &str {
    match what {
        "name" => "名称",
        "organiser" => "主办单位",
        "instructor" => "授课人",
        "venue" => "地点",
        "trainees" => "学员名单",
        "certificates" => "证书",
        "reason" => "请假事由",
        "class" => "培训班",
        "person" => "人员",
        "plan" => "培训计划",
        "status_reason" => "原因",
        other => other,
    }
}

fn non_empty(what: &'static str, s: &str) -> Result<(), TrainingError> {
    if s.trim().is_empty() {
        Err(TrainingError::Empty(what))
    } else {
        Ok(())
    }
}

fn kind(id: &EntityId, kind: EntityKind, what: &'static str) -> Result<(), TrainingError> {
    if EntityKind::of(id) == Some(kind) {
        Ok(())
    } else {
        Err(TrainingError::WrongKind(id.clone(), what))
    }
}

fn year_ok(year: i32) -> Result<(), TrainingError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(TrainingError::BadYear(year))
    }
}

impl PlanRecorded {
    pub fn validate(&self) -> Result<(), TrainingError> {
        year_ok(self.year)?;
        non_empty("name", &self.name)
    }
}

impl ClassRecorded {
    pub fn validate(&self) -> Result<(), TrainingError> {
        non_empty("name", &self.name)?;
        non_empty("organiser", &self.organiser)?;
        year_ok(self.year)?;
        if self.seq == 0 {
            return Err(TrainingError::BadSeq);
        }
        CertificateNumber::new(self.year, &self.organiser_code, self.seq, 1)
            .map_err(|_| TrainingError::BadOrganiserCode(self.organiser_code.clone()))?;
        if let Some(plan) = &self.plan {
            kind(plan, EntityKind::TrainingPlan, "plan")?;
        }
        Ok(())
    }

    /// The class as the rules read it.
    pub fn to_class(&self, id: &EntityId) -> TrainingClass {
        TrainingClass {
            id: id.clone(),
            plan: self.plan.clone(),
            name: self.name.clone(),
            organiser: self.organiser.clone(),
            organiser_code: self.organiser_code.clone(),
            contractor: self.contractor.clone(),
            target_group: self.target_group,
            topics: self.topics.clone(),
            year: self.year,
            seq: self.seq,
            assessment: self.assessment,
        }
    }
}

impl SessionScheduled {
    pub fn validate(&self) -> Result<(), TrainingError> {
        kind(&self.class, EntityKind::TrainingClass, "class")?;
        non_empty("instructor", &self.instructor)?;
        match &self.venue {
            Venue::Site(s) => non_empty("venue", s)?,
            Venue::Online { platform } => non_empty("venue", platform)?,
        }
        if self.ends_at <= self.starts_at {
            return Err(TrainingError::BadTimes);
        }
        if self.planned == StudyHours::ZERO || self.planned > StudyHours::hours(12) {
            return Err(TrainingError::BadPlannedHours);
        }
        Ok(())
    }

    pub fn to_session(&self, id: &EntityId) -> Session {
        Session {
            id: id.clone(),
            class: self.class.clone(),
            date: self.date,
            slot: self.slot,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            venue: self.venue.clone(),
            instructor: self.instructor.clone(),
            planned: self.planned,
        }
    }
}

impl TraineesEnrolled {
    pub fn validate(&self) -> Result<(), TrainingError> {
        if self.trainees.is_empty() {
            return Err(TrainingError::Empty("trainees"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &self.trainees {
            kind(&t.person, EntityKind::Person, "person")?;
            non_empty("name", &t.name)?;
            if !seen.insert(&t.person) {
                return Err(TrainingError::Duplicate);
            }
        }
        Ok(())
    }
}

impl AttendanceMarked {
    pub fn validate(&self) -> Result<(), TrainingError> {
        kind(&self.person, EntityKind::Person, "person")?;
        match &self.presence {
            Presence::Present {
                signed_in,
                signed_out: Some(out),
                ..
            } if out <= signed_in => Err(TrainingError::BadTimes),
            Presence::Leave { reason, .. } => non_empty("reason", reason),
            _ => Ok(()),
        }
    }
}

impl AssessmentRecorded {
    pub fn validate(&self) -> Result<(), TrainingError> {
        kind(&self.person, EntityKind::Person, "person")?;
        if self.score.is_some_and(|s| s > MAX_SCORE) {
            return Err(TrainingError::BadScore);
        }
        Ok(())
    }
}

impl EnrollmentChanged {
    pub fn validate(&self) -> Result<(), TrainingError> {
        kind(&self.person, EntityKind::Person, "person")?;
        if self.status != EnrollmentStatus::Enrolled {
            non_empty("status_reason", &self.reason)?;
        }
        Ok(())
    }
}

/// A score as typed: empty for none, else a whole number from 0 to `MAX_SCORE`.
pub fn parse_score(text: &str) -> Result<Option<u32>, TrainingError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(score) if score <= MAX_SCORE => Ok(Some(score)),
        _ => Err(TrainingError::BadScore),
    }
}

/// The body-level check of every training event (`EventBody::validate`).
pub fn validate_body(body: &EventBody) -> Result<(), TrainingError> {
    match body {
        EventBody::TrainingPlanRecorded(b) => b.validate(),
        EventBody::TrainingClassRecorded(b) => b.validate(),
        EventBody::TrainingSessionScheduled(b) => b.validate(),
        EventBody::TraineesEnrolled(b) => b.validate(),
        EventBody::AttendanceMarked(b) => b.validate(),
        EventBody::AttendanceUndone(b) => kind(&b.person, EntityKind::Person, "person"),
        EventBody::AssessmentRecorded(b) => b.validate(),
        EventBody::EnrollmentChanged(b) => b.validate(),
        EventBody::CertificatesIssued(b) => {
            if b.certificates.is_empty() {
                return Err(TrainingError::Empty("certificates"));
            }
            b.certificates
                .iter()
                .try_for_each(|c| kind(&c.person, EntityKind::Person, "person"))
        }
        _ => Ok(()),
    }
}

/// The class owner an event names; `None` for plans and non-training events.
pub fn owner_of(body: &EventBody) -> Option<&UserId> {
    match body {
        EventBody::TrainingClassRecorded(b) => Some(&b.owner),
        EventBody::TrainingSessionScheduled(b) => Some(&b.owner),
        EventBody::TraineesEnrolled(b) => Some(&b.owner),
        EventBody::AttendanceMarked(b) => Some(&b.owner),
        EventBody::AttendanceUndone(b) => Some(&b.owner),
        EventBody::CertificatesIssued(b) => Some(&b.owner),
        EventBody::AssessmentRecorded(b) => Some(&b.owner),
        EventBody::EnrollmentChanged(b) => Some(&b.owner),
        _ => None,
    }
}

/// The ownership part of `authorize_event`: a trainer may write about their own classes only.
/// (Other roles that may write training events — district admins — act on any class in scope.)
pub fn authorize_owner(profile: &Profile, ev: &Event) -> Result<(), RejectReason> {
    match owner_of(&ev.body) {
        Some(owner) if profile.role == Role::Trainer && *owner != profile.user => {
            Err(RejectReason::NotPermitted)
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Projections

/// A plan as folded.
pub type PlanDoc = PlanRecorded;

/// A class as folded: what it was recorded with, who was ever enrolled (in enrolment order),
/// who is withdrawn or exempted now, the latest assessment of each trainee and the certificates
/// issued.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClassDoc {
    pub class: Option<ClassRecorded>,
    pub trainees: Vec<Trainee>,
    pub certificates: Vec<TrainingCertificate>,
    /// Trainees not 在读: withdrawn or exempted, with the reason.
    #[serde(default)]
    pub statuses: BTreeMap<EntityId, StatusNote>,
    #[serde(default)]
    pub assessments: BTreeMap<EntityId, AssessmentNote>,
}

/// A trainee's status other than 在读, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusNote {
    pub status: EnrollmentStatus,
    pub reason: String,
}

/// A trainee's latest assessment result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentNote {
    pub result: AssessmentResult,
    pub score: Option<u32>,
    pub on: NaiveDate,
}

impl ClassDoc {
    fn status_of(&self, person: &EntityId) -> EnrollmentStatus {
        self.statuses
            .get(person)
            .map_or(EnrollmentStatus::Enrolled, |n| n.status)
    }

    /// The trainees still in the class (enrolled or exempted), in enrolment order.
    pub fn active_trainees(&self) -> impl Iterator<Item = &Trainee> {
        self.trainees
            .iter()
            .filter(|t| self.status_of(&t.person) != EnrollmentStatus::Withdrawn)
    }
}

/// A session as folded, with every person's marks (oldest first; the last one counts, an undo
/// removes the last).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionDoc {
    pub session: Option<SessionScheduled>,
    pub marks: BTreeMap<EntityId, Vec<Presence>>,
}

impl SessionDoc {
    /// The mark that counts for each person (no entry: absent).
    pub fn current(&self) -> impl Iterator<Item = (&EntityId, &Presence)> {
        self.marks
            .iter()
            .filter_map(|(p, marks)| marks.last().map(|m| (p, m)))
    }

    pub fn attendance(&self, id: &EntityId) -> Vec<Attendance> {
        self.current()
            .map(|(person, presence)| Attendance {
                person: person.clone(),
                session: id.clone(),
                presence: presence.clone(),
            })
            .collect()
    }
}

fn read<T: Default + for<'de> Deserialize<'de>>(doc: &Map<String, Value>) -> T {
    if doc.is_empty() {
        T::default()
    } else {
        serde_json::from_value(Value::Object(doc.clone())).unwrap_or_default()
    }
}

fn write<T: Serialize>(doc: &mut Map<String, Value>, value: &T) {
    if let Ok(Value::Object(map)) = serde_json::to_value(value) {
        *doc = map;
    }
}

fn owned(current: Option<&UserId>, named: &UserId) -> bool {
    current.is_none_or(|o| o == named)
}

/// Folds one training event into its entity's document (called by `projection::apply`).
pub fn fold_into(doc: &mut Map<String, Value>, body: &EventBody) {
    match body {
        EventBody::TrainingPlanRecorded(b) => write(doc, b),
        EventBody::TrainingClassRecorded(b) => {
            let mut d: ClassDoc = read(doc);
            if owned(d.class.as_ref().map(|c| &c.owner), &b.owner) {
                d.class = Some(b.clone());
            }
            write(doc, &d);
        }
        EventBody::TraineesEnrolled(b) => {
            let mut d: ClassDoc = read(doc);
            if d.class.as_ref().is_some_and(|c| c.owner == b.owner) {
                for t in &b.trainees {
                    if !d.trainees.iter().any(|x| x.person == t.person) {
                        d.trainees.push(t.clone());
                    } else if d.status_of(&t.person) == EnrollmentStatus::Withdrawn {
                        // 重新报名: back in the class with the marks they had.
                        d.statuses.remove(&t.person);
                    }
                }
            }
            write(doc, &d);
        }
        EventBody::EnrollmentChanged(b) => {
            let mut d: ClassDoc = read(doc);
            if d.class.as_ref().is_some_and(|c| c.owner == b.owner)
                && d.trainees.iter().any(|t| t.person == b.person)
            {
                if b.status == EnrollmentStatus::Enrolled {
                    d.statuses.remove(&b.person);
                } else {
                    d.statuses.insert(
                        b.person.clone(),
                        StatusNote {
                            status: b.status,
                            reason: b.reason.clone(),
                        },
                    );
                }
            }
            write(doc, &d);
        }
        EventBody::AssessmentRecorded(b) => {
            let mut d: ClassDoc = read(doc);
            if d.class.as_ref().is_some_and(|c| c.owner == b.owner)
                && d.active_trainees().any(|t| t.person == b.person)
            {
                d.assessments.insert(
                    b.person.clone(),
                    AssessmentNote {
                        result: b.result,
                        score: b.score,
                        on: b.on,
                    },
                );
            }
            write(doc, &d);
        }
        EventBody::CertificatesIssued(b) => {
            let mut d: ClassDoc = read(doc);
            if d.class.as_ref().is_some_and(|c| c.owner == b.owner) {
                for c in &b.certificates {
                    let taken = d
                        .certificates
                        .iter()
                        .any(|x| x.person == c.person || x.number == c.number);
                    if !taken {
                        d.certificates.push(c.clone());
                    }
                }
            }
            write(doc, &d);
        }
        EventBody::TrainingSessionScheduled(b) => {
            let mut d: SessionDoc = read(doc);
            if owned(d.session.as_ref().map(|s| &s.owner), &b.owner) {
                d.session = Some(b.clone());
            }
            write(doc, &d);
        }
        EventBody::AttendanceMarked(b) => {
            let mut d: SessionDoc = read(doc);
            if d.session.as_ref().is_some_and(|s| s.owner == b.owner) {
                d.marks
                    .entry(b.person.clone())
                    .or_default()
                    .push(b.presence.clone());
            }
            write(doc, &d);
        }
        EventBody::AttendanceUndone(b) => {
            let mut d: SessionDoc = read(doc);
            if d.session.as_ref().is_some_and(|s| s.owner == b.owner)
                && let Some(marks) = d.marks.get_mut(&b.person)
            {
                marks.pop();
                if marks.is_empty() {
                    d.marks.remove(&b.person);
                }
            }
            write(doc, &d);
        }
        _ => {}
    }
}

/// Reads a projected document back as its typed view.
pub fn class_doc(doc: &Value) -> ClassDoc {
    serde_json::from_value(doc.clone()).unwrap_or_default()
}

pub fn session_doc(doc: &Value) -> SessionDoc {
    serde_json::from_value(doc.clone()).unwrap_or_default()
}

pub fn plan_doc(doc: &Value) -> Option<PlanDoc> {
    serde_json::from_value(doc.clone()).ok()
}

// ---------------------------------------------------------------------------------------------
// Class report: completion and certificates from the folded class and its sessions

/// A class with its sessions (those recorded by the class's owner), ready for the rules.
#[derive(Debug, Clone)]
pub struct ClassFile {
    pub class: TrainingClass,
    pub owner: UserId,
    /// The trainees in the class (enrolled or exempted): the door list and the completion list.
    pub trainees: Vec<Trainee>,
    /// 退学/取消报名, with the reason: out of the lists and the rates.
    pub withdrawn: Vec<(Trainee, String)>,
    /// 免训, with the reason: listed apart, never completed, no certificate.
    pub exempted: BTreeMap<EntityId, String>,
    pub assessments: BTreeMap<EntityId, AssessmentNote>,
    pub certificates: Vec<TrainingCertificate>,
    /// Sessions in date and slot order.
    pub sessions: Vec<(Session, SessionDoc)>,
}

impl ClassFile {
    /// Builds the file of class `id` from its document and the session documents found (any
    /// order; sessions of other classes or owners are left out). `None` until the class itself
    /// is recorded.
    pub fn new(id: &EntityId, doc: &ClassDoc, sessions: &[(EntityId, SessionDoc)]) -> Option<Self> {
        let recorded = doc.class.as_ref()?;
        let mut mine: Vec<(Session, SessionDoc)> = sessions
            .iter()
            .filter_map(|(sid, sd)| {
                let s = sd.session.as_ref()?;
                (s.class == *id && s.owner == recorded.owner)
                    .then(|| (s.to_session(sid), sd.clone()))
            })
            .collect();
        mine.sort_by(|a, b| (a.0.date, a.0.slot, &a.0.id).cmp(&(b.0.date, b.0.slot, &b.0.id)));
        let reason_if = |t: &Trainee, status| {
            doc.statuses
                .get(&t.person)
                .filter(|n| n.status == status)
                .map(|n| n.reason.clone())
        };
        Some(ClassFile {
            class: recorded.to_class(id),
            owner: recorded.owner.clone(),
            trainees: doc.active_trainees().cloned().collect(),
            withdrawn: doc
                .trainees
                .iter()
                .filter_map(|t| Some((t.clone(), reason_if(t, EnrollmentStatus::Withdrawn)?)))
                .collect(),
            exempted: doc
                .trainees
                .iter()
                .filter_map(|t| Some((t.person.clone(), reason_if(t, EnrollmentStatus::Exempted)?)))
                .collect(),
            assessments: doc.assessments.clone(),
            certificates: doc.certificates.clone(),
            sessions: mine,
        })
    }

    pub fn planned(&self) -> StudyHours {
        self.sessions.iter().map(|(s, _)| s.planned).sum()
    }

    /// The trainee's status in the class (`Withdrawn` for someone no longer in it or never in it).
    pub fn status_of(&self, person: &EntityId) -> EnrollmentStatus {
        if self.exempted.contains_key(person) {
            EnrollmentStatus::Exempted
        } else if self.trainees.iter().any(|t| &t.person == person) {
            EnrollmentStatus::Enrolled
        } else {
            EnrollmentStatus::Withdrawn
        }
    }

    fn name_of(&self, person: &EntityId) -> String {
        self.trainees
            .iter()
            .chain(self.withdrawn.iter().map(|(t, _)| t))
            .find(|t| &t.person == person)
            .map_or_else(|| person.to_string(), |t| t.name.clone())
    }

    /// Whether a trainee's status may change to `to`: they are (or were) in the class, the
    /// status differs, and withdrawing or exempting someone who already holds the certificate
    /// is refused (its number is fixed).
    pub fn check_status_change(
        &self,
        person: &EntityId,
        to: EnrollmentStatus,
    ) -> Result<(), TrainingError> {
        let name = self.name_of(person);
        let known = self.trainees.iter().any(|t| &t.person == person)
            || self.withdrawn.iter().any(|(t, _)| &t.person == person);
        if !known {
            return Err(TrainingError::NotEnrolled(name));
        }
        if self.status_of(person) == to {
            return Err(TrainingError::SameStatus(name));
        }
        if to != EnrollmentStatus::Enrolled && self.certificates.iter().any(|c| &c.person == person)
        {
            return Err(TrainingError::CertificateIssued(name));
        }
        Ok(())
    }

    /// Whether an assessment may be recorded for `person`: a trainee in the class.
    pub fn check_assessment(&self, person: &EntityId) -> Result<(), TrainingError> {
        if self.trainees.iter().any(|t| &t.person == person) {
            Ok(())
        } else {
            Err(TrainingError::NotEnrolled(self.name_of(person)))
        }
    }

    /// Completion of every trainee in the class (not the withdrawn), in enrolment order, with
    /// their assessment where the class requires one and the exempted marked 免训.
    pub fn completions(&self, hours: &HoursRules, rules: &CompletionRules) -> Vec<Completion> {
        let sessions: Vec<Session> = self.sessions.iter().map(|(s, _)| s.clone()).collect();
        let attendance: Vec<Attendance> = self
            .sessions
            .iter()
            .flat_map(|(s, d)| d.attendance(&s.id))
            .collect();
        self.trainees
            .iter()
            .map(|t| {
                let enrollment = Enrollment {
                    person: t.person.clone(),
                    class: self.class.id.clone(),
                    status: self.status_of(&t.person),
                };
                let assessment = self.assessments.get(&t.person).map(|a| Assessment {
                    person: t.person.clone(),
                    class: self.class.id.clone(),
                    result: a.result,
                    score: a.score,
                });
                assess_completion(
                    &self.class,
                    &enrollment,
                    &sessions,
                    &attendance,
                    assessment.as_ref(),
                    hours,
                    rules,
                )
            })
            .collect()
    }

    /// Certificates still to issue: completed trainees without one, serials continuing after
    /// the highest already issued (so issuing twice never renumbers anyone).
    pub fn certificates_to_issue(
        &self,
        completions: &[Completion],
    ) -> Result<Vec<TrainingCertificate>, super::CertificateError> {
        let next = self
            .certificates
            .iter()
            .map(|c| c.number.serial())
            .max()
            .unwrap_or(0);
        completions
            .iter()
            .filter(|c| c.is_completed())
            .filter(|c| !self.certificates.iter().any(|x| x.person == c.person))
            .zip(next + 1..)
            .map(|(c, serial)| TrainingCertificate::issue(&self.class, c, serial))
            .collect()
    }
}

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests {
    // Without `test`, only the sample bodies are used (the permission matrix of `testing`).
    #![cfg_attr(not(test), allow(dead_code, unused_imports))]
    use super::*;
    use crate::authz::{authorize_event, may_read_event};
    use crate::event::tests::NOW;
    use crate::event::{DeviceLog, NewEvent};
    use crate::projection::fold_all;
    use crate::training::completion::Outcome;
    use crate::training::entities::SignInMethod;

    const DISTRICT: &str = "5099";

    fn user(u: &str) -> UserId {
        u.parse().unwrap()
    }

    fn class_body(owner: &str) -> ClassRecorded {
        ClassRecorded {
            owner: user(owner),
            plan: None,
            name: "2026年村“两委”成员培训班".into(),
            organiser: "演示区民政局".into(),
            organiser_code: "YS".into(),
            contractor: None,
            target_group: TargetGroup::VillageCommittees,
            topics: vec![Topic::SelfGovernanceCharter, Topic::VillageRules],
            year: 2026,
            seq: 3,
            assessment: AssessmentRequirement::NotRequired,
        }
    }

    fn session_body(owner: &str, day: u32, tenths: u32) -> SessionScheduled {
        SessionScheduled {
            owner: user(owner),
            class: "training_class:c1".parse().unwrap(),
            date: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
            slot: Slot::Am,
            starts_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            ends_at: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            venue: Venue::Site("区党校".into()),
            instructor: "王老师".into(),
            planned: StudyHours::from_tenths(tenths),
        }
    }

    fn trainee(n: u32) -> Trainee {
        Trainee {
            person: format!("person:p{n}").parse().unwrap(),
            name: format!("学员{n}"),
            id_masked: "5099**********0011".into(),
            unit: "5099001001".parse().unwrap(),
        }
    }

    fn on_time() -> Presence {
        Presence::Present {
            signed_in: NaiveTime::from_hms_opt(8, 55, 0).unwrap(),
            signed_out: None,
            method: SignInMethod::RollCall,
        }
    }

    fn late(minutes: u32) -> Presence {
        Presence::Present {
            signed_in: NaiveTime::from_hms_opt(9, minutes, 0).unwrap(),
            signed_out: None,
            method: SignInMethod::RollCall,
        }
    }

    struct Log {
        log: DeviceLog,
        actor: UserId,
        t: u64,
        events: Vec<Event>,
    }

    impl Log {
        fn new(actor: &str) -> Log {
            Log {
                log: DeviceLog::new(format!("d-{actor}").parse().unwrap()),
                actor: user(actor),
                t: 0,
                events: vec![],
            }
        }

        fn add(&mut self, entity: &str, body: EventBody) -> Event {
            self.t += 1;
            let ev = self.log.append(
                NewEvent {
                    actor: self.actor.clone(),
                    unit: DISTRICT.parse().unwrap(),
                    entity: entity.parse().unwrap(),
                    body,
                },
                NOW + self.t,
                [self.t as u8; 10],
            );
            self.events.push(ev.clone());
            ev
        }
    }

    const CLASS: &str = "training_class:c1";

    /// A valid body of each training kind (for the event body tests).
    pub(crate) fn sample(kind: &str) -> EventBody {
        match kind {
            "training_plan_recorded" => EventBody::TrainingPlanRecorded(PlanRecorded {
                year: 2026,
                name: "2026年度基层干部培训计划".into(),
                organiser_level: OrganiserLevel::District,
                target_groups: vec![TargetGroup::VillageCommittees],
            }),
            "training_class_recorded" => EventBody::TrainingClassRecorded(class_body("t1")),
            "training_session_scheduled" => {
                EventBody::TrainingSessionScheduled(session_body("t1", 2, 40))
            }
            "trainees_enrolled" => EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t1"),
                trainees: vec![trainee(1)],
            }),
            "attendance_marked" => EventBody::AttendanceMarked(AttendanceMarked {
                owner: user("t1"),
                person: "person:p1".parse().unwrap(),
                presence: late(20),
            }),
            "attendance_undone" => EventBody::AttendanceUndone(AttendanceUndone {
                owner: user("t1"),
                person: "person:p1".parse().unwrap(),
            }),
            "certificates_issued" => EventBody::CertificatesIssued(CertificatesIssued {
                owner: user("t1"),
                certificates: vec![TrainingCertificate {
                    number: "2026-YS-003-001".parse().unwrap(),
                    person: "person:p1".parse().unwrap(),
                    class: CLASS.parse().unwrap(),
                    credited: StudyHours::hours(4),
                }],
            }),
            "assessment_recorded" => EventBody::AssessmentRecorded(AssessmentRecorded {
                owner: user("t1"),
                person: "person:p1".parse().unwrap(),
                result: AssessmentResult::Passed,
                score: Some(86),
                on: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            }),
            "enrollment_changed" => EventBody::EnrollmentChanged(EnrollmentChanged {
                owner: user("t1"),
                person: "person:p1".parse().unwrap(),
                status: EnrollmentStatus::Withdrawn,
                reason: "工作调动，无法参训".into(),
            }),
            other => panic!("no sample for {other}"),
        }
    }

    fn file(events: &[Event]) -> ClassFile {
        let all = fold_all(events);
        let class = class_doc(&all[&CLASS.parse::<EntityId>().unwrap()].doc);
        let sessions: Vec<(EntityId, SessionDoc)> = all
            .values()
            .filter(|s| s.kind == EntityKind::TrainingSession)
            .map(|s| (s.id.clone(), session_doc(&s.doc)))
            .collect();
        ClassFile::new(&CLASS.parse().unwrap(), &class, &sessions).unwrap()
    }

    #[test]
    fn every_training_body_round_trips_and_validates() {
        let bodies = [
            EventBody::TrainingClassRecorded(class_body("t1")),
            EventBody::TrainingSessionScheduled(session_body("t1", 2, 40)),
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t1"),
                trainees: vec![trainee(1)],
            }),
            EventBody::AttendanceMarked(AttendanceMarked {
                owner: user("t1"),
                person: "person:p1".parse().unwrap(),
                presence: late(20),
            }),
        ];
        for body in bodies {
            let value = serde_json::to_value(&body).unwrap();
            assert_eq!(serde_json::from_value::<EventBody>(value).unwrap(), body);
            assert_eq!(body.validate(), Ok(()));
        }
    }

    #[test]
    fn bad_bodies_are_refused_with_a_chinese_reason() {
        let mut c = class_body("t1");
        c.organiser_code = "ys".into();
        assert_eq!(
            c.validate(),
            Err(TrainingError::BadOrganiserCode("ys".into()))
        );
        assert!(c.validate().unwrap_err().message_zh().contains("大写字母"));
        let mut s = session_body("t1", 2, 40);
        s.ends_at = s.starts_at;
        assert_eq!(s.validate(), Err(TrainingError::BadTimes));
        assert_eq!(
            session_body("t1", 2, 0).validate(),
            Err(TrainingError::BadPlannedHours)
        );
        let twice = TraineesEnrolled {
            owner: user("t1"),
            trainees: vec![trainee(1), trainee(1)],
        };
        assert_eq!(twice.validate(), Err(TrainingError::Duplicate));
    }

    #[test]
    fn marks_fold_to_credited_hours_and_undo_restores_the_previous_mark() {
        let mut t = Log::new("t1");
        t.add(CLASS, EventBody::TrainingClassRecorded(class_body("t1")));
        t.add(
            CLASS,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t1"),
                trainees: vec![trainee(1), trainee(2), trainee(3)],
            }),
        );
        t.add(
            "training_session:s1",
            EventBody::TrainingSessionScheduled(session_body("t1", 2, 40)),
        );
        let mark = |person: u32, presence: Presence| {
            EventBody::AttendanceMarked(AttendanceMarked {
                owner: user("t1"),
                person: format!("person:p{person}").parse().unwrap(),
                presence,
            })
        };
        t.add("training_session:s1", mark(1, on_time()));
        t.add("training_session:s1", mark(2, on_time()));
        // p2 was in fact 30 minutes late: a second mark replaces the first…
        t.add("training_session:s1", mark(2, late(30)));
        // …p3 ticked by mistake, then undone.
        t.add("training_session:s1", mark(3, on_time()));
        t.add(
            "training_session:s1",
            EventBody::AttendanceUndone(AttendanceUndone {
                owner: user("t1"),
                person: "person:p3".parse().unwrap(),
            }),
        );
        let f = file(&t.events);
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        let credited: Vec<u32> = done.iter().map(|c| c.hours.credited.tenths()).collect();
        assert_eq!(credited, vec![40, 20, 0], "full, half for late, nothing");
        assert!(done[0].is_completed());
        assert!(!done[1].is_completed(), "2 of 4 hours is under 80 %");
        // Undoing p2's late mark brings back the on-time one.
        t.add(
            "training_session:s1",
            EventBody::AttendanceUndone(AttendanceUndone {
                owner: user("t1"),
                person: "person:p2".parse().unwrap(),
            }),
        );
        let done = file(&t.events).completions(&HoursRules::default(), &CompletionRules::default());
        assert_eq!(done[1].hours.credited, StudyHours::hours(4));
    }

    #[test]
    fn approved_leave_is_absence_shown_apart() {
        let mut t = Log::new("t1");
        t.add(CLASS, EventBody::TrainingClassRecorded(class_body("t1")));
        t.add(
            CLASS,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t1"),
                trainees: vec![trainee(1)],
            }),
        );
        // 8 + 2 planned hours; leave on the 2-hour session leaves exactly 80 %.
        t.add(
            "training_session:s1",
            EventBody::TrainingSessionScheduled(session_body("t1", 2, 80)),
        );
        t.add(
            "training_session:s2",
            EventBody::TrainingSessionScheduled(session_body("t1", 3, 20)),
        );
        t.add(
            "training_session:s1",
            EventBody::AttendanceMarked(AttendanceMarked {
                owner: user("t1"),
                person: "person:p1".parse().unwrap(),
                presence: on_time(),
            }),
        );
        t.add(
            "training_session:s2",
            EventBody::AttendanceMarked(AttendanceMarked {
                owner: user("t1"),
                person: "person:p1".parse().unwrap(),
                presence: Presence::Leave {
                    approved_by: Some(user("t1")),
                    reason: "病假".into(),
                },
            }),
        );
        let done = file(&t.events).completions(&HoursRules::default(), &CompletionRules::default());
        assert_eq!(done[0].hours.approved_leave, StudyHours::hours(2));
        assert_eq!(done[0].hours.credited, StudyHours::hours(8));
        assert_eq!(done[0].outcome, Outcome::Completed, "exactly 80 %");
    }

    #[test]
    fn another_trainers_events_do_not_change_a_class() {
        let mut a = Log::new("t1");
        a.add(CLASS, EventBody::TrainingClassRecorded(class_body("t1")));
        a.add(
            "training_session:s1",
            EventBody::TrainingSessionScheduled(session_body("t1", 2, 40)),
        );
        let mut b = Log::new("t2");
        b.add(CLASS, EventBody::TrainingClassRecorded(class_body("t2")));
        b.add(
            CLASS,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t2"),
                trainees: vec![trainee(9)],
            }),
        );
        b.add(
            "training_session:s9",
            EventBody::TrainingSessionScheduled(session_body("t2", 3, 40)),
        );
        let mut all = a.events.clone();
        all.extend(b.events.clone());
        let f = file(&all);
        assert_eq!(f.owner, user("t1"));
        assert!(f.trainees.is_empty());
        assert_eq!(
            f.sessions.len(),
            1,
            "t2's session for t1's class is left out"
        );

        // And the server refuses a trainer's event naming another owner.
        let t2 = Profile {
            user: user("t2"),
            display_name: "培训员乙".into(),
            role: Role::Trainer,
            scope: DISTRICT.parse().unwrap(),
            department: None,
        };
        let mut forged = Log::new("t2");
        let ev = forged.add(
            CLASS,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t1"),
                trainees: vec![trainee(9)],
            }),
        );
        assert_eq!(authorize_event(&t2, &ev), Err(RejectReason::NotPermitted));
        let admin = Profile {
            user: user("t2"),
            role: Role::DistrictAdmin,
            ..t2.clone()
        };
        assert_eq!(authorize_event(&admin, &ev), Ok(()));
        let reviewer = Profile {
            role: Role::TownshipReviewer,
            ..t2.clone()
        };
        assert_eq!(
            authorize_event(&reviewer, &ev),
            Err(RejectReason::NotPermitted)
        );
        assert!(may_read_event(&reviewer, &ev));
        let city = Profile {
            role: Role::CityViewer,
            ..t2
        };
        assert!(!may_read_event(&city, &ev));
    }

    /// A class of one 4-hour session that `trainees` attend in full, requiring an assessment
    /// or not.
    fn attended_class(requirement: AssessmentRequirement, trainees: u32) -> Log {
        let mut t = Log::new("t1");
        let mut class = class_body("t1");
        class.assessment = requirement;
        t.add(CLASS, EventBody::TrainingClassRecorded(class));
        t.add(
            CLASS,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t1"),
                trainees: (1..=trainees).map(trainee).collect(),
            }),
        );
        t.add(
            "training_session:s1",
            EventBody::TrainingSessionScheduled(session_body("t1", 2, 40)),
        );
        for p in 1..=trainees {
            t.add(
                "training_session:s1",
                EventBody::AttendanceMarked(AttendanceMarked {
                    owner: user("t1"),
                    person: format!("person:p{p}").parse().unwrap(),
                    presence: on_time(),
                }),
            );
        }
        t
    }

    fn assessed(person: u32, result: AssessmentResult, score: Option<u32>) -> EventBody {
        EventBody::AssessmentRecorded(AssessmentRecorded {
            owner: user("t1"),
            person: format!("person:p{person}").parse().unwrap(),
            result,
            score,
            on: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
        })
    }

    fn changed(person: u32, status: EnrollmentStatus, reason: &str) -> EventBody {
        EventBody::EnrollmentChanged(EnrollmentChanged {
            owner: user("t1"),
            person: format!("person:p{person}").parse().unwrap(),
            status,
            reason: reason.into(),
        })
    }

    fn outcomes(events: &[Event]) -> Vec<Outcome> {
        file(events)
            .completions(&HoursRules::default(), &CompletionRules::default())
            .into_iter()
            .map(|c| c.outcome)
            .collect()
    }

    #[test]
    fn full_attendance_and_a_failed_required_assessment_is_not_completion() {
        use crate::training::completion::Shortfall;
        let mut t = attended_class(AssessmentRequirement::MustPass, 3);
        t.add(CLASS, assessed(1, AssessmentResult::Failed, Some(52)));
        t.add(CLASS, assessed(2, AssessmentResult::Passed, Some(88)));
        assert_eq!(
            outcomes(&t.events),
            [
                Outcome::NotCompleted(vec![Shortfall::AssessmentFailed]),
                Outcome::Completed,
                Outcome::NotCompleted(vec![Shortfall::AssessmentMissing]),
            ]
        );
        let f = file(&t.events);
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        assert_eq!(
            crate::training::report::outcome_zh(&done[0].outcome),
            "未结业（考核不合格）"
        );
        assert_eq!(
            crate::training::report::outcome_zh(&done[2].outcome),
            "未结业（未参加考核）"
        );
        let certificates = f.certificates_to_issue(&done).unwrap();
        assert_eq!(certificates.len(), 1, "only the one who passed");
        assert_eq!(certificates[0].person, trainee(2).person);
        assert_eq!(f.assessments[&trainee(1).person].score, Some(52));

        // 补考: a later pass replaces the failure.
        t.add(CLASS, assessed(1, AssessmentResult::Passed, Some(75)));
        assert_eq!(outcomes(&t.events)[0], Outcome::Completed);
    }

    #[test]
    fn a_class_without_an_assessment_completes_on_hours_alone() {
        let mut t = attended_class(AssessmentRequirement::NotRequired, 2);
        t.add(CLASS, assessed(1, AssessmentResult::Failed, None));
        assert_eq!(
            outcomes(&t.events),
            [Outcome::Completed, Outcome::Completed]
        );

        // Changing the class to require one (a correction by its owner) changes the outcome.
        let mut class = class_body("t1");
        class.assessment = AssessmentRequirement::MustPass;
        t.add(CLASS, EventBody::TrainingClassRecorded(class));
        assert!(
            outcomes(&t.events)
                .iter()
                .all(|o| matches!(o, Outcome::NotCompleted(_)))
        );
    }

    #[test]
    fn a_withdrawn_trainee_leaves_the_lists_and_rates_and_may_enrol_again() {
        use crate::training::report::{Tally, completion_rates};
        let mut t = attended_class(AssessmentRequirement::NotRequired, 3);
        t.add(
            CLASS,
            changed(3, EnrollmentStatus::Withdrawn, "工作调动，无法参训"),
        );
        let f = file(&t.events);
        assert_eq!(f.trainees.len(), 2, "the door list");
        assert_eq!(f.withdrawn.len(), 1);
        assert_eq!(f.withdrawn[0].1, "工作调动，无法参训");
        assert_eq!(f.status_of(&trainee(3).person), EnrollmentStatus::Withdrawn);
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        assert_eq!(done.len(), 2);
        assert_eq!(
            Tally::of(&done),
            Tally {
                expected: 2,
                completed: 2,
                exempted: 0
            }
        );
        let classes = vec![(f.clone(), done.clone())];
        let (per_class, _) = completion_rates(&classes, |u| u.to_string());
        assert_eq!((per_class[0].enrolled, per_class[0].completed), (2, 2));
        assert!(f.certificates_to_issue(&done).unwrap().len() == 2);
        assert_eq!(
            f.check_assessment(&trainee(3).person),
            Err(TrainingError::NotEnrolled("学员3".into()))
        );
        // An assessment written for them anyway is not kept.
        t.add(CLASS, assessed(3, AssessmentResult::Passed, None));
        assert!(!file(&t.events).assessments.contains_key(&trainee(3).person));

        // Enrolled again (picked again from the directory): back with the mark they had.
        t.add(
            CLASS,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t1"),
                trainees: vec![trainee(3)],
            }),
        );
        let f = file(&t.events);
        assert_eq!(f.trainees.len(), 3);
        assert!(f.withdrawn.is_empty());
        assert_eq!(outcomes(&t.events)[2], Outcome::Completed);
        // Withdrawn and brought back by a status change as well.
        t.add(CLASS, changed(3, EnrollmentStatus::Withdrawn, "误报"));
        assert_eq!(file(&t.events).trainees.len(), 2);
        t.add(CLASS, changed(3, EnrollmentStatus::Enrolled, ""));
        assert_eq!(file(&t.events).trainees.len(), 3);
    }

    #[test]
    fn an_exempted_trainee_is_shown_apart_never_completed_and_gets_no_certificate() {
        use crate::training::report::{Tally, completion_list};
        let mut t = attended_class(AssessmentRequirement::NotRequired, 3);
        t.add(
            CLASS,
            changed(2, EnrollmentStatus::Exempted, "已参加市级示范班"),
        );
        let f = file(&t.events);
        assert_eq!(f.trainees.len(), 3, "still on the list, marked");
        assert_eq!(f.exempted[&trainee(2).person], "已参加市级示范班");
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        assert_eq!(done[1].outcome, Outcome::Exempted);
        assert_eq!(
            Tally::of(&done),
            Tally {
                expected: 2,
                completed: 2,
                exempted: 1
            }
        );
        let issued = f.certificates_to_issue(&done).unwrap();
        assert!(issued.iter().all(|c| c.person != trainee(2).person));
        assert_eq!(issued.len(), 2);
        let csv = completion_list(&f, &done).sheets[0].to_csv();
        assert!(
            csv.contains("学员2人，结业2人，免训1人（不计入结业率）"),
            "{csv}"
        );
        // Back to 在读: completes on the hours attended.
        t.add(CLASS, changed(2, EnrollmentStatus::Enrolled, ""));
        assert_eq!(outcomes(&t.events)[1], Outcome::Completed);
    }

    #[test]
    fn status_changes_and_assessments_are_checked_before_they_are_written() {
        let mut t = attended_class(AssessmentRequirement::MustPass, 2);
        t.add(CLASS, assessed(1, AssessmentResult::Passed, Some(90)));
        let f = file(&t.events);
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        t.add(
            CLASS,
            EventBody::CertificatesIssued(CertificatesIssued {
                owner: user("t1"),
                certificates: f.certificates_to_issue(&done).unwrap(),
            }),
        );
        let f = file(&t.events);
        let p = |n| trainee(n).person;
        assert_eq!(
            f.check_status_change(&p(1), EnrollmentStatus::Withdrawn),
            Err(TrainingError::CertificateIssued("学员1".into()))
        );
        assert_eq!(
            f.check_status_change(&p(2), EnrollmentStatus::Enrolled),
            Err(TrainingError::SameStatus("学员2".into()))
        );
        assert_eq!(
            f.check_status_change(&p(9), EnrollmentStatus::Exempted),
            Err(TrainingError::NotEnrolled("person:p9".into()))
        );
        assert_eq!(
            f.check_status_change(&p(2), EnrollmentStatus::Exempted),
            Ok(())
        );
        assert_eq!(
            TrainingError::CertificateIssued("学员1".into()).message_zh(),
            "学员1已发结业证书，不能再退学或免训"
        );

        // Bodies: the reason for a withdrawal, a score from 0 to 100.
        let EventBody::EnrollmentChanged(no_reason) = changed(2, EnrollmentStatus::Withdrawn, " ")
        else {
            unreachable!()
        };
        assert_eq!(
            no_reason.validate().unwrap_err().message_zh(),
            "原因不能为空"
        );
        let EventBody::AssessmentRecorded(mut score) = assessed(2, AssessmentResult::Passed, None)
        else {
            unreachable!()
        };
        assert_eq!(score.validate(), Ok(()));
        score.score = Some(101);
        assert_eq!(
            score.validate().unwrap_err().message_zh(),
            "考核成绩应为0至100之间的整数"
        );
        assert_eq!(parse_score(" "), Ok(None));
        assert_eq!(parse_score("100"), Ok(Some(100)));
        for bad in ["101", "-1", "8.5", "八十"] {
            assert_eq!(parse_score(bad), Err(TrainingError::BadScore), "{bad}");
        }
    }

    #[test]
    fn only_the_class_owner_records_assessments_and_status_changes() {
        let mut t = attended_class(AssessmentRequirement::MustPass, 1);
        // Another trainer's events naming themselves as owner change nothing in the fold…
        let mut other = Log::new("t2");
        other.add(
            CLASS,
            EventBody::AssessmentRecorded(AssessmentRecorded {
                owner: user("t2"),
                person: trainee(1).person,
                result: AssessmentResult::Passed,
                score: None,
                on: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            }),
        );
        other.add(
            CLASS,
            EventBody::EnrollmentChanged(EnrollmentChanged {
                owner: user("t2"),
                person: trainee(1).person,
                status: EnrollmentStatus::Withdrawn,
                reason: "冒名".into(),
            }),
        );
        let mut all = t.events.clone();
        all.extend(other.events.clone());
        let f = file(&all);
        assert!(f.assessments.is_empty());
        assert_eq!(f.trainees.len(), 1);
        // …and naming the owner, the server refuses them from another trainer.
        let forged = other.add(CLASS, assessed(1, AssessmentResult::Passed, None));
        let t2 = Profile {
            user: user("t2"),
            display_name: "培训员乙".into(),
            role: Role::Trainer,
            scope: DISTRICT.parse().unwrap(),
            department: None,
        };
        assert_eq!(
            authorize_event(&t2, &forged),
            Err(RejectReason::NotPermitted)
        );
        let own = t.add(CLASS, assessed(1, AssessmentResult::Passed, None));
        let t1 = Profile {
            user: user("t1"),
            ..t2
        };
        assert_eq!(authorize_event(&t1, &own), Ok(()));
    }

    #[test]
    fn certificates_continue_numbering_and_never_renumber() {
        let mut t = Log::new("t1");
        t.add(CLASS, EventBody::TrainingClassRecorded(class_body("t1")));
        t.add(
            CLASS,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: user("t1"),
                trainees: vec![trainee(1), trainee(2), trainee(3)],
            }),
        );
        t.add(
            "training_session:s1",
            EventBody::TrainingSessionScheduled(session_body("t1", 2, 40)),
        );
        for p in [1, 3] {
            t.add(
                "training_session:s1",
                EventBody::AttendanceMarked(AttendanceMarked {
                    owner: user("t1"),
                    person: format!("person:p{p}").parse().unwrap(),
                    presence: on_time(),
                }),
            );
        }
        let f = file(&t.events);
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        let first = f.certificates_to_issue(&done).unwrap();
        let numbers: Vec<String> = first.iter().map(|c| c.number.to_string()).collect();
        assert_eq!(numbers, ["2026-YS-003-001", "2026-YS-003-002"]);
        t.add(
            CLASS,
            EventBody::CertificatesIssued(CertificatesIssued {
                owner: user("t1"),
                certificates: first,
            }),
        );
        // p2 attends after all (a make-up mark) and gets the next number; no one is renumbered.
        t.add(
            "training_session:s1",
            EventBody::AttendanceMarked(AttendanceMarked {
                owner: user("t1"),
                person: "person:p2".parse().unwrap(),
                presence: on_time(),
            }),
        );
        let f = file(&t.events);
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        let more = f.certificates_to_issue(&done).unwrap();
        assert_eq!(more.len(), 1);
        assert_eq!(more[0].number.to_string(), "2026-YS-003-003");
        assert_eq!(more[0].person, "person:p2".parse::<EntityId>().unwrap());
    }
}
