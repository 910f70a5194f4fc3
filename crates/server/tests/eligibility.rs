//! The joint review's privacy on the server (domain-spec §2.4): whatever a village official or a
//! joint-review department user asks the pull for, they never receive HIT details outside their
//! permission; department users write only their own department's answers; accounts carry their
//! department — on SQLite and (when `CUNJU_TEST_POSTGRES_URL` is set) PostgreSQL.

mod common;

use chrono::NaiveDate;
use common::{Client, Db, Device, Harness, PASSWORD, statuses};
use cunju_domain::eligibility::events::{
    AnswerLine, BatchCompiled, BatchSent, DepartmentAnswers, IssuedVerdict, IssuedVerdicts, Nominee,
};
use cunju_domain::eligibility::ledger::sign_off;
use cunju_domain::eligibility::{Committee, Department, RuleId, RuleResult, VerdictCode};
use cunju_domain::event::{Event, EventBody, NewEvent};
use cunju_domain::ids::{EntityId, EventId};
use cunju_server::seed;
use cunju_server::seed::eligibility::demo_pack;
use serde_json::Value;

on_both_databases!(
    hit_details_reach_only_district_admins_and_the_writing_department,
    a_department_user_writes_only_its_own_departments_answers,
    accounts_carry_their_department,
);

const VILLAGE: &str = "5099001001";
const TOWNSHIP: &str = "5099001";
const DISTRICT: &str = "5099";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Creates a joint-review department user and signs it in.
async fn department_user(h: &Harness, username: &str, department: Department) -> Client {
    let mut row = seed::new_user(username, PASSWORD, "review_department", DISTRICT, username)
        .expect("valid user");
    row.department = Some(department.code());
    h.store.insert_user(&row, 0).await.expect("insert user");
    h.client(username, PASSWORD).await
}

fn write(device: &mut Device, entity: &EntityId, body: EventBody) -> Event {
    device.log.append(
        NewEvent {
            actor: device.actor.clone(),
            unit: VILLAGE.parse().unwrap(),
            entity: entity.clone(),
            body,
        },
        1_750_000_000_000 + device.log.next_seq * 1000,
        rand::random(),
    )
}

fn compiled() -> BatchCompiled {
    let pack = demo_pack();
    BatchCompiled {
        committee: Committee::VillageCommittee,
        election_day: day(2026, 3, 1),
        formal_list_day: day(2026, 2, 24),
        seats: 1,
        margin: 1,
        pack_id: pack.id.clone(),
        pack_version: pack.version,
        rules: pack
            .applicable(Committee::VillageCommittee, day(2026, 3, 1))
            .filter(|r| r.kind != cunju_domain::eligibility::RuleKind::Post)
            .cloned()
            .collect(),
        nominees: vec![
            Nominee {
                person: "person:01ARZ3NDEKTSV4RRFFQ69G5FAA".parse().unwrap(),
                name: "甲".into(),
            },
            Nominee {
                person: "person:01ARZ3NDEKTSV4RRFFQ69G5FAB".parse().unwrap(),
                name: "乙".into(),
            },
        ],
    }
}

/// A department's answers: a HIT with a note on its first rule for the first nominee, CLEAR
/// on everything else it reviews.
fn answers_of(department: Department, note: &str) -> DepartmentAnswers {
    let c = compiled();
    let mut answers = Vec::new();
    for rule in c
        .rules
        .iter()
        .filter(|r| r.departments.contains(&department))
    {
        if cunju_domain::eligibility::basic::is_computed(&rule.id) {
            continue;
        }
        for (i, n) in c.nominees.iter().enumerate() {
            let hit = answers.is_empty() && i == 0;
            answers.push(AnswerLine {
                person: n.person.clone(),
                rule: rule.id.clone(),
                result: if hit {
                    RuleResult::Hit
                } else {
                    RuleResult::Clear
                },
                record_date: hit.then(|| day(2019, 5, 1)),
                note: hit.then(|| note.to_string()),
                date: day(2026, 2, 19),
                seal_photo_hash: None,
            });
        }
    }
    DepartmentAnswers {
        department,
        answers,
    }
}

