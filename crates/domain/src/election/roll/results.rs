//! 选举结果 — the roll's counts put through the tally of spec §1.5 (`election::tally`): the
//! turnout per round from the boxes, the votes per post summed over the boxes, then validity,
//! winners, ties, composition, the re-run and unfilled seats, each with its reason. Breaches
//! found on the way (INVALID_ROUND, WIN_VOID, COMPLIANCE, PROC) carry the rule that fired.

use std::collections::BTreeMap;

use chrono::Days;
use serde::Serialize;

use super::event::{BoxKind, TallyRound};
use super::view::RollView;
use crate::directory::kinship::Kinship;
use crate::directory::person::IdNumber;
use crate::election::breach::{Breach, BreachClass, Reason};
use crate::election::tally::{
    CandidateVotes, PostTitle, PostVotes, Profile, Registered, RerunBallot, Round, RoundResult,
    TallyContext, TallyRules, TieBreak, Turnout, decide_first_round, decide_rerun, rerun_ballots,
};
use crate::election::template::StepCode;
use crate::ids::EntityId;

/// Something still to be entered before a round can be decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Missing {
    /// No ballot box is recorded.
    NoBoxes,
    /// 发出/收回选票数 of this box.
    Ballots { box_no: String },
    /// This box's count for this post.
    Votes { box_no: String, post: PostTitle },
}

impl Missing {
    pub fn message_zh(&self) -> String {
        match self {
            Missing::NoBoxes => "尚未登记票箱".into(),
            Missing::Ballots { box_no } => format!("{box_no}号票箱尚未录入发出和收回选票数"),
            Missing::Votes { box_no, post } => {
                format!("{box_no}号票箱尚未录入{}计票", post.label_zh())
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Missing::NoBoxes => "no ballot box is recorded".into(),
            Missing::Ballots { box_no } => format!("box {box_no}: ballots issued and collected"),
            Missing::Votes { box_no, post } => {
                format!("box {box_no}: the count for {}", post.label_en())
            }
        }
    }
}

/// One round as far as it has been entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RoundStatus {
    /// Counts still missing; nothing is decided.
    Incomplete(Vec<Missing>),
    Decided(RoundResult),
}

/// Everything the results screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollResults {
    pub turnout: Option<Turnout>,
    pub first: RoundStatus,
    /// The re-run ballots for the first round's vacancies (empty when none).
    pub rerun_ballots: Vec<RerunBallot>,
    /// `None` when no re-run is needed (or the first round is not decided).
    pub rerun: Option<RoundStatus>,
    /// Every breach found, with the rule that fired.
    pub breaches: Vec<Breach>,
}

/// The tally id of a voter: their directory record when known, else `voter:<number>`.
pub fn tally_key(view: &RollView, id: &IdNumber) -> EntityId {
    view.voter(id)
        .and_then(|v| v.person.clone())
        .unwrap_or_else(|| {
            format!("voter:{}", id.as_str())
                .parse()
                .expect("an identity number is a valid id fragment")
        })
}

/// The voter a tally id stands for.
pub fn voter_of_key<'a>(view: &'a RollView, key: &EntityId) -> Option<&'a super::VoterEntry> {
    view.voters
        .iter()
        .chain(view.removed.iter().map(|r| &r.voter))
        .find(|v| &tally_key_of(v) == key)
}

fn tally_key_of(v: &super::VoterEntry) -> EntityId {
    v.person.clone().unwrap_or_else(|| {
        format!("voter:{}", v.id_number.as_str())
            .parse()
            .expect("an identity number is a valid id fragment")
    })
}

impl RollView {
    /// The people printed on `post`'s ballot in `round`: in the first round the formal
    /// candidates (the nominees while no formal list is fixed), in the re-run the candidates of
    /// `rerun_ballots` (`RollResults::rerun_ballots`).
    pub fn ballot_for(
        &self,
        round: TallyRound,
        post: PostTitle,
        rerun_ballots: &[RerunBallot],
    ) -> Vec<IdNumber> {
        match round {
            TallyRound::First => match self.formal_for(post) {
                Some(list) => list.candidates.clone(),
                None => self
                    .nominations_for(post)
                    .iter()
                    .map(|n| n.id_number.clone())
                    .collect(),
            },
            TallyRound::Rerun => rerun_ballots
                .iter()
                .filter(|b| b.post == post)
                .flat_map(|b| &b.candidates)
                .filter_map(|k| voter_of_key(self, k))
                .map(|v| v.id_number.clone())
                .collect(),
        }
    }

    /// 另选他人 — the registered voters who received votes on `post` in `round` without being
    /// on its ballot (`ballot`), in the order they were first entered. Their votes count like a
    /// candidate's (spec §1.5: write-ins are counted per person).
    pub fn write_ins(
        &self,
        round: TallyRound,
        post: PostTitle,
        ballot: &[IdNumber],
    ) -> Vec<IdNumber> {
        let mut out: Vec<IdNumber> = Vec::new();
        for s in self
            .votes
            .iter()
            .filter(|s| s.round == round && s.post == post)
        {
            for v in &s.votes {
                if !ballot.contains(&v.id_number) && !out.contains(&v.id_number) {
                    out.push(v.id_number.clone());
                }
            }
        }
        out
    }

