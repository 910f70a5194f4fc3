//! The administrator's command line, run as a real process against a SQLite file.

use std::process::Command;

use cunju_domain::event::{DeviceLog, EventBody, NewEvent};
use cunju_domain::sync::Profile;
use cunju_server::store::Store;

fn cunju_server(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cunju-server"))
        .args(args)
        .env_remove("CUNJU_DB")
        .output()
        .expect("run cunju-server");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn seed_user_and_verify_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("cunju-cli-{}", rand::random::<u64>()));
    let db = format!("sqlite://{}/nested/cunju.db", dir.display());

    for _ in 0..2 {
        let (code, out) = cunju_server(&["seed-demo", "--db", &db]);
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("demo-village") && out.contains("demo1234"),
            "{out}"
        );
    }
    let add = [
        "user",
        "add",
        "--db",
        &db,
        "--username",
        "zhang",
        "--password",
        "pw-123456",
        "--role",
        "district_admin",
        "--scope",
        "5099",
        "--name",
        "张三",
    ];
    assert_eq!(cunju_server(&add).0, 0);
    let (code, out) = cunju_server(&add);
    assert_eq!(
        code, 1,
        "a second user with the same name is refused: {out}"
    );
    let (code, out) = cunju_server(&[
        "user",
        "add",
        "--db",
        &db,
        "--username",
        "li",
        "--password",
        "x",
        "--role",
        "king",
        "--scope",
        "5099",
        "--name",
        "李",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("unknown role"), "{out}");
    let (code, _) = cunju_server(&[
        "user",
        "passwd",
        "--db",
        &db,
        "--username",
        "zhang",
        "--password",
        "new-pw",
    ]);
    assert_eq!(code, 1, "a password under 8 characters is refused");
    let (code, _) = cunju_server(&[
        "user",
        "passwd",
        "--db",
        &db,
        "--username",
        "zhang",
        "--password",
        "new-pw-long",
    ]);
    assert_eq!(code, 0);

    // Three events of one device, then one row altered behind the server's back.
    let store = Store::connect(&db).await.unwrap();
    let admin = store.user_by_username("zhang").await.unwrap().unwrap();
    let profile = Profile {
        user: admin.id.parse().unwrap(),
        display_name: admin.display_name.clone(),
        role: cunju_domain::authz::Role::DistrictAdmin,
        scope: "5099".parse().unwrap(),
        department: None,
    };
    let mut log = DeviceLog::new("d-cli".parse().unwrap());
    let events: Vec<_> = (0..3)
        .map(|n| {
            log.append(
                NewEvent {
                    actor: profile.user.clone(),
                    unit: "5099001".parse().unwrap(),
                    entity: "unit:5099001".parse().unwrap(),
                    body: EventBody::Note {
                        text: format!("备注 {n}"),
                    },
                },
                1_750_000_000_000 + n,
                [n as u8; 10],
            )
        })
        .collect();
    store.push(&profile, events, 0).await.unwrap();
    let (code, out) = cunju_server(&["verify", "--db", &db]);
    assert_eq!(code, 0, "{out}");

    let Store::Sqlite(pool) = &store else {
        unreachable!()
    };
    sqlx::query("UPDATE events SET hlc_wall = hlc_wall + 1 WHERE seq = 2")
        .execute(pool)
        .await
        .unwrap();
    store.close().await;
    let (code, out) = cunju_server(&["verify", "--db", &db]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("device d-cli seq 2"), "{out}");
    std::fs::remove_dir_all(dir).ok();
}
