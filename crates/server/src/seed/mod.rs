//! `seed-demo`: a clearly fictional demo district (演示区(虚构), code 5099) — three townships
//! (one of them a street) with thirty villages and communities, 20,000 residents in households,
//! some of them with their close relatives linked — and one account per role. Units, people
//! and links are real hash-chained events of the server's device log, written in one
//! transaction, so `verify` checks them and devices receive them through sync. Idempotent.

mod allowances;
pub mod election_roll;
mod elections;
pub mod eligibility;
mod people;
mod training;

use std::time::{Duration, Instant};

use cunju_domain::authz::{Role, check_display_name, check_password, check_username};
use cunju_domain::directory::units::{Unit, export_units_csv, plan_unit_import};
use cunju_domain::event::{EventBody, NewEvent, UnitKind};
use cunju_domain::ids::{EntityId, EventId, UnitId, UserId};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use allowances::{DEMO_ALLOWANCE_UNIT, DEMO_RATES_VERSION, allowance_drafts, seed_allowances};
pub use people::{DEMO_REGION, Household, PeopleMaker, Resident, reference_day};
pub use training::{DEMO_TRAINEES, seed_training};

use crate::store::{Result, SERVER_ACTOR, Store, StoreError, UserRow, db_text, from_db_text};
use crate::{auth, now_ms, units};

pub const DEMO_PASSWORD: &str = "demo1234";
/// The demo district's code.
pub const DEMO_DISTRICT: &str = "5099";
/// Residents of the demo district.
pub const DEMO_PEOPLE: usize = 20_000;
/// The demo is the same on every machine.
const DEMO_SEED: u64 = 5099;

/// A unit of the demo tree: (code suffix, kind, name); every name gets the (虚构) mark.
type DemoUnit = (&'static str, UnitKind, &'static str);

/// The townships (乡镇/街道), each with its villages and communities.
const DEMO_TOWNSHIPS: &[(DemoUnit, &[DemoUnit])] = &[
    (
        ("001", UnitKind::Township, "青石镇"),
        &[
            ("001", UnitKind::Village, "青石村"),
            ("002", UnitKind::Village, "石梁村"),
            ("003", UnitKind::Community, "青石镇社区"),
            ("004", UnitKind::Village, "龙井村"),
            ("005", UnitKind::Village, "桃园村"),
            ("006", UnitKind::Village, "松林村"),
            ("007", UnitKind::Village, "黄桷村"),
            ("008", UnitKind::Village, "杨柳村"),
            ("009", UnitKind::Village, "双河村"),
            ("010", UnitKind::Community, "场镇社区"),
        ],
    ),
    (
        ("002", UnitKind::Township, "白沙乡"),
        &[
            ("001", UnitKind::Village, "白沙村"),
            ("002", UnitKind::Village, "河湾村"),
            ("003", UnitKind::Village, "柏树村"),
            ("004", UnitKind::Village, "金竹村"),
            ("005", UnitKind::Village, "茶园村"),
            ("006", UnitKind::Village, "大坪村"),
            ("007", UnitKind::Village, "水井村"),
            ("008", UnitKind::Village, "高峰村"),
            ("009", UnitKind::Village, "凉水村"),
            ("010", UnitKind::Community, "白沙场社区"),
        ],
    ),
    (
        ("003", UnitKind::Street, "新桥街道"),
        &[
            ("001", UnitKind::Community, "新桥社区"),
            ("002", UnitKind::Community, "桂花社区"),
            // A village under a street: the street acts as its township (domain-spec §6.1).
            ("003", UnitKind::Village, "柳塘村"),
            ("004", UnitKind::Community, "滨江社区"),
            ("005", UnitKind::Community, "学府社区"),
            ("006", UnitKind::Community, "枫香社区"),
            ("007", UnitKind::Community, "锦绣社区"),
            ("008", UnitKind::Community, "朝阳社区"),
            ("009", UnitKind::Village, "石门村"),
            ("010", UnitKind::Community, "望江社区"),
        ],
    ),
];

/// The demo tree, parents before children: the city, the district, its townships and their
/// villages and communities.
pub fn demo_units() -> Vec<Unit> {
    let unit = |code: String, kind, name: String, parent: Option<&str>| Unit {
        code: code.parse().expect("a demo code is valid"),
        name,
        kind,
        parent: parent.map(|p| p.parse().expect("a demo code is valid")),
    };
    let mut units = vec![
        unit("50".into(), UnitKind::City, "重庆市".into(), None),
        unit(
            DEMO_DISTRICT.into(),
            UnitKind::District,
            "演示区(虚构)".into(),
            Some("50"),
        ),
    ];
    for ((suffix, kind, name), _) in DEMO_TOWNSHIPS {
        units.push(unit(
            format!("{DEMO_DISTRICT}{suffix}"),
            *kind,
            format!("{name}(虚构)"),
            Some(DEMO_DISTRICT),
        ));
    }
    for ((town, _, _), villages) in DEMO_TOWNSHIPS {
        let parent = format!("{DEMO_DISTRICT}{town}");
        for (suffix, kind, name) in *villages {
            units.push(unit(
                format!("{parent}{suffix}"),
                *kind,
                format!("{name}(虚构)"),
                Some(&parent),
            ));
        }
    }
    units
}

