//! Election procedure events through push and pull: who may open an election, move its day,
//! tick, untick and add material, where (scope), and who receives them; and the demo
//! elections of `seed-demo` — on SQLite and (when `CUNJU_TEST_POSTGRES_URL` is set) PostgreSQL.

mod common;

use chrono::NaiveDate;
use common::{Client, Db, Device, Harness, statuses};
use cunju_domain::election::template::{ElectoralMode, NominationMode};
use cunju_domain::election::{
    ElectionDayMoved, ElectionOpened, ElectionType, StepCode, StepEdited, StepTicked, StepUnticked,
};
use cunju_domain::event::{Event, EventBody, NewEvent};
use cunju_domain::ids::EntityId;
use cunju_server::seed;
use cunju_server::verify::verify;
use serde_json::Value;

on_both_databases!(
    only_the_supervisor_ticks_and_the_village_adds_material_within_scope,
    election_events_reach_the_roles_in_scope_only,
    seed_demo_records_elections_at_different_steps,
);

const VILLAGE: &str = "5099001001";
/// 2026-06-01 08:00 in China: after every day used here.
const LATER_MS: u64 = 1_780_272_000_000;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn opened() -> EventBody {
    EventBody::ElectionOpened(
        ElectionOpened::new(
            ElectionType::Village,
            ElectoralMode::Direct,
            NominationMode::Candidates,
            day(2026, 3, 29),
            day(2026, 2, 20),
        )
        .unwrap(),
    )
}

fn tick(step: StepCode) -> EventBody {
    EventBody::StepTicked(StepTicked {
        step,
        done_on: day(2026, 3, 9),
        notes: "已张贴".into(),
        evidence: vec![],
        device_time_ms: LATER_MS,
    })
}

fn untick() -> EventBody {
    EventBody::StepUnticked(StepUnticked {
        step: StepCode::V05,
        reason: "公告照片不清".into(),
    })
}

fn edit() -> EventBody {
    EventBody::StepEdited(StepEdited {
        step: StepCode::V05,
        notes: "补拍公告照片".into(),
        evidence: vec![],
    })
}

fn moved() -> EventBody {
    EventBody::ElectionDayMoved(ElectionDayMoved {
        election_day: day(2026, 4, 12),
        reason: "与春耕冲突".into(),
    })
}

/// One event of `client`'s own device about `election:<slug>` in `unit`.
fn write(device: &mut Device, client: &Client, unit: &str, body: EventBody, n: u64) -> Event {
    device.log.append(
        NewEvent {
            actor: client.profile.user.clone(),
            unit: unit.parse().unwrap(),
            entity: "election:01KB0000000000000000000000"
                .parse::<EntityId>()
                .unwrap(),
            body,
        },
        1_800_000_000_000 + n,
        rand::random(),
    )
}

/// Pushes one event from a fresh device of `client` and returns its status.
async fn try_push(client: &Client, unit: &str, body: EventBody) -> String {
    let mut device = Device::new("phone", &client.profile);
    let ev = write(&mut device, client, unit, body, 0);
    statuses(&client.push(&[ev]).await).remove(0)
}

