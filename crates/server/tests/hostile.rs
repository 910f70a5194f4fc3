//! Hostile input. Every endpoint gets a corpus of bad requests — no, garbage, expired and
//! logged-out tokens; malformed, truncated, wrongly typed, huge, deeply nested and gzip-bombed
//! bodies; invalid ids, dates and cursors; SQL and HTML injection strings in every field — and
//! each must be answered with a 4xx and a JSON reason while every table of the database stays
//! exactly as it was (a full dump before and after), except for the recorded rejection.
//!
//! Events are pushed in batches and judged one by one: a well-formed event the server refuses
//! (unknown kind, forged or skipped sequence number, a rewritten event, someone else's event
//! replayed under another token, a bad hash) gets its per-event rejection with a reason in a 200
//! answer, and the only change is that rejection's row. An event that is not even well-formed
//! (bad id, impossible date, a sequence number or clock beyond what can be stored) refuses the
//! whole batch with a 400.
//!
//! Free text is data, not syntax: a note or display name holding SQL or HTML is stored and
//! served back byte for byte, and every table is still there.

mod common;
mod reliability;

use std::io::{Read, Write};

use common::{Client, Db, Device, Harness};
use cunju_domain::event::{Event, EventBody, NewEvent};
use cunju_domain::ids::Hash;
use cunju_domain::sync::{ApiErrorBody, PushResponse, PushStatus};
use cunju_server::auth;
use cunju_server::store::db_text;
use reliability::{Dump, assert_unchanged_except, dump};
use reqwest::Method;
use serde_json::{Value, json};

on_both_databases!(
    every_endpoint_refuses_hostile_requests_and_changes_nothing,
    hostile_events_are_refused_one_by_one_and_only_the_rejection_is_recorded,
    injection_strings_in_free_text_are_stored_verbatim,
);

const VILLAGE: &str = "5099001001";
const OTHER_VILLAGE: &str = "5099001002";

const INJECTIONS: &[&str] = &[
    "'; DROP TABLE events; --",
    "\" OR \"1\"=\"1",
    "1' OR '1'='1' --",
    "admin'--",
    "x'); DELETE FROM users WHERE ('1'='1",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(document.cookie)>",
    "\u{0000}nul",
    "../../etc/passwd",
    "%27%20OR%201%3D1",
];

/// The server, three accounts and some stored events to protect.
struct World {
    h: Harness,
    alice: Client,
    bob: Client,
    admin: Client,
    phone: Device,
}

async fn world(db: Db) -> World {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let bob = h.user("bob", "village_official", OTHER_VILLAGE).await;
    let admin = h.user("admin", "district_admin", "5099").await;
    let mut phone = Device::new("phone", &alice.profile);
    let events = phone.events(VILLAGE, 3);
    let res = alice.push(&events).await;
    assert_eq!(common::statuses(&res), ["accepted"; 3]);
    World {
        h,
        alice,
        bob,
        admin,
        phone,
    }
}

