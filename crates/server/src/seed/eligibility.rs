//! Eligibility demo data: one joint-review department user per demo department (password
//! demo1234), and a demo rule pack whose joint review involves only those three departments,
//! so one batch can be taken to a verdict by three people; and one batch of five preliminary
//! candidates of 石梁村 compiled with that pack and sent to the joint review.

use cunju_domain::authz::Role;
use cunju_domain::directory::person::{IdNumber, age_on};
use cunju_domain::eligibility::access::{DepartmentError, check_department};
use cunju_domain::eligibility::basic::is_computed;
use cunju_domain::eligibility::events::{BatchSent, Nominee, PackCloned};
use cunju_domain::eligibility::{
    Committee, Department, PackChange, RuleKind, RulePack, compile_batch,
};
use cunju_domain::event::{EventBody, NewEvent, UnitKind};
use cunju_domain::ids::{EntityId, EventId, UnitId, UserId};

use super::{DEMO_DISTRICT, DEMO_PASSWORD, new_user};
use crate::store::{Result, SERVER_ACTOR, Store, StoreError, db_text, from_db_text};

/// The demo's joint-review departments: (username, department, display name).
pub const DEMO_DEPARTMENT_ACCOUNTS: &[(&str, Department, &str)] = &[
    ("demo-gongan", Department::PublicSecurity, "孙公安(演示)"),
    (
        "demo-jiwei",
        Department::DisciplineSupervision,
        "钱纪委(演示)",
    ),
    ("demo-fayuan", Department::Court, "冯法院(演示)"),
];

/// The id of the demo pack.
pub const DEMO_PACK_ID: &str = "演示区-三部门联审";

/// The department column of a new account of role `role` (its db text): checked against the
/// role by the domain.
pub fn department_for(
    role: &str,
    department: Option<&str>,
) -> std::result::Result<Option<String>, DepartmentError> {
    let role: Role = from_db_text(role).map_err(|_| DepartmentError::NotAReviewDepartment)?;
    let department = department.map(Department::parse_code).transpose()?;
    check_department(role, department)?;
    Ok(department.map(Department::code))
}

/// The default pack narrowed to the demo's departments: every HARD or WARN rule keeps only
/// those of its departments, and a rule none of them reviews is switched off.
pub fn demo_pack() -> RulePack {
    let base = RulePack::cq_candidate_2021();
    let ours: Vec<Department> = DEMO_DEPARTMENT_ACCOUNTS.iter().map(|a| a.1).collect();
    let mut changes = Vec::new();
    for rule in &base.rules {
        if rule.kind == RuleKind::Post || is_computed(&rule.id) || !rule.enabled {
            continue;
        }
        let kept: Vec<Department> = rule
            .departments
            .iter()
            .copied()
            .filter(|d| ours.contains(d))
            .collect();
        if kept.is_empty() {
            changes.push(PackChange::SetEnabled {
                rule: rule.id.clone(),
                enabled: false,
            });
        } else {
            changes.push(PackChange::SetDepartments {
                rule: rule.id.clone(),
                departments: kept,
            });
        }
    }
    base.clone_as(DEMO_PACK_ID)
        .and_then(|p| p.apply(&changes))
        .expect("the demo pack is a valid change of the default pack")
}

