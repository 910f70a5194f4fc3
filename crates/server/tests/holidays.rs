//! The district's holiday calendar on the server: only the district admin sets it, a village
//! official's attempt is rejected, a malformed year is refused, and every device of the district
//! (a village official and a supervisor below it) receives it through
//! `GET /api/v1/elections/holidays` — on SQLite and (when `CUNJU_TEST_POSTGRES_URL` is set)
//! PostgreSQL.

mod common;

use chrono::NaiveDate;
use common::{Client, Db, Device, Harness, statuses};
use cunju_domain::election::HolidayCalendar;
use cunju_domain::election::calendar::Deadline;
use cunju_domain::election::holidays::{HolidaysSet, calendar_for};
use cunju_domain::event::{Event, EventBody};
use cunju_domain::projection::fold_all;
use cunju_server::api::HolidaysResponse;

on_both_databases!(only_the_district_admin_sets_holidays_and_the_district_receives_them);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn national_day() -> EventBody {
    EventBody::HolidaysSet(HolidaysSet {
        year: 2026,
        holidays: (1..=7).map(|day| d(2026, 10, day)).collect(),
        working_days: [d(2026, 10, 10)].into(),
    })
}

async fn holidays_of(client: &Client) -> Vec<Event> {
    let res = client.get("/api/v1/elections/holidays").await;
    assert_eq!(res.status(), 200);
    res.json::<HolidaysResponse>().await.unwrap().events
}

async fn only_the_district_admin_sets_holidays_and_the_district_receives_them(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let village = h.user("village", "village_official", "5099001001").await;
    let supervisor = h.user("sup", "township_supervisor", "5099001").await;
    let elsewhere = h.user("elsewhere", "district_admin", "5098").await;

    let mut dv = Device::new("village", &village.profile);
    let refused = dv.write("5099", "holidays:5099:2026", national_day());
    assert_eq!(
        statuses(&village.push(&[refused]).await),
        ["rejected:not_permitted"],
        "a village official cannot set the district's holidays"
    );
    let mut ds = Device::new("sup", &supervisor.profile);
    let refused = ds.write("5099", "holidays:5099:2026", national_day());
    assert_eq!(
        statuses(&supervisor.push(&[refused]).await),
        ["rejected:not_permitted"]
    );

    // A holiday that is also a working day never reaches the log.
    let mut da = Device::new("admin", &admin.profile);
    let mut bad = national_day();
    if let EventBody::HolidaysSet(set) = &mut bad {
        set.holidays.insert(d(2026, 10, 10));
    }
    let bad = da.write("5099", "holidays:5099:2026", bad);
    let res = admin.push(&[bad]).await;
    assert_eq!(statuses(&res), ["rejected:invalid_body"]);

    let mut da = Device::new("admin2", &admin.profile);
    let set = da.write("5099", "holidays:5099:2026", national_day());
    assert_eq!(
        statuses(&admin.push(std::slice::from_ref(&set)).await),
        ["accepted"]
    );
    let mut de = Device::new("elsewhere", &elsewhere.profile);
    let out = de.write("5099", "holidays:5099:2026", national_day());
    assert_eq!(
        statuses(&elsewhere.push(&[out]).await),
        ["rejected:out_of_scope"]
    );

    // Every device of the district receives it, and its deadlines roll over the holiday.
    for client in [&village, &supervisor, &admin] {
        let events = holidays_of(client).await;
        assert_eq!(
            events,
            std::slice::from_ref(&set),
            "{}",
            client.profile.user
        );
        let states = fold_all(&events);
        let cal = calendar_for(states.values(), &"5099001001".parse().unwrap());
        assert_ne!(cal, HolidayCalendar::default());
        let due = Deadline::within_days(d(2026, 9, 25), 10, &cal);
        assert_eq!(due.last_day, d(2026, 10, 8));
    }
    assert!(holidays_of(&elsewhere).await.is_empty(), "another district");
}