/// How a request is signed.
#[derive(Clone, Copy)]
enum Token<'a> {
    None,
    Raw(&'a str),
    Of(&'a Client),
}

/// A request body.
#[derive(Clone, Debug)]
enum Body {
    Empty,
    Json(Value),
    Raw(&'static str, Vec<u8>),
    Gzip(Vec<u8>),
}

impl World {
    async fn send(
        &self,
        method: &Method,
        path: &str,
        token: Token<'_>,
        body: &Body,
    ) -> reqwest::Response {
        let mut req = self.h.http.request(method.clone(), self.h.url(path));
        match token {
            Token::None => {}
            Token::Raw(t) => req = req.header("authorization", t),
            Token::Of(c) => req = req.bearer_auth(&c.token),
        }
        req = match body {
            Body::Empty => req,
            Body::Json(v) => req.json(v),
            Body::Raw(content_type, bytes) => req
                .header("content-type", *content_type)
                .body(bytes.clone()),
            Body::Gzip(bytes) => req
                .header("content-type", "application/json")
                .header("content-encoding", "gzip")
                .body(bytes.clone()),
        };
        req.send().await.unwrap()
    }

    /// `send`, for a body the server refuses before reading it all (over the size limit by its
    /// Content-Length, or a gzip body inflating past it): the server answers 413 at once and closes the connection, and the client may
    /// still be writing when it does. Then the answer is read on a retry, or, if the race is
    /// lost every time, the closed connection is the refusal.
    async fn send_oversize(
        &self,
        method: &Method,
        path: &str,
        token: Token<'_>,
        body: &Body,
    ) -> Option<(reqwest::StatusCode, String, String)> {
        for _ in 0..3 {
            let mut req = self.h.http.request(method.clone(), self.h.url(path));
            match token {
                Token::None => {}
                Token::Raw(t) => req = req.header("authorization", t),
                Token::Of(c) => req = req.bearer_auth(&c.token),
            }
            match body {
                Body::Raw(content_type, bytes) => {
                    req = req
                        .header("content-type", *content_type)
                        .body(bytes.clone());
                }
                Body::Gzip(bytes) => {
                    req = req
                        .header("content-type", "application/json")
                        .header("content-encoding", "gzip")
                        .body(bytes.clone());
                }
                Body::Empty | Body::Json(_) => {}
            }
            if let Ok(res) = req.send().await {
                let status = res.status();
                let content_type = content_type_of(&res);
                if let Ok(text) = res.text().await {
                    return Some((status, content_type, text));
                }
            }
        }
        None
    }

    /// Sends a hostile request: it must get a 4xx JSON reason and leave the database as it
    /// was, but for rows added to `may_grow`. Returns the error code.
    async fn refused(
        &self,
        what: &str,
        method: &Method,
        path: &str,
        token: Token<'_>,
        body: &Body,
        may_grow: &[&str],
    ) -> String {
        let before = dump(&self.h.store).await;
        // A gzip bomb is refused once the inflated bytes pass the limit, which is also before
        // the client has finished writing it.
        let oversize = match body {
            Body::Raw(_, b) => b.len() > cunju_server::MAX_BODY_BYTES,
            Body::Gzip(b) => inflated_len(b) > cunju_server::MAX_BODY_BYTES,
            Body::Empty | Body::Json(_) => false,
        };
        let (status, content_type, text) = if oversize {
            match self.send_oversize(method, path, token, body).await {
                Some(answer) => answer,
                None => {
                    let after = dump(&self.h.store).await;
                    assert_unchanged_except(&before, &after, &[], what);
                    return "payload_too_large".into();
                }
            }
        } else {
            let res = self.send(method, path, token, body).await;
            let status = res.status();
            let content_type = content_type_of(&res);
            (status, content_type, res.text().await.unwrap())
        };
        assert!(
            status.is_client_error(),
            "{what}: {method} {path} answered {status}: {text}"
        );
        assert!(
            content_type.starts_with("application/json"),
            "{what}: {method} {path}: {content_type}"
        );
        let reason: ApiErrorBody = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{what}: {method} {path}: not a JSON reason ({e}): {text}"));
        assert!(
            !reason.code.is_empty() && !reason.message.is_empty(),
            "{what}"
        );
        let after = dump(&self.h.store).await;
        assert_unchanged_except(
            &before,
            &after,
            may_grow,
            &format!("{what}: {method} {path}"),
        );
        reason.code
    }
}

fn content_type_of(res: &reqwest::Response) -> String {
    res.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// An endpoint, a well-formed body for it, and who may call it.
struct Endpoint {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    admin_only: bool,
}

fn endpoints() -> Vec<Endpoint> {
    let ep = |method: Method, path, body: Option<Value>, admin_only| Endpoint {
        method,
        path,
        body,
        admin_only,
    };
    vec![
        ep(
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"username": "alice", "password": "wrong but long"})),
            false,
        ),
        ep(Method::POST, "/api/v1/auth/logout", None, false),
        ep(Method::GET, "/api/v1/me", None, false),
        ep(
            Method::POST,
            "/api/v1/me/password",
            Some(json!({"old_password": "wrong but long", "new_password": "a new long one"})),
            false,
        ),
        ep(
            Method::POST,
            "/api/v1/sync/push",
            Some(json!({"events": []})),
            false,
        ),
        ep(Method::GET, "/api/v1/sync/pull", None, false),
        ep(Method::GET, "/api/v1/sync/rejections", None, false),
        ep(Method::GET, "/api/v1/users", None, true),
        ep(
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"username": "newbie", "display_name": "新人", "role": "village_official",
                        "scope": VILLAGE, "password": "long enough"}),
            ),
            true,
        ),
        ep(
            Method::PATCH,
            "/api/v1/users/bob",
            Some(json!({"display_name": "鲍勃"})),
            true,
        ),
        ep(
            Method::POST,
            "/api/v1/users/bob/password",
            Some(json!({"password": "long enough"})),
            true,
        ),
        ep(Method::GET, "/api/v1/units", None, false),
        ep(
            Method::POST,
            "/api/v1/sync/bundle",
            Some(
                json!({"format": "cunju-bundle/1", "device": "phone", "created_ms": 1,
                        "events": [], "seal": Hash::ZERO}),
            ),
            false,
        ),
        ep(Method::GET, "/api/v1/devices", None, true),
        ep(
            Method::POST,
            "/api/v1/devices/no-such-phone/revoke",
            None,
            true,
        ),
    ]
}

