//! Training as events: what a trainer records (plans, classes, sessions, enrolment, attendance
//! marks and their undo, certificates), the projections folded from them (`ClassDoc`,
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
    AssessmentRequirement, Attendance, Enrollment, EnrollmentStatus, OrganiserLevel, Presence,
    Session, Slot, TargetGroup, Topic, TrainingClass, Venue,
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

/// The body-level check of every training event (`EventBody::validate`).
pub fn validate_body(body: &EventBody) -> Result<(), TrainingError> {
    match body {
        EventBody::TrainingPlanRecorded(b) => b.validate(),
        EventBody::TrainingClassRecorded(b) => b.validate(),
        EventBody::TrainingSessionScheduled(b) => b.validate(),
        EventBody::TraineesEnrolled(b) => b.validate(),
        EventBody::AttendanceMarked(b) => b.validate(),
        EventBody::AttendanceUndone(b) => kind(&b.person, EntityKind::Person, "person"),
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

/// A class as folded: what it was recorded with, who is enrolled (in enrolment order) and the
/// certificates issued.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClassDoc {
    pub class: Option<ClassRecorded>,
    pub trainees: Vec<Trainee>,
    pub certificates: Vec<TrainingCertificate>,
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
                    }
                }
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
    pub trainees: Vec<Trainee>,
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
        Some(ClassFile {
            class: recorded.to_class(id),
            owner: recorded.owner.clone(),
            trainees: doc.trainees.clone(),
            certificates: doc.certificates.clone(),
            sessions: mine,
        })
    }

    pub fn planned(&self) -> StudyHours {
        self.sessions.iter().map(|(s, _)| s.planned).sum()
    }

    /// Completion of every trainee, in enrolment order. Assessments are not recorded yet, so a
    /// class that requires one completes no one until they are.
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
                    status: EnrollmentStatus::Enrolled,
                };
                assess_completion(
                    &self.class,
                    &enrollment,
                    &sessions,
                    &attendance,
                    None,
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
