//! The permission matrix, generated from the `authz` table and checked against the real server:
//! every role × every endpoint (in and out of scope), and every role × every event kind
//! (`cunju_domain::testing::sample_bodies()`, so a module's new kinds are covered as soon as it
//! adds its sample) × units inside and outside the role's scope — both writing (push) and
//! receiving (pull). The expected answers are computed from `authz::permits` and a plain
//! prefix test on unit codes, never from the functions the server itself calls.

mod common;

use std::collections::BTreeSet;

use common::{Client, Db, Harness, PASSWORD};
use cunju_domain::authz::{Action, Role, authorize_event, may_read_event, permits};
use cunju_domain::election::holidays;
use cunju_domain::eligibility::Department;
use cunju_domain::event::{DeviceLog, EntityKind, Event, EventBody, NewEvent};
use cunju_domain::ids::{EntityId, EventId, UnitId};
use cunju_domain::sync::{PushStatus, RejectReason};
use cunju_domain::testing::sample_bodies;
use cunju_server::seed;
use cunju_server::store::db_text;
use reqwest::Method;
use serde_json::{Value, json};

on_both_databases!(every_role_every_endpoint, every_role_every_event_kind);

/// Each role's scope: every one contains `INSIDE`, none contains `OUTSIDE`.
fn scope_of(role: Role) -> &'static str {
    match role {
        Role::VillageOfficial => "5099001001",
        Role::TownshipSupervisor | Role::TownshipReviewer => "5099001",
        Role::DistrictAdmin | Role::ReviewDepartment | Role::Trainer => "5099",
        Role::CityViewer => "50",
    }
}

const INSIDE: &str = "5099001001";
/// Units at every distance from the roles' scopes: a neighbouring village, another township,
/// another province.
const UNITS: [&str; 4] = [INSIDE, "5099001002", "5099002001", "5101001001"];

fn role_name(role: Role) -> String {
    db_text(&role)
}

fn within(unit: &str, scope: &str) -> bool {
    unit.starts_with(scope)
}

async fn accounts(h: &Harness) -> Vec<(Role, Client)> {
    let mut out = Vec::new();
    for role in Role::ALL {
        let name = role_name(role).replace('_', "-");
        if role == Role::ReviewDepartment {
            // A joint-review user answers for one department: the court, as the sample answers.
            let mut row = seed::new_user(&name, PASSWORD, &role_name(role), scope_of(role), &name)
                .expect("valid user");
            row.department = Some(Department::Court.code());
            h.store.insert_user(&row, 0).await.expect("insert user");
            out.push((role, h.client(&name, PASSWORD).await));
            continue;
        }
        out.push((role, h.user(&name, &role_name(role), scope_of(role)).await));
    }
    out
}

