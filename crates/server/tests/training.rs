//! Training events on the server: who may write them (a trainer only about their own classes,
//! a district admin about any in scope, nobody else), who receives them (trainers, district
//! admins and township staff in scope — not village officials or the city viewer), and the
//! demo class `seed-demo` records — on SQLite and (when `CUNJU_TEST_POSTGRES_URL` is set)
//! PostgreSQL.

mod common;

use chrono::{NaiveDate, NaiveTime};
use common::{Client, Db, Device, Harness, statuses};
use cunju_domain::event::{EntityKind, Event, EventBody, NewEvent};
use cunju_domain::ids::{EntityId, UserId};
use cunju_domain::projection::fold_all;
use cunju_domain::training::events::{
    AttendanceMarked, ClassDoc, ClassFile, ClassRecorded, SessionDoc, SessionScheduled, Trainee,
    TraineesEnrolled, class_doc, session_doc,
};
use cunju_domain::training::report::Tally;
use cunju_domain::training::{
    AssessmentRequirement, CompletionRules, HoursRules, Presence, SignInMethod, Slot, StudyHours,
    TargetGroup, Topic, Venue,
};
use cunju_server::seed::{self, DEMO_TRAINEES};

on_both_databases!(
    a_trainer_writes_about_their_own_classes_only,
    training_records_reach_trainers_admins_and_township_staff_in_scope_only,
    seed_demo_records_a_class_of_200_for_the_demo_trainer,
);

const CLASS: &str = "training_class:01JTRAINCLASS0000000000001";
const SESSION: &str = "training_session:01JTRAINSESSION00000000001";

static NEXT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

struct Writer {
    device: Device,
}

impl Writer {
    fn new(name: &str, client: &Client) -> Writer {
        Writer {
            device: Device::new(name, &client.profile),
        }
    }

    fn event(&mut self, unit: &str, entity: &str, body: EventBody) -> Event {
        self.device.log.append(
            NewEvent {
                actor: self.device.actor.clone(),
                unit: unit.parse().unwrap(),
                entity: entity.parse().unwrap(),
                body,
            },
            // One clock for every writer of a test, so events fold in the order they are written.
            1_780_000_000_000 + NEXT_MS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            rand::random(),
        )
    }
}

fn class(owner: &UserId) -> EventBody {
    EventBody::TrainingClassRecorded(ClassRecorded {
        owner: owner.clone(),
        plan: None,
        name: "村“两委”成员培训班".into(),
        organiser: "演示区民政局".into(),
        organiser_code: "YS".into(),
        contractor: None,
        target_group: TargetGroup::VillageCommittees,
        topics: vec![Topic::ElectionBusiness],
        year: 2026,
        seq: 1,
        assessment: AssessmentRequirement::NotRequired,
    })
}

fn session(owner: &UserId) -> EventBody {
    EventBody::TrainingSessionScheduled(SessionScheduled {
        owner: owner.clone(),
        class: CLASS.parse().unwrap(),
        date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        slot: Slot::Am,
        starts_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        ends_at: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        venue: Venue::Site("党校".into()),
        instructor: "王老师".into(),
        planned: StudyHours::hours(4),
    })
}

fn enrol(owner: &UserId, people: &[u32]) -> EventBody {
    EventBody::TraineesEnrolled(TraineesEnrolled {
        owner: owner.clone(),
        trainees: people
            .iter()
            .map(|n| Trainee {
                person: format!("person:p{n}").parse().unwrap(),
                name: format!("学员{n}"),
                id_masked: "5001**********0011".into(),
                unit: "5099001001".parse().unwrap(),
            })
            .collect(),
    })
}

fn mark(owner: &UserId, person: u32) -> EventBody {
    EventBody::AttendanceMarked(AttendanceMarked {
        owner: owner.clone(),
        person: format!("person:p{person}").parse().unwrap(),
        presence: Presence::Present {
            signed_in: NaiveTime::from_hms_opt(8, 58, 0).unwrap(),
            signed_out: None,
            method: SignInMethod::Qr,
        },
    })
}

