//! The demo's training records: a 2026 plan, one class run by `demo-trainer` with two
//! half-day sessions, and 200 residents of 青石村 enrolled — written once, as events of the
//! server's device, like the rest of the demo.

use chrono::{NaiveDate, NaiveTime};
use cunju_domain::directory::person::mask_id_number;
use cunju_domain::event::{EntityKind, EventBody, NewEvent};
use cunju_domain::ids::{EntityId, EventId, UnitId, UserId};
use cunju_domain::training::events::{
    ClassRecorded, PlanRecorded, SessionScheduled, Trainee, TraineesEnrolled,
};
use cunju_domain::training::{
    AssessmentRequirement, OrganiserLevel, Slot, StudyHours, TargetGroup, Topic, Venue,
};

use super::DEMO_DISTRICT;
use crate::store::{Result, SERVER_ACTOR, Store, from_db_text};

/// How many residents the demo class enrols.
pub const DEMO_TRAINEES: usize = 200;
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
    if !trainees.is_empty() {
        out.push(draft(
            &class,
            EventBody::TraineesEnrolled(TraineesEnrolled {
                owner: trainer.clone(),
                trainees,
            }),
        ));
    }
    out
}
