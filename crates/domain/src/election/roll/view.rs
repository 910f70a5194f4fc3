//! `RollView` — the projection of one election roll, folded from its events in canonical order.
//! `check` is the one rule book: a screen calls it before appending, and the fold calls it for
//! every event, setting aside (with the reason) what it refuses, so every device that holds the
//! same events shows the same roll.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::{RollError, VoterProblem, voter_label};
use super::event::{
    BoxKind, MAX_VOTERS_PER_EVENT, RollEvent, RollPlan, TallyRound, VoidGround, VoteCount,
    VoterEntry,
};
use crate::directory::person::{IdNumber, age_on};
use crate::election::breach::Reason;
use crate::election::tally::{PostTitle, check_plan_seats};
use crate::election::template::{CandidateMargins, ElectionType, ElectoralMode, TemplateParams};
use crate::event::{Event, EventBody, Relation, Sex};
use crate::ids::{EventId, UnitId};

/// A voter taken off the list, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedVoter {
    pub voter: VoterEntry,
    pub reason: String,
}

/// 名单公布 — the day and the count posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub on: NaiveDate,
    pub count: u32,
}

/// 异议 and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub no: u32,
    pub filed_on: NaiveDate,
    pub by: String,
    pub text: String,
    pub decision: Option<ObjectionDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionDecision {
    pub decided_on: NaiveDate,
    pub upheld: bool,
    pub text: String,
}

/// 提名
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nomination {
    pub post: PostTitle,
    pub id_number: IdNumber,
    pub nomination_votes: u32,
    pub minority: bool,
}

/// 初步 or 正式候选人名单 of one post, in list order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateList {
    pub post: PostTitle,
    pub candidates: Vec<IdNumber>,
    pub published_on: Option<NaiveDate>,
}

/// 委托投票
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proxy {
    pub principal: IdNumber,
    pub agent: IdNumber,
    pub relation: Relation,
}

/// 票箱
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotBox {
    pub no: String,
    pub kind: BoxKind,
    pub seal_no: String,
    pub scrutineers: Vec<String>,
    pub approved_on: Option<NaiveDate>,
}

/// Ballots issued and collected at one box in one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotSheet {
    pub round: TallyRound,
    pub box_no: String,
    pub issued: u32,
    pub returned: u32,
}

/// One box's count for one post in one round (the latest entry wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteSheet {
    pub round: TallyRound,
    pub box_no: String,
    pub post: PostTitle,
    pub valid: u32,
    pub invalid: u32,
    pub votes: Vec<VoteCount>,
}

/// A tie vote's count (the latest entry per round and post wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieSheet {
    pub round: TallyRound,
    pub post: PostTitle,
    pub votes: Vec<VoteCount>,
}

/// 当选无效 on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidRecord {
    pub id_number: IdNumber,
    pub ground: VoidGround,
    pub note: String,
}

/// An event the fold refused (e.g. the same voter registered on two devices offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    pub event: EventId,
    pub op: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// 选民登记与计票台账 — everything recorded for one election's roll.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RollView {
    pub plan: Option<RollPlan>,
    /// In registration order.
    pub voters: Vec<VoterEntry>,
    pub removed: Vec<RemovedVoter>,
    /// Every publication, in order; the last is in force.
    pub publications: Vec<Publication>,
    pub objections: Vec<Objection>,
    pub nominations: Vec<Nomination>,
    pub preliminary: Vec<CandidateList>,
    pub formal: Vec<CandidateList>,
    pub proxies: Vec<Proxy>,
    pub proxies_published: Option<NaiveDate>,
    pub boxes: Vec<BallotBox>,
    pub ballots: Vec<BallotSheet>,
    pub votes: Vec<VoteSheet>,
    pub tie_votes: Vec<TieSheet>,
    pub voided: Vec<VoidRecord>,
    pub set_aside: Vec<SetAside>,
}

