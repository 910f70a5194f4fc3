//! Browser tests of the directory screens' logic: the unit import path (decode → plan → record)
//! and the in-memory people search index at district size.

use cunju::components::file_io::{TextEncoding, decode_text, now_precise_ms};
use cunju::components::people_index::{PeopleIndex, SearchOutcome};
use cunju::pages::units::load_units;
use cunju::pages::units_import::{ImportRefused, import_file, plan_file};
use cunju::store::Store;
use cunju_domain::authz::Role;
use cunju_domain::directory::person::check_digit;
use cunju_domain::directory::units::Unit;
use cunju_domain::event::{EntityKind, OrderKey, UnitKind};
use cunju_domain::ids::{EntityId, EventId};
use cunju_domain::projection::EntityState;
use cunju_domain::sync::Profile;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn admin() -> Profile {
    Profile {
        user: "u-admin".parse().unwrap(),
        display_name: "区管理员".into(),
        role: Role::DistrictAdmin,
        scope: "5099".parse().unwrap(),
        department: None,
    }
}

fn district() -> Unit {
    Unit {
        code: "5099".parse().unwrap(),
        name: "演示区".into(),
        kind: UnitKind::District,
        parent: Some("50".parse().unwrap()),
    }
}

/// "代码,名称,类型,上级代码\n5099001,青石镇,镇,5099\n5099001001,白果村,村,5099001\n" in GBK,
/// as Excel on a Chinese Windows saves it.
fn gbk_file() -> Vec<u8> {
    let mut bytes = Vec::new();
    let gbk = |s: &str| -> Vec<u8> {
        // GBK codes of the characters used (checked against the GB18030 table).
        let table: &[(char, [u8; 2])] = &[
            ('代', [0xB4, 0xFA]),
            ('码', [0xC2, 0xEB]),
            ('名', [0xC3, 0xFB]),
            ('称', [0xB3, 0xC6]),
            ('类', [0xC0, 0xE0]),
            ('型', [0xD0, 0xCD]),
            ('上', [0xC9, 0xCF]),
            ('级', [0xBC, 0xB6]),
            ('青', [0xC7, 0xE0]),
            ('石', [0xCA, 0xAF]),
            ('镇', [0xD5, 0xF2]),
            ('白', [0xB0, 0xD7]),
            ('果', [0xB9, 0xFB]),
            ('村', [0xB4, 0xE5]),
        ];
        let mut out = Vec::new();
        for c in s.chars() {
            if c.is_ascii() {
                out.push(c as u8);
            } else {
                let (_, code) = table.iter().find(|(k, _)| *k == c).expect("in table");
                out.extend_from_slice(code);
            }
        }
        out
    };
    bytes.extend(gbk("代码,名称,类型,上级代码\n"));
    bytes.extend(gbk("5099001,青石镇,镇,5099\n"));
    bytes.extend(gbk("5099001001,白果村,村,5099001\n"));
    bytes
}

#[wasm_bindgen_test]
fn a_gbk_file_decodes_and_plans() {
    let bytes = gbk_file();
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let (text, encoding) = decode_text(&bytes).expect("GBK decodes");
    assert_eq!(encoding, TextEncoding::Gb18030);
    assert!(text.contains("青石镇") && text.contains("白果村"), "{text}");

    let plan = plan_file(&bytes, &[district()], &admin()).expect("a valid file");
    assert_eq!(plan.drafts.len(), 2);
    assert_eq!(plan.unchanged, 0);
    assert_eq!(
        plan.drafts[0].entity,
        EntityId::unit(&"5099001".parse().unwrap())
    );
    assert_eq!(plan.drafts[1].unit.as_str(), "5099001001");
}

#[wasm_bindgen_test]
fn utf8_wins_and_binary_is_refused_clearly() {
    let (_, encoding) = decode_text("代码,名称,类型,上级代码\n".as_bytes()).unwrap();
    assert_eq!(encoding, TextEncoding::Utf8);
    let refused = plan_file(&[0xFF, 0xFF, 0x00, 0x81], &[district()], &admin()).unwrap_err();
    assert_eq!(refused, ImportRefused::NotText);
    assert!(
        refused
            .message(cunju::i18n::Lang::Zh)
            .contains("UTF-8 或 GBK")
    );
}

#[wasm_bindgen_test]
fn a_reader_may_not_import() {
    // Township reviewers read the tree but do not keep it (supervisors do).
    let mut reader = admin();
    reader.role = Role::TownshipReviewer;
    assert_eq!(
        plan_file(&gbk_file(), &[district()], &reader).unwrap_err(),
        ImportRefused::NotPermitted
    );
}

