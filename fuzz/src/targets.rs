//! The fuzz targets. Each takes any bytes; a panic is a bug. Where an input is accepted, the
//! target also checks what must then hold (an event re-reads its own JSON with the same hash;
//! planned units export and import again; the tally's results stay within its input).

use std::collections::BTreeMap;

use cunju_domain::authz::{Role, authorize_event};
use cunju_domain::directory::kinship::Kinship;
use cunju_domain::directory::units::{Unit, export_units_csv, plan_unit_import};
use cunju_domain::election::tally::{
    self, CandidateVotes, PostTitle, PostVotes, Profile, Registered, Round, RoundResult, Seats,
    TallyContext, TallyRules, TieBreak, Turnout,
};
use cunju_domain::election::template::{CompositionRules, ElectoralMode, StepCode};
use cunju_domain::event::{
    DeviceLog, Event, EventBody, NewEvent, Relation, Sex, UnitKind, check_next,
};
use cunju_domain::ids::EntityId;
use cunju_domain::sync::{Profile as UserProfile, PushRequest};
use serde_json::Value;

use crate::input::Bytes;

pub const JSON_TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "\"\"",
    "\\u0000",
    "\\ud800",
    "\"kind\"",
    "\"v\"",
    "\"data\"",
    "\"note\"",
    "\"person_recorded\"",
    "\"unit_recorded\"",
    "\"seq\"",
    "\"hlc\"",
    "\"wall_ms\"",
    "\"counter\"",
    "\"prev\"",
    "\"hash\"",
    "\"birth_date\"",
    "\"1990-02-30\"",
    "\"2024-13-01\"",
    "1.5",
    "-1",
    "1e308",
    "{\"a\":[[[[[[[[]]]]]]]]}",
];

pub const CSV_TOKENS: &[&str] = &[
    ",",
    "\"",
    "\n",
    "\r\n",
    "\u{feff}",
    "代码,名称,类型,上级代码\n",
    "code,name,kind,parent\n",
    "5099",
    "5099001",
    "5099001001",
    "village",
    "township",
    "district",
    "村",
    "社区",
    "\"\"",
    ",,,",
    "\u{0}",
];

// ---- events -------------------------------------------------------------------------------

fn sample_event(body: EventBody, entity: &str, seq_from: u64) -> Event {
    let mut log = DeviceLog::new("phone-1".parse().unwrap());
    let mut event = None;
    for n in 0..seq_from {
        event = Some(log.append(
            NewEvent {
                actor: "u1".parse().unwrap(),
                unit: "5099001001".parse().unwrap(),
                entity: entity.parse().unwrap(),
                body: body.clone(),
            },
            1_750_000_000_000 + n,
            [n as u8; 10],
        ));
    }
    event.expect("seq_from >= 1")
}

pub fn event_seeds() -> Vec<Vec<u8>> {
    let person = EventBody::PersonRecorded {
        name: "张三".into(),
        sex: Sex::Male,
        ethnicity: "汉族".into(),
        id_number: "500199199001011237".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        phone: None,
    };
    let events = [
        sample_event(
            EventBody::Note {
                text: "入户走访".into(),
            },
            "person:p1",
            1,
        ),
        sample_event(person, "person:p2", 2),
        sample_event(
            EventBody::RelativeLinked {
                other: "person:p1".parse().unwrap(),
                relation: Relation::Spouse,
            },
            "person:p2",
            1,
        ),
        sample_event(
            EventBody::UnitRecorded {
                code: "5099001001".parse().unwrap(),
                name: "石桥村".into(),
                unit_kind: UnitKind::Village,
                parent: Some("5099001".parse().unwrap()),
            },
            "unit:5099001001",
            1,
        ),
    ];
    let mut seeds: Vec<Vec<u8>> = events
        .iter()
        .map(|e| serde_json::to_vec(e).unwrap())
        .collect();
    seeds.push(serde_json::to_vec(&serde_json::json!({ "events": events })).unwrap());
    seeds
}