fn text_present(text: &str, zh: &'static str, en: &'static str) -> Result<(), RollError> {
    if text.trim().is_empty() {
        Err(RollError::TextMissing { zh, en })
    } else {
        Ok(())
    }
}

/// Rules an event satisfies on its own, whatever the roll holds (checked on push).
pub fn validate_event(ev: &RollEvent) -> Result<(), RollError> {
    match ev {
        RollEvent::Opened { plan } => validate_plan(plan),
        RollEvent::VotersRegistered { voters } => {
            if voters.is_empty() || voters.len() > MAX_VOTERS_PER_EVENT {
                return Err(RollError::BatchSize {
                    found: voters.len(),
                    max: MAX_VOTERS_PER_EVENT,
                });
            }
            voters.iter().try_for_each(|v| {
                entry_problem(v).map_or(Ok(()), |problem| {
                    Err(RollError::Voter {
                        id: voter_label(Some(&v.name), v.id_number.as_str()),
                        problem,
                    })
                })
            })
        }
        RollEvent::VoterRemoved { reason, .. } => text_present(reason, "移出原因", "the reason"),
        RollEvent::ObjectionFiled { by, text, .. } => {
            text_present(by, "异议人", "who objects")?;
            text_present(text, "异议内容", "the objection")
        }
        RollEvent::ObjectionDecided { decision, .. } => {
            text_present(decision, "处理决定", "the decision")
        }
        RollEvent::BoxRecorded {
            no,
            kind,
            scrutineers,
            ..
        } => {
            if no.trim().is_empty() {
                return Err(RollError::BoxNoMissing);
            }
            let named = scrutineers.iter().filter(|s| !s.trim().is_empty()).count();
            if named != scrutineers.len() {
                return Err(RollError::TextMissing {
                    zh: "监票人姓名",
                    en: "a scrutineer's name",
                });
            }
            if *kind == BoxKind::Mobile && named < 3 {
                return Err(RollError::MobileBoxScrutineers(named));
            }
            Ok(())
        }
        RollEvent::BallotsCounted { box_no, .. } | RollEvent::VotesCounted { box_no, .. }
            if box_no.trim().is_empty() =>
        {
            Err(RollError::BoxNoMissing)
        }
        RollEvent::VotesCounted { votes, .. } | RollEvent::TieVoteCounted { votes, .. } => {
            no_repeats(votes.iter().map(|v| &v.id_number))
        }
        RollEvent::PreliminaryFixed { candidates, .. }
        | RollEvent::FormalFixed { candidates, .. } => no_repeats(candidates.iter()),
        RollEvent::WinVoided { note, .. } => text_present(note, "说明", "the note"),
        _ => Ok(()),
    }
}

fn no_repeats<'a>(ids: impl Iterator<Item = &'a IdNumber>) -> Result<(), RollError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(RollError::ListedTwice(voter_label(None, id.as_str())));
        }
    }
    Ok(())
}

fn validate_plan(plan: &RollPlan) -> Result<(), RollError> {
    let pack_type = plan.pack.election_type();
    if pack_type != plan.committee {
        return Err(RollError::Plan(Reason::new(
            "V03.rule_pack",
            format!("规则版本{}不适用于本类委员会", plan.pack.code()),
            format!(
                "rule pack {} is for the other kind of committee",
                plan.pack.code()
            ),
        )));
    }
    if plan.committee == ElectionType::Village && plan.mode != ElectoralMode::Direct {
        return Err(RollError::Plan(Reason::new(
            "V03.village_direct",
            "村民委员会由登记参加选举的村民直接选举",
            "village committees are elected directly by all registered villagers",
        )));
    }
    if plan.proxy_max_principals == 0 {
        return Err(RollError::Plan(Reason::new(
            "V12.proxy_max",
            "每名受托人可接受委托的人数至少为1",
            "a proxy must be allowed at least one principal",
        )));
    }
    check_plan_seats(&plan.seats, &plan.pack.composition()).map_err(RollError::Plan)
}

