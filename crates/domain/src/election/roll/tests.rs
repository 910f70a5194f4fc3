//! Tests of the roll: registration, import, publication, candidates, proxies, boxes, counts and
//! the results put through the tally (spec §1.3–§1.6), plus convergence and permissions.

// Without `test`, only the sample event is used (the permission matrix of `testing`).
#![cfg_attr(not(test), allow(dead_code, unused_imports))]

use chrono::{Days, NaiveDate};

use super::*;
use crate::authz::{Role, authorize_event};
use crate::directory::kinship::Kinship;
use crate::directory::person::{IdNumber, check_digit};
use crate::election::breach::BreachClass;
use crate::election::tally::{PostTitle, RoundResult, Seats, Verdict};
use crate::election::template::{ElectionType, ElectoralMode, RulePackVersion};
use crate::event::tests::NOW;
use crate::event::{DeviceLog, Event, EventBody, NewEvent, Relation};
use crate::ids::EntityId;
use crate::projection::fold;
use crate::sync::{Profile, RejectReason};

const UNIT: &str = "5099001001";
const ROLL: &str = "election_roll:01J000000000000000000000AB";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn today() -> NaiveDate {
    day("2026-03-01")
}

/// A valid identity number: voter `i`, born `i` days after 1950-01-01.
pub(crate) fn id(i: u32, female: bool) -> IdNumber {
    let birth = day("1950-01-01")
        .checked_add_days(Days::new(u64::from(i)))
        .unwrap();
    let seq = if female { "002" } else { "001" };
    let first17 = format!("500199{}{seq}", birth.format("%Y%m%d"));
    let check = check_digit(first17.as_bytes().try_into().unwrap());
    IdNumber::try_from(format!("{first17}{check}")).unwrap()
}

fn voter(i: u32, female: bool) -> VoterEntry {
    VoterEntry {
        name: format!("选民{i}"),
        id_number: id(i, female),
        category: VoterCategory::Resident,
        household: Some(format!("H{}", i / 3)),
        basis: None,
        person: None,
    }
}

fn plan() -> RollPlan {
    RollPlan {
        unit: UNIT.parse().unwrap(),
        committee: ElectionType::Village,
        mode: ElectoralMode::Direct,
        pack: RulePackVersion::CqVc2025,
        seats: vec![
            Seats {
                post: PostTitle::Chair,
                count: 1,
            },
            Seats {
                post: PostTitle::Member,
                count: 2,
            },
        ],
        proxy_max_principals: 3,
        multi_ethnic: false,
        election_day: Some(day("2026-04-20")),
    }
}

pub(crate) fn sample_event() -> RollEvent {
    RollEvent::Opened { plan: plan() }
}

/// Writes roll events on one device and folds them.
struct Roll {
    log: DeviceLog,
    events: Vec<Event>,
    now: u64,
}

impl Roll {
    fn new() -> Roll {
        let mut r = Roll {
            log: DeviceLog::new("d1".parse().unwrap()),
            events: Vec::new(),
            now: NOW,
        };
        r.push(RollEvent::Opened { plan: plan() }).unwrap();
        r
    }

    fn view(&self) -> RollView {
        fold(&self.events)
    }

    /// Checks like a screen does, then appends.
    fn push(&mut self, ev: RollEvent) -> Result<(), RollError> {
        self.view().check(&UNIT.parse().unwrap(), &ev, today())?;
        self.now += 1000;
        let e = self.log.append(
            NewEvent {
                actor: "u1".parse().unwrap(),
                unit: UNIT.parse().unwrap(),
                entity: ROLL.parse().unwrap(),
                body: EventBody::ElectionRoll(ev),
            },
            self.now,
            [self.events.len() as u8; 10],
        );
        e.validate().expect("valid body");
        self.events.push(e);
        Ok(())
    }

    fn register(&mut self, from: u32, to: u32, female: impl Fn(u32) -> bool) {
        let voters: Vec<VoterEntry> = (from..to).map(|i| voter(i, female(i))).collect();
        for chunk in voters.chunks(MAX_VOTERS_PER_EVENT) {
            self.push(RollEvent::VotersRegistered {
                voters: chunk.to_vec(),
            })
            .unwrap();
        }
    }

    fn publish(&mut self, on: &str) {
        let count = self.view().voters.len() as u32;
        self.push(RollEvent::ListPublished { on: day(on), count })
            .unwrap();
    }

    fn central_box(&mut self) {
        self.push(RollEvent::BoxRecorded {
            no: "1".into(),
            kind: BoxKind::Central,
            seal_no: "F-001".into(),
            scrutineers: vec!["甲".into(), "乙".into()],
            approved_on: None,
        })
        .unwrap();
    }

    fn ballots(&mut self, round: TallyRound, issued: u32, returned: u32) {
        self.push(RollEvent::BallotsCounted {
            round,
            box_no: "1".into(),
            issued,
            returned,
        })
        .unwrap();
    }

    fn count(
        &mut self,
        round: TallyRound,
        post: PostTitle,
        valid: u32,
        votes: &[(u32, bool, u32)],
    ) {
        self.push(RollEvent::VotesCounted {
            round,
            box_no: "1".into(),
            post,
            valid,
            invalid: 0,
            votes: votes
                .iter()
                .map(|&(i, f, v)| VoteCount {
                    id_number: id(i, f),
                    votes: v,
                })
                .collect(),
        })
        .unwrap();
    }
}

fn results(r: &Roll) -> RollResults {
    r.view().results(&Kinship::default()).unwrap()
}