    /// Whether the person behind tally key `person` was written in on `post` in `round`
    /// rather than printed on the ballot.
    pub fn is_write_in(
        &self,
        round: TallyRound,
        post: PostTitle,
        person: &EntityId,
        rerun_ballots: &[RerunBallot],
    ) -> bool {
        voter_of_key(self, person).is_some_and(|v| {
            !self
                .ballot_for(round, post, rerun_ballots)
                .contains(&v.id_number)
        })
    }

    /// What is still to be entered for `round` over `posts`.
    fn missing(&self, round: TallyRound, posts: &[PostTitle]) -> Vec<Missing> {
        if self.boxes.is_empty() {
            return vec![Missing::NoBoxes];
        }
        let mut missing = Vec::new();
        for b in &self.boxes {
            if !self
                .ballots
                .iter()
                .any(|s| s.round == round && s.box_no == b.no)
            {
                missing.push(Missing::Ballots {
                    box_no: b.no.clone(),
                });
            }
            for &post in posts {
                if !self
                    .votes
                    .iter()
                    .any(|s| s.round == round && s.box_no == b.no && s.post == post)
                {
                    missing.push(Missing::Votes {
                        box_no: b.no.clone(),
                        post,
                    });
                }
            }
        }
        missing
    }

    /// P and B of a round: ballots issued and collected, summed over the boxes.
    pub fn turnout(&self, round: TallyRound) -> Option<Turnout> {
        let plan = self.plan.as_ref()?;
        let sheets = self.ballots.iter().filter(|b| b.round == round);
        let (voted, ballots) = sheets.fold((0u32, 0u32), |(p, b), s| {
            (p.saturating_add(s.issued), b.saturating_add(s.returned))
        });
        let n = self.voters.len() as u32;
        Some(Turnout {
            mode: plan.mode,
            registered: Registered {
                voters: n,
                households: self.households(),
                group_representatives: n,
            },
            voted,
            ballots,
        })
    }

