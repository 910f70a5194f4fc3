//! Election rolls on the server: who may write registration and tally events where, who
//! receives them, bad bodies, and the demo roll of `seed-demo` — on SQLite and (when
//! `CUNJU_TEST_POSTGRES_URL` is set) PostgreSQL.

mod common;

use chrono::{Days, NaiveDate};
use common::{Client, Db, Device, Harness, statuses};
use cunju_domain::directory::kinship::Kinship;
use cunju_domain::directory::person::{IdNumber, check_digit};
use cunju_domain::election::roll::{
    BoxKind, RollEvent, RollPlan, RollView, RoundStatus, TallyRound, VoterCategory, VoterEntry,
};
use cunju_domain::election::tally::{PostTitle, RoundResult, Seats};
use cunju_domain::election::template::{ElectionType, ElectoralMode, RulePackVersion};
use cunju_domain::event::{Event, EventBody, NewEvent};
use cunju_domain::projection::fold;
use cunju_server::seed;
use cunju_server::seed::election_roll::DEMO_ROLL;
use serde_json::Value;

on_both_databases!(
    officials_register_and_only_supervisors_enter_the_tally_in_scope,
    rolls_are_received_within_scope_by_the_roles_that_read_them,
    a_roll_event_that_breaks_its_own_rules_is_refused_as_invalid,
    seed_demo_records_a_counted_roll_with_winners,
);

const VILLAGE: &str = "5099001001";
const ROLL: &str = "election_roll:srvtest1";

fn id(i: u32) -> IdNumber {
    let birth = NaiveDate::from_ymd_opt(1960, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(u64::from(i)))
        .unwrap();
    let first17 = format!("500199{}001", birth.format("%Y%m%d"));
    let check = check_digit(first17.as_bytes().try_into().unwrap());
    IdNumber::try_from(format!("{first17}{check}")).unwrap()
}

fn opened() -> RollEvent {
    RollEvent::Opened {
        plan: RollPlan {
            unit: VILLAGE.parse().unwrap(),
            committee: ElectionType::Village,
            mode: ElectoralMode::Direct,
            pack: RulePackVersion::CqVc2025,
            seats: vec![
                Seats {
                    post: PostTitle::Chair,
                    count: 1,
                },
                Seats {
                    post: PostTitle::Member,
                    count: 2,
                },
            ],
            proxy_max_principals: 3,
            multi_ethnic: false,
            election_day: None,
        },
    }
}

fn voters(from: u32, to: u32) -> RollEvent {
    RollEvent::VotersRegistered {
        voters: (from..to)
            .map(|i| VoterEntry {
                name: format!("选民{i}"),
                id_number: id(i),
                category: VoterCategory::Resident,
                household: None,
                basis: None,
                person: None,
            })
            .collect(),
    }
}

fn write(device: &mut Device, unit: &str, ev: RollEvent, t: u64) -> Event {
    device.log.append(
        NewEvent {
            actor: device.actor.clone(),
            unit: unit.parse().unwrap(),
            entity: ROLL.parse().unwrap(),
            body: EventBody::ElectionRoll(ev),
        },
        1_800_000_000_000 + t,
        rand::random(),
    )
}

fn ballots() -> RollEvent {
    RollEvent::BallotsCounted {
        round: TallyRound::First,
        box_no: "1".into(),
        issued: 3,
        returned: 3,
    }
}

async fn officials_register_and_only_supervisors_enter_the_tally_in_scope(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let official = h.user("official", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &official.profile);
    let registration = vec![
        write(&mut phone, VILLAGE, opened(), 1),
        write(&mut phone, VILLAGE, voters(1, 6), 2),
        write(
            &mut phone,
            VILLAGE,
            RollEvent::BoxRecorded {
                no: "1".into(),
                kind: BoxKind::Central,
                seal_no: "F1".into(),
                scrutineers: vec!["甲".into()],
                approved_on: None,
            },
            3,
        ),
    ];
    assert_eq!(
        statuses(&official.push(&registration).await),
        ["accepted", "accepted", "accepted"]
    );
    // A count is the supervisor's: the official's is refused, and nothing is lost on the device.
    let count = write(&mut phone, VILLAGE, ballots(), 4);
    assert_eq!(
        statuses(&official.push(&[count]).await),
        ["rejected:not_permitted"]
    );

    let supervisor = h.user("supervisor", "township_supervisor", "5099001").await;
    let mut tablet = Device::new("tablet", &supervisor.profile);
    let counted = write(&mut tablet, VILLAGE, ballots(), 5);
    let more = write(&mut tablet, VILLAGE, voters(6, 8), 6);
    assert_eq!(
        statuses(&supervisor.push(&[counted, more]).await),
        ["accepted", "accepted"]
    );

    let elsewhere = h.user("other-sup", "township_supervisor", "5099002").await;
    let mut other = Device::new("other", &elsewhere.profile);
    let outside = write(&mut other, VILLAGE, ballots(), 7);
    assert_eq!(
        statuses(&elsewhere.push(&[outside]).await),
        ["rejected:out_of_scope"]
    );
    let reviewer = h.user("reviewer", "township_reviewer", "5099001").await;
    let mut desk = Device::new("desk", &reviewer.profile);
    let refused = write(&mut desk, VILLAGE, voters(20, 21), 8);
    assert_eq!(
        statuses(&reviewer.push(&[refused]).await),
        ["rejected:not_permitted"]
    );
    let neighbour = h.user("neighbour", "village_official", "5099001002").await;
    let mut next_door = Device::new("next-door", &neighbour.profile);
    let foreign = write(&mut next_door, VILLAGE, voters(30, 31), 9);
    assert_eq!(
        statuses(&neighbour.push(&[foreign]).await),
        ["rejected:out_of_scope"]
    );
}