fn first(res: &RollResults) -> &RoundResult {
    match &res.first {
        RoundStatus::Decided(d) => d,
        RoundStatus::Incomplete(m) => panic!("incomplete: {m:?}"),
    }
}

fn elected(res: &RoundResult) -> Vec<String> {
    res.outcome()
        .unwrap()
        .elected()
        .map(|d| d.person.as_str().to_string())
        .collect()
}

fn key(i: u32, female: bool) -> String {
    format!("voter:{}", id(i, female).as_str())
}

// --- opening and registration ----------------------------------------------------------------

#[test]
fn a_roll_opens_once_in_its_own_unit_with_a_lawful_plan() {
    let r = Roll::new();
    let v = r.view();
    assert_eq!(v.unit().unwrap().as_str(), UNIT);
    assert_eq!(v.seats(PostTitle::Member), 2);
    let again = v.check(&UNIT.parse().unwrap(), &sample_event(), today());
    assert_eq!(again, Err(RollError::AlreadyOpened));

    let empty = RollView::default();
    let other = empty.check(&"5099001002".parse().unwrap(), &sample_event(), today());
    assert!(matches!(other, Err(RollError::WrongUnit { .. })));

    let mut big = plan();
    big.seats[1].count = 7;
    let err = empty
        .check(
            &UNIT.parse().unwrap(),
            &RollEvent::Opened { plan: big },
            today(),
        )
        .unwrap_err();
    assert!(err.message_zh().contains("3至7名"), "{}", err.message_zh());

    let mut household = plan();
    household.mode = ElectoralMode::Household;
    assert!(matches!(
        validate_event(&RollEvent::Opened { plan: household }),
        Err(RollError::Plan(r)) if r.rule == "V03.village_direct"
    ));
    assert_eq!(
        RollView::default().check(
            &UNIT.parse().unwrap(),
            &RollEvent::ListPublished {
                on: today(),
                count: 0
            },
            today()
        ),
        Err(RollError::NotOpened)
    );
}

#[test]
fn nobody_is_registered_twice() {
    let mut r = Roll::new();
    r.register(1, 3, |_| false);
    let again = r.push(RollEvent::VotersRegistered {
        voters: vec![voter(2, false)],
    });
    match again {
        Err(RollError::Voter {
            problem: VoterProblem::AlreadyRegistered { name },
            ..
        }) => assert_eq!(name, "选民2"),
        other => panic!("{other:?}"),
    }
    let twice = r.push(RollEvent::VotersRegistered {
        voters: vec![voter(5, false), voter(5, false)],
    });
    assert!(matches!(
        twice,
        Err(RollError::Voter {
            problem: VoterProblem::RepeatedInFile { .. },
            ..
        })
    ));
    assert_eq!(r.view().voters.len(), 2);
}

#[test]
fn voters_must_be_18_on_election_day_and_category_three_needs_the_assemblys_consent() {
    let e = day("2026-04-20");
    // Turns 18 on E: may vote. One day later: may not.
    let born = |d: &str| {
        let first17 = format!("500199{}001", day(d).format("%Y%m%d"));
        let check = check_digit(first17.as_bytes().try_into().unwrap());
        format!("{first17}{check}")
    };
    let ok = parse_voter(
        "甲",
        &born("2008-04-20"),
        VoterCategory::Resident,
        "",
        "",
        e,
        today(),
    );
    assert!(ok.is_ok());
    let young = parse_voter(
        "乙",
        &born("2008-04-21"),
        VoterCategory::Resident,
        "",
        "",
        e,
        today(),
    );
    assert_eq!(young, Err(VoterProblem::Underage { age: 17 }));
    let third = parse_voter(
        "丙",
        &born("1980-01-01"),
        VoterCategory::LivingHere,
        "",
        " ",
        e,
        today(),
    );
    assert_eq!(third, Err(VoterProblem::BasisMissing));
    let third = parse_voter(
        "丙",
        &born("1980-01-01"),
        VoterCategory::LivingHere,
        "",
        "2026-03-01村民代表会议同意",
        e,
        today(),
    );
    assert_eq!(
        third.unwrap().basis.as_deref(),
        Some("2026-03-01村民代表会议同意")
    );
    let bad = parse_voter(
        "丁",
        "500199198001010010",
        VoterCategory::Resident,
        "",
        "",
        e,
        today(),
    );
    assert!(matches!(bad, Err(VoterProblem::BadIdNumber(_))));

    // The roll applies the same age rule to a registration event.
    let mut r = Roll::new();
    let mut young = voter(1, false);
    young.id_number = IdNumber::try_from(born("2008-04-21")).unwrap();
    let refused = r.push(RollEvent::VotersRegistered {
        voters: vec![young],
    });
    assert!(matches!(
        refused,
        Err(RollError::Voter {
            problem: VoterProblem::Underage { age: 17 },
            ..
        })
    ));
    let mut third = voter(2, false);
    third.category = VoterCategory::LivingHere;
    assert!(
        validate_event(&RollEvent::VotersRegistered {
            voters: vec![third]
        })
        .is_err()
    );
    assert!(matches!(
        validate_event(&RollEvent::VotersRegistered { voters: vec![] }),
        Err(RollError::BatchSize { found: 0, .. })
    ));
    let too_many: Vec<VoterEntry> = (0..201).map(|i| voter(i, false)).collect();
    assert!(matches!(
        validate_event(&RollEvent::VotersRegistered { voters: too_many }),
        Err(RollError::BatchSize {
            found: 201,
            max: 200
        })
    ));
}

// --- import -----------------------------------------------------------------------------------

