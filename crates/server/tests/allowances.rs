//! Social-work allowances on the server: qualification records, rate tables and roster steps
//! sync within scope and only by the permitted roles; rate tables set at the district reach the
//! villages below it; and the demo district seeds records from which a roster computes real
//! rows — on SQLite and (when `CUNJU_TEST_POSTGRES_URL` is set) PostgreSQL.

mod common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use common::{Client, Db, Device, Harness, statuses};
use cunju_domain::allowance::entitlement::{AssessmentGrade, Registration};
use cunju_domain::allowance::level::Level;
use cunju_domain::allowance::period::{Period, YearMonth};
use cunju_domain::allowance::rates::Proration;
use cunju_domain::allowance::records::{
    self, DistrictRates, QualificationFact, RatesSet, RosterDraft, RosterRecord, RosterReview,
    current_roster, default_table, view,
};
use cunju_domain::allowance::roster::{RosterStatus, WarningKind};
use cunju_domain::event::{EntityKind, Event, EventBody};
use cunju_domain::money::Fen;
use cunju_domain::projection::{EntityState, fold_all};
use cunju_server::api::RatesResponse;
use cunju_server::seed;
use serde_json::Value;

on_both_databases!(
    allowance_records_sync_within_scope_by_permitted_roles_only,
    seeded_demo_records_give_a_roster_with_real_rows,
    suspensions_are_recorded_by_the_township_desk_and_the_district_only,
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ym(text: &str) -> YearMonth {
    text.parse().unwrap()
}

fn draft() -> EventBody {
    EventBody::RosterDrafted(RosterDraft {
        unit_name: "青石村(虚构)".into(),
        period: Period::new(ym("2024-10"), ym("2024-12")).unwrap(),
        prepared_by: "李村干".into(),
        unit_head: None,
        date: d(2024, 12, 31),
    })
}

fn review() -> EventBody {
    EventBody::RosterReviewed(RosterReview {
        reviewer: "赵审核".into(),
        rows: 0,
        total: Fen::ZERO,
    })
}

/// The module event kinds `client` receives. On PostgreSQL a pull serves only rows below every
/// open transaction's snapshot, so wait (up to 20 s) until at least `at_least` are visible.
async fn kinds(client: &Client, at_least: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let kinds: Vec<String> = client
            .pull_all()
            .await
            .iter()
            .map(|e| e["body"]["kind"].as_str().unwrap().to_string())
            .filter(|k| !k.starts_with("unit") && !k.starts_with("person"))
            .collect();
        if kinds.len() >= at_least || std::time::Instant::now() > deadline {
            return kinds;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn rates_of(client: &Client) -> Vec<Event> {
    let res = client.get("/api/v1/allowances/rates").await;
    assert_eq!(res.status(), 200);
    res.json::<RatesResponse>().await.unwrap().events
}

async fn allowance_records_sync_within_scope_by_permitted_roles_only(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let village = h.user("village", "village_official", "5099001001").await;
    let neighbour = h.user("neighbour", "village_official", "5099001002").await;
    let reviewer = h.user("reviewer", "township_reviewer", "5099001").await;
    let trainer = h.user("trainer", "trainer", "5099").await;
    let elsewhere = h.user("elsewhere", "district_admin", "5098").await;

    let rates = EventBody::AllowanceRatesSet(RatesSet {
        table: default_table(),
        proration: Proration::FirstDay,
    });
    let mut dv = Device::new("village", &village.profile);
    let refused = dv.write("5099", "allowance_rates:5099", rates.clone());
    let res = village.push(&[refused]).await;
    assert_eq!(
        statuses(&res),
        ["rejected:not_permitted"],
        "only the district sets rates"
    );

    let mut da = Device::new("admin", &admin.profile);
    let set = da.write("5099", "allowance_rates:5099", rates);
    assert_eq!(
        statuses(&admin.push(std::slice::from_ref(&set)).await),
        ["accepted"]
    );

    // The village official records a worker and drafts the roster of the village.
    let mut dv = Device::new("village2", &village.profile);
    let fact = dv.write(
        "5099001001",
        "qualification:w1",
        EventBody::QualificationRecorded(QualificationFact::Registered {
            registration: Registration::first(Level::SwAssistant, "DJ-1", d(2024, 1, 5), 3),
        }),
    );
    let roster = dv.write("5099001001", "roster:r1", draft());
    let review_by_village = dv.write("5099001001", "roster:r1", review());
    let outside = dv.write("5099001002", "roster:r2", draft());
    assert_eq!(
        statuses(
            &village
                .push(&[fact, roster, review_by_village, outside])
                .await
        ),
        [
            "accepted",
            "accepted",
            "rejected:not_permitted",
            "rejected:out_of_scope"
        ]
    );

    let mut dr = Device::new("reviewer", &reviewer.profile);
    let reviewed = dr.write("5099001001", "roster:r1", review());
    assert_eq!(statuses(&reviewer.push(&[reviewed]).await), ["accepted"]);

    // Who receives what: the township and the village see the roster; the neighbouring
    // village, the trainer and another district do not.
    let expected = [
        "qualification_recorded",
        "roster_drafted",
        "roster_reviewed",
    ];
    assert_eq!(kinds(&village, expected.len()).await, expected);
    let mut township = kinds(&reviewer, expected.len()).await;
    township.sort();
    assert_eq!(township, expected);
    assert!(kinds(&neighbour, 0).await.is_empty());
    assert!(kinds(&trainer, 0).await.is_empty());
    assert!(kinds(&elsewhere, 0).await.is_empty());

    // The district's rate table is not in a village's pull but reaches it through the rates
    // endpoint, and not another district.
    let ids = |events: Vec<Event>| events.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(rates_of(&village).await), [set.id]);
    assert_eq!(ids(rates_of(&admin).await), [set.id]);
    assert!(rates_of(&elsewhere).await.is_empty());
    assert!(rates_of(&trainer).await.is_empty());
    let res = h
        .http
        .get(h.url("/api/v1/allowances/rates"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

fn states_of(events: &[Value]) -> BTreeMap<cunju_domain::ids::EntityId, EntityState> {
    let events: Vec<Event> = events
        .iter()
        .map(|e| serde_json::from_value(e.clone()).unwrap())
        .collect();
    fold_all(&events)
}

async fn seeded_demo_records_give_a_roster_with_real_rows(db: Db) {
    let h = Harness::start(db).await;
    let report = seed::seed_demo(&h.store).await.unwrap();
    assert!(report.people_recorded > 0);
    let again = seed::seed_allowances(&h.store, d(2025, 7, 1), 0)
        .await
        .unwrap();
    assert_eq!(again, 0, "idempotent");

    // The demo village official pulls the village, fetches the district's rates and drafts a
    // roster of the last three full months.
    let village = h.client("demo-village", seed::DEMO_PASSWORD).await;
    let today = chrono::Utc::now().date_naive();
    let to = YearMonth::of(today)
        .first_day()
        .pred_opt()
        .map(YearMonth::of)
        .unwrap();
    let from = YearMonth::of(to.first_day() - chrono::Months::new(2));
    let mut dv = Device::new("village", &village.profile);
    let drafted = dv.write(
        seed::DEMO_ALLOWANCE_UNIT,
        "roster:demo",
        EventBody::RosterDrafted(RosterDraft {
            unit_name: "青石村(虚构)".into(),
            period: Period::new(from, to).unwrap(),
            prepared_by: "李村干(演示)".into(),
            unit_head: None,
            date: today,
        }),
    );
    assert_eq!(statuses(&village.push(&[drafted]).await), ["accepted"]);
    let mut pulled = village.pull_all().await;
    let rates = rates_of(&village).await;
    assert_eq!(rates.len(), 1);
    pulled.extend(rates.iter().map(|e| serde_json::to_value(e).unwrap()));
    let states = states_of(&pulled);

    let of_kind = |kind| -> Vec<EntityState> {
        states
            .values()
            .filter(|s| s.kind == kind)
            .cloned()
            .collect()
    };
    let workers = records::workers(
        &of_kind(EntityKind::Person),
        &of_kind(EntityKind::Qualification),
        |_| "青石村(虚构)".to_string(),
    );
    assert_eq!(workers.len(), 5);
    let district: DistrictRates = view(&states[&"allowance_rates:5099".parse().unwrap()]).unwrap();
    assert!(!district.uses_default());
    let record: RosterRecord = view(&states[&"roster:demo".parse().unwrap()]).unwrap();
    let roster = current_roster(&record, &workers, &district, &[]).unwrap();

    assert_eq!(roster.rows.len(), 5, "every seeded worker is paid");
    assert!(roster.rows.iter().all(|r| r.months_counted == 3));
    let by_level = |level| {
        roster
            .rows
            .iter()
            .filter(|r| r.level == Some(level))
            .count()
    };
    assert_eq!(by_level(Level::SwSenior), 1);
    assert_eq!(by_level(Level::SwIntermediate), 1);
    assert_eq!(by_level(Level::SwAssistant), 2);
    assert_eq!(by_level(Level::CqSwWorker), 1);
    assert_eq!(
        roster.footer.total,
        Fen::yuan(3 * (500 + 300 + 200 + 200 + 100))
    );
    assert_eq!(roster.footer.total_capital, "叁仟玖佰元整");
    assert_eq!(roster.rate_versions, [seed::DEMO_RATES_VERSION]);
    assert_eq!(roster.status, RosterStatus::Draft);
    let has = |f: fn(&WarningKind) -> bool| roster.warnings.iter().any(|w| f(&w.kind));
    assert!(has(|k| matches!(
        k,
        WarningKind::RegistrationExpiring { .. }
    )));
    assert!(has(|k| matches!(
        k,
        WarningKind::ContinuingEducationShort { .. }
    )));
    assert!(has(|k| matches!(k, WarningKind::MissingBankCard)));
}

/// Suspensions (domain-spec §3.3 stops 4 and 5) are decisions above the village: the township
/// desk (reviewer) and the district admin record and cancel them; a village official — who
/// records the worker's other facts — and a township supervisor may not; everyone who reads the
/// file receives them, and the fold applies the cancellation.
async fn suspensions_are_recorded_by_the_township_desk_and_the_district_only(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let village = h.user("village", "village_official", "5099001001").await;
    let supervisor = h.user("supervisor", "township_supervisor", "5099001").await;
    let reviewer = h.user("reviewer", "township_reviewer", "5099001").await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let file = "qualification:w1";
    let sanction = EventBody::QualificationRecorded(QualificationFact::Sanctioned {
        on: d(2025, 3, 10),
        reference: "纪发〔2025〕3号".into(),
    });

    let mut dv = Device::new("village", &village.profile);
    let appointed = dv.write(
        "5099001001",
        file,
        EventBody::QualificationRecorded(QualificationFact::Approved { on: d(2024, 1, 1) }),
    );
    let by_village = dv.write("5099001001", file, sanction.clone());
    assert_eq!(
        statuses(&village.push(&[appointed, by_village]).await),
        ["accepted", "rejected:not_permitted"],
        "a village official records the file's facts but not a sanction"
    );

    let mut ds = Device::new("supervisor", &supervisor.profile);
    let by_supervisor = ds.write("5099001001", file, sanction.clone());
    assert_eq!(
        statuses(&supervisor.push(&[by_supervisor]).await),
        ["rejected:not_permitted"]
    );

    let mut dr = Device::new("reviewer", &reviewer.profile);
    let recorded = dr.write("5099001001", file, sanction.clone());
    let elsewhere = dr.write("5099002001", "qualification:w2", sanction);
    let bad_leave = dr.write(
        "5099001001",
        file,
        EventBody::QualificationRecorded(QualificationFact::UnpaidLeave {
            from: d(2025, 5, 1),
            to: d(2025, 4, 1),
            reference: "请假审批表".into(),
        }),
    );
    assert_eq!(
        statuses(
            &reviewer
                .push(&[recorded.clone(), elsewhere, bad_leave])
                .await
        ),
        ["accepted", "rejected:out_of_scope", "rejected:invalid_body"]
    );

    let mut da = Device::new("admin", &admin.profile);
    let assessment = da.write(
        "5099001001",
        file,
        EventBody::QualificationRecorded(QualificationFact::AssessmentFailed {
            year: 2024,
            grade: AssessmentGrade::Incompetent,
            decided_on: d(2025, 1, 15),
            reference: "街道考核〔2025〕1号".into(),
        }),
    );
    let cancel = |record| {
        EventBody::QualificationRecorded(QualificationFact::SuspensionCancelled {
            record,
            reason: "处分对象有误".into(),
        })
    };
    let cancelled = da.write("5099001001", file, cancel(recorded.id));
    assert_eq!(
        statuses(&admin.push(&[assessment, cancelled]).await),
        ["accepted", "accepted"]
    );
    let mut dv2 = Device::new("village2", &village.profile);
    let cancel_by_village = dv2.write("5099001001", file, cancel(recorded.id));
    assert_eq!(
        statuses(&village.push(&[cancel_by_village]).await),
        ["rejected:not_permitted"]
    );

    // The village official receives the file as recorded: the sanction cancelled, the failed
    // assessment in force.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let file_state = loop {
        let states = states_of(&village.pull_all().await);
        let state = states.get(&file.parse().unwrap()).cloned();
        if state.as_ref().is_some_and(|s| s.events >= 4) || std::time::Instant::now() > deadline {
            break state.expect("the file reaches the village");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let folded: records::QualificationFile = view(&file_state).unwrap();
    let mut recorded_kinds: Vec<(String, bool)> = folded
        .qualification
        .suspension_records
        .iter()
        .map(|r| (r.describe_zh(), r.cancelled.is_some()))
        .collect();
    recorded_kinds.sort();
    assert_eq!(
        recorded_kinds,
        [
            (
                "2024年度考核不称职（认定日期2025-01-15）".to_string(),
                false
            ),
            ("2025-03-10受处分".to_string(), true),
        ]
    );
}