fn answer_events(device: &mut Device, batch: &EntityId, a: DepartmentAnswers) -> Vec<Event> {
    vec![
        write(
            device,
            batch,
            EventBody::ReviewSignedOff(sign_off(&compiled(), &a)),
        ),
        write(device, batch, EventBody::ReviewAnswered(a)),
    ]
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["body"]["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Every pull the client can make: from every cursor, one event at a time and in one big
/// page, plus query parameters it has no right to (ignored or refused, never obeyed).
async fn everything_pulled(client: &Client, last_cursor: u64) -> Vec<Value> {
    let mut raw = Vec::new();
    for after in 0..=last_cursor {
        for limit in [1, 1000] {
            let page = client.pull(after, limit).await;
            raw.push(page);
        }
    }
    for extra in [
        "&scope=5099",
        "&unit=5099001001",
        "&kind=review_answered",
        "&role=district_admin",
        "&department=court",
    ] {
        let res = client
            .get(&format!("/api/v1/sync/pull?after=0&limit=1000{extra}"))
            .await;
        if res.status() == 200 {
            raw.push(res.json().await.unwrap());
        } else {
            assert_eq!(res.status(), 400, "{extra}");
        }
    }
    for bad in ["-1", "99999999", "abc"] {
        let res = client
            .get(&format!("/api/v1/sync/pull?after={bad}&limit=10"))
            .await;
        assert_eq!(res.status(), 400, "cursor {bad}");
    }
    raw
}

fn served(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|p| p["events"].as_array().unwrap().iter().cloned())
        .collect()
}

async fn hit_details_reach_only_district_admins_and_the_writing_department(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let supervisor = h.user("supervisor", "township_supervisor", TOWNSHIP).await;
    let village = h.user("village", "village_official", VILLAGE).await;
    let admin = h.user("admin", "district_admin", DISTRICT).await;
    let district_village_reader = h.user("reviewer", "township_reviewer", TOWNSHIP).await;
    let court = department_user(&h, "court", Department::Court).await;
    let police = department_user(&h, "police", Department::PublicSecurity).await;
    let unassigned = h.user("jointreview", "review_department", DISTRICT).await;

    let batch = EntityId::new("review_batch", EventId::new(1_750_000_000_000, [7; 10]));
    let mut sup_device = Device::new("sup", &supervisor.profile);
    let opening = vec![
        write(
            &mut sup_device,
            &batch,
            EventBody::ReviewBatchCompiled(compiled()),
        ),
        write(
            &mut sup_device,
            &batch,
            EventBody::ReviewBatchSent(BatchSent {}),
        ),
    ];
    assert_eq!(statuses(&supervisor.push(&opening).await), ["accepted"; 2]);

    let mut court_device = Device::new("court", &court.profile);
    let court_events = answer_events(
        &mut court_device,
        &batch,
        answers_of(Department::Court, "法院机密案号-7731"),
    );
    assert_eq!(statuses(&court.push(&court_events).await), ["accepted"; 2]);
    let mut police_device = Device::new("police", &police.profile);
    let police_events = answer_events(
        &mut police_device,
        &batch,
        answers_of(Department::PublicSecurity, "公安机密记录-4410"),
    );
    assert_eq!(
        statuses(&police.push(&police_events).await),
        ["accepted"; 2]
    );

    let issued = vec![write(
        &mut sup_device,
        &batch,
        EventBody::VerdictsIssued(IssuedVerdicts {
            verdicts: vec![IssuedVerdict {
                person: "person:01ARZ3NDEKTSV4RRFFQ69G5FAA".parse().unwrap(),
                code: VerdictCode::NotEligible,
            }],
        }),
    )];
    assert_eq!(statuses(&supervisor.push(&issued).await), ["accepted"]);

    // The cursor reaches past every event of the log once all seven are visible.
    let all = admin.pull_at_least(0, 1000, 7).await;
    let last_cursor = all["next"].as_u64().unwrap();
    let admin_sees = kinds(all["events"].as_array().unwrap());
    assert_eq!(
        admin_sees
            .iter()
            .filter(|k| *k == "review_answered")
            .count(),
        2,
        "the district admin reads both departments' HIT details"
    );

    // A village official: verdict codes only, whatever it asks for.
    let pages = everything_pulled(&village, last_cursor).await;
    let text = serde_json::to_string(&pages).unwrap();
    assert!(!text.contains("机密"), "no HIT note reaches the village");
    assert!(
        !text.contains("2019-05-01"),
        "no record date reaches the village"
    );
    let got = served(&pages);
    assert!(kinds(&got).contains(&"verdicts_issued".to_string()));
    assert!(
        kinds(&got)
            .iter()
            .all(|k| k == "verdicts_issued" || k == "unit_recorded"),
        "only its unit and the verdict codes: {:?}",
        kinds(&got)
    );

    // The township: results and verdicts, never a HIT detail.
    for reader in [&supervisor, &district_village_reader] {
        let pages = everything_pulled(reader, last_cursor).await;
        let text = serde_json::to_string(&pages).unwrap();
        assert!(!text.contains("机密") && !text.contains("2019-05-01"));
        assert!(!kinds(&served(&pages)).contains(&"review_answered".to_string()));
    }

    // A department: its own details only, never the other department's.
    for (reader, own, other) in [
        (&court, "法院机密案号-7731", "公安机密记录-4410"),
        (&police, "公安机密记录-4410", "法院机密案号-7731"),
    ] {
        let pages = everything_pulled(reader, last_cursor).await;
        let text = serde_json::to_string(&pages).unwrap();
        assert!(text.contains(own), "a department reads its own answers");
        assert!(!text.contains(other), "but never another department's");
        let got = served(&pages);
        assert!(!kinds(&got).contains(&"verdicts_issued".to_string()));
        let departments: Vec<&str> = got
            .iter()
            .filter_map(|e| e["body"]["data"]["department"].as_str())
            .collect();
        assert!(
            departments
                .iter()
                .all(|d| *d == reader.profile.department.unwrap().code())
        );
    }

    // A department account without a department reads no answers at all.
    let pages = everything_pulled(&unassigned, last_cursor).await;
    let got = served(&pages);
    assert!(
        !kinds(&got)
            .iter()
            .any(|k| k == "review_answered" || k == "review_signed_off")
    );
}

async fn a_department_user_writes_only_its_own_departments_answers(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let court = department_user(&h, "court", Department::Court).await;
    let village = h.user("village", "village_official", VILLAGE).await;
    let supervisor = h.user("supervisor", "township_supervisor", TOWNSHIP).await;
    let batch = EntityId::new("review_batch", EventId::new(1_750_000_000_000, [8; 10]));

    // The court writing as the police: refused, and nothing is stored.
    let mut court_device = Device::new("court", &court.profile);
    let forged = answer_events(
        &mut court_device,
        &batch,
        answers_of(Department::PublicSecurity, "冒充"),
    );
    assert_eq!(
        statuses(&court.push(&forged[..1]).await),
        ["rejected:not_permitted"]
    );
    // A village official or a supervisor may not answer for any department.
    for client in [&village, &supervisor] {
        let mut device = Device::new("x", &client.profile);
        let events = answer_events(&mut device, &batch, answers_of(Department::Court, "x"));
        assert_eq!(
            statuses(&client.push(&events[..1]).await),
            ["rejected:not_permitted"]
        );
    }
    // A department may not compile batches nor issue verdicts.
    let mut device = Device::new("court2", &court.profile);
    let compile = write(
        &mut device,
        &batch,
        EventBody::ReviewBatchCompiled(compiled()),
    );
    assert_eq!(
        statuses(&court.push(&[compile]).await),
        ["rejected:not_permitted"]
    );
    let n = h
        .store
        .count_events_of_kind("review_answered", "", None)
        .await
        .unwrap()
        + h.store
            .count_events_of_kind("review_signed_off", "", None)
            .await
            .unwrap();
    assert_eq!(n, 0);
    let _ = RuleId::new("N01");
}

async fn accounts_carry_their_department(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let (code, out) = h.cli(&[
        "user",
        "add",
        "--db",
        &h.db_url,
        "--username",
        "jiwei-1",
        "--password",
        PASSWORD,
        "--role",
        "review_department",
        "--scope",
        DISTRICT,
        "--name",
        "纪委甲",
        "--department",
        "discipline_supervision",
    ]);
    assert_eq!(code, 0, "{out}");
    let client = h.client("jiwei-1", PASSWORD).await;
    assert_eq!(
        client.profile.department,
        Some(Department::DisciplineSupervision)
    );
    let me: Value = client.get("/api/v1/me").await.json().await.unwrap();
    assert!(
        serde_json::to_string(&me)
            .unwrap()
            .contains("discipline_supervision"),
        "/me names the department: {me}"
    );
    for (role, department) in [
        ("village_official", "court"),
        ("review_department", "police"),
    ] {
        let (code, out) = h.cli(&[
            "user",
            "add",
            "--db",
            &h.db_url,
            "--username",
            "bad-1",
            "--password",
            PASSWORD,
            "--role",
            role,
            "--scope",
            DISTRICT,
            "--name",
            "错",
            "--department",
            department,
        ]);
        assert_ne!(code, 0, "{role} {department}: {out}");
        assert!(h.store.user_by_username("bad-1").await.unwrap().is_none());
    }

    // The demo: one account per department, and the demo pack recorded once.
    seed::eligibility::seed(&h.store, 1_750_000_000_000)
        .await
        .unwrap();
    seed::eligibility::seed(&h.store, 1_750_000_000_000)
        .await
        .unwrap();
    for (username, department) in [
        ("demo-gongan", Department::PublicSecurity),
        ("demo-jiwei", Department::DisciplineSupervision),
        ("demo-fayuan", Department::Court),
    ] {
        let c = h.client(username, seed::DEMO_PASSWORD).await;
        assert_eq!(c.profile.department, Some(department));
    }
    let packs = h
        .store
        .count_events_of_kind("rule_pack_cloned", DISTRICT, None)
        .await
        .unwrap();
    assert_eq!(packs, 3, "the demo pack, once per demo township");
}