fn csv_of(rows: &[String]) -> String {
    let mut text = String::from("姓名,身份证号码,类别,户号,依据\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

fn row(i: u32) -> String {
    format!("选民{i},{},1,H{i},", id(i, i.is_multiple_of(2)).as_str())
}

#[test]
fn a_bad_row_stops_the_whole_import_and_every_problem_is_reported_by_line() {
    let r = Roll::new();
    let mut rows: Vec<String> = (1..=5).map(row).collect();
    rows[1] = format!("选民2,{},4,,", id(2, true).as_str()); // line 3: bad category
    rows[3] = "选民4,500199198001010010,1,,".into(); // line 5: bad check digit
    rows.push(row(1)); // line 7: repeats line 2
    let errors = plan_voter_import(&csv_of(&rows), &r.view(), today()).unwrap_err();
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 5, 7]);
    assert!(errors[0].message_zh.contains("登记类别应为1、2或3"));
    assert!(errors[1].message_zh.contains("校验位"));
    assert!(errors[2].message_zh.contains("与第2行重复"));

    let header = plan_voter_import("name,id\n", &r.view(), today()).unwrap_err();
    assert_eq!(header[0].line, 1);
}

#[test]
fn a_good_import_is_split_into_batches_of_200() {
    let mut r = Roll::new();
    let rows: Vec<String> = (1..=450).map(row).collect();
    let events = plan_voter_import(&csv_of(&rows), &r.view(), today()).unwrap();
    let sizes: Vec<usize> = events
        .iter()
        .map(|e| match e {
            RollEvent::VotersRegistered { voters } => voters.len(),
            _ => 0,
        })
        .collect();
    assert_eq!(sizes, [200, 200, 50]);
    for ev in events {
        r.push(ev).unwrap();
    }
    assert_eq!(r.view().voters.len(), 450);
    // Importing the same file again refuses every row: all are registered already.
    let again = plan_voter_import(&csv_of(&rows[..3]), &r.view(), today()).unwrap_err();
    assert_eq!(again.len(), 3);
    assert!(again[0].message_zh.contains("不得重复登记"));
    // Three-column files (no household, no basis) are fine too.
    let short = format!(
        "姓名,身份证号码,类别\n选民999,{},一\n",
        id(999, false).as_str()
    );
    assert_eq!(
        plan_voter_import(&short, &r.view(), today()).unwrap().len(),
        1
    );
}

// --- publication and objections ---------------------------------------------------------------

#[test]
fn publication_records_the_count_and_late_steps_are_procedure_breaches() {
    let mut r = Roll::new();
    r.register(1, 11, |_| false);
    let wrong = r.push(RollEvent::ListPublished {
        on: day("2026-03-31"),
        count: 9,
    });
    assert_eq!(
        wrong,
        Err(RollError::CountDiffers {
            published: 9,
            current: 10
        })
    );
    // E is 2026-04-20: 2026-03-31 is exactly 20 days before — on time.
    r.publish("2026-03-31");
    assert_eq!(r.view().published().unwrap().count, 10);
    assert!(r.view().procedure_breaches().is_empty());
    // Published again a day later (after a correction): 19 days before E, a PROC breach.
    r.publish("2026-04-01");
    let b = r.view().procedure_breaches();
    assert_eq!(b.len(), 1);
    assert_eq!(
        (b[0].class, b[0].rule),
        (BreachClass::Proc, "V05.publish_20_days")
    );

    assert_eq!(r.view().next_objection_no(), 1);
    r.push(RollEvent::ObjectionFiled {
        no: 1,
        filed_on: day("2026-04-02"),
        by: "村民张某".into(),
        text: "选民3已迁出".into(),
    })
    .unwrap();
    assert_eq!(
        r.push(RollEvent::ObjectionDecided {
            no: 1,
            decided_on: day("2026-04-01"),
            upheld: true,
            decision: "x".into()
        }),
        Err(RollError::DecidedBeforeFiled)
    );
    assert_eq!(r.view().next_objection_no(), 2);
    assert_eq!(r.view().undecided_objections().count(), 1);
    r.push(RollEvent::ObjectionDecided {
        no: 1,
        decided_on: day("2026-04-06"),
        upheld: true,
        decision: "核实已迁出，移出名单".into(),
    })
    .unwrap();
    r.push(RollEvent::VoterRemoved {
        id_number: id(3, false),
        reason: "异议成立（第1号）".into(),
    })
    .unwrap();
    let v = r.view();
    assert_eq!(v.voters.len(), 9);
    assert_eq!(v.removed.len(), 1);
    assert_eq!(v.undecided_objections().count(), 0);
    let rules: Vec<&str> = v.procedure_breaches().iter().map(|b| b.rule).collect();
    assert_eq!(rules, ["V05.publish_20_days", "V06.decide_within_3_days"]);
    assert_eq!(
        r.push(RollEvent::ObjectionDecided {
            no: 1,
            decided_on: day("2026-04-06"),
            upheld: false,
            decision: "x".into()
        }),
        Err(RollError::ObjectionDecided(1))
    );
}

// --- candidates -------------------------------------------------------------------------------

