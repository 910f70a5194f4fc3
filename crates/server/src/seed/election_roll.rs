//! `seed-demo`: one election roll in 青石村(虚构) (5099001001) — its adult residents registered
//! as voters (by the demo directory's identity numbers), the list published, formal candidates
//! for 主任, 副主任 and 委员, a central box and an approved mobile box, and the first round
//! counted — so the results screen shows winners straight away. Every event is checked with
//! the domain's `RollView` rules while it is built. Idempotent.

use chrono::NaiveDate;
use cunju_domain::directory::person::{IdNumber, age_on};
use cunju_domain::election::roll::{
    BoxKind, MAX_VOTERS_PER_EVENT, RollEvent, RollPlan, RollView, TallyRound, VoteCount,
    VoterCategory, VoterEntry,
};
use cunju_domain::election::tally::{PostTitle, Seats};
use cunju_domain::election::template::{ElectionType, ElectoralMode, RulePackVersion};
use cunju_domain::event::{EventBody, NewEvent, Sex};
use cunju_domain::ids::{EntityId, UnitId, UserId};

use crate::store::{Result, SERVER_ACTOR, Store, StoreError};

/// The demo roll's entity (its election would be `election:demo5099001001`).
pub const DEMO_ROLL: &str = "election_roll:demo5099001001";
/// The village whose roll is seeded.
pub const DEMO_ROLL_UNIT: &str = "5099001001";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// Records the demo roll unless one is there already; returns how many events were written.
/// `linked`: the residents were recorded in this run, so voters point at their directory
/// records; otherwise (older demo data) they are matched by identity number only.
pub async fn seed_roll(
    store: &Store,
    residents: &[NewEvent],
    linked: bool,
    now_ms: i64,
) -> Result<usize> {
    let done = store
        .count_events_of_kind("election_roll", DEMO_ROLL_UNIT, Some(SERVER_ACTOR))
        .await?;
    if done > 0 {
        return Ok(0);
    }
    let drafts = roll_drafts(residents, linked).map_err(StoreError::InvalidEvent)?;
    let n = drafts.len();
    store.append_server_events(drafts, now_ms).await?;
    Ok(n)
}