/// Problems a voter row has on its own (age is checked against the roll's day).
fn entry_problem(v: &VoterEntry) -> Option<VoterProblem> {
    if v.name.trim().is_empty() {
        return Some(VoterProblem::NameMissing);
    }
    if v.category.needs_basis() && v.basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
        return Some(VoterProblem::BasisMissing);
    }
    None
}

/// The calendar day of an event's HLC wall time (UTC), the "today" of the fold.
pub fn event_day(ev: &Event) -> NaiveDate {
    DateTime::from_timestamp_millis(ev.hlc.wall_ms as i64)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

impl RollView {
    /// The roll's unit, once opened.
    pub fn unit(&self) -> Option<&UnitId> {
        self.plan.as_ref().map(|p| &p.unit)
    }

    pub fn voter(&self, id: &IdNumber) -> Option<&VoterEntry> {
        self.voters.iter().find(|v| &v.id_number == id)
    }

    /// Name and masked number, for messages and lists.
    pub fn label(&self, id: &IdNumber) -> String {
        voter_label(self.voter(id).map(|v| v.name.as_str()), id.as_str())
    }

    /// The day ages are counted on: E when planned, else `today`.
    pub fn age_day(&self, today: NaiveDate) -> NaiveDate {
        self.plan
            .as_ref()
            .and_then(|p| p.election_day)
            .unwrap_or(today)
    }

    /// 应选名额 of a post in the plan.
    pub fn seats(&self, post: PostTitle) -> u32 {
        self.plan.as_ref().map_or(0, |p| {
            p.seats
                .iter()
                .filter(|s| s.post == post)
                .map(|s| s.count)
                .sum()
        })
    }

    /// The posts of the plan, in rank order.
    pub fn posts(&self) -> Vec<PostTitle> {
        let mut posts: Vec<PostTitle> = self
            .plan
            .iter()
            .flat_map(|p| p.seats.iter().filter(|s| s.count > 0).map(|s| s.post))
            .collect();
        posts.sort();
        posts.dedup();
        posts
    }

    pub fn published(&self) -> Option<&Publication> {
        self.publications.last()
    }

    /// The number the next objection is filed under: one more than the highest so far.
    pub fn next_objection_no(&self) -> u32 {
        self.objections.iter().map(|o| o.no).max().unwrap_or(0) + 1
    }

    /// Objections still waiting for the committee's decision.
    pub fn undecided_objections(&self) -> impl Iterator<Item = &Objection> {
        self.objections.iter().filter(|o| o.decision.is_none())
    }

    /// Registered households (户代表 mode): each distinct 户号, and each voter without one.
    pub fn households(&self) -> u32 {
        let mut codes = BTreeSet::new();
        let mut without = 0;
        for v in &self.voters {
            match v.household.as_deref().map(str::trim) {
                Some(h) if !h.is_empty() => {
                    codes.insert(h);
                }
                _ => without += 1,
            }
        }
        codes.len() as u32 + without
    }

    pub fn nominations_for(&self, post: PostTitle) -> Vec<&Nomination> {
        let mut list: Vec<&Nomination> =
            self.nominations.iter().filter(|n| n.post == post).collect();
        list.sort_by(|a, b| {
            b.nomination_votes
                .cmp(&a.nomination_votes)
                .then(a.id_number.cmp(&b.id_number))
        });
        list
    }

    pub fn preliminary_for(&self, post: PostTitle) -> Option<&CandidateList> {
        self.preliminary.iter().find(|l| l.post == post)
    }

    pub fn formal_for(&self, post: PostTitle) -> Option<&CandidateList> {
        self.formal.iter().find(|l| l.post == post)
    }

    fn is_formal_candidate(&self, id: &IdNumber) -> bool {
        self.formal.iter().any(|l| l.candidates.contains(id))
    }

    pub fn proxies_of(&self, agent: &IdNumber) -> usize {
        self.proxies.iter().filter(|p| &p.agent == agent).count()
    }

    pub fn proxy_max(&self) -> u32 {
        self.plan
            .as_ref()
            .map_or(TemplateParams::default().proxy_max_principals, |p| {
                p.proxy_max_principals
            })
    }

    pub fn find_box(&self, no: &str) -> Option<&BallotBox> {
        self.boxes.iter().find(|b| b.no == no)
    }

    /// The margin warning of a formal list (差额 outside the plan's margins), if any; a list
    /// with no more candidates than seats is refused outright.
    pub fn formal_margin_warning(&self, post: PostTitle, candidates: u32) -> Option<Reason> {
        CandidateMargins::default()
            .check_formal_list(post, self.seats(post), candidates)
            .err()
    }

    /// Is `ev`, recorded in `unit` on `today`, acceptable now? The same check the fold applies.
    pub fn check(&self, unit: &UnitId, ev: &RollEvent, today: NaiveDate) -> Result<(), RollError> {
        validate_event(ev)?;
        let plan = match (&self.plan, ev) {
            (None, RollEvent::Opened { plan }) => {
                if &plan.unit != unit {
                    return Err(RollError::WrongUnit {
                        expected: plan.unit.to_string(),
                        found: unit.to_string(),
                    });
                }
                return Ok(());
            }
            (Some(_), RollEvent::Opened { .. }) => return Err(RollError::AlreadyOpened),
            (None, _) => return Err(RollError::NotOpened),
            (Some(plan), _) => plan,
        };
        if &plan.unit != unit {
            return Err(RollError::WrongUnit {
                expected: plan.unit.to_string(),
                found: unit.to_string(),
            });
        }
        let registered = |id: &IdNumber| -> Result<&VoterEntry, RollError> {
            self.voter(id)
                .ok_or_else(|| RollError::NotRegistered(voter_label(None, id.as_str())))
        };
        let in_plan = |post: PostTitle| -> Result<(), RollError> {
            if self.seats(post) == 0 {
                Err(RollError::PostNotInPlan(post))
            } else {
                Ok(())
            }
        };
        match ev {
            RollEvent::Opened { .. } => unreachable!("handled above"),
            RollEvent::VotersRegistered { voters } => {
                let day = self.age_day(today);
                let known: BTreeMap<&str, &str> = self
                    .voters
                    .iter()
                    .map(|v| (v.id_number.as_str(), v.name.as_str()))
                    .collect();
                let mut batch = BTreeSet::new();
                for v in voters {
                    let problem = if let Some(name) = known.get(v.id_number.as_str()) {
                        Some(VoterProblem::AlreadyRegistered {
                            name: name.to_string(),
                        })
                    } else if !batch.insert(v.id_number.as_str()) {
                        Some(VoterProblem::RepeatedInFile { first: 0 })
                    } else {
                        let age = age_on(v.id_number.birth_date(), day);
                        (age < 18).then_some(VoterProblem::Underage { age })
                    };
                    if let Some(problem) = problem {
                        return Err(RollError::Voter {
                            id: voter_label(Some(&v.name), v.id_number.as_str()),
                            problem,
                        });
                    }
                }
                Ok(())
            }
            RollEvent::VoterRemoved { id_number, .. } => registered(id_number).map(|_| ()),
            RollEvent::ListPublished { count, .. } => {
                let current = self.voters.len() as u32;
                if current == 0 {
                    Err(RollError::NothingToPublish)
                } else if *count != current {
                    Err(RollError::CountDiffers {
                        published: *count,
                        current,
                    })
                } else {
                    Ok(())
                }
            }
            RollEvent::ObjectionFiled { no, .. } => {
                if self.objections.iter().any(|o| o.no == *no) {
                    Err(RollError::ObjectionExists(*no))
                } else {
                    Ok(())
                }
            }
            RollEvent::ObjectionDecided { no, decided_on, .. } => {
                let o = self
                    .objections
                    .iter()
                    .find(|o| o.no == *no)
                    .ok_or(RollError::ObjectionUnknown(*no))?;
                if o.decision.is_some() {
                    Err(RollError::ObjectionDecided(*no))
                } else if *decided_on < o.filed_on {
                    Err(RollError::DecidedBeforeFiled)
                } else {
                    Ok(())
                }
            }
            RollEvent::Nominated {
                post, id_number, ..
            } => {
                in_plan(*post)?;
                registered(id_number)?;
                if *post == PostTitle::WomenMember && id_number.sex() != Sex::Female {
                    return Err(RollError::WomenSeatNeedsWoman);
                }
                if self
                    .nominations
                    .iter()
                    .any(|n| n.post == *post && &n.id_number == id_number)
                {
                    return Err(RollError::AlreadyNominated(self.label(id_number)));
                }
                Ok(())
            }
            RollEvent::PreliminaryFixed { post, candidates } => {
                in_plan(*post)?;
                for c in candidates {
                    if !self
                        .nominations
                        .iter()
                        .any(|n| n.post == *post && &n.id_number == c)
                    {
                        return Err(RollError::NotNominated(self.label(c)));
                    }
                }
                if candidates.is_empty() {
                    return Err(RollError::TooFewCandidates(Reason::new(
                        "V07.preliminary_list",
                        "初步候选人名单不能为空",
                        "the preliminary list is empty",
                    )));
                }
                Ok(())
            }
            RollEvent::FormalFixed {
                post, candidates, ..
            } => {
                in_plan(*post)?;
                let preliminary = self.preliminary_for(*post);
                for c in candidates {
                    match preliminary {
                        Some(list) if !list.candidates.contains(c) => {
                            return Err(RollError::NotPreliminary(self.label(c)));
                        }
                        None if !self
                            .nominations
                            .iter()
                            .any(|n| n.post == *post && &n.id_number == c) =>
                        {
                            return Err(RollError::NotNominated(self.label(c)));
                        }
                        _ => {}
                    }
                }
                let seats = self.seats(*post);
                let n = candidates.len() as u32;
                match CandidateMargins::default().check_formal_list(*post, seats, n) {
                    Err(reason) if reason.rule == "V09.more_candidates_than_seats" => {
                        Err(RollError::TooFewCandidates(reason))
                    }
                    _ => Ok(()),
                }
            }
            RollEvent::ProxyRecorded {
                principal, agent, ..
            } => {
                registered(principal)?;
                registered(agent)?;
                if principal == agent {
                    return Err(RollError::ProxySelf);
                }
                if self.proxies.iter().any(|p| &p.principal == principal) {
                    return Err(RollError::ProxyExists(self.label(principal)));
                }
                if self.proxies.iter().any(|p| &p.principal == agent) {
                    return Err(RollError::ProxySubDelegation(self.label(agent)));
                }
                if self.proxies.iter().any(|p| &p.agent == principal) {
                    return Err(RollError::ProxySubDelegation(self.label(principal)));
                }
                if self.is_formal_candidate(agent) {
                    return Err(RollError::ProxyIsCandidate(self.label(agent)));
                }
                let max = self.proxy_max();
                if self.proxies_of(agent) as u32 >= max {
                    return Err(RollError::ProxyFull {
                        agent: self.label(agent),
                        max,
                    });
                }
                Ok(())
            }
            RollEvent::ProxyWithdrawn { principal } => {
                if self.proxies.iter().any(|p| &p.principal == principal) {
                    Ok(())
                } else {
                    Err(RollError::NoProxy(self.label(principal)))
                }
            }
            RollEvent::ProxiesPublished { .. } | RollEvent::BoxRecorded { .. } => Ok(()),
            RollEvent::BallotsCounted {
                round,
                box_no,
                issued,
                ..
            } => {
                self.find_box(box_no)
                    .ok_or_else(|| RollError::BoxUnknown(box_no.clone()))?;
                let others: u32 = self
                    .ballots
                    .iter()
                    .filter(|b| b.round == *round && &b.box_no != box_no)
                    .map(|b| b.issued)
                    .sum();
                let registered = self.voters.len() as u32;
                if others + issued > registered {
                    return Err(RollError::BadCount(Reason::new(
                        "tally.issued_exceeds_registered",
                        format!(
                            "各票箱发出选票合计{}张，多于登记选民{registered}人，请核对",
                            others + issued
                        ),
                        format!(
                            "{} ballots issued across the boxes, more than the {registered} registered voters",
                            others + issued
                        ),
                    )));
                }
                Ok(())
            }
            RollEvent::VotesCounted {
                round,
                box_no,
                post,
                valid,
                invalid,
                votes,
            } => {
                in_plan(*post)?;
                self.find_box(box_no)
                    .ok_or_else(|| RollError::BoxUnknown(box_no.clone()))?;
                if let Some(sheet) = self
                    .ballots
                    .iter()
                    .find(|b| b.round == *round && &b.box_no == box_no)
                    && u64::from(*valid) + u64::from(*invalid) > u64::from(sheet.returned)
                {
                    return Err(RollError::BadCount(Reason::new(
                        "tally.valid_plus_void",
                        format!(
                            "{}有效票{valid}张与无效票{invalid}张之和多于该票箱收回选票{}张",
                            post.label_zh(),
                            sheet.returned
                        ),
                        format!(
                            "{}: {valid} valid and {invalid} void ballots exceed the {} collected at this box",
                            post.label_en(),
                            sheet.returned
                        ),
                    )));
                }
                let seats = u64::from(self.seats(*post));
                let mut total: u64 = 0;
                for v in votes {
                    registered(&v.id_number)?;
                    if v.votes > *valid {
                        return Err(RollError::BadCount(Reason::new(
                            "tally.votes_exceed_valid",
                            format!(
                                "{}得票{}，多于有效票{valid}张",
                                self.label(&v.id_number),
                                v.votes
                            ),
                            format!(
                                "{} has {} votes, more than the {valid} valid ballots",
                                self.label(&v.id_number),
                                v.votes
                            ),
                        )));
                    }
                    total += u64::from(v.votes);
                }
                if total > u64::from(*valid) * seats {
                    return Err(RollError::BadCount(Reason::new(
                        "tally.marks_exceed_seats",
                        format!(
                            "{}得票合计{total}，超过有效票{valid}张×应选{seats}名",
                            post.label_zh()
                        ),
                        format!(
                            "{}: {total} votes in all, more than {valid} valid ballots × {seats} seats",
                            post.label_en()
                        ),
                    )));
                }
                Ok(())
            }
            RollEvent::TieVoteCounted { post, votes, .. } => {
                in_plan(*post)?;
                votes
                    .iter()
                    .try_for_each(|v| registered(&v.id_number).map(|_| ()))
            }
            RollEvent::WinVoided { id_number, .. } => registered(id_number).map(|_| ()),
        }
    }

    /// Folds one event (canonical order). Events of other kinds are ignored; a refused event is
    /// set aside with its reason and changes nothing else.
    pub fn apply(&mut self, ev: &Event) {
        let EventBody::ElectionRoll(body) = &ev.body else {
            return;
        };
        if let Err(e) = self.check(&ev.unit, body, event_day(ev)) {
            self.set_aside.push(SetAside {
                event: ev.id,
                op: body.op().to_string(),
                reason_zh: e.message_zh(),
                reason_en: e.to_string(),
            });
            return;
        }
        self.fold(body.clone());
    }

    /// Checks `ev` and, if it passes, folds it: for code that builds a roll in memory (seed
    /// data, previews) rather than from stored events.
    pub fn record(
        &mut self,
        unit: &UnitId,
        ev: RollEvent,
        today: NaiveDate,
    ) -> Result<(), RollError> {
        self.check(unit, &ev, today)?;
        self.fold(ev);
        Ok(())
    }

    /// Applies an event already checked.
    fn fold(&mut self, ev: RollEvent) {
        match ev {
            RollEvent::Opened { plan } => self.plan = Some(plan),
            RollEvent::VotersRegistered { voters } => self.voters.extend(voters),
            RollEvent::VoterRemoved { id_number, reason } => {
                if let Some(i) = self.voters.iter().position(|v| v.id_number == id_number) {
                    let voter = self.voters.remove(i);
                    self.removed.push(RemovedVoter { voter, reason });
                }
                self.proxies
                    .retain(|p| p.principal != id_number && p.agent != id_number);
            }
            RollEvent::ListPublished { on, count } => {
                self.publications.push(Publication { on, count })
            }
            RollEvent::ObjectionFiled {
                no,
                filed_on,
                by,
                text,
            } => self.objections.push(Objection {
                no,
                filed_on,
                by,
                text,
                decision: None,
            }),
            RollEvent::ObjectionDecided {
                no,
                decided_on,
                upheld,
                decision,
            } => {
                if let Some(o) = self.objections.iter_mut().find(|o| o.no == no) {
                    o.decision = Some(ObjectionDecision {
                        decided_on,
                        upheld,
                        text: decision,
                    });
                }
            }
            RollEvent::Nominated {
                post,
                id_number,
                nomination_votes,
                minority,
            } => self.nominations.push(Nomination {
                post,
                id_number,
                nomination_votes,
                minority,
            }),
            RollEvent::PreliminaryFixed { post, candidates } => {
                self.preliminary.retain(|l| l.post != post);
                self.preliminary.push(CandidateList {
                    post,
                    candidates,
                    published_on: None,
                });
                self.preliminary.sort_by_key(|l| l.post);
            }
            RollEvent::FormalFixed {
                post,
                candidates,
                published_on,
            } => {
                self.formal.retain(|l| l.post != post);
                self.formal.push(CandidateList {
                    post,
                    candidates,
                    published_on: Some(published_on),
                });
                self.formal.sort_by_key(|l| l.post);
            }
            RollEvent::ProxyRecorded {
                principal,
                agent,
                relation,
            } => self.proxies.push(Proxy {
                principal,
                agent,
                relation,
            }),
            RollEvent::ProxyWithdrawn { principal } => {
                self.proxies.retain(|p| p.principal != principal)
            }
            RollEvent::ProxiesPublished { on } => self.proxies_published = Some(on),
            RollEvent::BoxRecorded {
                no,
                kind,
                seal_no,
                scrutineers,
                approved_on,
            } => {
                let ballot_box = BallotBox {
                    no,
                    kind,
                    seal_no,
                    scrutineers,
                    approved_on,
                };
                match self.boxes.iter_mut().find(|b| b.no == ballot_box.no) {
                    Some(b) => *b = ballot_box,
                    None => self.boxes.push(ballot_box),
                }
            }
            RollEvent::BallotsCounted {
                round,
                box_no,
                issued,
                returned,
            } => {
                self.ballots
                    .retain(|b| !(b.round == round && b.box_no == box_no));
                self.ballots.push(BallotSheet {
                    round,
                    box_no,
                    issued,
                    returned,
                });
            }
            RollEvent::VotesCounted {
                round,
                box_no,
                post,
                valid,
                invalid,
                votes,
            } => {
                self.votes
                    .retain(|s| !(s.round == round && s.box_no == box_no && s.post == post));
                self.votes.push(VoteSheet {
                    round,
                    box_no,
                    post,
                    valid,
                    invalid,
                    votes,
                });
            }
            RollEvent::TieVoteCounted { round, post, votes } => {
                self.tie_votes
                    .retain(|t| !(t.round == round && t.post == post));
                self.tie_votes.push(TieSheet { round, post, votes });
            }
            RollEvent::WinVoided {
                id_number,
                ground,
                note,
            } => {
                self.voided.retain(|v| v.id_number != id_number);
                self.voided.push(VoidRecord {
                    id_number,
                    ground,
                    note,
                });
            }
        }
    }
}

impl crate::projection::Projection for RollView {
    fn apply(&mut self, ev: &Event) {
        RollView::apply(self, ev)
    }
}