#[wasm_bindgen_test]
async fn a_bad_file_writes_nothing_and_a_good_one_writes_each_unit() {
    let name = "cunju-test-units-import";
    Store::delete(name).await.unwrap();
    let store = Store::open(name).await.unwrap();
    // The district itself, as sync would have brought it.
    store
        .append(cunju_domain::event::NewEvent {
            actor: admin().user,
            unit: "5099".parse().unwrap(),
            entity: EntityId::unit(&"5099".parse().unwrap()),
            body: cunju_domain::event::EventBody::UnitRecorded {
                code: "5099".parse().unwrap(),
                name: "演示区".into(),
                unit_kind: UnitKind::District,
                parent: Some("50".parse().unwrap()),
            },
        })
        .await
        .unwrap();
    let pending_before = store.pending_count().await.unwrap();

    // Line 3 has a kind that does not exist, line 4 sits outside the district: nothing at all.
    let bad = "代码,名称,类型,上级代码\n5099001,青石镇,镇,5099\n5099001001,白果村,庄,5099001\n6001001,外地镇,镇,6001\n";
    let refused = import_file(&store, bad.as_bytes(), &admin())
        .await
        .unwrap()
        .unwrap_err();
    let ImportRefused::Rows(rows) = refused else {
        panic!("{refused:?}")
    };
    let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 4], "{rows:#?}");
    assert!(rows[0].message_zh.contains("类型“庄”无效"));
    assert_eq!(store.pending_count().await.unwrap(), pending_before);
    assert_eq!(load_units(&store, &admin().scope).await.unwrap().len(), 1);

    let (written, unchanged) = import_file(&store, &gbk_file(), &admin())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((written, unchanged), (2, 0));
    let units = load_units(&store, &admin().scope).await.unwrap();
    let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["演示区", "青石镇", "白果村"]);

    // The same file again changes nothing.
    let again = import_file(&store, &gbk_file(), &admin())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, (0, 2));
    store.close();
    Store::delete(name).await.unwrap();
}

/// A valid identity number for person `n` (region 500199, born 1950–1999).
fn id_number(n: usize) -> String {
    let year = 1950 + n % 50;
    let month = 1 + n % 12;
    let day = 1 + n % 28;
    let serial = n % 1000;
    let first17 = format!("500199{year:04}{month:02}{day:02}{serial:03}");
    let digits: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", check_digit(&digits))
}

const SURNAMES: [&str; 8] = ["张", "王", "李", "刘", "陈", "杨", "黄", "赵"];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇"];

fn people(count: usize) -> Vec<EntityState> {
    (0..count)
        .map(|n| {
            let name = format!(
                "{}{}{}",
                SURNAMES[n % 8],
                GIVEN[(n / 8) % 10],
                GIVEN[(n / 80) % 10]
            );
            let village = format!("5099{:03}{:03}", 1 + n % 3, 1 + n % 10);
            let id = EntityId::new(
                EntityKind::Person.as_str(),
                EventId::new(n as u64 + 1, [n as u8; 10]),
            );
            EntityState {
                id,
                kind: EntityKind::Person,
                unit: village.parse().unwrap(),
                doc: serde_json::json!({
                    "name": name,
                    "sex": if n % 2 == 0 { "male" } else { "female" },
                    "ethnicity": "汉族",
                    "id_number": id_number(n),
                    "birth_date": "1990-01-01",
                    "phone": null,
                }),
                last: OrderKey(
                    cunju_domain::clock::Hlc {
                        wall_ms: n as u64,
                        counter: 0,
                    },
                    "d1".parse().unwrap(),
                    n as u64,
                ),
                events: 1,
            }
        })
        .collect()
}

fn log(text: String) {
    web_sys::console::log_1(&text.into());
}

#[wasm_bindgen_test]
fn the_search_index_finds_by_name_full_id_and_last_digits_among_20000() {
    let states = people(20_000);
    let start = now_precise_ms();
    let index = PeopleIndex::build(states);
    log(format!(
        "people index: built for {} people in {:.1} ms",
        index.len(),
        now_precise_ms() - start
    ));
    assert_eq!(index.len(), 20_000);

    let timed = |query: &str| {
        let start = now_precise_ms();
        let outcome = index.search(query, 50);
        log(format!(
            "people index: {query:?} in {:.2} ms",
            now_precise_ms() - start
        ));
        outcome
    };

    // By name: 王芳 appears in many names; the first 50 are shown and the rest counted.
    let SearchOutcome::Found { hits, total } = timed("王芳") else {
        panic!()
    };
    assert!(total > 50, "{total}");
    assert_eq!(hits.len(), 50);
    assert!(hits.iter().all(|p| index.entry(*p).name.contains("王芳")));

    // By full number: exactly that person.
    let wanted = id_number(12_345);
    let SearchOutcome::Found { hits, total } = timed(&wanted) else {
        panic!()
    };
    assert_eq!(total, 1);
    assert_eq!(index.entry(hits[0]).id_number, wanted);

    // By the last 4 digits (and more): everyone ending so, that person among them.
    let last4 = &wanted[14..];
    let SearchOutcome::Found { hits, total } = timed(last4) else {
        panic!()
    };
    assert!(total >= 1);
    assert!(
        hits.iter()
            .all(|p| index.entry(*p).id_number.ends_with(last4))
    );
    let last8 = &wanted[10..];
    let SearchOutcome::Found { hits, .. } = timed(last8) else {
        panic!()
    };
    assert!(hits.iter().any(|p| index.entry(*p).id_number == wanted));

    // Three digits are too few; an unknown name finds nobody.
    assert_eq!(timed("123"), SearchOutcome::TooFewDigits);
    assert_eq!(
        timed("欧阳"),
        SearchOutcome::Found {
            hits: vec![],
            total: 0
        }
    );
    // Most recently changed first when nothing is typed.
    let SearchOutcome::Found { hits, total } = timed("") else {
        panic!()
    };
    assert_eq!(total, 20_000);
    assert_eq!(
        index.entry(hits[0]).name,
        people(20_000)[19_999].doc["name"]
    );
}