#[test]
fn nominations_become_preliminary_then_formal_candidates_with_more_candidates_than_seats() {
    let mut r = Roll::new();
    r.register(1, 21, |i| i.is_multiple_of(2));
    let nominate = |r: &mut Roll, post, i: u32, votes| {
        r.push(RollEvent::Nominated {
            post,
            id_number: id(i, i.is_multiple_of(2)),
            nomination_votes: votes,
            minority: false,
        })
    };
    nominate(&mut r, PostTitle::Chair, 1, 90).unwrap();
    nominate(&mut r, PostTitle::Chair, 2, 80).unwrap();
    assert!(matches!(
        nominate(&mut r, PostTitle::Chair, 2, 5),
        Err(RollError::AlreadyNominated(_))
    ));
    assert_eq!(
        nominate(&mut r, PostTitle::ViceChair, 3, 5),
        Err(RollError::PostNotInPlan(PostTitle::ViceChair))
    );
    assert!(matches!(
        r.push(RollEvent::Nominated {
            post: PostTitle::Member,
            id_number: id(500, false),
            nomination_votes: 1,
            minority: false
        }),
        Err(RollError::NotRegistered(_))
    ));
    for (i, v) in [(3, 70), (4, 60), (5, 50)] {
        nominate(&mut r, PostTitle::Member, i, v).unwrap();
    }
    let ranked: Vec<u32> = r
        .view()
        .nominations_for(PostTitle::Member)
        .iter()
        .map(|n| n.nomination_votes)
        .collect();
    assert_eq!(ranked, [70, 60, 50]);

    r.push(RollEvent::PreliminaryFixed {
        post: PostTitle::Member,
        candidates: vec![id(3, false), id(4, true), id(5, false)],
    })
    .unwrap();
    // 2 seats, 2 candidates: refused, with the rule and the reason.
    let equal = r.push(RollEvent::FormalFixed {
        post: PostTitle::Member,
        candidates: vec![id(3, false), id(4, true)],
        published_on: day("2026-04-10"),
    });
    match equal {
        Err(RollError::TooFewCandidates(reason)) => {
            assert_eq!(reason.rule, "V09.more_candidates_than_seats");
            assert!(reason.zh.contains("候选人数必须多于应选人数"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.push(RollEvent::FormalFixed {
            post: PostTitle::Member,
            candidates: vec![id(3, false), id(4, true), id(1, false)],
            published_on: day("2026-04-10"),
        }),
        Err(RollError::NotPreliminary(_))
    ));
    r.push(RollEvent::FormalFixed {
        post: PostTitle::Member,
        candidates: vec![id(3, false), id(4, true), id(5, false)],
        published_on: day("2026-04-10"),
    })
    .unwrap();
    // Without a preliminary list the formal list is taken from the nominations.
    r.push(RollEvent::FormalFixed {
        post: PostTitle::Chair,
        candidates: vec![id(1, false), id(2, true)],
        published_on: day("2026-04-10"),
    })
    .unwrap();
    let v = r.view();
    assert_eq!(v.formal_for(PostTitle::Member).unwrap().candidates.len(), 3);
    assert!(v.formal_margin_warning(PostTitle::Member, 3).is_none());
    assert_eq!(
        v.formal_margin_warning(PostTitle::Member, 5).unwrap().rule,
        "V09.candidate_margin"
    );
}

#[test]
fn the_womens_seat_takes_only_women() {
    let mut p = plan();
    p.seats.push(Seats {
        post: PostTitle::WomenMember,
        count: 1,
    });
    let mut r = Roll {
        log: DeviceLog::new("d1".parse().unwrap()),
        events: Vec::new(),
        now: NOW,
    };
    r.push(RollEvent::Opened { plan: p }).unwrap();
    r.register(1, 5, |i| i == 2);
    assert_eq!(
        r.push(RollEvent::Nominated {
            post: PostTitle::WomenMember,
            id_number: id(1, false),
            nomination_votes: 3,
            minority: false
        }),
        Err(RollError::WomenSeatNeedsWoman)
    );
    r.push(RollEvent::Nominated {
        post: PostTitle::WomenMember,
        id_number: id(2, true),
        nomination_votes: 3,
        minority: false,
    })
    .unwrap();
}

// --- proxies ----------------------------------------------------------------------------------

fn proxy(principal: u32, agent: u32) -> RollEvent {
    RollEvent::ProxyRecorded {
        principal: id(principal, false),
        agent: id(agent, false),
        relation: Relation::Sibling,
    }
}

#[test]
fn a_proxy_votes_for_at_most_the_configured_number_of_principals() {
    let mut r = Roll::new();
    r.register(1, 11, |_| false);
    for p in 2..=4 {
        r.push(proxy(p, 1)).unwrap();
    }
    match r.push(proxy(5, 1)) {
        Err(RollError::ProxyFull { max: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(r.push(proxy(1, 1)), Err(RollError::ProxySelf));
    assert!(matches!(
        r.push(proxy(2, 6)),
        Err(RollError::ProxyExists(_))
    ));
    assert!(matches!(
        r.push(proxy(6, 2)),
        Err(RollError::ProxySubDelegation(_))
    ));
    assert!(matches!(
        r.push(proxy(1, 6)),
        Err(RollError::ProxySubDelegation(_))
    ));
    r.push(RollEvent::ProxyWithdrawn {
        principal: id(2, false),
    })
    .unwrap();
    r.push(proxy(5, 1)).unwrap();
    assert_eq!(r.view().proxies_of(&id(1, false)), 3);

    // The limit is the plan's: with 2, the third principal is refused.
    let mut p = plan();
    p.proxy_max_principals = 2;
    let mut two = Roll {
        log: DeviceLog::new("d1".parse().unwrap()),
        events: Vec::new(),
        now: NOW,
    };
    two.push(RollEvent::Opened { plan: p }).unwrap();
    two.register(1, 6, |_| false);
    two.push(proxy(2, 1)).unwrap();
    two.push(proxy(3, 1)).unwrap();
    let full = two.push(proxy(4, 1)).unwrap_err();
    assert!(
        full.message_zh().contains("最多接受2人委托"),
        "{}",
        full.message_zh()
    );
}

#[test]
fn a_formal_candidate_may_not_act_as_a_proxy() {
    let mut r = Roll::new();
    r.register(1, 6, |_| false);
    for i in 1..=2 {
        r.push(RollEvent::Nominated {
            post: PostTitle::Chair,
            id_number: id(i, false),
            nomination_votes: 5,
            minority: false,
        })
        .unwrap();
    }
    r.push(RollEvent::FormalFixed {
        post: PostTitle::Chair,
        candidates: vec![id(1, false), id(2, false)],
        published_on: today(),
    })
    .unwrap();
    assert!(matches!(
        r.push(proxy(3, 1)),
        Err(RollError::ProxyIsCandidate(_))
    ));
}

// --- boxes and counts -------------------------------------------------------------------------

#[test]
fn a_mobile_box_needs_three_scrutineers_and_the_townships_approval() {
    let mut r = Roll::new();
    r.register(1, 11, |_| false);
    let mobile = |scrutineers: Vec<&str>, approved_on| RollEvent::BoxRecorded {
        no: "M1".into(),
        kind: BoxKind::Mobile,
        seal_no: "F-9".into(),
        scrutineers: scrutineers.into_iter().map(String::from).collect(),
        approved_on,
    };
    assert_eq!(
        r.push(mobile(vec!["甲", "乙"], None)),
        Err(RollError::MobileBoxScrutineers(2))
    );
    r.push(mobile(vec!["甲", "乙", "丙"], None)).unwrap();
    r.push(RollEvent::BallotsCounted {
        round: TallyRound::First,
        box_no: "M1".into(),
        issued: 3,
        returned: 3,
    })
    .unwrap();
    let rules: Vec<&str> = r
        .view()
        .procedure_breaches()
        .iter()
        .map(|b| b.rule)
        .collect();
    assert_eq!(rules, ["V14.mobile_box_approved"]);
    r.push(mobile(vec!["甲", "乙", "丙"], Some(today())))
        .unwrap();
    assert!(r.view().procedure_breaches().is_empty());
    assert_eq!(r.view().boxes.len(), 1, "recorded again = corrected");
}

#[test]
fn counts_that_cannot_be_true_are_refused_with_the_reason() {
    let mut r = Roll::new();
    r.register(1, 11, |_| false);
    assert!(matches!(
        r.push(RollEvent::BallotsCounted {
            round: TallyRound::First,
            box_no: "9".into(),
            issued: 1,
            returned: 1
        }),
        Err(RollError::BoxUnknown(_))
    ));
    r.central_box();
    let err = r
        .push(RollEvent::BallotsCounted {
            round: TallyRound::First,
            box_no: "1".into(),
            issued: 11,
            returned: 11,
        })
        .unwrap_err();
    assert!(
        matches!(err, RollError::BadCount(ref r) if r.rule == "tally.issued_exceeds_registered")
    );
    r.ballots(TallyRound::First, 8, 8);
    let over = r.push(RollEvent::VotesCounted {
        round: TallyRound::First,
        box_no: "1".into(),
        post: PostTitle::Chair,
        valid: 7,
        invalid: 2,
        votes: vec![],
    });
    assert!(matches!(over, Err(RollError::BadCount(ref r)) if r.rule == "tally.valid_plus_void"));
    let more_than_valid = r.push(RollEvent::VotesCounted {
        round: TallyRound::First,
        box_no: "1".into(),
        post: PostTitle::Chair,
        valid: 8,
        invalid: 0,
        votes: vec![VoteCount {
            id_number: id(1, false),
            votes: 9,
        }],
    });
    assert!(
        matches!(more_than_valid, Err(RollError::BadCount(ref r)) if r.rule == "tally.votes_exceed_valid")
    );
    // Two member seats: at most 2 marks per valid ballot.
    let marks = r.push(RollEvent::VotesCounted {
        round: TallyRound::First,
        box_no: "1".into(),
        post: PostTitle::Member,
        valid: 4,
        invalid: 0,
        votes: vec![
            VoteCount {
                id_number: id(1, false),
                votes: 4,
            },
            VoteCount {
                id_number: id(2, false),
                votes: 4,
            },
            VoteCount {
                id_number: id(3, false),
                votes: 1,
            },
        ],
    });
    assert!(
        matches!(marks, Err(RollError::BadCount(ref r)) if r.rule == "tally.marks_exceed_seats")
    );
    assert!(matches!(
        r.push(RollEvent::VotesCounted {
            round: TallyRound::First,
            box_no: "1".into(),
            post: PostTitle::Chair,
            valid: 8,
            invalid: 0,
            votes: vec![VoteCount {
                id_number: id(77, false),
                votes: 1
            }],
        }),
        Err(RollError::NotRegistered(_))
    ));
}

// --- results ----------------------------------------------------------------------------------

/// 100 registered voters (voter 2 and 4 are women), one central box.
fn counted_roll(voted: u32) -> Roll {
    let mut r = Roll::new();
    r.register(1, 101, |i| i == 2 || i == 4);
    r.central_box();
    r.ballots(TallyRound::First, voted, voted);
    r
}

#[test]
fn results_wait_until_every_box_and_post_is_counted() {
    let r = counted_roll(60);
    let res = results(&r);
    match &res.first {
        RoundStatus::Incomplete(missing) => assert_eq!(
            missing,
            &[
                Missing::Votes {
                    box_no: "1".into(),
                    post: PostTitle::Chair
                },
                Missing::Votes {
                    box_no: "1".into(),
                    post: PostTitle::Member
                }
            ]
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        Roll::new()
            .view()
            .results(&Kinship::default())
            .unwrap()
            .first
            == RoundStatus::Incomplete(vec![Missing::NoBoxes])
    );
}

#[test]
fn turnout_exactly_one_half_is_an_invalid_round() {
    let mut r = counted_roll(50);
    r.count(TallyRound::First, PostTitle::Chair, 50, &[(1, false, 40)]);
    r.count(
        TallyRound::First,
        PostTitle::Member,
        50,
        &[(2, true, 40), (3, false, 40)],
    );
    let res = results(&r);
    assert!(matches!(first(&res), RoundResult::Invalid(_)));
    let b = &res.breaches[0];
    assert_eq!(
        (b.class, b.rule),
        (BreachClass::InvalidRound, "tally.turnout_majority")
    );
    assert!(b.message_zh.contains("未超过半数"), "{}", b.message_zh);
    assert!(res.rerun.is_none());

    // One more voter and the round is valid.
    let mut r = counted_roll(51);
    r.count(TallyRound::First, PostTitle::Chair, 51, &[(1, false, 40)]);
    r.count(
        TallyRound::First,
        PostTitle::Member,
        51,
        &[(2, true, 40), (3, false, 40)],
    );
    assert!(matches!(first(&results(&r)), RoundResult::Counted(_)));
}

#[test]
fn more_ballots_collected_than_issued_invalidates_the_round() {
    let mut r = counted_roll(60);
    r.ballots(TallyRound::First, 60, 61);
    r.count(TallyRound::First, PostTitle::Chair, 60, &[(1, false, 40)]);
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 40), (3, false, 40)],
    );
    let res = results(&r);
    assert_eq!(res.breaches[0].rule, "tally.ballots_exceed_voters");
}

#[test]
fn a_winner_with_exactly_half_is_not_elected_and_the_seat_goes_to_a_rerun() {
    let mut r = counted_roll(60);
    // Chair: voter 1 has 30 of 60 — exactly half, not more.
    r.count(
        TallyRound::First,
        PostTitle::Chair,
        60,
        &[(1, false, 30), (5, false, 29)],
    );
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 40), (3, false, 35), (6, false, 10)],
    );
    let res = results(&r);
    let o = first(&res).outcome().unwrap();
    let chair = o
        .decisions
        .iter()
        .find(|d| d.person.as_str() == key(1, false))
        .unwrap();
    assert_eq!(chair.verdict, Verdict::BelowThreshold);
    assert!(
        chair.reason.zh.contains("未超过投票人数60的半数"),
        "{}",
        chair.reason.zh
    );
    assert_eq!(elected(first(&res)), [key(2, true), key(3, false)]);
    assert_eq!(o.vacancies.len(), 1);
    assert_eq!(res.rerun_ballots[0].candidates.len(), 2);
    assert!(matches!(res.rerun, Some(RoundStatus::Incomplete(_))));
}

