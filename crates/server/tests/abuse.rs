//! Abuse limits: lock-out after failed logins (with a clear message and `Retry-After`), token
//! expiry, an administrator revoking a lost phone (API and CLI: its token dies, its later events
//! are refused, the user's other devices go on), and logs that never hold a password, a token
//! or an identity number (the real binary's log captured at debug level).

mod common;
mod reliability;

use chrono::NaiveDate;
use common::{Client, Db, Device, Harness, PASSWORD};
use cunju_domain::devices::{DevicesResponse, RevokeResponse};
use cunju_domain::event::{EntityKind, EventBody, NewEvent, Sex};
use cunju_domain::ids::{EntityId, EventId};
use cunju_domain::sync::{LoginResponse, PushResponse, PushStatus, RejectReason};
use cunju_server::store::{Store, db_text};
use reliability::Server;
use reqwest::Method;
use serde_json::{Value, json};

on_both_databases!(
    failed_logins_lock_the_account_with_a_clear_message,
    an_expired_token_is_refused,
    an_administrator_revokes_a_lost_phone,
);

const VILLAGE: &str = "5099001001";

async fn exec(store: &Store, sql: &str) {
    match store {
        Store::Sqlite(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
        Store::Postgres(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
    }
}

async fn failed_logins_lock_the_account_with_a_clear_message(db: Db) {
    let h = Harness::start(db).await;
    h.user("alice", "village_official", VILLAGE).await;
    h.user("bob", "village_official", VILLAGE).await;
    for _ in 0..5 {
        assert_eq!(h.login("alice", "wrong password").await.status(), 401);
    }
    // Locked: even the right password is refused, and the answer says for how long.
    let res = h.login("alice", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "Retry-After {retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("锁定") && message.contains("15 分钟"),
        "{message}"
    );
    assert!(message.contains("administrator"), "{message}");
    // Others are not affected.
    assert_eq!(h.login("bob", PASSWORD).await.status(), 200);
    // Time passes (the failures leave the 15-minute window): the lock ends.
    exec(
        &h.store,
        "UPDATE login_attempts SET attempted_at = attempted_at - 10 * 60 * 1000",
    )
    .await;
    let res = h.login("alice", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("5 分钟"),
        "{body}"
    );
    exec(
        &h.store,
        "UPDATE login_attempts SET attempted_at = attempted_at - 6 * 60 * 1000",
    )
    .await;
    assert_eq!(h.login("alice", PASSWORD).await.status(), 200);
}

async fn an_expired_token_is_refused(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    assert_eq!(alice.get("/api/v1/me").await.status(), 200);
    let hash = cunju_server::auth::token_hash(&alice.token);
    // Issued for 30 days.
    let sql = format!("SELECT expires_at - created_at FROM tokens WHERE hash = '{hash}'");
    let ttl: i64 = match &h.store {
        Store::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
    };
    assert_eq!(ttl, cunju_server::auth::TOKEN_TTL_MS);
    exec(
        &h.store,
        &format!("UPDATE tokens SET expires_at = created_at - 1 WHERE hash = '{hash}'"),
    )
    .await;
    for path in ["/api/v1/me", "/api/v1/sync/pull", "/api/v1/units"] {
        let res = alice.get(path).await;
        assert_eq!(res.status(), 401, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated");
        assert!(body["message"].as_str().unwrap().contains("重新登录"));
    }
}

fn status_of(res: &PushResponse) -> &PushStatus {
    &res.results[0].status
}

async fn an_administrator_revokes_a_lost_phone(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let on_phone = h.user("alice", "village_official", VILLAGE).await;
    let on_tablet = h.client("alice", PASSWORD).await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let far_admin = h.user("far-admin", "district_admin", "5098").await;
    let mut phone = Device::new("phone", &on_phone.profile);
    let mut tablet = Device::new("tablet", &on_tablet.profile);
    on_phone.push(&phone.events(VILLAGE, 3)).await;
    on_tablet.push(&tablet.events(VILLAGE, 2)).await;
    let phone_id = db_text(&phone.id);
    let tablet_id = db_text(&tablet.id);

    // Who may see and revoke devices.
    let list: DevicesResponse = admin.get("/api/v1/devices").await.json().await.unwrap();
    let mine: Vec<_> = list
        .devices
        .iter()
        .filter(|d| d.username == "alice")
        .collect();
    assert_eq!(mine.len(), 2);
    let listed = mine
        .iter()
        .find(|d| db_text(&d.device) == phone_id)
        .unwrap();
    assert_eq!((listed.events, listed.revoked_at), (3, None));
    let revoke_path = format!("/api/v1/devices/{phone_id}/revoke");
    for (who, client) in [("the owner", &on_tablet), ("another district", &far_admin)] {
        let res = client.send(Method::POST, &revoke_path, json!({})).await;
        assert_eq!(res.status(), 403, "{who}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "forbidden");
    }
    assert_eq!(on_tablet.get("/api/v1/devices").await.status(), 403);
    let far: DevicesResponse = far_admin.get("/api/v1/devices").await.json().await.unwrap();
    assert!(far.devices.iter().all(|d| d.username != "alice"));
    let res = admin
        .send(
            Method::POST,
            "/api/v1/devices/no-such-device/revoke",
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "no_such_device");

    // The phone is lost: revoked.
    let res = admin.send(Method::POST, &revoke_path, json!({})).await;
    assert_eq!(res.status(), 200);
    let revoked: RevokeResponse = res.json().await.unwrap();
    assert_eq!(revoked.tokens_revoked, 1);
    assert!(revoked.device.revoked_at.is_some());
    // Its token is dead; the tablet's lives.
    assert_eq!(on_phone.get("/api/v1/me").await.status(), 401);
    assert_eq!(on_tablet.get("/api/v1/me").await.status(), 200);
    // Whoever signs in on the phone again cannot push from it; the tablet goes on.
    let again: Client = h.client("alice", PASSWORD).await;
    let res = again.push(&[phone.event(VILLAGE, 3)]).await;
    match status_of(&res) {
        PushStatus::Rejected { reason, detail } => {
            assert_eq!(*reason, RejectReason::UnknownDevice);
            assert!(detail.contains("停用"), "{detail}");
        }
        other => panic!("a revoked device's event was {other:?}"),
    }
    let res = on_tablet.push(&[tablet.event(VILLAGE, 2)]).await;
    assert_eq!(*status_of(&res), PushStatus::Accepted);
    // What the phone stored before stays, and verifies.
    assert!(
        cunju_server::verify::verify(&h.store)
            .await
            .unwrap()
            .is_empty()
    );

    // The command line: list, then revoke the tablet too.
    let (code, out) = h.cli(&["device", "list", "--db", &h.db_url, "--scope", "5099"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&phone_id) && out.contains("revoked"), "{out}");
    assert!(out.contains(&tablet_id) && out.contains("active"), "{out}");
    let (code, out) = h.cli(&[
        "device", "revoke", "--db", &h.db_url, "--device", &tablet_id,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 session"), "{out}");
    assert_eq!(on_tablet.get("/api/v1/me").await.status(), 401);
    let (code, out) = h.cli(&["device", "revoke", "--db", &h.db_url, "--device", "nope"]);
    assert_ne!(code, 0, "{out}");
}

/// A valid (fictional: region 500199 is unassigned) identity number.
fn id_number(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body17}{check}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logs_hold_no_passwords_tokens_or_identity_numbers() {
    let h = Harness::start(Db::Sqlite).await;
    h.demo_units().await;
    let secret = "Hunter2-very-secret";
    let admin_row =
        cunju_server::seed::new_user("admin", secret, "district_admin", "5099", "管理员").unwrap();
    h.store.insert_user(&admin_row, 0).await.unwrap();
    let dir = std::env::temp_dir().join(format!("cunju-logs-{}", std::process::id()));
    let mut server = Server::new(&h.db_url, &dir);
    server.log_filter = "debug".into();
    server.start();
    let http = reqwest::Client::new();
    server.wait_ready(&http).await;
    let base = server.base();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut req = http.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };

    let wrong = "Wrong-but-secret-guess";
    assert_eq!(
        post(
            "/api/v1/auth/login",
            None,
            json!({"username": "admin", "password": wrong})
        )
        .await
        .unwrap()
        .status(),
        401
    );
    let login: LoginResponse = post(
        "/api/v1/auth/login",
        None,
        json!({"username": "admin", "password": secret}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let token = login.token.clone();
    let new_password = "Another-secret-pw-42";
    let res = post(
        "/api/v1/users",
        Some(&token),
        json!({"username": "li", "display_name": "李书记", "role": "village_official",
               "scope": VILLAGE, "password": new_password}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 201);
    let changed = "Changed-secret-pw-77";
    let res = post(
        "/api/v1/me/password",
        Some(&token),
        json!({"old_password": secret, "new_password": changed}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 204);

    // A person with an identity number, pushed and pulled back.
    let id = id_number("50019919900101123");
    let mut device = Device::new("phone", &login.profile);
    let event = device.log.append(
        NewEvent {
            actor: login.profile.user.clone(),
            unit: VILLAGE.parse().unwrap(),
            entity: EntityId::new(
                EntityKind::Person.as_str(),
                EventId::new(1_750_000_000_000, [1; 10]),
            ),
            body: EventBody::PersonRecorded {
                name: "张三".into(),
                sex: Sex::Male,
                ethnicity: "汉族".into(),
                id_number: id.clone(),
                birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                phone: Some("13800000000".into()),
            },
        },
        1_750_000_000_000,
        [2; 10],
    );
    let res: PushResponse = post(
        "/api/v1/sync/push",
        Some(&token),
        json!({"events": [event]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(res.results[0].status, PushStatus::Accepted);
    // The same event, rewritten: refused, and the refusal is logged nowhere with its content.
    let mut forged = serde_json::to_value(&event).unwrap();
    forged["body"]["data"]["name"] = json!("李四");
    post(
        "/api/v1/sync/push",
        Some(&token),
        json!({"events": [forged]}),
    )
    .await
    .unwrap();
    let res = http
        .get(format!("{base}/api/v1/sync/pull?after=0"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        res.text().await.unwrap().contains(&id),
        "the record itself is served"
    );
    server.kill();

    let log = server.log();
    assert!(log.len() > 200, "the server logged at debug level:\n{log}");
    for (what, needle) in [
        ("the password", secret),
        ("a wrong password", wrong),
        ("a new account's password", new_password),
        ("a changed password", changed),
        ("the token", token.as_str()),
        ("an identity number", id.as_str()),
        ("the birth part of an identity number", &id[6..14]),
        ("a phone number", "13800000000"),
    ] {
        assert!(!log.contains(needle), "{what} is in the log:\n{log}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