/// The roll's events, built from the demo residents of the village.
pub fn roll_drafts(
    residents: &[NewEvent],
    linked: bool,
) -> std::result::Result<Vec<NewEvent>, String> {
    let unit: UnitId = DEMO_ROLL_UNIT.parse().expect("a valid unit");
    let election_day = day(2026, 4, 20);
    let voters: Vec<VoterEntry> = residents
        .iter()
        .filter(|d| d.unit == unit)
        .filter_map(|d| match &d.body {
            EventBody::PersonRecorded {
                name, id_number, ..
            } => {
                let id = IdNumber::try_from(id_number.clone()).ok()?;
                (age_on(id.birth_date(), election_day) >= 18).then(|| VoterEntry {
                    name: name.clone(),
                    id_number: id,
                    category: VoterCategory::Resident,
                    household: None,
                    basis: None,
                    person: linked.then(|| d.entity.clone()),
                })
            }
            _ => None,
        })
        .collect();
    if voters.len() < 40 {
        return Err(format!("only {} adult residents in {unit}", voters.len()));
    }
    let n = voters.len() as u32;
    // Candidates come from residents with no recorded relatives, so no two winners are close
    // relatives (the app checks that against the directory's family links).
    let with_relatives: std::collections::HashSet<String> = residents
        .iter()
        .filter_map(|d| match &d.body {
            EventBody::RelativeLinked { other, .. } => {
                Some([d.entity.to_string(), other.to_string()])
            }
            _ => None,
        })
        .flatten()
        .collect();
    let ids_with_relatives: std::collections::HashSet<String> = residents
        .iter()
        .filter(|d| with_relatives.contains(&d.entity.to_string()))
        .filter_map(|d| match &d.body {
            EventBody::PersonRecorded { id_number, .. } => Some(id_number.clone()),
            _ => None,
        })
        .collect();
    let candidates = voters
        .iter()
        .filter(|v| !ids_with_relatives.contains(v.id_number.as_str()));
    let men: Vec<IdNumber> = candidates
        .clone()
        .filter(|v| v.id_number.sex() == Sex::Male)
        .map(|v| v.id_number.clone())
        .collect();
    let women: Vec<IdNumber> = candidates
        .filter(|v| v.id_number.sex() == Sex::Female)
        .map(|v| v.id_number.clone())
        .collect();
    if men.len() < 5 || women.len() < 3 {
        return Err(format!(
            "too few residents without relatives in {unit} for the candidates"
        ));
    }
    let chair = [men[0].clone(), men[1].clone()];
    let vice = [women[0].clone(), men[2].clone()];
    let members = [
        women[1].clone(),
        men[3].clone(),
        men[4].clone(),
        women[2].clone(),
    ];

    let mut events = vec![RollEvent::Opened {
        plan: RollPlan {
            unit: unit.clone(),
            committee: ElectionType::Village,
            mode: ElectoralMode::Direct,
            pack: RulePackVersion::CqVc2025,
            seats: vec![
                Seats {
                    post: PostTitle::Chair,
                    count: 1,
                },
                Seats {
                    post: PostTitle::ViceChair,
                    count: 1,
                },
                Seats {
                    post: PostTitle::Member,
                    count: 3,
                },
            ],
            proxy_max_principals: 3,
            multi_ethnic: false,
            election_day: Some(election_day),
        },
    }];
    for chunk in voters.chunks(MAX_VOTERS_PER_EVENT) {
        events.push(RollEvent::VotersRegistered {
            voters: chunk.to_vec(),
        });
    }
    events.push(RollEvent::ListPublished {
        on: day(2026, 3, 31),
        count: n,
    });
    let lists: [(PostTitle, &[IdNumber]); 3] = [
        (PostTitle::Chair, &chair),
        (PostTitle::ViceChair, &vice),
        (PostTitle::Member, &members),
    ];
    for (post, list) in lists {
        for (i, id) in list.iter().enumerate() {
            events.push(RollEvent::Nominated {
                post,
                id_number: id.clone(),
                nomination_votes: 80 - 10 * i as u32,
                minority: false,
            });
        }
        events.push(RollEvent::FormalFixed {
            post,
            candidates: list.to_vec(),
            published_on: day(2026, 4, 10),
        });
    }
    events.push(RollEvent::BoxRecorded {
        no: "1".into(),
        kind: BoxKind::Central,
        seal_no: "青选-001".into(),
        scrutineers: vec!["李监票(演示)".into(), "王监票(演示)".into()],
        approved_on: None,
    });
    events.push(RollEvent::BoxRecorded {
        no: "2".into(),
        kind: BoxKind::Mobile,
        seal_no: "青选-002".into(),
        scrutineers: vec![
            "张监票(演示)".into(),
            "刘监票(演示)".into(),
            "陈监票(演示)".into(),
        ],
        approved_on: Some(day(2026, 4, 18)),
    });
    // About three quarters vote, one in ten of them at the mobile box.
    let voted = n * 3 / 4;
    let mobile = voted / 10;
    for (box_no, ballots) in [("1", voted - mobile), ("2", mobile)] {
        events.push(RollEvent::BallotsCounted {
            round: TallyRound::First,
            box_no: box_no.into(),
            issued: ballots,
            returned: ballots,
        });
        let share = |pct: u32| ballots * pct / 100;
        let count = |post, list: &[IdNumber], pcts: &[u32]| RollEvent::VotesCounted {
            round: TallyRound::First,
            box_no: box_no.into(),
            post,
            valid: ballots - share(2),
            invalid: share(2),
            votes: list
                .iter()
                .zip(pcts)
                .map(|(id, p)| VoteCount {
                    id_number: id.clone(),
                    votes: share(*p),
                })
                .collect(),
        };
        events.push(count(PostTitle::Chair, &chair, &[72, 24]));
        events.push(count(PostTitle::ViceChair, &vice, &[66, 30]));
        events.push(count(PostTitle::Member, &members, &[81, 70, 58, 40]));
    }

    let mut view = RollView::default();
    let actor: UserId = SERVER_ACTOR.parse().expect("a valid user id");
    let entity: EntityId = DEMO_ROLL.parse().expect("a valid entity id");
    events
        .into_iter()
        .map(|ev| {
            view.record(&unit, ev.clone(), day(2026, 4, 20))
                .map_err(|e| format!("demo roll: {e}"))?;
            Ok(NewEvent {
                actor: actor.clone(),
                unit: unit.clone(),
                entity: entity.clone(),
                body: EventBody::ElectionRoll(ev),
            })
        })
        .collect()
}