#[test]
fn a_rerun_winner_with_exactly_one_third_is_elected() {
    let mut r = counted_roll(60);
    r.count(
        TallyRound::First,
        PostTitle::Chair,
        60,
        &[(1, false, 30), (5, false, 29)],
    );
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 40), (3, false, 35)],
    );
    // Re-run for the chair: 57 ballots, voter 1 gets 19 = exactly one third.
    r.ballots(TallyRound::Rerun, 57, 57);
    r.count(
        TallyRound::Rerun,
        PostTitle::Chair,
        57,
        &[(1, false, 19), (5, false, 18)],
    );
    let res = results(&r);
    let Some(RoundStatus::Decided(rerun)) = &res.rerun else {
        panic!("{:?}", res.rerun)
    };
    assert_eq!(elected(rerun), [key(1, false)]);
    let d = rerun.outcome().unwrap().elected().next().unwrap();
    assert!(
        d.reason.zh.contains("不少于选票数57的三分之一"),
        "{}",
        d.reason.zh
    );

    // 18 of 55 is less than a third: still vacant, with the step 6 options.
    let mut r2 = counted_roll(60);
    r2.count(
        TallyRound::First,
        PostTitle::Chair,
        60,
        &[(1, false, 30), (5, false, 29)],
    );
    r2.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 40), (3, false, 35)],
    );
    r2.ballots(TallyRound::Rerun, 55, 55);
    r2.count(
        TallyRound::Rerun,
        PostTitle::Chair,
        55,
        &[(1, false, 18), (5, false, 17)],
    );
    let res = results(&r2);
    let Some(RoundStatus::Decided(rerun)) = &res.rerun else {
        panic!()
    };
    let o = rerun.outcome().unwrap();
    assert!(elected(rerun).is_empty());
    assert_eq!(o.vacancies.len(), 1);
    assert!(o.next.iter().any(|n| n.rule == "tally.further_election"));
}