/// The class as the domain folds it from what `client` receives.
async fn class_as_seen_by(client: &Client) -> Option<ClassFile> {
    let events: Vec<Event> = client
        .pull_all()
        .await
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    let all = fold_all(&events);
    let id: EntityId = CLASS.parse().unwrap();
    let doc: ClassDoc = class_doc(&all.get(&id)?.doc);
    let sessions: Vec<(EntityId, SessionDoc)> = all
        .values()
        .filter(|s| s.kind == EntityKind::TrainingSession)
        .map(|s| (s.id.clone(), session_doc(&s.doc)))
        .collect();
    ClassFile::new(&id, &doc, &sessions)
}

async fn a_trainer_writes_about_their_own_classes_only(db: Db) {
    let h = Harness::start(db).await;
    let a = h.user("trainer-a", "trainer", "5099").await;
    let b = h.user("trainer-b", "trainer", "5099").await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let official = h.user("official", "village_official", "5099001001").await;
    let elsewhere = h.user("trainer-x", "trainer", "5098").await;
    let owner = a.profile.user.clone();

    let mut wa = Writer::new("a", &a);
    let mine = vec![
        wa.event("5099", CLASS, class(&owner)),
        wa.event("5099", SESSION, session(&owner)),
        wa.event("5099", CLASS, enrol(&owner, &[1, 2, 3])),
        wa.event("5099", SESSION, mark(&owner, 1)),
    ];
    assert_eq!(statuses(&a.push(&mine).await), ["accepted"; 4]);

    // Trainer B cannot write in A's name…
    let mut wb = Writer::new("b", &b);
    let forged = wb.event("5099", SESSION, mark(&owner, 2));
    assert_eq!(
        statuses(&b.push(&[forged]).await),
        ["rejected:not_permitted"]
    );
    // …and what B writes in their own name about A's class changes nothing in it.
    let b_user = b.profile.user.clone();
    let takeover = vec![
        wb.event("5099", CLASS, class(&b_user)),
        wb.event("5099", CLASS, enrol(&b_user, &[9])),
    ];
    assert_eq!(statuses(&b.push(&takeover).await), ["accepted"; 2]);

    // The district admin acts on any class in scope, in its owner's name.
    let mut wadm = Writer::new("admin", &admin);
    let by_admin = wadm.event("5099", SESSION, mark(&owner, 3));
    assert_eq!(statuses(&admin.push(&[by_admin]).await), ["accepted"]);

    // A village official may not record training; a trainer of another district is out of scope.
    let mut wo = Writer::new("official", &official);
    let not_mine = wo.event("5099001001", CLASS, class(&official.profile.user));
    assert_eq!(
        statuses(&official.push(&[not_mine]).await),
        ["rejected:not_permitted"]
    );
    let mut wx = Writer::new("x", &elsewhere);
    let outside = wx.event("5099", CLASS, class(&elsewhere.profile.user));
    assert_eq!(
        statuses(&elsewhere.push(&[outside]).await),
        ["rejected:out_of_scope"]
    );

    // Folded as every device folds it: A's class, A's three trainees, p1 and p3 present.
    // On PostgreSQL a pull serves only rows below every open snapshot: wait until all is visible.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let file = loop {
        let file = class_as_seen_by(&admin).await;
        let complete = file.as_ref().is_some_and(|f| {
            f.completions(&HoursRules::default(), &CompletionRules::default())
                .iter()
                .filter(|c| c.is_completed())
                .count()
                >= 2
        });
        if complete || std::time::Instant::now() > deadline {
            break file.expect("the class is there");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(file.owner, owner);
    let people: Vec<String> = file.trainees.iter().map(|t| t.person.to_string()).collect();
    assert_eq!(people, ["person:p1", "person:p2", "person:p3"]);
    let done = file.completions(&HoursRules::default(), &CompletionRules::default());
    let completed: Vec<bool> = done.iter().map(|c| c.is_completed()).collect();
    assert_eq!(completed, [true, false, true]);
}

async fn training_records_reach_trainers_admins_and_township_staff_in_scope_only(db: Db) {
    let h = Harness::start(db).await;
    let trainer = h.user("trainer", "trainer", "5099").await;
    let owner = trainer.profile.user.clone();
    let mut w = Writer::new("t", &trainer);
    // One class run for the whole district, one for township 001.
    let district = w.event("5099", CLASS, class(&owner));
    let town_class = "training_class:01JTRAINCLASS0000000000002";
    let township = w.event("5099001", town_class, class(&owner));
    assert_eq!(
        statuses(&trainer.push(&[district, township]).await),
        ["accepted"; 2]
    );

    let count = |events: Vec<serde_json::Value>| {
        events
            .iter()
            .filter(|e| {
                e["body"]["kind"]
                    .as_str()
                    .is_some_and(|k| k == "training_class_recorded")
            })
            .count()
    };
    let admin = h.user("admin", "district_admin", "5099").await;
    let supervisor = h.user("sup", "township_supervisor", "5099001").await;
    let reviewer = h.user("rev", "township_reviewer", "5099002").await;
    let official = h.user("official", "village_official", "5099001001").await;
    let city = h.user("city", "city_viewer", "50").await;
    admin.pull_at_least(0, 100, 2).await;
    assert_eq!(count(admin.pull_all().await), 2);
    assert_eq!(count(trainer.pull_all().await), 2);
    assert_eq!(
        count(supervisor.pull_all().await),
        1,
        "their township's class"
    );
    assert_eq!(count(reviewer.pull_all().await), 0, "another township");
    assert_eq!(count(official.pull_all().await), 0);
    assert_eq!(count(city.pull_all().await), 0);
}

async fn seed_demo_records_a_class_of_200_for_the_demo_trainer(db: Db) {
    let h = Harness::start(db).await;
    seed::seed_demo(&h.store).await.unwrap();
    // Idempotent: a second run adds no more classes than the first (the door class and the
    // assessment-required one).
    seed::seed_demo(&h.store).await.unwrap();
    assert_eq!(
        h.store
            .count_events_of_kind("training_class_recorded", "5099", None)
            .await
            .unwrap(),
        2
    );
    let trainer = h.client("demo-trainer", seed::DEMO_PASSWORD).await;
    let events: Vec<Event> = trainer
        .pull_all()
        .await
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .filter(|e: &Event| {
            matches!(
                EntityKind::of(&e.entity),
                Some(EntityKind::TrainingClass | EntityKind::TrainingSession)
            )
        })
        .collect();
    let all = fold_all(&events);
    let sessions: Vec<(EntityId, SessionDoc)> = all
        .values()
        .filter(|s| s.kind == EntityKind::TrainingSession)
        .map(|s| (s.id.clone(), session_doc(&s.doc)))
        .collect();
    let mut files: Vec<ClassFile> = all
        .iter()
        .filter(|(_, s)| s.kind == EntityKind::TrainingClass)
        .filter_map(|(id, s)| ClassFile::new(id, &class_doc(&s.doc), &sessions))
        .collect();
    files.sort_by_key(|f| f.class.seq);
    let [file, assessed] = &files[..] else {
        panic!("two demo classes, got {}", files.len());
    };
    assert_eq!(file.owner, trainer.profile.user);
    assert_eq!(file.trainees.len(), DEMO_TRAINEES);
    assert_eq!(file.sessions.len(), 2);
    assert_eq!(file.planned(), StudyHours::hours(8));
    assert_eq!(file.class.assessment, AssessmentRequirement::NotRequired);

    // The assessment-required class: 10 enrolled, one withdrawn, one exempted; of the eight
    // expected to complete, the six who passed do.
    assert_eq!(assessed.class.assessment, AssessmentRequirement::MustPass);
    assert_eq!(assessed.trainees.len(), 9);
    assert_eq!(assessed.withdrawn.len(), 1);
    assert_eq!(assessed.exempted.len(), 1);
    let done = assessed.completions(&HoursRules::default(), &CompletionRules::default());
    assert_eq!(
        Tally::of(&done),
        Tally {
            expected: 8,
            completed: 6,
            exempted: 1
        }
    );
}