async fn every_role_every_endpoint(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    // The accounts that are managed: one inside every scope, one outside all of them.
    h.user("target-in", "village_official", INSIDE).await;
    h.user("target-out", "village_official", "5101001001").await;
    let users = accounts(&h).await;
    let mut checked = 0;
    for (role, client) in &users {
        let manage = permits(*role, Action::ManageAccounts);
        let tree = permits(*role, Action::ReadUnitTree);
        let tag = role_name(*role).replace('_', "-");
        let cases: Vec<(Method, String, Value, u16)> = vec![
            (Method::GET, "/api/v1/me".into(), Value::Null, 200),
            (Method::GET, "/api/v1/sync/pull".into(), Value::Null, 200),
            (
                Method::GET,
                "/api/v1/sync/rejections".into(),
                Value::Null,
                200,
            ),
            (
                Method::POST,
                "/api/v1/sync/push".into(),
                json!({"events": []}),
                200,
            ),
            (
                Method::GET,
                "/api/v1/units".into(),
                Value::Null,
                if tree { 200 } else { 403 },
            ),
            (
                Method::GET,
                "/api/v1/users".into(),
                Value::Null,
                if manage { 200 } else { 403 },
            ),
            (
                Method::POST,
                "/api/v1/users".into(),
                json!({"username": format!("new-{tag}"), "display_name": "新人",
                       "role": "village_official", "scope": INSIDE, "password": "long enough"}),
                if manage { 201 } else { 403 },
            ),
            (
                Method::POST,
                "/api/v1/users".into(),
                json!({"username": format!("far-{tag}"), "display_name": "外地",
                       "role": "village_official", "scope": "5101001001", "password": "long enough"}),
                403,
            ),
            (
                Method::PATCH,
                "/api/v1/users/target-in".into(),
                json!({"display_name": format!("改名-{tag}")}),
                if manage { 200 } else { 403 },
            ),
            (
                Method::PATCH,
                "/api/v1/users/target-out".into(),
                json!({"display_name": "改名"}),
                403,
            ),
            (
                Method::POST,
                "/api/v1/users/target-in/password".into(),
                json!({"password": "another long one"}),
                if manage { 204 } else { 403 },
            ),
            (
                Method::POST,
                "/api/v1/users/target-out/password".into(),
                json!({"password": "another long one"}),
                403,
            ),
        ];
        for (method, path, body, expect) in cases {
            let res = if body.is_null() {
                client.get(&path).await
            } else {
                client.send(method.clone(), &path, body).await
            };
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            assert_eq!(status, expect, "{role:?} {method} {path}: {text}");
            if status >= 400 {
                let v: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(v["code"], "forbidden", "{role:?} {method} {path}");
            }
            checked += 1;
        }
        // Pull is a read: a role that receives no records gets an empty page, not an error.
        assert!(client.pull(0, 10).await["events"].is_array());
    }
    println!("permissions [{db:?}]: {checked} role × endpoint cases");
}

/// A sample body placed in `unit`: the unit record becomes the record of `unit` itself; a
/// holiday calendar belongs to the district of `unit` (returned as the unit to write in); every
/// other body is about a fresh entity of its kind (a note annotates a person).
fn place(body: &EventBody, unit: &UnitId, n: u64) -> (UnitId, EntityId, EventBody) {
    if let EventBody::HolidaysSet(set) = body {
        let district = holidays::district_of(unit).expect("a unit lies in a district");
        let entity = holidays::holidays_entity(&district, set.year);
        return (district, entity, body.clone());
    }
    let (entity, body) = place_in_unit(body, unit, n);
    (unit.clone(), entity, body)
}

fn place_in_unit(body: &EventBody, unit: &UnitId, n: u64) -> (EntityId, EventBody) {
    let fresh =
        |kind: &str| EntityId::new(kind, EventId::new(1_750_000_000_000 + n, [n as u8; 10]));
    match body {
        EventBody::UnitRecorded {
            name, unit_kind, ..
        } => {
            let code = unit.to_string();
            let parent: UnitId = code[..code.len() - 3].parse().unwrap();
            (
                EntityId::unit(unit),
                EventBody::UnitRecorded {
                    code: unit.clone(),
                    name: name.clone(),
                    unit_kind: *unit_kind,
                    parent: Some(parent),
                },
            )
        }
        EventBody::Note { .. } => (fresh(EntityKind::Person.as_str()), body.clone()),
        other => {
            let kind = other.entity_kind().unwrap_or_else(|| {
                panic!(
                    "{}: an event kind without an entity kind",
                    other.kind_name()
                )
            });
            (fresh(kind.as_str()), other.clone())
        }
    }
}

/// Who receives an event, by the table: the role reads its kind (a note: reads notes and the
/// annotated entity's kind) and the unit lies in the role's scope.
fn expect_read(role: Role, event: &Event) -> bool {
    if !within(event.unit.as_ref(), scope_of(role)) {
        return false;
    }
    match &event.body {
        EventBody::Note { .. } => {
            permits(role, Action::ReadNotes)
                && EntityKind::ALL
                    .iter()
                    .find(|k| k.as_str() == event.entity.kind_prefix())
                    .is_some_and(|k| permits(role, Action::ReadEvent(*k)))
        }
        body => body
            .entity_kind()
            .is_some_and(|k| permits(role, Action::ReadEvent(k))),
    }
}