fn is_public(path: &str) -> bool {
    path == "/api/v1/auth/login"
}

/// How many bytes a gzip body inflates to (0 when it is not gzip).
fn inflated_len(gz: &[u8]) -> usize {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .unwrap_or_default()
}

fn gzip_bomb() -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"{\"events\": [], \"pad\": \"").unwrap();
    for _ in 0..64 {
        gz.write_all(&[b'x'; 1024 * 1024]).unwrap();
    }
    gz.write_all(b"\"}").unwrap();
    gz.finish().unwrap()
}

/// Every way a JSON body can be wrong, derived from a well-formed one.
fn bad_bodies(good: &Value) -> Vec<(String, Body)> {
    let text = good.to_string();
    let mut out: Vec<(String, Body)> = vec![
        ("empty body".into(), Body::Raw("application/json", vec![])),
        (
            "malformed".into(),
            Body::Raw("application/json", b"{\"a\": ".to_vec()),
        ),
        (
            "truncated".into(),
            Body::Raw(
                "application/json",
                text.as_bytes()[..text.len() / 2].to_vec(),
            ),
        ),
        (
            "not UTF-8".into(),
            Body::Raw("application/json", vec![b'{', b'"', 0xff, 0xfe, b'"', b'}']),
        ),
        ("an array".into(), Body::Json(json!([good]))),
        ("a string".into(), Body::Json(json!("hello"))),
        ("a number".into(), Body::Json(json!(1e308))),
        ("null".into(), Body::Json(Value::Null)),
        (
            "text/plain".into(),
            Body::Raw("text/plain", text.as_bytes().to_vec()),
        ),
        (
            "deep nesting".into(),
            Body::Raw(
                "application/json",
                ("[".repeat(100_000) + &"]".repeat(100_000)).into_bytes(),
            ),
        ),
        (
            "deep nesting in a field".into(),
            Body::Raw(
                "application/json",
                format!(
                    "{{\"events\": {}{}, \"username\": {}{}}}",
                    "[".repeat(5_000),
                    "]".repeat(5_000),
                    "{\"a\":".repeat(5_000),
                    "}".repeat(5_000)
                )
                .into_bytes(),
            ),
        ),
        (
            "9 MiB".into(),
            Body::Raw(
                "application/json",
                format!("{{\"pad\": \"{}\"}}", "x".repeat(9 * 1024 * 1024)).into_bytes(),
            ),
        ),
        ("gzip bomb".into(), Body::Gzip(gzip_bomb())),
        (
            "gzip that is not gzip".into(),
            Body::Gzip(b"definitely not gzip".to_vec()),
        ),
        ("an unknown field".into(), {
            let mut v = good.clone();
            v["is_admin"] = json!(true);
            Body::Json(v)
        }),
    ];
    // Every field, in turn, of every wrong type.
    if let Some(obj) = good.as_object() {
        for key in obj.keys() {
            for wrong in [json!(12345), json!([]), json!({}), json!(true), json!(-1.5)] {
                if good[key] == wrong {
                    continue;
                }
                let mut v = good.clone();
                v[key] = wrong.clone();
                out.push((format!("{key} = {wrong}"), Body::Json(v)));
            }
            let mut v = good.clone();
            v.as_object_mut().unwrap().remove(key);
            out.push((format!("{key} missing"), Body::Json(v)));
        }
    }
    out
}