async fn only_the_supervisor_ticks_and_the_village_adds_material_within_scope(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let supervisor = h.user("sup", "township_supervisor", "5099001").await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let official = h.user("official", "village_official", VILLAGE).await;
    let other_official = h.user("other", "village_official", "5099001002").await;
    let other_supervisor = h.user("sup2", "township_supervisor", "5099002").await;
    let reviewer = h.user("rev", "township_reviewer", "5099001").await;

    // The supervisor opens, ticks and moves on one device, in order.
    let mut phone = Device::new("phone", &supervisor.profile);
    let events = vec![
        write(&mut phone, &supervisor, VILLAGE, opened(), 1),
        write(&mut phone, &supervisor, VILLAGE, tick(StepCode::V05), 2),
        write(&mut phone, &supervisor, VILLAGE, moved(), 3),
    ];
    assert_eq!(
        statuses(&supervisor.push(&events).await),
        ["accepted", "accepted", "accepted"]
    );

    // Ticking is the supervisor's alone; the admin opens, moves and unticks.
    for (client, body, expected) in [
        (&official, tick(StepCode::V06), "rejected:not_permitted"),
        (&admin, tick(StepCode::V06), "rejected:not_permitted"),
        (&reviewer, tick(StepCode::V06), "rejected:not_permitted"),
        (&admin, untick(), "accepted"),
        (&admin, moved(), "accepted"),
        (&official, untick(), "rejected:not_permitted"),
        (&official, opened(), "rejected:not_permitted"),
        (&official, edit(), "accepted"),
        (&supervisor, edit(), "rejected:not_permitted"),
        (&reviewer, edit(), "rejected:not_permitted"),
    ] {
        assert_eq!(
            try_push(client, VILLAGE, body.clone()).await,
            expected,
            "{} {}",
            client.profile.role.label_en(),
            body.kind_name()
        );
    }
    // In role, out of scope.
    assert_eq!(
        try_push(&other_supervisor, VILLAGE, tick(StepCode::V06)).await,
        "rejected:out_of_scope"
    );
    assert_eq!(
        try_push(&other_official, VILLAGE, edit()).await,
        "rejected:out_of_scope"
    );

    // A tick that breaks the body rules (done after the device's day) is refused as invalid.
    let mut device = Device::new("phone", &supervisor.profile);
    let future = EventBody::StepTicked(StepTicked {
        step: StepCode::V06,
        done_on: day(2030, 1, 1),
        notes: String::new(),
        evidence: vec![],
        device_time_ms: LATER_MS,
    });
    let ev = write(&mut device, &supervisor, VILLAGE, future, 0);
    assert_eq!(
        statuses(&supervisor.push(&[ev]).await),
        ["rejected:invalid_body"]
    );
}

async fn election_events_reach_the_roles_in_scope_only(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let supervisor = h.user("sup", "township_supervisor", "5099001").await;
    let mut phone = Device::new("phone", &supervisor.profile);
    let events = vec![
        write(&mut phone, &supervisor, VILLAGE, opened(), 1),
        write(&mut phone, &supervisor, VILLAGE, tick(StepCode::V05), 2),
    ];
    assert_eq!(
        statuses(&supervisor.push(&events).await),
        ["accepted", "accepted"]
    );
    let kinds = |events: Vec<Value>| -> Vec<String> {
        events
            .iter()
            .map(|e| e["body"]["kind"].as_str().unwrap().to_string())
            .filter(|k| k.starts_with("election") || k.starts_with("step"))
            .collect()
    };
    for (username, role, scope, receives) in [
        ("official", "village_official", VILLAGE, true),
        ("other", "village_official", "5099001002", false),
        ("rev", "township_reviewer", "5099001", true),
        ("admin", "district_admin", "5099", true),
        ("sup2", "township_supervisor", "5099002", false),
        ("dept", "review_department", "5099", false),
        ("trainer", "trainer", "5099", false),
        ("city", "city_viewer", "50", false),
    ] {
        let client = h.user(username, role, scope).await;
        let expected: Vec<String> = if receives {
            vec!["election_opened".into(), "step_ticked".into()]
        } else {
            vec![]
        };
        // On PostgreSQL a commit is served once older transactions in the cluster end.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut got = kinds(client.pull_all().await);
        while got != expected && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            got = kinds(client.pull_all().await);
        }
        assert_eq!(got, expected, "{role} in {scope}");
    }
}

async fn seed_demo_records_elections_at_different_steps(db: Db) {
    let h = Harness::start(db).await;
    seed::seed_demo(&h.store).await.unwrap();
    let count = |kind: &'static str| {
        let store = h.store.clone();
        async move {
            store
                .count_events_of_kind(kind, "5099", None)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("election_opened").await, 4);
    let ticks = count("step_ticked").await;
    assert!(ticks > 20, "{ticks} ticks");
    assert_eq!(verify(&h.store).await.unwrap(), vec![]);
    // Idempotent: a second run adds no election.
    seed::seed_demo(&h.store).await.unwrap();
    assert_eq!(count("election_opened").await, 4);
    assert_eq!(count("step_ticked").await, ticks);
}
