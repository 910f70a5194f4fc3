//! Who reads and writes what, role by role, and the accounts API — on SQLite and (when
//! `CUNJU_TEST_POSTGRES_URL` is set) PostgreSQL.

mod common;

use std::collections::HashSet;

use chrono::NaiveDate;
use common::{Client, Db, Device, Harness, event_id, ids, statuses};
use cunju_domain::authz::{Action, Role, can_write_event, may_read_event, permits};
use cunju_domain::event::{Event, EventBody, NewEvent, Relation, Sex, UnitKind};
use cunju_server::store::db_text;
use reqwest::Method;
use serde_json::{Value, json};

on_both_databases!(
    every_role_reads_and_writes_only_what_it_may_in_its_scope,
    admin_creates_accounts_within_scope_only,
    roles_that_do_not_manage_accounts_are_refused,
    duplicate_username_is_409_with_a_message,
    weak_password_and_bad_fields_are_400,
    own_password_change_revokes_the_other_sessions,
    disabled_user_cannot_sign_in_until_enabled,
    admin_changes_role_and_scope_and_resets_passwords,
);

const TOWN: &str = "5099001";
const INSIDE: &str = "5099001001";
/// A village of another township of the same district.
const OUTSIDE: &str = "5099002001";

/// One event of every known kind in `unit`, written on `device`.
fn one_of_each_kind(device: &mut Device, unit: &str) -> Vec<Event> {
    let person = format!("person:p-{unit}-{}", rand::random::<u32>());
    let bodies = [
        (
            format!("unit:{unit}"),
            EventBody::UnitRecorded {
                code: unit.parse().unwrap(),
                name: "测试村(虚构)".into(),
                unit_kind: UnitKind::Village,
                parent: Some(unit[..unit.len() - 3].parse().unwrap()),
            },
        ),
        (
            person.clone(),
            EventBody::PersonRecorded {
                name: "王五".into(),
                sex: Sex::Female,
                ethnicity: "土家族".into(),
                id_number: "11010519491231002X".into(),
                birth_date: NaiveDate::from_ymd_opt(1949, 12, 31).unwrap(),
                phone: None,
            },
        ),
        (
            person.clone(),
            EventBody::PersonCorrected {
                fields: [("phone".to_string(), json!("13800000000"))].into(),
            },
        ),
        (
            person.clone(),
            EventBody::RelativeLinked {
                other: "person:someone-else".parse().unwrap(),
                relation: Relation::Sibling,
            },
        ),
        (
            person,
            EventBody::Note {
                text: "已入户核实".into(),
            },
        ),
    ];
    bodies
        .into_iter()
        .enumerate()
        .map(|(n, (entity, body))| {
            device.log.append(
                NewEvent {
                    actor: device.actor.clone(),
                    unit: unit.parse().unwrap(),
                    entity: entity.parse().unwrap(),
                    body,
                },
                1_750_000_000_000 + n as u64,
                rand::random(),
            )
        })
        .collect()
}

