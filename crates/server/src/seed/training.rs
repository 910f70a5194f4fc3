//! The demo's training records: a 2026 plan, one class run by `demo-trainer` with two
//! half-day sessions, and 200 residents of 青石村 enrolled; and a second, smaller class that
//! requires an assessment (社工考试辅导, ten trainees who all attended: six passed, two failed,
//! one exempted, one withdrawn) — written once, as events of the server's device, like the rest
//! of the demo.

use chrono::{NaiveDate, NaiveTime};
use cunju_domain::directory::person::mask_id_number;
use cunju_domain::event::{EntityKind, EventBody, NewEvent};
use cunju_domain::ids::{EntityId, EventId, UnitId, UserId};
use cunju_domain::training::events::{
    AssessmentRecorded, AttendanceMarked, ClassRecorded, EnrollmentChanged, PlanRecorded,
    SessionScheduled, Trainee, TraineesEnrolled,
};
use cunju_domain::training::{
    AssessmentRequirement, AssessmentResult, EnrollmentStatus, OrganiserLevel, Presence,
    SignInMethod, Slot, StudyHours, TargetGroup, Topic, Venue,
};

use super::DEMO_DISTRICT;
use crate::store::{Result, SERVER_ACTOR, Store, from_db_text};

/// How many residents the demo class enrols.
pub const DEMO_TRAINEES: usize = 200;
/// How many of them the assessment-required class enrols.
pub const DEMO_ASSESSED_TRAINEES: usize = 10;
/// The village whose residents are enrolled.
const DEMO_VILLAGE: &str = "5099001001";

/// Records the demo training (once). Returns how many events were written.
pub async fn seed_training(store: &Store, now: i64) -> Result<usize> {
    let done = store
        .count_events_of_kind("training_class_recorded", DEMO_DISTRICT, Some(SERVER_ACTOR))
        .await?;
    let Some(trainer) = store.user_by_username("demo-trainer").await? else {
        return Ok(0);
    };
    if done > 0 {
        return Ok(0);
    }
    let trainer: UserId = from_db_text(&trainer.id)?;
    let trainees: Vec<Trainee> = store
        .events_of_kind("person_recorded", DEMO_VILLAGE)
        .await?
        .into_iter()
        .filter_map(|ev| match ev.body {
            EventBody::PersonRecorded {
                name, id_number, ..
            } => Some(Trainee {
                person: ev.entity,
                name,
                id_masked: mask_id_number(&id_number),
                unit: ev.unit,
            }),
            _ => None,
        })
        .take(DEMO_TRAINEES)
        .collect();
    let drafts = drafts(&trainer, trainees, now as u64);
    let n = drafts.len();
    store.append_server_events(drafts, now).await?;
    Ok(n)
}

fn id(kind: EntityKind, now: u64) -> EntityId {
    EntityId::new(kind.as_str(), EventId::new(now, rand::random()))
}

fn drafts(trainer: &UserId, trainees: Vec<Trainee>, now: u64) -> Vec<NewEvent> {
    let actor: UserId = SERVER_ACTOR.parse().expect("a valid user id");
    let unit: UnitId = DEMO_DISTRICT.parse().expect("a valid unit code");
    let draft = |entity: &EntityId, body| NewEvent {
        actor: actor.clone(),
        unit: unit.clone(),
        entity: entity.clone(),
        body,
    };
    let plan = id(EntityKind::TrainingPlan, now);
    let class = id(EntityKind::TrainingClass, now);
    let mut out = vec![
        draft(
            &plan,
            EventBody::TrainingPlanRecorded(PlanRecorded {
                year: 2026,
                name: "2026年度村(社区)干部培训计划(演示)".into(),
                organiser_level: OrganiserLevel::District,
                target_groups: vec![
                    TargetGroup::VillageCommittees,
                    TargetGroup::CommunityWorkers,
                ],
            }),
        ),
        draft(
            &class,
            EventBody::TrainingClassRecorded(ClassRecorded {
                owner: trainer.clone(),
                plan: Some(plan.clone()),
                name: "2026年村“两委”成员履职培训班(演示)".into(),
                organiser: "演示区民政局(虚构)".into(),
                organiser_code: "YS".into(),
                contractor: Some("演示区委党校(虚构)".into()),
                target_group: TargetGroup::VillageCommittees,
                topics: vec![
                    Topic::SelfGovernanceCharter,
                    Topic::VillageRules,
                    Topic::ElectionBusiness,
                    Topic::FourDeliberationsTwoDisclosures,
                ],
                year: 2026,
                seq: 1,
                assessment: AssessmentRequirement::NotRequired,
            }),
        ),
    ];
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a valid date");
    for (slot, start, end, instructor) in [
        (Slot::Am, (9, 0), (12, 0), "刘老师(虚构)"),
        (Slot::Pm, (14, 0), (17, 0), "陈老师(虚构)"),
    ] {
        let session = id(EntityKind::TrainingSession, now);
        out.push(draft(
            &session,
            EventBody::TrainingSessionScheduled(SessionScheduled {
                owner: trainer.clone(),
                class: class.clone(),
                date: day,
                slot,
                starts_at: NaiveTime::from_hms_opt(start.0, start.1, 0).expect("a time"),
                ends_at: NaiveTime::from_hms_opt(end.0, end.1, 0).expect("a time"),
                venue: Venue::Site("青石镇党群服务中心(虚构)".into()),
                instructor: instructor.into(),
                planned: StudyHours::hours(4),
            }),
        ));
    }
    let assessed: Vec<Trainee> = trainees
        .iter()
        .take(DEMO_ASSESSED_TRAINEES)
        .cloned()
        .collect();
    if !trainees.is_empty() {
        out.push(draft(
            &class,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: trainer.clone(),
                trainees,
            }),
        ));
    }
    out.extend(assessed_class(trainer, &plan, assessed, now, &draft));
    out
}