/// One demo account per role: (username, role, scope, display name).
const DEMO_ACCOUNTS: &[(&str, &str, &str, &str)] = &[
    (
        "demo-village",
        "village_official",
        "5099001001",
        "李村干(演示)",
    ),
    (
        "demo-supervisor",
        "township_supervisor",
        "5099001",
        "王指导(演示)",
    ),
    (
        "demo-reviewer",
        "township_reviewer",
        "5099001",
        "赵审核(演示)",
    ),
    ("demo-admin", "district_admin", "5099", "陈区管(演示)"),
    (
        "demo-jointreview",
        "review_department",
        "5099",
        "周联审(演示)",
    ),
    ("demo-trainer", "trainer", "5099", "吴培训(演示)"),
    ("demo-city", "city_viewer", "50", "郑市级(演示)"),
];

/// An account as printed by `seed-demo`.
pub struct DemoAccount {
    pub username: String,
    pub role: String,
    pub scope: String,
    pub display_name: String,
}

/// What a run of `seed-demo` did.
pub struct SeedReport {
    pub accounts: Vec<DemoAccount>,
    /// Units recorded now (0 when the tree was already there).
    pub units_recorded: usize,
    /// Residents recorded now (0 when the district already had its demo residents).
    pub people_recorded: usize,
    /// `RelativeLinked` events recorded now.
    pub links_recorded: usize,
    /// Time spent writing the events (one transaction).
    pub write_time: Duration,
}