/// For every role (taken from `Role::ALL`, so a new role is covered without touching this
/// test), with its jurisdiction one township: a pull brings exactly the events its role may
/// receive from inside the township and nothing from outside; a push is accepted only for
/// kinds its role may write inside, and never outside.
async fn every_role_reads_and_writes_only_what_it_may_in_its_scope(db: Db) {
    let h = Harness::start(db).await;
    let author = h.user("author", "district_admin", "5099").await;
    let mut desk = Device::new("author", &author.profile);
    let inside = one_of_each_kind(&mut desk, INSIDE);
    let outside = one_of_each_kind(&mut desk, OUTSIDE);
    let all: Vec<Event> = inside.iter().chain(&outside).cloned().collect();
    assert_eq!(statuses(&author.push(&all).await), ["accepted"; 10]);
    // Wait until everything is visible to pulls (PostgreSQL commit-order visibility).
    while author.pull_all().await.len() < all.len() {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // Everything stored inside the township so far: pushes of earlier roles add to it.
    let mut stored_inside = inside.clone();
    for role in Role::ALL {
        let username = format!("r-{}", db_text(&role));
        let user = h.user(&username, &db_text(&role), TOWN).await;

        let got: HashSet<String> = ids(&user.pull_all().await).into_iter().collect();
        let expected: HashSet<String> = stored_inside
            .iter()
            .filter(|e| may_read_event(&user.profile, e))
            .map(event_id)
            .collect();
        assert_eq!(got, expected, "{role:?} pulls what its role may receive");
        for e in &outside {
            assert!(!got.contains(&event_id(e)), "{role:?} pulled {e:?}");
        }
        if role == Role::CityViewer {
            assert!(got.is_empty(), "the city viewer receives no records");
        }
        if permits(role, Action::ReadDirectory) {
            assert!(got.len() >= 4, "{role:?} reads the directory");
        }

        // A fresh device per event: a rejected event leaves no gap in anyone's chain.
        let mut phone = Device::new(&username, &user.profile);
        for (n, template) in one_of_each_kind(&mut phone, INSIDE).into_iter().enumerate() {
            let mut device = Device::new(&format!("{username}-in{n}"), &user.profile);
            let ev = rewrite(&mut device, &template);
            let status = &statuses(&user.push(std::slice::from_ref(&ev)).await)[0];
            let expected = if can_write_event(role, &ev.body) {
                "accepted"
            } else {
                "rejected:not_permitted"
            };
            assert_eq!(
                status,
                expected,
                "{role:?} writes {} inside",
                ev.body.kind_name()
            );
            if status == "accepted" {
                stored_inside.push(ev);
            }
        }
        for (n, template) in one_of_each_kind(&mut phone, OUTSIDE)
            .into_iter()
            .enumerate()
        {
            let mut device = Device::new(&format!("{username}-out{n}"), &user.profile);
            let ev = rewrite(&mut device, &template);
            let status = &statuses(&user.push(std::slice::from_ref(&ev)).await)[0];
            assert!(
                status == "rejected:out_of_scope" || status == "rejected:not_permitted",
                "{role:?} wrote {} outside its scope: {status}",
                ev.body.kind_name()
            );
        }
    }
}

/// The same event content as the first event of a new device.
fn rewrite(device: &mut Device, template: &Event) -> Event {
    device.log.append(
        NewEvent {
            actor: template.actor.clone(),
            unit: template.unit.clone(),
            entity: template.entity.clone(),
            body: template.body.clone(),
        },
        template.hlc.wall_ms,
        rand::random(),
    )
}

fn new_account(username: &str, role: &str, scope: &str) -> Value {
    json!({
        "username": username,
        "display_name": "李书记",
        "role": role,
        "scope": scope,
        "password": "first-password",
    })
}

async fn create(admin: &Client, account: Value) -> reqwest::Response {
    admin.send(Method::POST, "/api/v1/users", account).await
}

async fn error_code(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

async fn admin_creates_accounts_within_scope_only(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let admin = h.user("admin", "district_admin", "5099").await;
    h.user("far-away", "village_official", "5098001001").await;

    let res = create(
        &admin,
        new_account("li-shiqiao", "village_official", INSIDE),
    )
    .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        created,
        json!({"username": "li-shiqiao", "display_name": "李书记", "role": "village_official",
               "scope": INSIDE, "disabled": false})
    );
    let li = h.client("li-shiqiao", "first-password").await;
    assert_eq!(li.profile.scope.as_str(), INSIDE);

    let list: Value = admin.get("/api/v1/users").await.json().await.unwrap();
    let names: Vec<&str> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["admin", "li-shiqiao"],
        "accounts of other districts are not listed"
    );
    assert!(list["users"][0].get("password_hash").is_none());

    for scope in ["50", "5098001001"] {
        let res = create(&admin, new_account("elsewhere", "village_official", scope)).await;
        let (status, code, message) = error_code(res).await;
        assert_eq!((status, code.as_str()), (403, "forbidden"), "{scope}");
        assert!(message.contains("不在您的辖区内"), "{message}");
    }
    let res = create(
        &admin,
        new_account("ghost", "village_official", "5099009009"),
    )
    .await;
    let (status, code, message) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "invalid_field"));
    assert!(message.contains("5099009009"), "{message}");
    // A role the server does not know is a malformed request.
    let res = create(&admin, new_account("king", "king", INSIDE)).await;
    assert_eq!(res.status(), 400);
}

async fn roles_that_do_not_manage_accounts_are_refused(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    h.user("target", "village_official", INSIDE).await;
    for role in Role::ALL
        .into_iter()
        .filter(|r| !permits(*r, Action::ManageAccounts))
    {
        let user = h
            .user(&format!("u-{}", db_text(&role)), &db_text(&role), "50")
            .await;
        let attempts = [
            user.get("/api/v1/users").await,
            create(&user, new_account("new-one", "village_official", INSIDE)).await,
            user.send(
                Method::PATCH,
                "/api/v1/users/target",
                json!({"disabled": true}),
            )
            .await,
            user.send(
                Method::POST,
                "/api/v1/users/target/password",
                json!({"password": "takeover-123"}),
            )
            .await,
        ];
        for res in attempts {
            let (status, code, _) = error_code(res).await;
            assert_eq!((status, code.as_str()), (403, "forbidden"), "{role:?}");
        }
    }
    h.client("target", common::PASSWORD).await;
}

async fn duplicate_username_is_409_with_a_message(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let account = new_account("wang-wu", "township_supervisor", TOWN);
    assert_eq!(create(&admin, account.clone()).await.status(), 201);
    let res = create(&admin, account).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let (status, code, message) = error_code(res).await;
    assert_eq!((status, code.as_str()), (409, "username_taken"));
    assert!(
        message.contains("wang-wu") && message.contains("已被使用"),
        "{message}"
    );
}