#[test]
fn a_boundary_tie_waits_for_a_tie_vote_among_the_tied_only() {
    let mut r = counted_roll(60);
    r.count(TallyRound::First, PostTitle::Chair, 60, &[(1, false, 50)]);
    // Members: voter 2 clear; 3 and 5 tie on 39 for the last seat.
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 42), (3, false, 39), (5, false, 39)],
    );
    let res = results(&r);
    let o = first(&res).outcome().unwrap();
    assert_eq!(o.tie_votes.len(), 1);
    assert_eq!(o.tie_votes[0].among.len(), 2);
    assert!(res.rerun.is_none(), "no re-run while a tie vote is pending");

    r.push(RollEvent::TieVoteCounted {
        round: TallyRound::First,
        post: PostTitle::Member,
        votes: vec![
            VoteCount {
                id_number: id(3, false),
                votes: 30,
            },
            VoteCount {
                id_number: id(5, false),
                votes: 28,
            },
        ],
    })
    .unwrap();
    let res = results(&r);
    assert_eq!(
        elected(first(&res)),
        [key(1, false), key(2, true), key(3, false)]
    );
}

#[test]
fn a_tie_below_the_threshold_needs_no_tie_vote() {
    let mut r = counted_roll(60);
    r.count(
        TallyRound::First,
        PostTitle::Chair,
        60,
        &[(1, false, 30), (5, false, 30)],
    );
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 45), (3, false, 40)],
    );
    let res = results(&r);
    let o = first(&res).outcome().unwrap();
    assert!(
        o.tie_votes.is_empty(),
        "30 of 60 is not more than half: nobody is tied for a seat"
    );
    assert_eq!(res.rerun_ballots[0].candidates.len(), 2);
}