async fn every_role_every_event_kind(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let users = accounts(&h).await;
    let samples = sample_bodies();
    assert!(samples.len() >= 5, "a sample of every kind");
    let mut accepted: Vec<Event> = Vec::new();
    let mut n = 0u64;
    let mut checked = 0;
    for (role, client) in &users {
        for body in &samples {
            let action = Action::for_body(body).expect("a known kind has an action");
            let may_write = permits(*role, action);
            for unit in UNITS {
                n += 1;
                let unit: UnitId = unit.parse().unwrap();
                let (unit, entity, mut body) = place(body, &unit, n);
                // A decision is signed by whoever records it.
                if let EventBody::WarnDecided(decision) = &mut body {
                    decision.decided_by = client.profile.user.clone();
                }
                let draft = NewEvent {
                    actor: client.profile.user.clone(),
                    unit: unit.clone(),
                    entity,
                    body,
                };
                if let Err(e) = draft.validate() {
                    panic!(
                        "the sample {} cannot be placed in unit {unit}: {e}; teach `place` in \
                         tests/permissions.rs where events of this kind belong",
                        draft.body.kind_name()
                    );
                }
                // A fresh device per event, so every verdict is about permission alone.
                let device = format!("m{n}").parse().unwrap();
                let event = DeviceLog::new(device).append(draft, 1_750_000_000_000 + n, [7; 10]);
                let res = client.push(std::slice::from_ref(&event)).await;
                let in_scope = within(unit.as_ref(), scope_of(*role));
                let by_table = match (may_write, in_scope) {
                    (true, true) => None,
                    (false, _) => Some(RejectReason::NotPermitted),
                    (true, false) => Some(RejectReason::OutOfScope),
                };
                // The modules' finer rules (a department answers only its own rules, a trainer
                // marks only their own classes) only ever narrow what the table allows.
                // A role refused by its module is refused as not permitted before scope is asked.
                let finer = authorize_event(&client.profile, &event).err();
                let expect = if finer == Some(RejectReason::NotPermitted) {
                    finer
                } else {
                    by_table.or(finer)
                };
                let what = format!("{role:?} writes {} in {unit}", event.body.kind_name());
                match (&res.results[0].status, expect) {
                    (PushStatus::Accepted, None) => accepted.push(event),
                    (PushStatus::Rejected { reason, .. }, Some(want)) => {
                        assert_eq!(*reason, want, "{what}")
                    }
                    (got, want) => panic!("{what}: got {got:?}, expected {want:?}"),
                }
                checked += 1;
            }
        }
    }
    // Every kind was accepted somewhere, so the read side is tested for every kind.
    let kinds: BTreeSet<&str> = accepted.iter().map(|e| e.body.kind_name()).collect();
    assert_eq!(
        kinds.len(),
        samples.len(),
        "every kind has a writer: {kinds:?}"
    );

    for (role, client) in &users {
        let expected: BTreeSet<String> = accepted
            .iter()
            .filter(|e| expect_read(*role, e) && may_read_event(&client.profile, e))
            .map(|e| db_text(&e.id))
            .collect();
        // PostgreSQL serves a commit once older transactions in the cluster have ended.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let got = loop {
            let got: BTreeSet<String> = client
                .pull_all()
                .await
                .iter()
                .filter(|e| e["device"].as_str().is_some_and(|d| d.starts_with('m')))
                .map(|e| e["id"].as_str().unwrap().to_string())
                .collect();
            if got.len() >= expected.len() || std::time::Instant::now() > deadline {
                break got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(
            got, expected,
            "{role:?} receives exactly what the table allows"
        );
        checked += accepted.len();
    }
    println!(
        "permissions [{db:?}]: {checked} role × kind × unit cases ({} kinds, {} accepted)",
        samples.len(),
        accepted.len()
    );
}
