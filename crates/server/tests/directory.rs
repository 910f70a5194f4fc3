//! The jurisdiction tree and the demo district: the units API, the unit CSV import and export
//! on the command line, and `seed-demo` — on SQLite and (when `CUNJU_TEST_POSTGRES_URL` is
//! set) PostgreSQL.

mod common;

use std::time::Instant;

use common::{Db, Device, Harness, statuses};
use cunju_domain::directory::person::IdNumber;
use cunju_domain::event::{EventBody, NewEvent, UnitKind};
use cunju_server::seed::{self, DEMO_PEOPLE, reference_day};
use cunju_server::store::SERVER_ACTOR;
use cunju_server::units::units_within;
use cunju_server::verify::verify;
use serde_json::Value;

on_both_databases!(
    units_api_serves_the_tree_within_the_callers_scope,
    a_unit_recorded_on_a_device_joins_the_tree_and_the_latest_name_wins,
    import_with_a_bad_row_imports_nothing_and_prints_the_line,
    import_of_a_gbk_file_records_the_units_and_export_round_trips,
    seed_demo_records_the_district_passes_verify_and_is_idempotent,
);

async fn codes(client: &common::Client) -> Vec<String> {
    let res = client.get("/api/v1/units").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_string())
        .collect()
}

async fn units_api_serves_the_tree_within_the_callers_scope(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let village = h.user("village", "village_official", "5099001001").await;
    assert_eq!(codes(&village).await, ["5099001001"]);

    let supervisor = h.user("supervisor", "township_supervisor", "5099003").await;
    let town = codes(&supervisor).await;
    assert_eq!(
        town.len(),
        11,
        "the street and its ten villages and communities"
    );
    assert_eq!(town[0], "5099003", "parents come first");
    assert!(town.iter().all(|c| c.starts_with("5099003")));

    let city = h.user("city", "city_viewer", "50").await;
    let all = codes(&city).await;
    assert_eq!(
        all.len(),
        35,
        "the city, the district, 3 townships, 30 homes"
    );
    assert_eq!(&all[..2], ["50", "5099"]);

    let res = city.get("/api/v1/units").await;
    let body: Value = res.json().await.unwrap();
    let liutang = body["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "柳塘村(虚构)")
        .unwrap()
        .clone();
    assert_eq!(liutang["kind"], "village");
    assert_eq!(liutang["parent"], "5099003", "a village under a street");

    let res = h.http.get(h.url("/api/v1/units")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

async fn a_unit_recorded_on_a_device_joins_the_tree_and_the_latest_name_wins(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let official = h.user("village", "village_official", "5099001001").await;
    let mut phone = Device::new("phone", &official.profile);
    let group = |name: &str| NewEvent {
        actor: official.profile.user.clone(),
        unit: "509900100101".parse().unwrap(),
        entity: "unit:509900100101".parse().unwrap(),
        body: EventBody::UnitRecorded {
            code: "509900100101".parse().unwrap(),
            name: name.into(),
            unit_kind: UnitKind::Group,
            parent: Some("5099001001".parse().unwrap()),
        },
    };
    let first = phone
        .log
        .append(group("一组"), 1_800_000_000_000, rand::random());
    let later = phone
        .log
        .append(group("第一村民小组"), 1_800_000_000_100, rand::random());
    // The rename arrives first; the original record, sorting earlier, must not undo it.
    assert_eq!(
        statuses(&official.push(&[later, first]).await),
        ["accepted", "accepted"]
    );
    let res = official.get("/api/v1/units").await;
    let body: Value = res.json().await.unwrap();
    let units = body["units"].as_array().unwrap();
    assert_eq!(units.len(), 2);
    assert_eq!(units[1]["code"], "509900100101");
    assert_eq!(units[1]["name"], "第一村民小组");
    assert_eq!(units[1]["kind"], "group");
}

fn write_file(h: &Harness, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cunju-units-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let _ = h;
    path
}

const TREE_CSV: &str = "代码,名称,类型,上级代码\n\
50,重庆市,市,\n\
5098,样例县(虚构),县,50\n\
5098001,东岭镇(虚构),镇,5098\n\
5098001001,东岭村(虚构),村,5098001\n\
5098002,南门街道(虚构),街道,5098\n\
5098002001,南门社区(虚构),社区,5098002\n";

async fn import_with_a_bad_row_imports_nothing_and_prints_the_line(db: Db) {
    let h = Harness::start(db).await;
    let bad = TREE_CSV.replace("5098001001,东岭村(虚构),村", "5098001001,东岭村(虚构),庄");
    let file = write_file(&h, "bad.csv", bad.as_bytes());
    let (code, out) = h.cli(&["units", "import", "--db", &h.db_url, file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("   5  类型“庄”无效"), "line 5 is named: {out}");
    assert!(out.contains("未导入任何单位"), "{out}");
    assert!(units_within(&h.store, None).await.unwrap().is_empty());
    assert!(
        h.store.devices().await.unwrap().is_empty(),
        "no event at all"
    );

    let file = write_file(&h, "good.csv", TREE_CSV.as_bytes());
    let (code, out) = h.cli(&["units", "import", "--db", &h.db_url, file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("记录 6 个单位"), "{out}");
    let (code, out) = h.cli(&["units", "import", "--db", &h.db_url, file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("记录 0 个单位，6 个未变"),
        "importing twice records nothing: {out}"
    );
    assert_eq!(units_within(&h.store, None).await.unwrap().len(), 6);
    assert_eq!(verify(&h.store).await.unwrap(), vec![]);
}

async fn import_of_a_gbk_file_records_the_units_and_export_round_trips(db: Db) {
    let h = Harness::start(db).await;
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(TREE_CSV);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let file = write_file(&h, "gbk.csv", &gbk);
    let (code, out) = h.cli(&["units", "import", "--db", &h.db_url, file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");

    let units = units_within(&h.store, None).await.unwrap();
    let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "重庆市",
            "样例县(虚构)",
            "东岭镇(虚构)",
            "南门街道(虚构)",
            "东岭村(虚构)",
            "南门社区(虚构)"
        ]
    );
    // Every unit is an event of the server's own device, written by the system actor.
    let device = h.store.server_device().await.unwrap();
    assert_eq!(
        h.store.devices().await.unwrap(),
        [cunju_server::store::db_text(&device)]
    );
    let events = h.store.unit_events("").await.unwrap();
    assert!(events.iter().all(|e| e.actor.as_str() == SERVER_ACTOR));

    let (code, exported) = h.cli(&["units", "export", "--db", &h.db_url, "--scope", "5098001"]);
    assert_eq!(code, 0, "{exported}");
    assert_eq!(
        exported.trim_start_matches('\u{feff}'),
        "代码,名称,类型,上级代码\n5098001,东岭镇(虚构),乡镇,5098\n5098001001,东岭村(虚构),村,5098001\n"
    );
    let (code, all) = h.cli(&["units", "export", "--db", &h.db_url]);
    assert_eq!(code, 0);
    let file = write_file(&h, "export.csv", all.as_bytes());
    let (code, out) = h.cli(&["units", "import", "--db", &h.db_url, file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("记录 0 个单位，6 个未变"), "{out}");
}

async fn seed_demo_records_the_district_passes_verify_and_is_idempotent(db: Db) {
    let h = Harness::start(db).await;
    let started = Instant::now();
    let report = seed::seed_demo(&h.store).await.unwrap();
    eprintln!(
        "seed-demo on {db:?}: {} events written in {:.2} s ({:.2} s in all, debug build)",
        report.units_recorded + report.people_recorded + report.links_recorded,
        report.write_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(report.units_recorded, 35);
    assert_eq!(report.people_recorded, DEMO_PEOPLE);
    assert!(report.links_recorded > 2000, "{}", report.links_recorded);
    let people = |store: &cunju_server::store::Store| {
        let store = store.clone();
        async move {
            store
                .count_events_of_kind("person_recorded", "5099", None)
                .await
                .unwrap()
        }
    };
    assert_eq!(people(&h.store).await, DEMO_PEOPLE as i64);
    assert_eq!(verify(&h.store).await.unwrap(), vec![]);

    let again = seed::seed_demo(&h.store).await.unwrap();
    assert_eq!(
        (
            again.units_recorded,
            again.people_recorded,
            again.links_recorded
        ),
        (0, 0, 0)
    );
    assert_eq!(people(&h.store).await, DEMO_PEOPLE as i64);
    assert_eq!(units_within(&h.store, None).await.unwrap().len(), 35);
    assert_eq!(verify(&h.store).await.unwrap(), vec![]);

    // The village official's device receives its own village's residents, with valid numbers.
    let village = h.client("demo-village", seed::DEMO_PASSWORD).await;
    let mut received = Vec::new();
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    while received.is_empty() && Instant::now() < deadline {
        received = village.pull_all().await;
    }
    let persons: Vec<&Value> = received
        .iter()
        .filter(|e| e["body"]["kind"] == "person_recorded")
        .collect();
    assert!(persons.len() > 300, "{}", persons.len());
    for e in &persons {
        assert!(e["unit"].as_str().unwrap().starts_with("5099001001"));
        let number = e["body"]["data"]["id_number"].as_str().unwrap();
        IdNumber::parse(number, reference_day()).expect("a valid identity number");
    }
    assert!(
        received
            .iter()
            .any(|e| e["body"]["kind"] == "relative_linked")
    );
    let city = h.client("demo-city", seed::DEMO_PASSWORD).await;
    assert!(city.pull_all().await.is_empty());
    for account in [
        "demo-supervisor",
        "demo-reviewer",
        "demo-admin",
        "demo-jointreview",
        "demo-trainer",
    ] {
        h.client(account, seed::DEMO_PASSWORD).await;
    }
}