/// 社工职业资格考试辅导班: one session every trainee attended, an assessment required — six pass,
/// two fail, the ninth is exempted and the tenth withdrew.
fn assessed_class(
    trainer: &UserId,
    plan: &EntityId,
    trainees: Vec<Trainee>,
    now: u64,
    draft: &dyn Fn(&EntityId, EventBody) -> NewEvent,
) -> Vec<NewEvent> {
    let class = id(EntityKind::TrainingClass, now);
    let session = id(EntityKind::TrainingSession, now);
    let mut out = vec![
        draft(
            &class,
            EventBody::TrainingClassRecorded(ClassRecorded {
                owner: trainer.clone(),
                plan: Some(plan.clone()),
                name: "2026年社会工作职业资格考试辅导班(演示)".into(),
                organiser: "演示区委社会工作部(虚构)".into(),
                organiser_code: "YS".into(),
                contractor: None,
                target_group: TargetGroup::CommunityWorkers,
                topics: vec![Topic::SocialWorkExam],
                year: 2026,
                seq: 2,
                assessment: AssessmentRequirement::MustPass,
            }),
        ),
        draft(
            &session,
            EventBody::TrainingSessionScheduled(SessionScheduled {
                owner: trainer.clone(),
                class: class.clone(),
                date: NaiveDate::from_ymd_opt(2026, 3, 9).expect("a valid date"),
                slot: Slot::Am,
                starts_at: NaiveTime::from_hms_opt(9, 0, 0).expect("a time"),
                ends_at: NaiveTime::from_hms_opt(12, 0, 0).expect("a time"),
                venue: Venue::Site("演示区委党校(虚构)".into()),
                instructor: "周老师(虚构)".into(),
                planned: StudyHours::hours(4),
            }),
        ),
    ];
    if trainees.is_empty() {
        return out;
    }
    out.push(draft(
        &class,
        EventBody::TraineesEnrolled(TraineesEnrolled {
            owner: trainer.clone(),
            trainees: trainees.clone(),
        }),
    ));
    for (n, t) in trainees.iter().enumerate() {
        out.push(draft(
            &session,
            EventBody::AttendanceMarked(AttendanceMarked {
                owner: trainer.clone(),
                person: t.person.clone(),
                presence: Presence::Present {
                    signed_in: NaiveTime::from_hms_opt(8, 50, 0).expect("a time"),
                    signed_out: None,
                    method: SignInMethod::RollCall,
                },
            }),
        ));
        let body = match n {
            0..6 => EventBody::AssessmentRecorded(AssessmentRecorded {
                owner: trainer.clone(),
                person: t.person.clone(),
                result: AssessmentResult::Passed,
                score: Some(70 + 4 * n as u32),
                on: NaiveDate::from_ymd_opt(2026, 3, 16).expect("a valid date"),
            }),
            6 | 7 => EventBody::AssessmentRecorded(AssessmentRecorded {
                owner: trainer.clone(),
                person: t.person.clone(),
                result: AssessmentResult::Failed,
                score: Some(48 + n as u32),
                on: NaiveDate::from_ymd_opt(2026, 3, 16).expect("a valid date"),
            }),
            8 => EventBody::EnrollmentChanged(EnrollmentChanged {
                owner: trainer.clone(),
                person: t.person.clone(),
                status: EnrollmentStatus::Exempted,
                reason: "已取得社会工作师证书(演示)".into(),
            }),
            _ => EventBody::EnrollmentChanged(EnrollmentChanged {
                owner: trainer.clone(),
                person: t.person.clone(),
                status: EnrollmentStatus::Withdrawn,
                reason: "工作调动，取消报名(演示)".into(),
            }),
        };
        out.push(draft(&class, body));
    }
    out
}