#[test]
fn a_tie_at_the_rerun_boundary_calls_a_tie_vote() {
    let mut r = counted_roll(60);
    r.count(
        TallyRound::First,
        PostTitle::Chair,
        60,
        &[(1, false, 30), (5, false, 29)],
    );
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 40), (3, false, 35)],
    );
    r.ballots(TallyRound::Rerun, 60, 60);
    // 25 and 25 of 60: both reach a third, one seat.
    r.count(
        TallyRound::Rerun,
        PostTitle::Chair,
        60,
        &[(1, false, 25), (5, false, 25)],
    );
    let res = results(&r);
    let Some(RoundStatus::Decided(rerun)) = &res.rerun else {
        panic!()
    };
    assert_eq!(rerun.outcome().unwrap().tie_votes.len(), 1);
}

#[test]
fn no_woman_elected_is_a_composition_breach_with_its_rule() {
    let mut r = Roll::new();
    r.register(1, 101, |_| false);
    r.central_box();
    r.ballots(TallyRound::First, 60, 60);
    r.count(TallyRound::First, PostTitle::Chair, 60, &[(1, false, 50)]);
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, false, 45), (3, false, 40)],
    );
    // All seats are filled by men: one member seat is reserved for a woman in the re-run.
    let res = results(&r);
    let o = first(&res).outcome().unwrap();
    assert!(o.vacancies.iter().any(|v| v.women_only));
    assert!(res.breaches.is_empty(), "not final before the re-run");
    // Nobody gets the women's seat in the re-run: the committee has no woman.
    r.ballots(TallyRound::Rerun, 55, 55);
    r.count(TallyRound::Rerun, PostTitle::Member, 55, &[]);
    let res = results(&r);
    let b = res
        .breaches
        .iter()
        .find(|b| b.class == BreachClass::Compliance)
        .expect("a COMPLIANCE breach");
    assert_eq!(b.rule, "tally.woman_member");
    assert!(b.message_zh.contains("没有妇女"));
}

#[test]
fn a_voided_election_is_a_win_void_breach_with_its_ground() {
    let mut r = counted_roll(60);
    r.count(TallyRound::First, PostTitle::Chair, 60, &[(1, false, 50)]);
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 45), (3, false, 40)],
    );
    r.push(RollEvent::WinVoided {
        id_number: id(3, false),
        ground: VoidGround::ImproperMeans,
        note: "经查实贿选".into(),
    })
    .unwrap();
    let res = results(&r);
    let b = res
        .breaches
        .iter()
        .find(|b| b.class == BreachClass::WinVoid)
        .unwrap();
    assert_eq!(b.rule, "OLVC17.improper_means");
    assert!(b.message_zh.contains("经查实贿选"));
}

#[test]
fn close_relatives_from_the_directory_step_aside() {
    let mut r = Roll::new();
    let mut voters: Vec<VoterEntry> = (1..101).map(|i| voter(i, i == 2)).collect();
    voters[0].person = Some("person:a".parse().unwrap());
    voters[2].person = Some("person:c".parse().unwrap());
    r.push(RollEvent::VotersRegistered {
        voters: voters[..100].to_vec(),
    })
    .unwrap();
    r.central_box();
    r.ballots(TallyRound::First, 60, 60);
    r.count(TallyRound::First, PostTitle::Chair, 60, &[(1, false, 50)]);
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 45), (3, false, 40), (4, false, 35)],
    );
    let kin = Kinship::new(
        [(
            "person:a".parse().unwrap(),
            "person:c".parse().unwrap(),
            Relation::Sibling,
        )],
        [],
    );
    let res = r.view().results(&kin).unwrap();
    let o = first(&res).outcome().unwrap();
    let c = o
        .decisions
        .iter()
        .find(|d| d.person.as_str() == "person:c")
        .unwrap();
    assert!(matches!(c.verdict, Verdict::SteppedAside { .. }));
    assert!(elected(first(&res)).contains(&key(4, false)));
}

// --- convergence and permissions --------------------------------------------------------------

#[test]
fn the_same_voter_registered_on_two_devices_offline_is_kept_once_whatever_the_order() {
    let mut a = Roll::new();
    let opened = a.events[0].clone();
    let mut b_log = DeviceLog::new("d2".parse().unwrap());
    b_log.observe(&opened, NOW);
    a.register(1, 3, |_| false);
    let b_event = b_log.append(
        NewEvent {
            actor: "u2".parse().unwrap(),
            unit: UNIT.parse().unwrap(),
            entity: ROLL.parse().unwrap(),
            body: EventBody::ElectionRoll(RollEvent::VotersRegistered {
                voters: vec![voter(2, false), voter(9, false)],
            }),
        },
        NOW + 500,
        [9; 10],
    );
    let mut all = a.events.clone();
    all.push(b_event.clone());
    let one: RollView = fold(&all);
    let mut reversed = all.clone();
    reversed.reverse();
    let other: RollView = fold(&reversed);
    assert_eq!(one, other);
    assert_eq!(
        one.voters.len(),
        2,
        "the later batch is set aside as a whole"
    );
    assert_eq!(one.set_aside.len(), 1);
    assert!(one.set_aside[0].reason_zh.contains("不得重复登记"));
}