/// Records the demo pack once for each demo township (a pack reaches the devices of the unit it
/// is recorded for and of the units above it) as the server's own events, and creates the
/// department accounts that are missing. Returns the accounts as (username, role, scope,
/// display name).
pub async fn seed(store: &Store, now_ms: i64) -> Result<Vec<(String, String, String, String)>> {
    let packs = store
        .count_events_of_kind("rule_pack_cloned", DEMO_DISTRICT, Some(SERVER_ACTOR))
        .await?;
    if packs == 0 {
        let base = RulePack::cq_candidate_2021();
        let drafts = super::demo_units()
            .into_iter()
            .filter(|u| matches!(u.kind, UnitKind::Township | UnitKind::Street))
            .map(|township| NewEvent {
                actor: SERVER_ACTOR
                    .parse()
                    .expect("the server actor is a valid user id"),
                unit: township.code,
                entity: EntityId::new("rule_pack", EventId::new(now_ms as u64, rand::random())),
                body: EventBody::RulePackCloned(PackCloned {
                    pack: demo_pack(),
                    source_id: base.id.clone(),
                    source_version: base.version,
                }),
            })
            .collect();
        store.append_server_events(drafts, now_ms).await?;
    }
    seed_batch(store, now_ms).await?;
    let mut accounts = Vec::new();
    for &(username, department, name) in DEMO_DEPARTMENT_ACCOUNTS {
        let role = db_text(&Role::ReviewDepartment);
        if store.user_by_username(username).await?.is_none() {
            let mut user = new_user(username, DEMO_PASSWORD, &role, DEMO_DISTRICT, name)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            user.department = Some(department.code());
            match store.insert_user(&user, now_ms).await {
                Ok(()) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        accounts.push((username.into(), role, DEMO_DISTRICT.into(), name.into()));
    }
    Ok(accounts)
}

/// The village of the demo review batch (石梁村; the demo election roll is in 青石村).
pub const DEMO_BATCH_UNIT: &str = "5099001002";
/// How many of the village's adult residents the demo batch holds.
const DEMO_BATCH_NOMINEES: usize = 5;

/// A review batch compiled from the demo pack and sent to the joint review: five adult
/// residents of `DEMO_BATCH_UNIT` as preliminary village-committee candidates, the election
/// two months from today, so the demo departments have something to answer. Once only.
async fn seed_batch(store: &Store, now_ms: i64) -> Result<()> {
    let done = store
        .count_events_of_kind("review_batch_compiled", DEMO_BATCH_UNIT, Some(SERVER_ACTOR))
        .await?;
    if done > 0 {
        return Ok(());
    }
    let today = chrono::DateTime::from_timestamp_millis(now_ms)
        .map_or_else(super::reference_day, |t| t.date_naive());
    let election_day = today + chrono::Days::new(60);
    let nominees: Vec<Nominee> = store
        .events_of_kind("person_recorded", DEMO_BATCH_UNIT)
        .await?
        .into_iter()
        .filter_map(|e| match e.body {
            EventBody::PersonRecorded {
                name, id_number, ..
            } => {
                let id = IdNumber::parse(&id_number, today).ok()?;
                (age_on(id.birth_date(), election_day) >= 25).then_some(Nominee {
                    person: e.entity,
                    name,
                })
            }
            _ => None,
        })
        .take(DEMO_BATCH_NOMINEES)
        .collect();
    if nominees.is_empty() {
        // No demo residents in that village (a store seeded with accounts only): no batch.
        return Ok(());
    }
    let compiled = compile_batch(
        &demo_pack(),
        Committee::VillageCommittee,
        election_day,
        election_day - chrono::Days::new(5),
        2,
        1,
        nominees,
    )
    .map_err(|e| StoreError::InvalidEvent(e.to_string()))?;
    let actor: UserId = SERVER_ACTOR
        .parse()
        .expect("the server actor is a valid user id");
    let unit: UnitId = DEMO_BATCH_UNIT.parse().expect("a valid unit");
    let entity = EntityId::new("review_batch", EventId::new(now_ms as u64, rand::random()));
    let draft = |body| NewEvent {
        actor: actor.clone(),
        unit: unit.clone(),
        entity: entity.clone(),
        body,
    };
    store
        .append_server_events(
            vec![
                draft(EventBody::ReviewBatchCompiled(compiled)),
                draft(EventBody::ReviewBatchSent(BatchSent {})),
            ],
            now_ms,
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_pack_needs_only_the_three_demo_departments() {
        let pack = demo_pack();
        assert!(pack.validate().is_ok());
        let ours: Vec<Department> = DEMO_DEPARTMENT_ACCOUNTS.iter().map(|a| a.1).collect();
        for rule in pack.rules.iter().filter(|r| r.enabled) {
            if rule.kind != RuleKind::Post && !is_computed(&rule.id) {
                assert!(
                    rule.departments.iter().all(|d| ours.contains(d)),
                    "{}",
                    rule.id
                );
            }
        }
        assert!(pack.rule("N13").unwrap().enabled, "a WARN rule stays");
        assert!(!pack.rule("P01").unwrap().enabled);
    }

    /// A resident of the batch's village born on `birth`, as the demo directory records them.
    fn resident(n: u32, birth: chrono::NaiveDate) -> NewEvent {
        let first17 = format!("500101{}{n:03}", birth.format("%Y%m%d"));
        let check = cunju_domain::directory::person::check_digit(
            first17.as_bytes().try_into().expect("17 digits"),
        );
        NewEvent {
            actor: SERVER_ACTOR.parse().unwrap(),
            unit: DEMO_BATCH_UNIT.parse().unwrap(),
            entity: EntityId::new("person", EventId::new(1_750_000_000_000, [n as u8; 10])),
            body: EventBody::PersonRecorded {
                name: format!("居民{n}"),
                sex: cunju_domain::event::Sex::Female,
                ethnicity: "汉族".into(),
                id_number: format!("{first17}{check}"),
                birth_date: birth,
                phone: None,
            },
        }
    }

    #[tokio::test]
    async fn the_demo_batch_holds_adult_residents_is_sent_and_is_recorded_once() {
        let dir = std::env::temp_dir().join(format!("cunju-seed-elig-{}", rand::random::<u64>()));
        let store = Store::connect(&format!("sqlite://{}/cunju.db", dir.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let now = 1_780_000_000_000; // 2026-05-28
        let mut people = vec![resident(1, day(2015, 6, 1))];
        people.extend((2..=8).map(|n| resident(n, day(1970 + n as i32, 3, 1))));
        store.append_server_events(people, now).await.unwrap();
        seed_batch(&store, now).await.unwrap();
        seed_batch(&store, now + 1000).await.unwrap();
        let compiled = store
            .events_of_kind("review_batch_compiled", DEMO_BATCH_UNIT)
            .await
            .unwrap();
        assert_eq!(compiled.len(), 1, "once");
        let EventBody::ReviewBatchCompiled(c) = &compiled[0].body else {
            panic!("a compiled batch")
        };
        assert_eq!(c.nominees.len(), DEMO_BATCH_NOMINEES);
        assert!(c.nominees.iter().all(|n| n.name != "居民1"), "no child");
        assert_eq!(c.pack_id, DEMO_PACK_ID);
        assert!(c.validate().is_ok());
        let sent = store
            .events_of_kind("review_batch_sent", DEMO_BATCH_UNIT)
            .await
            .unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].entity, compiled[0].entity);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn only_department_users_get_a_department() {
        assert_eq!(
            department_for("review_department", Some("court")).unwrap(),
            Some("court".into())
        );
        assert!(department_for("village_official", Some("court")).is_err());
        assert!(department_for("review_department", Some("police")).is_err());
        assert_eq!(department_for("trainer", None).unwrap(), None);
    }
}