async fn every_endpoint_refuses_hostile_requests_and_changes_nothing(db: Db) {
    let w = world(db).await;
    let started = std::time::Instant::now();
    let mut cases = 0;

    // Tokens: none, garbage, injected, expired, signed out.
    let expired = auth::new_token();
    let now = cunju_server::now_ms();
    w.h.store
        .insert_token(
            &expired.hash,
            &db_text(&w.admin.profile.user),
            now - 2 * 86_400_000,
            now - 1,
        )
        .await
        .unwrap();
    let expired_header = format!("Bearer {}", expired.token);
    let out = w.h.client("admin", common::PASSWORD).await;
    let res = out
        .send(Method::POST, "/api/v1/auth/logout", json!({}))
        .await;
    assert_eq!(res.status(), 204);
    let logged_out_header = format!("Bearer {}", out.token);
    let garbage_tokens = [
        "Bearer",
        "Bearer ",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer ' OR '1'='1",
        "Bearer 0000000000000000000000000000000000000000000000000000000000000000",
        expired_header.as_str(),
        logged_out_header.as_str(),
    ];
    for ep in endpoints().iter().filter(|e| !is_public(e.path)) {
        let body = ep.body.clone().map_or(Body::Empty, Body::Json);
        let code = w
            .refused("no token", &ep.method, ep.path, Token::None, &body, &[])
            .await;
        assert_eq!(code, "unauthenticated");
        for t in garbage_tokens {
            let code = w
                .refused(t, &ep.method, ep.path, Token::Raw(t), &body, &[])
                .await;
            assert_eq!(code, "unauthenticated", "{t}");
            cases += 1;
        }
        cases += 1;
    }

    // Bodies: every endpoint that takes one.
    for ep in endpoints() {
        let Some(good) = &ep.body else { continue };
        let caller = if ep.admin_only { &w.admin } else { &w.alice };
        let token = if is_public(ep.path) {
            Token::None
        } else {
            Token::Of(caller)
        };
        for (what, body) in bad_bodies(good) {
            // A wrong password for a well-formed login is a refusal too: it is counted.
            w.refused(
                &what,
                &ep.method,
                ep.path,
                token,
                &body,
                &["login_attempts"],
            )
            .await;
            cases += 1;
        }
    }

    // Injection strings in every field that has a format, and in the path.
    for s in INJECTIONS {
        let login = json!({"username": s, "password": s});
        let code = w
            .refused(
                "injected login",
                &Method::POST,
                "/api/v1/auth/login",
                Token::None,
                &Body::Json(login),
                &["login_attempts"],
            )
            .await;
        assert!(
            code == "bad_credentials" || code == "too_many_attempts",
            "{code}"
        );
        let new_user = |field: &str| {
            let mut v = json!({"username": "newbie", "display_name": "新人",
                               "role": "village_official", "scope": VILLAGE,
                               "password": "long enough"});
            v[field] = json!(s);
            Body::Json(v)
        };
        for field in ["username", "role", "scope"] {
            w.refused(
                &format!("injected {field}"),
                &Method::POST,
                "/api/v1/users",
                Token::Of(&w.admin),
                &new_user(field),
                &[],
            )
            .await;
        }
        let path = format!("/api/v1/users/{}", urlencode(s));
        w.refused(
            "injected username in path",
            &Method::PATCH,
            &path,
            Token::Of(&w.admin),
            &Body::Json(json!({"display_name": "x"})),
            &[],
        )
        .await;
        w.refused(
            "injected username in path",
            &Method::POST,
            &format!("{path}/password"),
            Token::Of(&w.admin),
            &Body::Json(json!({"password": "long enough"})),
            &[],
        )
        .await;
        w.refused(
            "injected device in path",
            &Method::POST,
            &format!("/api/v1/devices/{}/revoke", urlencode(s)),
            Token::Of(&w.admin),
            &Body::Empty,
            &[],
        )
        .await;
        w.refused(
            "injected scope",
            &Method::PATCH,
            "/api/v1/users/bob",
            Token::Of(&w.admin),
            &Body::Json(json!({"scope": s})),
            &[],
        )
        .await;
        w.refused(
            "injected cursor",
            &Method::GET,
            &format!("/api/v1/sync/pull?after={}", urlencode(s)),
            Token::Of(&w.alice),
            &Body::Empty,
            &[],
        )
        .await;
        w.refused(
            "injected limit",
            &Method::GET,
            &format!("/api/v1/sync/pull?limit={}", urlencode(s)),
            Token::Of(&w.alice),
            &Body::Empty,
            &[],
        )
        .await;
        w.refused(
            "injected device filter",
            &Method::GET,
            &format!("/api/v1/sync/rejections?device={}", urlencode(s)),
            Token::Of(&w.alice),
            &Body::Empty,
            &[],
        )
        .await;
        cases += 10;
    }

    // Cursors and limits out of range.
    for q in [
        "after=-1",
        "after=18446744073709551616",
        "after=9223372036854775808",
        "after=99999",
        "limit=-5",
        "limit=99999999999",
        "after=1.5",
        "after=0x10",
    ] {
        w.refused(
            q,
            &Method::GET,
            &format!("/api/v1/sync/pull?{q}"),
            Token::Of(&w.alice),
            &Body::Empty,
            &[],
        )
        .await;
        cases += 1;
    }
    // Unknown routes and methods.
    for (m, p) in [
        (Method::DELETE, "/api/v1/sync/push"),
        (Method::GET, "/api/v1/admin"),
        (Method::GET, "/api/v2/sync/pull"),
        (Method::PUT, "/api/v1/users/bob"),
    ] {
        w.refused(
            "unknown route",
            &m,
            p,
            Token::Of(&w.admin),
            &Body::Empty,
            &[],
        )
        .await;
        cases += 1;
    }
    println!(
        "hostile [{db:?}]: {cases} hostile requests refused, database unchanged, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Pushes `events` as raw JSON; answers the results, or the error.
async fn push_values(w: &World, client: &Client, events: Vec<Value>) -> (u16, Value) {
    let res = w
        .send(
            &Method::POST,
            "/api/v1/sync/push",
            Token::Of(client),
            &Body::Json(json!({"events": events})),
        )
        .await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// Re-hashes an event edited as JSON, so that only the edit is wrong.
fn rehash(mut v: Value) -> Value {
    let e: Event = serde_json::from_value(v.clone()).expect("still an event");
    v["hash"] = json!(e.compute_hash());
    v
}

async fn hostile_events_are_refused_one_by_one_and_only_the_rejection_is_recorded(db: Db) {
    let mut w = world(db).await;
    let next = w.phone.event(VILLAGE, 3); // seq 4, not pushed yet
    let next_json = serde_json::to_value(&next).unwrap();

    // Not well-formed: the whole batch is refused with a 400 and nothing is recorded.
    let mut malformed: Vec<(&str, Value)> = Vec::new();
    let mut set = |what, path: &[&str], value: Value| {
        let mut v = next_json.clone();
        let mut slot = &mut v;
        for p in path {
            slot = &mut slot[*p];
        }
        *slot = value;
        malformed.push((what, v));
    };
    set("invalid id", &["id"], json!("not-an-id"));
    set("injected id", &["id"], json!("'; DROP TABLE events; --"));
    set("invalid device", &["device"], json!(""));
    set("invalid unit", &["unit"], json!("5099' OR '1'='1"));
    set("invalid entity", &["entity"], json!("<script>"));
    set("invalid actor", &["actor"], json!(null));
    set("invalid hash", &["hash"], json!("zz"));
    set("invalid prev", &["prev"], json!(12));
    set("negative seq", &["seq"], json!(-1));
    set("seq zero", &["seq"], json!(0));
    set("fractional seq", &["seq"], json!(1.5));
    set(
        "seq beyond u64",
        &["seq"],
        serde_json::from_str("18446744073709551616").unwrap(),
    );
    set("seq beyond i64", &["seq"], json!(9223372036854775808u64));
    set("seq u64::MAX", &["seq"], json!(u64::MAX));
    set("clock beyond i64", &["hlc", "wall_ms"], json!(u64::MAX));
    set("clock counter huge", &["hlc", "counter"], json!(u64::MAX));
    set("body not an object", &["body"], json!("note"));
    set(
        "body without v",
        &["body"],
        json!({"kind": "note", "data": {"text": "x"}}),
    );
    set(
        "note with a number",
        &["body"],
        json!({"kind": "note", "v": 1, "data": {"text": 5}}),
    );
    set(
        "note with extra field",
        &["body"],
        json!({"kind": "note", "v": 1, "data": {"text": "x", "sql": "1=1"}}),
    );
    set(
        "impossible birth date",
        &["body"],
        json!({"kind": "person_recorded", "v": 1, "data": {"name": "张三", "sex": "male",
               "ethnicity": "汉族", "id_number": "500101199002301234", "birth_date": "1990-02-30",
               "phone": null}}),
    );
    set(
        "birth date in another format",
        &["body"],
        json!({"kind": "person_recorded", "v": 1, "data": {"name": "张三", "sex": "male",
               "ethnicity": "汉族", "id_number": "500101199001011234", "birth_date": "01/01/1990",
               "phone": null}}),
    );
    for (what, v) in malformed {
        let before = dump(&w.h.store).await;
        let (status, body) = push_values(&w, &w.alice, vec![rehash_or_keep(v)]).await;
        assert!((400..500).contains(&status), "{what}: {status} {body}");
        assert!(
            body["code"].is_string() && body["message"].is_string(),
            "{what}: {body}"
        );
        let after = dump(&w.h.store).await;
        assert_unchanged_except(&before, &after, &[], what);
    }
    let too_many: Vec<Value> = (0..501).map(|_| next_json.clone()).collect();
    let (status, _) = push_values(&w, &w.alice, too_many).await;
    assert_eq!(status, 400, "more than 500 events in one push");

    // Well-formed but refused: a 200 with a reason per event; only `rejections` grows.
    let stored: Vec<Value> = w
        .alice
        .pull_all()
        .await
        .into_iter()
        .filter(|e| e["body"]["kind"] == "note")
        .collect();
    let mut refused: Vec<(&str, &Client, Value, &str)> = Vec::new();
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut v = next_json.clone();
        edit(&mut v);
        rehash(v)
    };
    refused.push((
        "bad hash",
        &w.alice,
        {
            let mut v = next_json.clone();
            v["hash"] = json!(Hash::of(b"forged"));
            v
        },
        "bad_hash",
    ));
    refused.push((
        "unknown kind",
        &w.alice,
        with(&|v| v["body"] = json!({"kind": "grant_admin", "v": 1, "data": {"user": "alice"}})),
        "invalid_body",
    ));
    refused.push((
        "known kind, future version",
        &w.alice,
        with(&|v| v["body"]["v"] = json!(99)),
        "invalid_body",
    ));
    refused.push((
        "forged seq: skips ahead",
        &w.alice,
        with(&|v| v["seq"] = json!(9)),
        "broken_chain",
    ));
    refused.push((
        "forged seq: i64::MAX",
        &w.alice,
        with(&|v| v["seq"] = json!(i64::MAX)),
        "broken_chain",
    ));
    refused.push((
        "forged seq: reuses seq 2",
        &w.alice,
        with(&|v| v["seq"] = json!(2)),
        "broken_chain",
    ));
    refused.push((
        "chain skips an event",
        &w.alice,
        with(&|v| v["prev"] = stored[1]["hash"].clone()),
        "broken_chain",
    ));
    refused.push((
        "rewrites a stored event",
        &w.alice,
        {
            let mut v = stored[1].clone();
            v["body"]["data"]["text"] = json!("改写过的记录");
            rehash(v)
        },
        "broken_chain",
    ));
    refused.push((
        "replayed under another user's token",
        &w.bob,
        next_json.clone(),
        "not_permitted",
    ));
    refused.push((
        "someone else's actor",
        &w.bob,
        with(&|v| v["unit"] = json!(OTHER_VILLAGE)),
        "not_permitted",
    ));
    refused.push((
        "outside the pusher's scope",
        &w.alice,
        with(&|v| v["unit"] = json!(OTHER_VILLAGE)),
        "out_of_scope",
    ));
    refused.push((
        "empty note",
        &w.alice,
        with(&|v| v["body"]["data"]["text"] = json!("  ")),
        "invalid_body",
    ));
    refused.push((
        "correction of an unknown field",
        &w.alice,
        with(&|v| {
            v["body"] =
                json!({"kind": "person_corrected", "v": 1, "data": {"fields": {"is_admin": true}}})
        }),
        "invalid_body",
    ));
    let mut counted = 0;
    for (what, client, event, reason) in refused {
        let before = dump(&w.h.store).await;
        let (status, body) = push_values(&w, client, vec![event]).await;
        assert_eq!(status, 200, "{what}: {body}");
        let res: PushResponse = serde_json::from_value(body).unwrap();
        match &res.results[0].status {
            PushStatus::Rejected { reason: r, detail } => {
                assert_eq!(r.code(), reason, "{what}: {detail}");
                assert!(!detail.is_empty());
            }
            other => panic!("{what}: {other:?}"),
        }
        let after = dump(&w.h.store).await;
        assert_unchanged_except(&before, &after, &["rejections"], what);
        // A new row, or the same event refused for the same reason again (attempts + 1).
        assert_ne!(
            after["rejections"], before["rejections"],
            "{what}: the rejection is recorded"
        );
        counted += 1;
    }
    // Someone else's stored events replayed: already there, nothing changes.
    let before = dump(&w.h.store).await;
    let (status, body) = push_values(&w, &w.bob, stored.clone()).await;
    assert_eq!(status, 200);
    let res: PushResponse = serde_json::from_value(body).unwrap();
    assert!(
        res.results
            .iter()
            .all(|o| o.status == PushStatus::Duplicate)
    );
    assert_eq!(before, dump(&w.h.store).await);

    // After all that, the real next event still goes in.
    let res = w.alice.push(std::slice::from_ref(&next)).await;
    assert_eq!(common::statuses(&res), ["accepted"]);
    assert!(
        cunju_server::verify::verify(&w.h.store)
            .await
            .unwrap()
            .is_empty()
    );
    println!("hostile events [{db:?}]: {counted} refused one by one");
}

/// An edited event re-hashed when it still parses (so the edit is the only fault), else as is.
fn rehash_or_keep(v: Value) -> Value {
    match serde_json::from_value::<Event>(v.clone()) {
        Ok(e) => {
            let mut v = v;
            v["hash"] = json!(e.compute_hash());
            v
        }
        Err(_) => v,
    }
}

async fn injection_strings_in_free_text_are_stored_verbatim(db: Db) {
    let mut w = world(db).await;
    let tables_before: Vec<String> = dump(&w.h.store).await.into_keys().collect();
    let mut notes = Vec::new();
    for (i, s) in INJECTIONS.iter().enumerate() {
        if s.contains('\u{0000}') {
            continue;
        }
        let e = w.phone.log.append(
            NewEvent {
                actor: w.alice.profile.user.clone(),
                unit: VILLAGE.parse().unwrap(),
                entity: format!("entity-{}", 100 + i).parse().unwrap(),
                body: EventBody::Note { text: (*s).into() },
            },
            1_750_000_100_000 + i as u64,
            [i as u8; 10],
        );
        notes.push(e);
    }
    let res = w.alice.push(&notes).await;
    assert!(common::statuses(&res).iter().all(|s| s == "accepted"));
    let pulled = w.alice.pull_all().await;
    for e in &notes {
        let back = pulled
            .iter()
            .find(|p| p["id"] == json!(e.id))
            .expect("stored note comes back");
        assert_eq!(back["body"], serde_json::to_value(&e.body).unwrap());
    }
    // A display name is free text too.
    for s in ["Robert'); DROP TABLE users;--", "<b>李</b>&amp;"] {
        let res = w
            .admin
            .send(
                Method::PATCH,
                "/api/v1/users/bob",
                json!({"display_name": s}),
            )
            .await;
        assert_eq!(res.status(), 200);
        let back: Value = res.json().await.unwrap();
        assert_eq!(back["display_name"], s);
    }
    let after: Dump = dump(&w.h.store).await;
    assert_eq!(after.keys().cloned().collect::<Vec<_>>(), tables_before);
    assert!(
        cunju_server::verify::verify(&w.h.store)
            .await
            .unwrap()
            .is_empty()
    );
}