    /// A round's votes and tie votes, summed over the boxes.
    fn round(&self, round: TallyRound, posts: &[PostTitle], turnout: Turnout) -> Round {
        let mut per_post: BTreeMap<PostTitle, BTreeMap<EntityId, u32>> = BTreeMap::new();
        for s in self
            .votes
            .iter()
            .filter(|s| s.round == round && posts.contains(&s.post))
        {
            let post = per_post.entry(s.post).or_default();
            for v in &s.votes {
                *post.entry(tally_key(self, &v.id_number)).or_default() += v.votes;
            }
        }
        let to_votes = |m: &BTreeMap<EntityId, u32>| {
            m.iter()
                .map(|(person, votes)| CandidateVotes {
                    person: person.clone(),
                    votes: *votes,
                })
                .collect::<Vec<_>>()
        };
        Round {
            turnout,
            votes: per_post
                .iter()
                .map(|(post, m)| PostVotes {
                    post: *post,
                    votes: to_votes(m),
                })
                .collect(),
            tie_breaks: self
                .tie_votes
                .iter()
                .filter(|t| t.round == round)
                .map(|t| TieBreak {
                    post: t.post,
                    votes: t
                        .votes
                        .iter()
                        .map(|v| CandidateVotes {
                            person: tally_key(self, &v.id_number),
                            votes: v.votes,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Sex (from the identity number) and minority status (from the nomination) of every
    /// registered voter, keyed by tally id.
    fn profiles(&self) -> BTreeMap<EntityId, Profile> {
        self.voters
            .iter()
            .map(|v| {
                let minority = self
                    .nominations
                    .iter()
                    .any(|n| n.id_number == v.id_number && n.minority);
                (
                    tally_key_of(v),
                    Profile {
                        sex: v.id_number.sex(),
                        minority,
                    },
                )
            })
            .collect()
    }

    /// The results of the counts entered so far; `None` before the roll is opened. `kinship`
    /// holds the close relatives known from the directory (for 近亲属回避).
    pub fn results(&self, kinship: &Kinship) -> Option<RollResults> {
        let plan = self.plan.as_ref()?;
        let rules = TallyRules::default();
        let people = self.profiles();
        let ctx = TallyContext {
            rules: &rules,
            composition: plan.pack.composition(),
            multi_ethnic: plan.multi_ethnic,
            people: &people,
            kinship,
        };
        let mut breaches = self.procedure_breaches();
        let posts = self.posts();
        let turnout = self.turnout(TallyRound::First);
        let missing = self.missing(TallyRound::First, &posts);
        let mut out = RollResults {
            turnout,
            first: RoundStatus::Incomplete(missing.clone()),
            rerun_ballots: Vec::new(),
            rerun: None,
            breaches: Vec::new(),
        };
        if !missing.is_empty() {
            out.breaches = breaches;
            return Some(out);
        }
        let first_round = self.round(TallyRound::First, &posts, turnout?);
        let first = decide_first_round(&plan.seats, &first_round, &ctx);
        collect(&first, &mut breaches);
        if let RoundResult::Counted(outcome) = &first
            && outcome.tie_votes.is_empty()
            && !outcome.vacancies.is_empty()
        {
            out.rerun_ballots = rerun_ballots(outcome, &ctx);
            let mut rerun_posts: Vec<PostTitle> =
                outcome.vacancies.iter().map(|v| v.post).collect();
            rerun_posts.dedup();
            let missing = self.missing(TallyRound::Rerun, &rerun_posts);
            out.rerun = Some(if missing.is_empty() {
                let t = self.turnout(TallyRound::Rerun)?;
                let round = self.round(TallyRound::Rerun, &rerun_posts, t);
                let rerun = decide_rerun(outcome, &round, &ctx);
                collect(&rerun, &mut breaches);
                RoundStatus::Decided(rerun)
            } else {
                RoundStatus::Incomplete(missing)
            });
        }
        out.first = RoundStatus::Decided(first);
        breaches.extend(self.void_breaches());
        out.breaches = breaches;
        Some(out)
    }

    /// WIN_VOID for every member whose election the supervisor recorded as void.
    fn void_breaches(&self) -> Vec<Breach> {
        self.voided
            .iter()
            .map(|v| {
                Breach::new(
                    BreachClass::WinVoid,
                    Some(StepCode::V18),
                    Reason::new(
                        v.ground.rule(),
                        format!(
                            "{}当选无效：{}（{}）。该名额另行选举或补选",
                            self.label(&v.id_number),
                            v.ground.label_zh(),
                            v.note
                        ),
                        format!(
                            "the election of {} is void: {} ({}); the seat is refilled by a re-run or by-election",
                            self.label(&v.id_number),
                            v.ground.label_en(),
                            v.note
                        ),
                    ),
                )
            })
            .collect()
    }

    /// PROC breaches visible from the roll itself.
    pub fn procedure_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        let election_day = self.plan.as_ref().and_then(|p| p.election_day);
        if let (Some(e), Some(p)) = (election_day, self.published())
            && p.on.checked_add_days(Days::new(20)).is_some_and(|d| d > e)
        {
            out.push(Breach::new(
                BreachClass::Proc,
                Some(StepCode::V05),
                Reason::new(
                    "V05.publish_20_days",
                    format!("选民名单于{}公布，距选举日{e}不足20日", p.on),
                    format!(
                        "the voter list was published on {}, less than 20 days before election day {e}",
                        p.on
                    ),
                ),
            ));
        }
        for o in &self.objections {
            if let Some(d) = &o.decision
                && o.filed_on
                    .checked_add_days(Days::new(3))
                    .is_some_and(|l| d.decided_on > l)
            {
                out.push(Breach::new(
                    BreachClass::Proc,
                    Some(StepCode::V06),
                    Reason::new(
                        "V06.decide_within_3_days",
                        format!(
                            "第{}号异议{}提出，{}才作出处理决定，超过3日",
                            o.no, o.filed_on, d.decided_on
                        ),
                        format!(
                            "objection {} filed on {} was decided on {}, more than 3 days later",
                            o.no, o.filed_on, d.decided_on
                        ),
                    ),
                ));
            }
        }
        if !self.proxies.is_empty() && self.proxies_published.is_none() && !self.ballots.is_empty()
        {
            out.push(Breach::new(
                BreachClass::Proc,
                Some(StepCode::V12),
                Reason::new(
                    "V12.proxies_published",
                    format!("{}项委托投票未公布委托人和受托人名单", self.proxies.len()),
                    format!(
                        "{} proxies were used without publishing the list of principals and proxies",
                        self.proxies.len()
                    ),
                ),
            ));
        }
        for b in &self.boxes {
            let counted = self.ballots.iter().any(|s| s.box_no == b.no);
            if b.kind == BoxKind::Mobile && b.approved_on.is_none() && counted {
                out.push(Breach::new(
                    BreachClass::Proc,
                    Some(StepCode::V14),
                    Reason::new(
                        "V14.mobile_box_approved",
                        format!("流动票箱{}未经乡镇批准，其选票无效", b.no),
                        format!(
                            "mobile box {} was not approved by the township: its ballots are invalid",
                            b.no
                        ),
                    ),
                ));
            }
        }
        out
    }
}

/// The breaches of a decided round: INVALID_ROUND or its COMPLIANCE findings.
fn collect(result: &RoundResult, breaches: &mut Vec<Breach>) {
    match result {
        RoundResult::Invalid(b) => breaches.push(b.clone()),
        RoundResult::Counted(o) => breaches.extend(o.findings.iter().cloned()),
    }
}