#[test]
fn the_roll_projection_is_the_entity_state_document() {
    let mut r = Roll::new();
    r.register(1, 4, |_| false);
    let state = crate::projection::fold_entity(&r.events).unwrap();
    assert_eq!(state.kind, crate::event::EntityKind::ElectionRoll);
    let view = from_doc(&state.doc).unwrap();
    assert_eq!(view, r.view());
    assert_eq!(
        roll_id_for(&"election:01J000000000000000000000AB".parse().unwrap())
            .unwrap()
            .as_str(),
        ROLL
    );
    assert_eq!(
        election_of(&ROLL.parse().unwrap()).unwrap().as_str(),
        "election:01J000000000000000000000AB"
    );
}

#[test]
fn village_officials_and_supervisors_register_only_supervisors_enter_the_tally() {
    let mut r = Roll::new();
    r.register(1, 3, |_| false);
    r.central_box();
    r.ballots(TallyRound::First, 1, 1);
    let register = &r.events[1];
    let tally = r.events.last().unwrap();
    let profile = |role, scope: &str| Profile {
        user: "u1".parse().unwrap(),
        display_name: "测试".into(),
        role,
        scope: scope.parse().unwrap(),
        department: None,
    };
    let official = profile(Role::VillageOfficial, UNIT);
    let supervisor = profile(Role::TownshipSupervisor, "5099001");
    assert_eq!(authorize_event(&official, register), Ok(()));
    assert_eq!(
        authorize_event(&official, tally),
        Err(RejectReason::NotPermitted)
    );
    assert_eq!(authorize_event(&supervisor, register), Ok(()));
    assert_eq!(authorize_event(&supervisor, tally), Ok(()));
    for role in [Role::TownshipReviewer, Role::DistrictAdmin, Role::Trainer] {
        assert_eq!(
            authorize_event(&profile(role, "5099"), register),
            Err(RejectReason::NotPermitted),
            "{role:?}"
        );
    }
    let elsewhere = profile(Role::VillageOfficial, "5099001002");
    assert_eq!(
        authorize_event(&elsewhere, register),
        Err(RejectReason::OutOfScope)
    );
    let other_township = profile(Role::TownshipSupervisor, "5099002");
    assert_eq!(
        authorize_event(&other_township, tally),
        Err(RejectReason::OutOfScope)
    );
    // Who receives a roll: the unit's officials, supervisors, reviewers and admins, in scope.
    use crate::authz::may_read_event;
    assert!(may_read_event(&official, register));
    assert!(may_read_event(
        &profile(Role::TownshipReviewer, "5099001"),
        register
    ));
    assert!(!may_read_event(&profile(Role::Trainer, "5099"), register));
    assert!(!may_read_event(&elsewhere, register));
}

// --- write-ins (另选他人) ----------------------------------------------------------------------

#[test]
fn a_write_in_with_more_than_half_is_elected_and_known_as_a_write_in() {
    let mut r = counted_roll(60);
    for (i, votes) in [(1, 50), (5, 40)] {
        r.push(RollEvent::Nominated {
            post: PostTitle::Chair,
            id_number: id(i, false),
            nomination_votes: votes,
            minority: false,
        })
        .unwrap();
    }
    r.push(RollEvent::FormalFixed {
        post: PostTitle::Chair,
        candidates: vec![id(1, false), id(5, false)],
        published_on: day("2026-04-10"),
    })
    .unwrap();
    // Voter 7 is on no ballot: 35 of 60 voters wrote them in.
    r.count(
        TallyRound::First,
        PostTitle::Chair,
        60,
        &[(1, false, 10), (5, false, 15), (7, false, 35)],
    );
    r.count(
        TallyRound::First,
        PostTitle::Member,
        60,
        &[(2, true, 40), (3, false, 40)],
    );
    let v = r.view();
    let ballot = v.ballot_for(TallyRound::First, PostTitle::Chair, &[]);
    assert_eq!(ballot, [id(1, false), id(5, false)]);
    assert_eq!(
        v.write_ins(TallyRound::First, PostTitle::Chair, &ballot),
        [id(7, false)]
    );
    let res = results(&r);
    assert!(elected(first(&res)).contains(&key(7, false)));
    let seven: EntityId = key(7, false).parse().unwrap();
    let one: EntityId = key(1, false).parse().unwrap();
    assert!(v.is_write_in(TallyRound::First, PostTitle::Chair, &seven, &[]));
    assert!(!v.is_write_in(TallyRound::First, PostTitle::Chair, &one, &[]));

    // Someone not on the voter roll cannot be written in.
    let err = r
        .push(RollEvent::VotesCounted {
            round: TallyRound::First,
            box_no: "1".into(),
            post: PostTitle::Chair,
            valid: 60,
            invalid: 0,
            votes: vec![VoteCount {
                id_number: id(300, false),
                votes: 31,
            }],
        })
        .unwrap_err();
    assert!(matches!(err, RollError::NotRegistered(_)));
    assert!(err.message_zh().contains("不在选民名单中"));
}