/// Records the demo units and residents that are missing and creates the missing accounts;
/// leaves everything already there alone.
pub async fn seed_demo(store: &Store) -> Result<SeedReport> {
    let now = now_ms();
    let existing = units::units_within(store, None).await?;
    let plan = plan_unit_import(&export_units_csv(&demo_units()), &existing).map_err(|errors| {
        StoreError::InvalidEvent(format!(
            "the demo tree conflicts with the units present: {errors:?}"
        ))
    })?;
    let mut drafts = units::record_units(&plan.to_record);
    let units_recorded = drafts.len();

    let seeded = store
        .count_events_of_kind("person_recorded", DEMO_DISTRICT, Some(SERVER_ACTOR))
        .await?;
    let (mut people_recorded, mut links_recorded) = (0, 0);
    let residents = resident_drafts(now);
    if seeded == 0 {
        people_recorded = residents.people;
        links_recorded = residents.links;
        drafts.extend(residents.drafts.iter().cloned());
    }
    if store
        .count_events_of_kind("election_opened", DEMO_DISTRICT, Some(SERVER_ACTOR))
        .await?
        == 0
    {
        drafts.extend(elections::election_drafts(now));
    }
    let started = Instant::now();
    store.append_server_events(drafts, now).await?;
    // ── allowances ──
    let today =
        chrono::DateTime::from_timestamp_millis(now).map_or_else(reference_day, |t| t.date_naive());
    allowances::seed_allowances(store, today, now).await?;
    let write_time = started.elapsed();
    // ── elections ──
    election_roll::seed_roll(store, &residents.drafts, seeded == 0, now).await?;

    let mut accounts = Vec::new();
    for &(username, role, scope, name) in DEMO_ACCOUNTS {
        if store.user_by_username(username).await?.is_none() {
            let user = new_user(username, DEMO_PASSWORD, role, scope, name)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            match store.insert_user(&user, now_ms()).await {
                Ok(()) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        accounts.push(DemoAccount {
            username: username.into(),
            role: role.into(),
            scope: scope.into(),
            display_name: name.into(),
        });
    }
    for (username, role, scope, display_name) in eligibility::seed(store, now_ms()).await? {
        accounts.push(DemoAccount {
            username,
            role,
            scope,
            display_name,
        });
    }
    training::seed_training(store, now_ms()).await?;
    Ok(SeedReport {
        accounts,
        units_recorded,
        people_recorded,
        links_recorded,
        write_time,
    })
}

struct ResidentDrafts {
    drafts: Vec<NewEvent>,
    people: usize,
    links: usize,
}

/// `DEMO_PEOPLE` residents over the villages and communities (a community about twice a
/// village's size), then the links of their households.
fn resident_drafts(now_ms: i64) -> ResidentDrafts {
    let mut rng = ChaCha8Rng::seed_from_u64(DEMO_SEED);
    let homes: Vec<Unit> = demo_units()
        .into_iter()
        .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
        .collect();
    let weights: Vec<u64> = homes
        .iter()
        .map(|u| {
            let base = if u.kind == UnitKind::Community {
                180
            } else {
                90
            };
            base + rng.next_u64() % (base / 2)
        })
        .collect();
    let total: u64 = weights.iter().sum();
    let mut sizes: Vec<usize> = weights
        .iter()
        .map(|w| (DEMO_PEOPLE as u64 * w / total) as usize)
        .collect();
    let short = DEMO_PEOPLE - sizes.iter().sum::<usize>();
    sizes[0] += short;

    let actor: UserId = SERVER_ACTOR.parse().expect("a valid user id");
    let mut maker = PeopleMaker::new(rng);
    let mut records = Vec::with_capacity(DEMO_PEOPLE);
    let mut links = Vec::new();
    for (home, size) in homes.iter().zip(sizes) {
        for household in maker.households(size) {
            let ids: Vec<EntityId> = household
                .members
                .iter()
                .map(|_| EntityId::new("person", EventId::new(now_ms as u64, rand::random())))
                .collect();
            for (person, id) in household.members.into_iter().zip(&ids) {
                records.push(NewEvent {
                    actor: actor.clone(),
                    unit: home.code.clone(),
                    entity: id.clone(),
                    body: EventBody::PersonRecorded {
                        name: person.name,
                        sex: person.sex,
                        ethnicity: person.ethnicity.into(),
                        id_number: person.id_number,
                        birth_date: person.birth_date,
                        phone: None,
                    },
                });
            }
            for (person, other, relation) in household.links {
                links.push(NewEvent {
                    actor: actor.clone(),
                    unit: home.code.clone(),
                    entity: ids[person].clone(),
                    body: EventBody::RelativeLinked {
                        other: ids[other].clone(),
                        relation,
                    },
                });
            }
        }
    }
    let (people, link_count) = (records.len(), links.len());
    records.extend(links);
    ResidentDrafts {
        drafts: records,
        people,
        links: link_count,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    #[error(
        "unknown role {0:?}; roles: village_official, township_supervisor, township_reviewer, district_admin, review_department, trainer, city_viewer"
    )]
    Role(String),
    #[error("invalid unit code {0:?} (2 to 18 digits, e.g. 5099001)")]
    Scope(String),
    #[error("{zh} / {source}", zh = .source.message_zh())]
    Field {
        #[from]
        source: cunju_domain::authz::AccountFieldError,
    },
}

/// Validates a new account's fields (the domain's account rules) and hashes its password.
pub fn new_user(
    username: &str,
    password: &str,
    role: &str,
    scope: &str,
    display_name: &str,
) -> std::result::Result<UserRow, NewUserError> {
    let username = username.trim();
    let display_name = display_name.trim();
    check_username(username)?;
    let role: Role = from_db_text(role).map_err(|_| NewUserError::Role(role.into()))?;
    let scope: UnitId = from_db_text(scope).map_err(|_| NewUserError::Scope(scope.into()))?;
    check_display_name(display_name)?;
    check_password(password)?;
    Ok(UserRow {
        id: db_text(&new_user_id()),
        username: username.into(),
        password_hash: auth::hash_password(password),
        role: db_text(&role),
        scope: db_text(&scope),
        display_name: display_name.into(),
        disabled: false,
        department: None,
    })
}

/// A fresh account id: `u` + 32 hex digits.
pub fn new_user_id() -> UserId {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    from_db_text(&format!("u{}", hex::encode(bytes))).expect("a hex string is a valid user id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_demo_account_per_role() {
        let roles: Vec<Role> = DEMO_ACCOUNTS
            .iter()
            .map(|(_, role, _, _)| from_db_text(role).expect("a known role"))
            .collect();
        for role in Role::ALL {
            assert!(roles.contains(&role), "no demo account for {role:?}");
        }
    }

    #[test]
    fn the_demo_tree_is_a_valid_import_with_thirty_homes() {
        let units = demo_units();
        let plan = plan_unit_import(&export_units_csv(&units), &[]).expect("valid tree");
        assert_eq!(plan.to_record.len(), units.len());
        let homes = units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
            .count();
        assert_eq!(homes, 30);
        assert!(
            units.iter().any(|u| u.kind == UnitKind::Village
                && u.parent.as_ref().is_some_and(|p| units
                    .iter()
                    .any(|t| &t.code == p && t.kind == UnitKind::Street))),
            "a village under a street"
        );
        for u in &units {
            assert!(
                u.code.as_str() == "50" || u.name.contains("(虚构)"),
                "{} must be marked fictional",
                u.code
            );
        }
        for (_, _, scope, _) in DEMO_ACCOUNTS {
            assert!(units.iter().any(|u| u.code.as_str() == *scope), "{scope}");
        }
    }

    #[test]
    fn residents_fill_every_home_and_are_valid_events() {
        let drafts = resident_drafts(1_750_000_000_000);
        assert_eq!(drafts.people, DEMO_PEOPLE);
        assert!(drafts.links > 1000, "{}", drafts.links);
        assert_eq!(drafts.drafts.len(), drafts.people + drafts.links);
        for d in &drafts.drafts {
            d.validate().expect("a valid event");
            assert!(d.unit.as_str().starts_with(DEMO_DISTRICT));
        }
    }
}