async fn roll_events(client: &Client, at_least: usize) -> Vec<Event> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let events: Vec<Event> = client
            .pull_all()
            .await
            .into_iter()
            .filter(|e| e["body"]["kind"] == "election_roll")
            .map(|e| serde_json::from_value(e).unwrap())
            .collect();
        if events.len() >= at_least || std::time::Instant::now() > deadline {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn rolls_are_received_within_scope_by_the_roles_that_read_them(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let official = h.user("official", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &official.profile);
    let events = vec![
        write(&mut phone, VILLAGE, opened(), 1),
        write(&mut phone, VILLAGE, voters(1, 4), 2),
    ];
    assert_eq!(
        statuses(&official.push(&events).await),
        ["accepted", "accepted"]
    );
    for (name, role, scope, expected) in [
        ("sup", "township_supervisor", "5099001", 2),
        ("rev", "township_reviewer", "5099001", 2),
        ("adm", "district_admin", "5099", 2),
        ("trn", "trainer", "5099", 0),
        ("jr", "review_department", "5099", 0),
        ("nbr", "village_official", "5099001002", 0),
    ] {
        let client = h.user(name, role, scope).await;
        let got = roll_events(&client, expected).await;
        assert_eq!(got.len(), expected, "{role} in {scope}");
        if expected > 0 {
            let view: RollView = fold(&got);
            assert_eq!(view.voters.len(), 3, "{role} folds the same roll");
        }
    }
}

async fn a_roll_event_that_breaks_its_own_rules_is_refused_as_invalid(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let official = h.user("official", "village_official", VILLAGE).await;
    let mut phone = Device::new("phone", &official.profile);
    let too_many = write(&mut phone, VILLAGE, voters(1, 202), 1);
    let res = official.push(&[too_many]).await;
    assert_eq!(statuses(&res), ["rejected:invalid_body"]);
    // A plan with a committee of 9 in a village (3–7) is refused too.
    let mut phone2 = Device::new("phone2", &official.profile);
    let RollEvent::Opened { mut plan } = opened() else {
        unreachable!()
    };
    plan.seats[1].count = 8;
    let big = write(&mut phone2, VILLAGE, RollEvent::Opened { plan }, 2);
    assert_eq!(
        statuses(&official.push(&[big]).await),
        ["rejected:invalid_body"]
    );
    let raw: Value = serde_json::json!({"kind": "election_roll", "v": 1, "data": {"op": "list_published", "on": "2026-03-31"}});
    assert!(
        serde_json::from_value::<EventBody>(raw).is_err(),
        "a missing count is not a valid body"
    );
}

async fn seed_demo_records_a_counted_roll_with_winners(db: Db) {
    let h = Harness::start(db).await;
    seed::seed_demo(&h.store).await.unwrap();
    let village = h.client("demo-village", seed::DEMO_PASSWORD).await;
    let events = roll_events(&village, 10).await;
    assert!(events.iter().all(|e| e.entity.as_str() == DEMO_ROLL));
    let view: RollView = fold(&events);
    assert!(view.set_aside.is_empty(), "{:?}", view.set_aside);
    assert!(view.voters.len() >= 40, "{}", view.voters.len());
    assert!(
        view.voters.iter().all(|v| v.person.is_some()),
        "voters point at the directory"
    );
    assert_eq!(view.published().unwrap().count as usize, view.voters.len());
    let results = view.results(&Kinship::default()).unwrap();
    let RoundStatus::Decided(RoundResult::Counted(outcome)) = &results.first else {
        panic!("{:?}", results.first)
    };
    assert_eq!(outcome.elected().count(), 5);
    assert!(results.breaches.is_empty(), "{:?}", results.breaches);

    let again = seed::seed_demo(&h.store).await.unwrap();
    assert_eq!(again.units_recorded, 0);
    let n = h
        .store
        .count_events_of_kind("election_roll", "5099", None)
        .await
        .unwrap();
    assert_eq!(n as usize, events.len(), "seed-demo is idempotent");
    assert_eq!(
        cunju_server::verify::verify(&h.store).await.unwrap(),
        vec![]
    );
}