async fn weak_password_and_bad_fields_are_400(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let mut account = new_account("zhao-liu", "village_official", INSIDE);
    account["password"] = json!("1234567");
    let (status, code, message) = error_code(create(&admin, account).await).await;
    assert_eq!((status, code.as_str()), (400, "weak_password"));
    assert!(message.contains("至少需要8个字符"), "{message}");

    let mut account = new_account("赵六", "village_official", INSIDE);
    account["password"] = json!("long-enough");
    let (status, code, _) = error_code(create(&admin, account).await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_field"));

    let mut account = new_account("zhao-liu", "village_official", INSIDE);
    account["display_name"] = json!("  ");
    let (status, code, _) = error_code(create(&admin, account).await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_field"));

    let mut account = new_account("zhao-liu", "village_official", INSIDE);
    account["is_admin"] = json!(true);
    let (status, code, _) = error_code(create(&admin, account).await).await;
    assert_eq!(
        (status, code.as_str()),
        (400, "bad_request"),
        "unknown fields"
    );

    h.user("target", "village_official", INSIDE).await;
    let res = admin
        .send(
            Method::POST,
            "/api/v1/users/target/password",
            json!({"password": "short"}),
        )
        .await;
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "weak_password"));
    // Nothing was created or changed.
    assert_eq!(h.login("zhao-liu", "1234567").await.status(), 401);
    h.client("target", common::PASSWORD).await;
}

async fn own_password_change_revokes_the_other_sessions(db: Db) {
    let h = Harness::start(db).await;
    let phone = h.user("alice", "village_official", INSIDE).await;
    let laptop = h.client("alice", common::PASSWORD).await;
    let change = |old: &str, new: &str| json!({"old_password": old, "new_password": new});

    let res = phone
        .send(
            Method::POST,
            "/api/v1/me/password",
            change("wrong", "new-password-1"),
        )
        .await;
    let (status, code, message) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "wrong_password"));
    assert!(message.contains("原密码不正确"), "{message}");
    let res = phone
        .send(
            Method::POST,
            "/api/v1/me/password",
            change(common::PASSWORD, "short"),
        )
        .await;
    assert_eq!(error_code(res).await.1, "weak_password");
    assert_eq!(
        laptop.get("/api/v1/me").await.status(),
        200,
        "nothing changed yet"
    );

    let res = phone
        .send(
            Method::POST,
            "/api/v1/me/password",
            change(common::PASSWORD, "new-password-1"),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        phone.get("/api/v1/me").await.status(),
        200,
        "this session stays"
    );
    assert_eq!(
        laptop.get("/api/v1/me").await.status(),
        401,
        "other sessions end"
    );
    assert_eq!(h.login("alice", common::PASSWORD).await.status(), 401);
    h.client("alice", "new-password-1").await;
}

async fn disabled_user_cannot_sign_in_until_enabled(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let alice = h.user("alice", "village_official", INSIDE).await;

    let res = admin
        .send(
            Method::PATCH,
            "/api/v1/users/alice",
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let account: Value = res.json().await.unwrap();
    assert_eq!(account["disabled"], true);
    assert_eq!(alice.get("/api/v1/me").await.status(), 401, "sessions end");
    let (status, code, message) = error_code(h.login("alice", common::PASSWORD).await).await;
    assert_eq!((status, code.as_str()), (403, "account_disabled"));
    assert!(message.contains("账号已停用"), "{message}");
    // A wrong password still says only that.
    assert_eq!(h.login("alice", "wrong-password").await.status(), 401);

    let res = admin
        .send(
            Method::PATCH,
            "/api/v1/users/alice",
            json!({"disabled": false}),
        )
        .await;
    assert_eq!(res.status(), 200);
    h.client("alice", common::PASSWORD).await;

    // An administrator cannot lock themselves out.
    let res = admin
        .send(
            Method::PATCH,
            "/api/v1/users/admin",
            json!({"disabled": true}),
        )
        .await;
    let (status, _, message) = error_code(res).await;
    assert_eq!(status, 403);
    assert!(message.contains("另一位管理员"), "{message}");
    assert_eq!(admin.get("/api/v1/me").await.status(), 200);
}

async fn admin_changes_role_and_scope_and_resets_passwords(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let bob = h.user("bob", "village_official", INSIDE).await;
    h.user("far-away", "village_official", "5098001001").await;

    let res = admin
        .send(
            Method::PATCH,
            "/api/v1/users/bob",
            json!({"role": "township_supervisor", "scope": TOWN, "display_name": "鲍指导"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = bob.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(
        (&me["role"], &me["scope"], &me["display_name"]),
        (
            &json!("township_supervisor"),
            &json!(TOWN),
            &json!("鲍指导")
        )
    );
    let res = admin
        .send(Method::PATCH, "/api/v1/users/bob", json!({"scope": "5098"}))
        .await;
    assert_eq!(res.status(), 403, "moved outside the district");
    let res = admin
        .send(
            Method::PATCH,
            "/api/v1/users/far-away",
            json!({"display_name": "x"}),
        )
        .await;
    assert_eq!(res.status(), 403, "an account outside the district");
    let res = admin
        .send(
            Method::PATCH,
            "/api/v1/users/nobody",
            json!({"display_name": "x"}),
        )
        .await;
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (404, "no_such_user"));

    let res = admin
        .send(
            Method::POST,
            "/api/v1/users/bob/password",
            json!({"password": "reset-by-admin"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        bob.get("/api/v1/me").await.status(),
        401,
        "signed out everywhere"
    );
    h.client("bob", "reset-by-admin").await;
}
