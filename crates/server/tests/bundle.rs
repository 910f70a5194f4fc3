//! No-network transfer: a device's events sealed into a bundle file are imported by the server
//! (HTTP `POST /api/v1/sync/bundle`, and `cunju-server bundle import` for the operator) with
//! exactly the checks of a push. Importing twice changes nothing; an edited or truncated file is
//! refused whole with a reason and nothing is written; a bundle signed with another account's
//! key is refused whole, and someone else's events re-signed under one's own key are refused
//! event by event.

mod common;
mod reliability;

use common::{Db, Device, Harness};
use cunju_domain::bundle::Bundle;
use cunju_domain::event::EventBody;
use cunju_domain::sync::PushResponse;
use reliability::{assert_unchanged_except, dump};
use serde_json::{Value, json};

on_both_databases!(a_bundle_is_imported_once_with_the_checks_of_a_push);

const VILLAGE: &str = "5099001001";

async fn post(client: &common::Client, body: Value) -> reqwest::Response {
    client
        .send(reqwest::Method::POST, "/api/v1/sync/bundle", body)
        .await
}

async fn a_bundle_is_imported_once_with_the_checks_of_a_push(db: Db) {
    let h = Harness::start(db).await;
    h.demo_units().await;
    let alice = h.user("alice", "village_official", VILLAGE).await;
    let bob = h.user("bob", "village_official", "5099001002").await;
    let mut phone = Device::new("phone", &alice.profile);
    let events = phone.events(VILLAGE, 6);
    let bundle = Bundle::new(
        phone.id.clone(),
        events[..4].to_vec(),
        1_750_000_000_000,
        &alice.bundle_key,
    );

    // Damaged files: refused whole, nothing written.
    let mut edited = serde_json::to_value(&bundle).unwrap();
    edited["events"][2]["body"]["data"]["text"] = json!("改过的");
    let mut dropped = serde_json::to_value(&bundle).unwrap();
    dropped["events"].as_array_mut().unwrap().remove(1);
    let mut resealed = serde_json::to_value(&bundle).unwrap();
    resealed["seal"] = serde_json::to_value(cunju_domain::ids::Hash::of(b"x")).unwrap();
    let mut wrong_format = serde_json::to_value(&bundle).unwrap();
    wrong_format["format"] = json!("something-else/1");
    let mut forged = serde_json::to_value(&bundle).unwrap();
    forged["signature"] = serde_json::to_value(cunju_domain::ids::Hash::of(b"x")).unwrap();
    // Alice's file imported by Bob: not signed with his account's key.
    let bobs_import = serde_json::to_value(&bundle).unwrap();
    for (what, client, body) in [
        ("an edited event", &alice, edited),
        ("a dropped event", &alice, dropped),
        ("a changed seal", &alice, resealed),
        ("another format", &alice, wrong_format),
        ("a forged signature", &alice, forged),
        ("another account's file", &bob, bobs_import),
    ] {
        let before = dump(&h.store).await;
        let res = post(client, body).await;
        assert_eq!(res.status(), 400, "{what}");
        let reason: Value = res.json().await.unwrap();
        assert_eq!(reason["code"], "bad_bundle", "{what}");
        assert!(
            reason["message"].as_str().unwrap().contains("传输包"),
            "{what}"
        );
        assert_unchanged_except(&before, &dump(&h.store).await, &[], what);
    }

    // Someone else's events re-signed under one's own key: refused event by event.
    let resigned = Bundle::new(
        phone.id.clone(),
        events[..4].to_vec(),
        1_750_000_000_000,
        &bob.bundle_key,
    );
    let res = post(&bob, serde_json::to_value(&resigned).unwrap()).await;
    assert_eq!(res.status(), 200);
    let refused: PushResponse = res.json().await.unwrap();
    assert!(
        common::statuses(&refused)
            .iter()
            .all(|s| s == "rejected:not_permitted")
    );

    // The author imports it: stored; again: duplicates, nothing changes.
    let res = post(&alice, serde_json::to_value(&bundle).unwrap()).await;
    let stored: PushResponse = res.json().await.unwrap();
    assert_eq!(common::statuses(&stored), ["accepted"; 4]);
    let before = dump(&h.store).await;
    let again: PushResponse = post(&alice, serde_json::to_value(&bundle).unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(common::statuses(&again), ["duplicate"; 4]);
    assert_eq!(
        dump(&h.store).await["events"],
        before["events"],
        "a second import stores nothing"
    );

    // The operator imports the rest on the server: the file continues the chain.
    let dir = std::env::temp_dir().join(format!(
        "cunju-bundle-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("phone.cunju.json");
    let rest = Bundle::new(
        phone.id.clone(),
        events[4..].to_vec(),
        1_750_000_000_000,
        &alice.bundle_key,
    );
    std::fs::write(&file, serde_json::to_vec(&rest).unwrap()).unwrap();
    let (code, out) = h.cli(&[
        "bundle",
        "import",
        "--db",
        &h.db_url,
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 new"), "{out}");
    let (code, out) = h.cli(&[
        "bundle",
        "import",
        "--db",
        &h.db_url,
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 new, 2 already stored"), "{out}");
    // A bundle with an event the author may not write: that event is refused, exit code 1.
    let mut outside = Device::new("tablet", &alice.profile);
    let mut evs = outside.events(VILLAGE, 1);
    evs.push(outside.log.append(
        cunju_domain::event::NewEvent {
            actor: alice.profile.user.clone(),
            unit: "5099001002".parse().unwrap(),
            entity: "entity-x".parse().unwrap(),
            body: EventBody::Note {
                text: "辖区外".into(),
            },
        },
        1_750_000_000_100,
        [9; 10],
    ));
    let file = dir.join("tablet.cunju.json");
    let b = Bundle::new(
        outside.id.clone(),
        evs.clone(),
        1_750_000_000_000,
        &alice.bundle_key,
    );
    std::fs::write(&file, serde_json::to_vec(&b).unwrap()).unwrap();
    let (code, out) = h.cli(&[
        "bundle",
        "import",
        "--db",
        &h.db_url,
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("1 new") && out.contains("out_of_scope"),
        "{out}"
    );
    // Signed with a key no author has: refused whole.
    let unsigned = Bundle::new(
        outside.id.clone(),
        evs,
        1_750_000_000_000,
        &cunju_domain::bundle::BundleKey::from_bytes([3; 32]),
    );
    std::fs::write(&file, serde_json::to_vec(&unsigned).unwrap()).unwrap();
    let (code, out) = h.cli(&[
        "bundle",
        "import",
        "--db",
        &h.db_url,
        file.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("签名"), "{out}");
    std::fs::write(&file, b"{\"format\": \"cunju-bundle/2\"").unwrap();
    let (code, out) = h.cli(&[
        "bundle",
        "import",
        "--db",
        &h.db_url,
        file.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("not a bundle file"), "{out}");

    assert!(
        cunju_server::verify::verify(&h.store)
            .await
            .unwrap()
            .is_empty()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