/// Event decoding, as the server reads a push: `PushRequest`, `Event` and `EventBody` from any
/// bytes. An event that decodes must re-read its own JSON unchanged, with the same canonical
/// bytes (so the same hash), and survive every check the server runs on it.
pub fn event(data: &[u8]) {
    if let Ok(request) = serde_json::from_slice::<PushRequest>(data) {
        for e in &request.events {
            event_properties(e);
        }
    }
    if let Ok(e) = serde_json::from_slice::<Event>(data) {
        event_properties(&e);
    }
    if let Ok(value) = serde_json::from_slice::<Value>(data)
        && let Ok(body) = EventBody::from_value(value)
    {
        let _ = body.validate();
        let again = EventBody::from_value(body.to_value()).expect("a body re-reads itself");
        assert_eq!(again, body, "a body round-trips");
    }
}

fn event_properties(e: &Event) {
    let _ = e.validate();
    let _ = e.hash_ok();
    let _ = e.fits_storage();
    let _ = check_next(None, e);
    let _ = check_next(Some(e), e);
    let profile = UserProfile {
        user: e.actor.clone(),
        display_name: String::new(),
        role: Role::DistrictAdmin,
        scope: "5099".parse().unwrap(),
        department: None,
    };
    let _ = authorize_event(&profile, e);
    let text = serde_json::to_string(e).expect("an event serializes");
    let again: Event = serde_json::from_str(&text).expect("an event re-reads its own JSON");
    assert_eq!(&again, e, "an event round-trips");
    assert_eq!(
        again.canonical_bytes(),
        e.canonical_bytes(),
        "same hash input"
    );
}

// ---- unit CSV -----------------------------------------------------------------------------

fn existing_units() -> Vec<Unit> {
    vec![
        Unit {
            code: "5099".parse().unwrap(),
            name: "演示区".into(),
            kind: UnitKind::District,
            parent: None,
        },
        Unit {
            code: "5099001".parse().unwrap(),
            name: "青石镇".into(),
            kind: UnitKind::Township,
            parent: Some("5099".parse().unwrap()),
        },
    ]
}

pub fn units_csv_seeds() -> Vec<Vec<u8>> {
    let mut units = existing_units();
    units.push(Unit {
        code: "5099001001".parse().unwrap(),
        name: "石桥村".into(),
        kind: UnitKind::Village,
        parent: Some("5099001".parse().unwrap()),
    });
    let utf8 = export_units_csv(&units).into_bytes();
    let english = b"code,name,kind,parent\n5099001002,Hill,village,5099001\n".to_vec();
    vec![utf8, english]
}

/// The unit CSV importer as the server runs it: decode (UTF-8, UTF-16, GB18030), then plan the
/// import into an existing tree. A plan's units must export and plan again into that tree.
pub fn units_csv(data: &[u8]) {
    let Ok(text) = cunju_server::units::decode_csv(data) else {
        return;
    };
    let existing = existing_units();
    if let Ok(plan) = plan_unit_import(&text, &existing)
        && !plan.to_record.is_empty()
    {
        // The district at the root has no parent in the file, so the round trip re-imports the
        // planned units into the same tree they were planned against.
        let exported = export_units_csv(&plan.to_record);
        let again = plan_unit_import(&exported, &existing);
        assert!(
            again.is_ok(),
            "an accepted plan exports to a file that imports: {again:?}\n{exported}"
        );
        let _ = cunju_server::units::record_units(&plan.to_record);
    }
}

// ---- tally --------------------------------------------------------------------------------

pub fn tally_seeds() -> Vec<Vec<u8>> {
    vec![
        vec![
            3, 1, 5, 2, 1, 3, 4, 100, 90, 90, 2, 5, 60, 6, 30, 7, 55, 1, 0, 1, 1, 0,
        ],
        (0..64).collect(),
        vec![0; 32],
        vec![255; 48],
    ]
}

const POSTS: [PostTitle; 4] = [
    PostTitle::Chair,
    PostTitle::ViceChair,
    PostTitle::WomenMember,
    PostTitle::Member,
];
const RELATIONS: [Relation; 4] = [
    Relation::Spouse,
    Relation::Parent,
    Relation::Sibling,
    Relation::PaternalGrandparent,
];

fn person(n: usize) -> EntityId {
    format!("person:p{n}").parse().unwrap()
}

fn post_votes(b: &mut Bytes) -> Vec<PostVotes> {
    (0..b.below(5))
        .map(|_| PostVotes {
            post: POSTS[b.below(4)],
            votes: (0..b.below(9))
                .map(|_| CandidateVotes {
                    person: person(b.below(10)),
                    votes: b.u32(),
                })
                .collect(),
        })
        .collect()
}

fn round(b: &mut Bytes) -> Round {
    let mode = [
        ElectoralMode::Direct,
        ElectoralMode::Household,
        ElectoralMode::GroupReps,
    ][b.below(3)];
    Round {
        turnout: Turnout {
            mode,
            registered: Registered {
                voters: b.u32(),
                households: b.u32(),
                group_representatives: b.u32(),
            },
            voted: b.u32(),
            ballots: b.u32(),
        },
        votes: post_votes(b),
        tie_breaks: post_votes(b)
            .into_iter()
            .map(|p| TieBreak {
                post: p.post,
                votes: p.votes,
            })
            .collect(),
    }
}

/// The tally input (`election::tally`) from any bytes: seats, turnout, votes (up to `u32::MAX`
/// each), tie votes, rules, composition, people and relatives; then plan check, validity, first
/// round, re-run ballots and re-run. No panic, and nobody is elected who received no votes.
pub fn tally(data: &[u8]) {
    let mut b = Bytes::new(data);
    let seats: Vec<Seats> = (0..b.below(5))
        .map(|_| Seats {
            post: POSTS[b.below(4)],
            count: b.u32() % 16,
        })
        .collect();
    let rules = TallyRules {
        cascade_votes_down: b.bool(),
        rerun_needs_turnout: b.bool(),
        rerun_margin: b.u32() % 8,
        lowest_member_yields_to_woman: b.bool(),
        min_seated_to_leave_vacant: b.u32() % 10,
        further_election_within_days: b.u32(),
    };
    let composition = CompositionRules {
        min_members: b.u32() % 12,
        max_members: b.u32() % 12,
        woman_required: b.bool(),
        close_relatives_barred: b.bool(),
    };
    let multi_ethnic = b.bool();
    let mut people: BTreeMap<EntityId, Profile> = BTreeMap::new();
    for n in 0..10 {
        if b.bool() {
            let sex = if b.bool() { Sex::Female } else { Sex::Male };
            people.insert(
                person(n),
                Profile {
                    sex,
                    minority: b.bool(),
                },
            );
        }
    }
    let links: Vec<_> = (0..b.below(6))
        .map(|_| {
            (
                person(b.below(10)),
                person(b.below(10)),
                RELATIONS[b.below(4)],
            )
        })
        .collect();
    let kinship = Kinship::new(links, std::iter::empty());
    let first = round(&mut b);
    let rerun = round(&mut b);
    let ctx = TallyContext {
        rules: &rules,
        composition,
        multi_ethnic,
        people: &people,
        kinship: &kinship,
    };
    let _ = tally::check_plan_seats(&seats, &composition);
    let _ = tally::round_validity(&first.turnout, StepCode::V18);
    let result = tally::decide_first_round(&seats, &first, &ctx);
    check_elected_had_votes(&result, &first);
    if let Some(outcome) = result.outcome() {
        let _ = tally::rerun_ballots(outcome, &ctx);
        let again = tally::decide_rerun(outcome, &rerun, &ctx);
        // `elected()` of a re-run lists those seated in it.
        check_elected_had_votes(&again, &rerun);
    }
}

/// Everyone seated received votes in `round` (on some post, or in a tie vote).
fn check_elected_had_votes(result: &RoundResult, round: &Round) {
    let Some(outcome) = result.outcome() else {
        return;
    };
    let voted = |person: &EntityId| {
        round
            .votes
            .iter()
            .flat_map(|p| p.votes.iter())
            .chain(round.tie_breaks.iter().flat_map(|t| t.votes.iter()))
            .any(|v| &v.person == person && v.votes > 0)
    };
    for d in outcome.elected() {
        assert!(voted(&d.person), "{} elected without a vote", d.person);
    }
}
