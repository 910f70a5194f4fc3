//! 计票与当选 — the validity and winner algorithm of spec §1.5 as pure functions: round
//! validity, first-round winners, ties, composition checks (women, minorities, close
//! relatives), the re-run (另行选举) and what to do with seats still empty. Integers only.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::breach::{Breach, BreachClass, Reason};
use super::template::{CompositionRules, ElectoralMode, StepCode};
use crate::directory::kinship::Kinship;
use crate::event::Sex;
use crate::ids::EntityId;

/// 职位, in rank order: a person seated in an earlier post is not seated again in a later one,
/// and where two members are close relatives the later-ranked one steps aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostTitle {
    /// 主任
    Chair,
    /// 副主任
    ViceChair,
    /// 妇女委员 — a member seat reserved for women, when the plan lists it separately.
    WomenMember,
    /// 委员
    Member,
}

impl PostTitle {
    pub fn label_zh(self) -> &'static str {
        match self {
            PostTitle::Chair => "主任",
            PostTitle::ViceChair => "副主任",
            PostTitle::WomenMember => "妇女委员",
            PostTitle::Member => "委员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PostTitle::Chair => "Chair",
            PostTitle::ViceChair => "Vice-chair",
            PostTitle::WomenMember => "Women's member seat",
            PostTitle::Member => "Member",
        }
    }

    /// Votes cascade from a higher level to lower ones (主任 → 副主任 → 委员).
    fn level(self) -> u8 {
        match self {
            PostTitle::Chair => 0,
            PostTitle::ViceChair => 1,
            PostTitle::WomenMember | PostTitle::Member => 2,
        }
    }
}

/// The [T] options of spec §1.5, with the spec's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TallyRules {
    /// Votes for a higher post also count for lower posts [T: some provinces]. Default false.
    pub cascade_votes_down: bool,
    /// The re-run also needs more than half to vote [T]. Default true.
    pub rerun_needs_turnout: bool,
    /// The re-run ballot lists this many candidates beyond the seats left (差额) [L §15: more
    /// candidates than seats]. Default 1.
    pub rerun_margin: u32,
    /// When every seat is filled and no woman was elected, the 委员 with the fewest votes gives
    /// way to the woman 委员 candidate with the most votes, who still needs the threshold [T].
    /// Default true. When false the shortfall is only reported.
    pub lowest_member_yields_to_woman: bool,
    /// After the re-run, with at least this many members seated the empty posts may stay
    /// vacant [T: Zhejiang 3].
    pub min_seated_to_leave_vacant: u32,
    /// Otherwise a further election within this many days [T: one example, 6 months].
    pub further_election_within_days: u32,
}

impl Default for TallyRules {
    fn default() -> Self {
        TallyRules {
            cascade_votes_down: false,
            rerun_needs_turnout: true,
            rerun_margin: 1,
            lowest_member_yields_to_woman: true,
            min_seated_to_leave_vacant: 3,
            further_election_within_days: 180,
        }
    }
}

/// 登记数 — the possible turnout denominators R; the electoral mode picks one (spec §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Registered {
    /// 登记选民 — voters on the published list, after objections.
    pub voters: u32,
    /// 登记户数 — households (户代表 mode).
    pub households: u32,
    /// 居民代表 — elected group representatives (居民小组代表 mode).
    pub group_representatives: u32,
}

/// 投票情况 of one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turnout {
    pub mode: ElectoralMode,
    pub registered: Registered,
    /// P — people who voted (ballots issued and deposited, with proxy and mobile-box ballots).
    /// Void and blank ballots stay in P.
    pub voted: u32,
    /// B — ballots collected from all boxes.
    pub ballots: u32,
}

impl Turnout {
    /// R for this round's electoral mode.
    pub fn denominator(&self) -> u32 {
        match self.mode {
            ElectoralMode::Direct => self.registered.voters,
            ElectoralMode::Household => self.registered.households,
            ElectoralMode::GroupReps => self.registered.group_representatives,
        }
    }

    fn denominator_label(&self) -> (&'static str, &'static str) {
        match self.mode {
            ElectoralMode::Direct => ("登记选民", "registered voters"),
            ElectoralMode::Household => ("登记户", "registered households"),
            ElectoralMode::GroupReps => ("居民代表", "group representatives"),
        }
    }
}

/// 应选名额 for one post, from the election plan (V03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seats {
    pub post: PostTitle,
    pub count: u32,
}

/// Votes one person received (candidates and write-ins alike).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateVotes {
    pub person: EntityId,
    pub votes: u32,
}

/// 得票 for one post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostVotes {
    pub post: PostTitle,
    pub votes: Vec<CandidateVotes>,
}

/// The result of a new vote among tied candidates only (spec §1.5 step 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieBreak {
    pub post: PostTitle,
    pub votes: Vec<CandidateVotes>,
}

/// One round's count: the first round (V18) or the re-run (V19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub turnout: Turnout,
    pub votes: Vec<PostVotes>,
    /// Tie votes held so far for this round.
    pub tie_breaks: Vec<TieBreak>,
}

/// What the tally needs to know about a person for composition checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub sex: Sex,
    /// Belongs to a smaller ethnic group of a multi-ethnic village or community.
    pub minority: bool,
}

/// The facts and rules a tally is decided under.
#[derive(Debug, Clone, Copy)]
pub struct TallyContext<'a> {
    pub rules: &'a TallyRules,
    pub composition: CompositionRules,
    /// 多民族居住 — several ethnic groups live here, so a minority member is required [L].
    pub multi_ethnic: bool,
    /// Sex and minority status of everyone who received votes. Missing people count as men of
    /// the majority group, so a missing profile can never fill a women's or minority seat.
    pub people: &'a BTreeMap<EntityId, Profile>,
    pub kinship: &'a Kinship,
}

/// 认定 — what happened to one person on one post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// 当选
    Elected,
    /// 得票未达当选票数 (> 1/2 in the first round, ≥ 1/3 in the re-run).
    BelowThreshold,
    /// 达到当选票数，但名额已满
    NoSeatLeft,
    /// 已当选其他职位 (a higher post, or the reserved women's seat)
    AlreadyElected,
    /// 妇女职位只计女性得票
    NotEligibleForWomensSeat,
    /// 近亲属回避 — a close relative ranks higher.
    SteppedAside { because_of: EntityId },
    /// 让位于妇女成员 — the lowest-voted member gives way so that a woman is seated.
    GaveWayToWoman,
    /// 得票相同，待重新投票
    InTieVote,
    /// Whether a seat is left depends on a pending tie vote above.
    AwaitsTieVote,
}

/// One person's result on one post, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub person: EntityId,
    pub post: PostTitle,
    /// Votes counted for this post (with higher posts' votes when they cascade).
    pub votes: u32,
    pub verdict: Verdict,
    pub reason: Reason,
}

/// 重新投票 — a new vote among the tied candidates only, for `seats` seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TieVote {
    pub post: PostTitle,
    pub among: Vec<EntityId>,
    pub seats: u32,
    pub reason: Reason,
}

/// 空缺名额 — seats not filled by this round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vacancy {
    pub post: PostTitle,
    pub seats: u32,
    /// The seat must go to a woman (reserved seat, or the committee still has no woman).
    pub women_only: bool,
    pub reason: Reason,
}

/// A counted round's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Why the round is valid.
    pub validity: Reason,
    /// One per post and person who received votes, by post then votes.
    pub decisions: Vec<Decision>,
    /// Tie votes still to be held; composition is checked once they are decided.
    pub tie_votes: Vec<TieVote>,
    pub vacancies: Vec<Vacancy>,
    /// Composition breaches that remain (COMPLIANCE).
    pub findings: Vec<Breach>,
    /// What happens next: the re-run, or after it the options of spec §1.5 step 6.
    pub next: Vec<Reason>,
}

impl Outcome {
    /// Everyone seated, in post and vote order (for the re-run: those seated in it).
    pub fn elected(&self) -> impl Iterator<Item = &Decision> {
        self.decisions
            .iter()
            .filter(|d| d.verdict == Verdict::Elected)
    }
}

/// 选举结果 — either the round is invalid and must be repeated, or it was counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RoundResult {
    Invalid(Breach),
    Counted(Outcome),
}

impl RoundResult {
    pub fn outcome(&self) -> Option<&Outcome> {
        match self {
            RoundResult::Counted(o) => Some(o),
            RoundResult::Invalid(_) => None,
        }
    }
}

/// The candidate list of a re-run for one post (spec §1.5 step 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RerunBallot {
    pub post: PostTitle,
    pub seats: u32,
    pub women_only: bool,
    /// In order of first-round votes.
    pub candidates: Vec<EntityId>,
    pub reason: Reason,
}

/// V03 — the plan's seats must add up to the committee size the pack allows (村 3–7, 居 5–9)
/// [L §6][L OLRC §7].
pub fn check_plan_seats(seats: &[Seats], composition: &CompositionRules) -> Result<(), Reason> {
    let total: u32 = seats.iter().map(|s| s.count).sum();
    let chairs: u32 = seats
        .iter()
        .filter(|s| s.post == PostTitle::Chair)
        .map(|s| s.count)
        .sum();
    let (min, max) = (composition.min_members, composition.max_members);
    if total < min || total > max {
        return Err(Reason::new(
            "V03.committee_size",
            format!("方案应选{total}名，委员会成员应为{min}至{max}名"),
            format!("the plan has {total} seats; the committee must have {min} to {max} members"),
        ));
    }
    if chairs != 1 {
        return Err(Reason::new(
            "V03.one_chair",
            format!("方案设主任{chairs}名，应设1名"),
            format!("the plan has {chairs} chair seats; it must have exactly one"),
        ));
    }
    Ok(())
}

/// Step 1 — 选举有效性: more ballots than voters, or turnout not more than half of R, leaves the
/// round without a legal result.
pub fn round_validity(turnout: &Turnout, step: StepCode) -> Result<Reason, Breach> {
    let (r, p, b) = (turnout.denominator(), turnout.voted, turnout.ballots);
    let (who_zh, who_en) = turnout.denominator_label();
    if b > p {
        return Err(Breach::new(
            BreachClass::InvalidRound,
            Some(step),
            Reason::new(
                "tally.ballots_exceed_voters",
                format!("收回选票{b}张，多于投票人数{p}人，本次投票无效，应重新投票"),
                format!(
                    "{b} ballots collected but only {p} people voted: the round is invalid and must be repeated"
                ),
            ),
        ));
    }
    if 2 * u64::from(p) <= u64::from(r) {
        return Err(Breach::new(
            BreachClass::InvalidRound,
            Some(step),
            Reason::new(
                "tally.turnout_majority",
                format!("{who_zh}{r}，参加投票{p}，未超过半数，本次选举无效"),
                format!("{p} of {r} {who_en} voted, not more than half: the election is invalid"),
            ),
        ));
    }
    Ok(Reason::new(
        "tally.turnout_majority",
        format!("{who_zh}{r}，参加投票{p}，超过半数，选举有效"),
        format!("{p} of {r} {who_en} voted, more than half: the election is valid"),
    ))
}

/// Steps 1–4 — the first round (V18): validity, winners per post, ties, and the composition
/// checks. Unfilled seats go to the re-run.
pub fn decide_first_round(seats: &[Seats], round: &Round, ctx: &TallyContext) -> RoundResult {
    let validity = match round_validity(&round.turnout, StepCode::V18) {
        Ok(reason) => reason,
        Err(breach) => return RoundResult::Invalid(breach),
    };
    let mut count = Count::new(
        ctx,
        Threshold::Majority(round.turnout.voted),
        &round.tie_breaks,
        Vec::new(),
    );
    let plan = merge_seats(seats.iter().map(|s| (s.post, s.count, false)));
    for &(post, n, women_only) in &plan {
        let ranked = ranked_votes(post, &round.votes, ctx.rules.cascade_votes_down);
        let left = count.fill(
            post,
            n,
            women_only || post == PostTitle::WomenMember,
            &ranked,
        );
        count.leave_vacant(post, left, post == PostTitle::WomenMember);
    }
    if count.tie_votes.is_empty() {
        count.make_room_for_a_woman(&round.votes);
    }
    count.finish(validity, Stage::FirstRound)
}

/// Step 5 — the re-run candidates: for each vacancy, those not elected in the first round, in
/// order of first-round votes, with more candidates than seats left.
pub fn rerun_ballots(first: &Outcome, ctx: &TallyContext) -> Vec<RerunBallot> {
    let seated: BTreeSet<&EntityId> = first.elected().map(|d| &d.person).collect();
    first
        .vacancies
        .iter()
        .map(|v| {
            let mut pool: Vec<&Decision> = first
                .decisions
                .iter()
                .filter(|d| d.post == v.post && !seated.contains(&d.person))
                .filter(|d| matches!(d.verdict, Verdict::BelowThreshold | Verdict::NoSeatLeft))
                .filter(|d| !v.women_only || is_woman(ctx, &d.person))
                .collect();
            pool.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.person.cmp(&b.person)));
            let wanted = (v.seats + ctx.rules.rerun_margin) as usize;
            // Candidates tied with the last one listed are listed too.
            let cut = pool
                .get(wanted.saturating_sub(1))
                .map(|last| pool.iter().filter(|d| d.votes >= last.votes).count())
                .unwrap_or(pool.len());
            let candidates: Vec<EntityId> =
                pool[..cut].iter().map(|d| d.person.clone()).collect();
            let n = candidates.len();
            let reason = if n as u32 > v.seats {
                Reason::new(
                    "tally.rerun_candidates",
                    format!(
                        "{}另行选举：应选{}名，按第一轮得票顺序确定候选人{n}名",
                        v.post.label_zh(),
                        v.seats
                    ),
                    format!(
                        "{} re-run: {} seats; {n} candidates in order of first-round votes",
                        v.post.label_en(),
                        v.seats
                    ),
                )
            } else {
                Reason::new(
                    "tally.rerun_candidates",
                    format!(
                        "{}另行选举：应选{}名，但第一轮未当选者只有{n}名，无法差额选举，请选举委员会依法补充候选人",
                        v.post.label_zh(),
                        v.seats
                    ),
                    format!(
                        "{} re-run: {} seats but only {n} people not elected in the first round; candidates must outnumber seats, so the committee must add candidates lawfully",
                        v.post.label_en(),
                        v.seats
                    ),
                )
            };
            RerunBallot {
                post: v.post,
                seats: v.seats,
                women_only: v.women_only,
                candidates,
                reason,
            }
        })
        .collect()
}

/// Steps 5–6 — the re-run (另行选举, V19) for the first round's vacancies: the most votes wins,
/// provided 3 × votes ≥ ballots collected in the re-run. Seats still empty come back with the
/// options of step 6.
pub fn decide_rerun(first: &Outcome, round: &Round, ctx: &TallyContext) -> RoundResult {
    let t = &round.turnout;
    let validity = match round_validity(t, StepCode::V19) {
        Ok(reason) => reason,
        Err(low_turnout)
            if low_turnout.rule == "tally.turnout_majority" && !ctx.rules.rerun_needs_turnout =>
        {
            Reason::new(
                "tally.rerun_turnout",
                format!(
                    "另行选举参加投票{}人；按本地规则，另行选举不要求过半数参加",
                    t.voted
                ),
                format!(
                    "re-run: {} voted; local rules do not require more than half to vote in a re-run",
                    t.voted
                ),
            )
        }
        Err(breach) => return RoundResult::Invalid(breach),
    };
    let seated_before: Vec<Seat> = first
        .elected()
        .map(|d| Seat {
            person: d.person.clone(),
            post: d.post,
            votes: d.votes,
        })
        .collect();
    let mut count = Count::new(
        ctx,
        Threshold::OneThird(t.ballots),
        &round.tie_breaks,
        seated_before,
    );
    // Women-only vacancies first, so the women's seat is filled before the open seats.
    let plan = merge_seats(
        first
            .vacancies
            .iter()
            .map(|v| (v.post, v.seats, v.women_only)),
    );
    let mut plan = plan;
    plan.sort_by_key(|&(post, _, women_only)| (post, !women_only));
    for &(post, n, women_only) in &plan {
        let ranked = ranked_votes(post, &round.votes, ctx.rules.cascade_votes_down);
        let left = count.fill(post, n, women_only, &ranked);
        count.leave_vacant(post, left, women_only);
    }
    count.finish(validity, Stage::Rerun)
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    FirstRound,
    Rerun,
}

#[derive(Debug, Clone, Copy)]
enum Threshold {
    /// First round: 2v > P.
    Majority(u32),
    /// Re-run: 3v ≥ B.
    OneThird(u32),
}

impl Threshold {
    fn passes(self, v: u32) -> bool {
        match self {
            Threshold::Majority(p) => 2 * u64::from(v) > u64::from(p),
            Threshold::OneThird(b) => 3 * u64::from(v) >= u64::from(b),
        }
    }

    fn reason(self, post: PostTitle, v: u32) -> Reason {
        let (zh, en) = (post.label_zh(), post.label_en());
        match (self, self.passes(v)) {
            (Threshold::Majority(p), true) => Reason::new(
                "tally.first_round_majority",
                format!("{zh}得票{v}，超过投票人数{p}的半数"),
                format!("{en}: {v} votes, more than half of the {p} who voted"),
            ),
            (Threshold::Majority(p), false) => Reason::new(
                "tally.first_round_majority",
                format!("{zh}得票{v}，未超过投票人数{p}的半数，不能当选"),
                format!("{en}: {v} votes, not more than half of the {p} who voted"),
            ),
            (Threshold::OneThird(b), true) => Reason::new(
                "tally.rerun_one_third",
                format!("另行选举{zh}得票{v}，不少于选票数{b}的三分之一"),
                format!("{en} re-run: {v} votes, at least one third of {b} ballots"),
            ),
            (Threshold::OneThird(b), false) => Reason::new(
                "tally.rerun_one_third",
                format!("另行选举{zh}得票{v}，不足选票数{b}的三分之一，不能当选"),
                format!("{en} re-run: {v} votes, less than one third of {b} ballots"),
            ),
        }
    }
}

/// What `Count::screen` found for one person on one post.
enum Screen {
    /// Already seated on this post (a second pass, e.g. for the women's seat).
    Skip,
    Decided(Verdict, Reason),
    StepsAside(EntityId),
    Contender,
}

#[derive(Debug, Clone)]
struct Seat {
    person: EntityId,
    post: PostTitle,
    votes: u32,
}

/// The working state of one round's count.
struct Count<'a> {
    ctx: &'a TallyContext<'a>,
    threshold: Threshold,
    tie_breaks: &'a [TieBreak],
    /// Everyone seated, earlier rounds first, in rank order.
    seated: Vec<Seat>,
    decisions: Vec<Decision>,
    tie_votes: Vec<TieVote>,
    vacancies: Vec<Vacancy>,
}

impl<'a> Count<'a> {
    fn new(
        ctx: &'a TallyContext<'a>,
        threshold: Threshold,
        tie_breaks: &'a [TieBreak],
        seated: Vec<Seat>,
    ) -> Count<'a> {
        Count {
            ctx,
            threshold,
            tie_breaks,
            seated,
            decisions: Vec::new(),
            tie_votes: Vec::new(),
            vacancies: Vec::new(),
        }
    }

    fn decide(
        &mut self,
        post: PostTitle,
        person: &EntityId,
        votes: u32,
        verdict: Verdict,
        reason: Reason,
    ) {
        if let Some(d) = self
            .decisions
            .iter_mut()
            .find(|d| d.post == post && &d.person == person)
        {
            d.verdict = verdict;
            d.reason = reason;
            d.votes = votes;
        } else {
            self.decisions.push(Decision {
                person: person.clone(),
                post,
                votes,
                verdict,
                reason,
            });
        }
    }

    fn seat(&mut self, post: PostTitle, person: &EntityId, votes: u32, reason: Reason) {
        self.seated.push(Seat {
            person: person.clone(),
            post,
            votes,
        });
        self.decide(post, person, votes, Verdict::Elected, reason);
    }

    /// The seated close relative of `person`, if relatives are barred and there is one.
    fn relative_seated(&self, person: &EntityId) -> Option<EntityId> {
        if !self.ctx.composition.close_relatives_barred {
            return None;
        }
        self.seated
            .iter()
            .find(|s| self.ctx.kinship.are_close_relatives(&s.person, person))
            .map(|s| s.person.clone())
    }

    fn step_aside(&mut self, post: PostTitle, person: &EntityId, votes: u32, relative: EntityId) {
        let relation = self
            .ctx
            .kinship
            .relation(&relative, person)
            .map(|r| r.label_zh())
            .unwrap_or("近亲属");
        let reason = Reason::new(
            "tally.close_relatives",
            format!(
                "{}得票{votes}，与排序在前的当选人{relative}为近亲属（{relation}），依近亲属回避规定不能当选，由得票次多者依次递补",
                post.label_zh()
            ),
            format!(
                "{}: {votes} votes, but a close relative of {relative}, who ranks higher and is seated; steps aside and the next by votes moves up",
                post.label_en()
            ),
        );
        self.decide(
            post,
            person,
            votes,
            Verdict::SteppedAside {
                because_of: relative,
            },
            reason,
        );
    }

    /// Whether `person` still contends for a seat of `post`, and if not, why.
    fn screen(
        &self,
        post: PostTitle,
        women_only: bool,
        person: &EntityId,
        votes: u32,
        remaining: u32,
        awaiting_tie: bool,
    ) -> Screen {
        if let Some(s) = self.seated.iter().find(|s| &s.person == person) {
            if s.post == post {
                return Screen::Skip;
            }
            let reason = Reason::new(
                "tally.already_elected",
                format!("已当选{}，不再计入{}", s.post.label_zh(), post.label_zh()),
                format!(
                    "already elected {}; not counted for {}",
                    s.post.label_en(),
                    post.label_en()
                ),
            );
            return Screen::Decided(Verdict::AlreadyElected, reason);
        }
        if women_only && !is_woman(self.ctx, person) {
            let reason = Reason::new(
                "tally.women_only_seat",
                format!("{}名额只能由妇女当选", post.label_zh()),
                format!("{}: this seat can only go to a woman", post.label_en()),
            );
            return Screen::Decided(Verdict::NotEligibleForWomensSeat, reason);
        }
        if !self.threshold.passes(votes) {
            let reason = self.threshold.reason(post, votes);
            return Screen::Decided(Verdict::BelowThreshold, reason);
        }
        if awaiting_tie {
            let reason = Reason::new(
                "tally.boundary_tie",
                format!("{}：能否当选取决于前面的重新投票结果", post.label_zh()),
                format!("{}: depends on the pending tie vote above", post.label_en()),
            );
            return Screen::Decided(Verdict::AwaitsTieVote, reason);
        }
        if remaining == 0 {
            let reason = Reason::new(
                "tally.seats",
                format!(
                    "{}得票{votes}虽达到当选票数，但名额已由得票更多者当选",
                    post.label_zh()
                ),
                format!(
                    "{}: {votes} votes reach the threshold, but the seats went to people with more votes",
                    post.label_en()
                ),
            );
            return Screen::Decided(Verdict::NoSeatLeft, reason);
        }
        match self.relative_seated(person) {
            Some(relative) => Screen::StepsAside(relative),
            None => Screen::Contender,
        }
    }

    /// Fills `seats` seats of `post` from `ranked` (votes descending); returns the seats left
    /// empty. Seats held for a pending tie vote are not empty.
    fn fill(
        &mut self,
        post: PostTitle,
        seats: u32,
        women_only: bool,
        ranked: &[(EntityId, u32)],
    ) -> u32 {
        let mut remaining = seats;
        let mut awaiting_tie = false;
        for group in ranked.chunk_by(|a, b| a.1 == b.1) {
            let mut contenders: Vec<(EntityId, u32)> = Vec::new();
            for (person, votes) in group {
                match self.screen(post, women_only, person, *votes, remaining, awaiting_tie) {
                    Screen::Skip => {}
                    Screen::Decided(verdict, reason) => {
                        self.decide(post, person, *votes, verdict, reason)
                    }
                    Screen::StepsAside(relative) => self.step_aside(post, person, *votes, relative),
                    Screen::Contender => contenders.push((person.clone(), *votes)),
                }
            }
            if contenders.is_empty() {
                continue;
            }
            let fits = contenders.len() as u32 <= remaining;
            if fits && !self.relatives_among(&contenders) {
                for (person, votes) in &contenders {
                    let reason = self.threshold.reason(post, *votes);
                    self.seat(post, person, *votes, reason);
                }
                remaining -= contenders.len() as u32;
                continue;
            }
            // A tie on the boundary, or tied close relatives: only a new vote among them can
            // rank them.
            match self.tie_break_order(post, &contenders, remaining) {
                Some(order) => {
                    for (person, votes, tie_votes) in order {
                        if remaining == 0 {
                            let reason = Reason::new(
                                "tally.boundary_tie",
                                format!("{}重新投票得票{tie_votes}，名额已满", post.label_zh()),
                                format!(
                                    "{}: {tie_votes} votes in the tie vote; no seat left",
                                    post.label_en()
                                ),
                            );
                            self.decide(post, &person, votes, Verdict::NoSeatLeft, reason);
                        } else if let Some(relative) = self.relative_seated(&person) {
                            self.step_aside(post, &person, votes, relative);
                        } else {
                            let reason = Reason::new(
                                "tally.boundary_tie",
                                format!(
                                    "{}得票{votes}与他人相同，重新投票得票{tie_votes}，当选",
                                    post.label_zh()
                                ),
                                format!(
                                    "{}: tied on {votes} votes; elected with {tie_votes} votes in the tie vote",
                                    post.label_en()
                                ),
                            );
                            self.seat(post, &person, votes, reason);
                            remaining -= 1;
                        }
                    }
                }
                None => {
                    let among: Vec<EntityId> = contenders.iter().map(|c| c.0.clone()).collect();
                    let votes = contenders[0].1;
                    let reason = Reason::new(
                        "tally.boundary_tie",
                        format!(
                            "{}尚余{remaining}个名额，{}人得票均为{votes}，应就得票相同者重新投票",
                            post.label_zh(),
                            among.len()
                        ),
                        format!(
                            "{}: {remaining} seat(s) left and {} people tied on {votes} votes; a new vote among the tied decides",
                            post.label_en(),
                            among.len()
                        ),
                    );
                    for (person, v) in &contenders {
                        self.decide(post, person, *v, Verdict::InTieVote, reason.clone());
                    }
                    self.tie_votes.push(TieVote {
                        post,
                        among,
                        seats: remaining.min(contenders.len() as u32),
                        reason,
                    });
                    awaiting_tie = fits;
                    remaining = 0;
                }
            }
        }
        remaining
    }

    fn relatives_among(&self, people: &[(EntityId, u32)]) -> bool {
        self.ctx.composition.close_relatives_barred
            && people.iter().enumerate().any(|(i, a)| {
                people[i + 1..]
                    .iter()
                    .any(|b| self.ctx.kinship.are_close_relatives(&a.0, &b.0))
            })
    }

    /// The tied contenders ordered by a recorded tie vote among exactly them, if that vote is
    /// itself decisive: `(person, round votes, tie-vote votes)`.
    fn tie_break_order(
        &self,
        post: PostTitle,
        contenders: &[(EntityId, u32)],
        remaining: u32,
    ) -> Option<Vec<(EntityId, u32, u32)>> {
        let wanted: BTreeSet<&EntityId> = contenders.iter().map(|c| &c.0).collect();
        let tb = self.tie_breaks.iter().find(|tb| {
            tb.post == post && tb.votes.iter().map(|v| &v.person).collect::<BTreeSet<_>>() == wanted
        })?;
        let mut order: Vec<(EntityId, u32, u32)> = contenders
            .iter()
            .map(|(p, v)| {
                let t = tb
                    .votes
                    .iter()
                    .filter(|x| &x.person == p)
                    .map(|x| x.votes)
                    .sum();
                (p.clone(), *v, t)
            })
            .collect();
        order.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        let r = remaining as usize;
        let decisive = if order.len() > r {
            order[r - 1].2 > order[r].2
        } else {
            order.windows(2).all(|w| w[0].2 > w[1].2)
        };
        decisive.then_some(order)
    }

    fn leave_vacant(&mut self, post: PostTitle, seats: u32, women_only: bool) {
        if seats == 0 {
            return;
        }
        let reason = Reason::new(
            "tally.unfilled",
            format!("{}尚缺{seats}名", post.label_zh()),
            format!("{}: {seats} seat(s) unfilled", post.label_en()),
        );
        self.vacancies.push(Vacancy {
            post,
            seats,
            women_only,
            reason,
        });
    }

    fn woman_seated(&self) -> bool {
        self.seated.iter().any(|s| is_woman(self.ctx, &s.person))
    }

    /// Step 4 (women, first round): if no woman is seated, one seat must still go to a woman —
    /// a vacancy becomes a women's seat on the re-run ballot; if every seat is filled, the
    /// member with the fewest votes gives way to the woman member candidate with the most
    /// votes above the threshold (or the seat goes to the re-run as a women's seat).
    fn make_room_for_a_woman(&mut self, votes: &[PostVotes]) {
        if !self.ctx.composition.woman_required || self.woman_seated() {
            return;
        }
        if self.vacancies.iter().any(|v| v.women_only) {
            return;
        }
        let women_seat_reason = Reason::new(
            "tally.woman_member",
            "委员会成员中应当有妇女成员；此名额在另行选举中只能由妇女当选",
            "the committee must include a woman; this seat is reserved for a woman in the re-run",
        );
        // A vacancy exists: reserve one seat of the lowest post for a woman.
        if let Some(i) = self.vacancies.iter().rposition(|v| !v.women_only) {
            let post = self.vacancies[i].post;
            self.vacancies[i].seats -= 1;
            if self.vacancies[i].seats == 0 {
                self.vacancies.remove(i);
            }
            self.vacancies.push(Vacancy {
                post,
                seats: 1,
                women_only: true,
                reason: women_seat_reason,
            });
            return;
        }
        if !self.ctx.rules.lowest_member_yields_to_woman {
            return;
        }
        let members: Vec<Seat> = self
            .seated
            .iter()
            .filter(|s| s.post == PostTitle::Member)
            .cloned()
            .collect();
        let Some(fewest) = members.iter().map(|s| s.votes).min() else {
            return;
        };
        let lowest: Vec<(EntityId, u32)> = members
            .iter()
            .filter(|s| s.votes == fewest)
            .map(|s| (s.person.clone(), s.votes))
            .collect();
        // Among members tied on the fewest votes, a tie vote decides who gives way: the one
        // ranked last by it.
        let yielder = if lowest.len() == 1 {
            lowest[0].0.clone()
        } else {
            match self.tie_break_order(PostTitle::Member, &lowest, lowest.len() as u32 - 1) {
                Some(order) => order.last().expect("two or more tied").0.clone(),
                None => {
                    let reason = Reason::new(
                        "tally.woman_member",
                        format!(
                            "没有妇女当选；得票最少的{}名委员得票相同，应重新投票确定由谁让位",
                            lowest.len()
                        ),
                        format!(
                            "no woman elected; {} members tie on the fewest votes, so a new vote among them decides who gives way",
                            lowest.len()
                        ),
                    );
                    self.tie_votes.push(TieVote {
                        post: PostTitle::Member,
                        among: lowest.iter().map(|l| l.0.clone()).collect(),
                        seats: lowest.len() as u32 - 1,
                        reason,
                    });
                    return;
                }
            }
        };
        self.seated.retain(|s| s.person != yielder);
        let gave_way = Reason::new(
            "tally.woman_member",
            format!("没有妇女当选，得票{fewest}为委员中最少，让位于妇女成员"),
            format!(
                "no woman was elected; with {fewest} votes, the fewest among members, gives way to a woman"
            ),
        );
        self.decide(
            PostTitle::Member,
            &yielder,
            fewest,
            Verdict::GaveWayToWoman,
            gave_way,
        );
        let women: Vec<(EntityId, u32)> =
            ranked_votes(PostTitle::Member, votes, self.ctx.rules.cascade_votes_down)
                .into_iter()
                .filter(|(p, _)| p != &yielder && is_woman(self.ctx, p))
                .collect();
        let left = self.fill(PostTitle::Member, 1, true, &women);
        if left > 0 {
            self.vacancies.push(Vacancy {
                post: PostTitle::Member,
                seats: 1,
                women_only: true,
                reason: women_seat_reason,
            });
        }
    }

    fn finish(mut self, validity: Reason, stage: Stage) -> RoundResult {
        let ctx = self.ctx;
        let pending = !self.tie_votes.is_empty();
        let mut next = Vec::new();
        let mut findings = Vec::new();
        let step = match stage {
            Stage::FirstRound => StepCode::V18,
            Stage::Rerun => StepCode::V19,
        };
        if pending {
            next.push(Reason::new(
                "tally.boundary_tie",
                "就得票相同者重新投票后，再确定当选人并检查成员结构",
                "hold the tie votes, then the winners and the committee's composition are settled",
            ));
        } else {
            let final_round = stage == Stage::Rerun || self.vacancies.is_empty();
            if ctx.composition.woman_required && !self.woman_seated() && final_round {
                findings.push(Breach::new(
                    BreachClass::Compliance,
                    Some(step),
                    Reason::new(
                        "tally.woman_member",
                        "委员会成员中没有妇女，不符合法定结构，须补选妇女成员",
                        "no woman on the committee: a woman member must still be elected",
                    ),
                ));
            }
            let minority = self
                .seated
                .iter()
                .any(|s| ctx.people.get(&s.person).is_some_and(|p| p.minority));
            if ctx.multi_ethnic && !minority {
                let reason = Reason::new(
                    "tally.minority_member",
                    "多民族居住的村（社区），委员会中应当有人数较少的民族的成员",
                    "several ethnic groups live here: the committee must include a member of the smaller group(s)",
                );
                if final_round {
                    findings.push(Breach::new(BreachClass::Compliance, Some(step), reason));
                } else {
                    next.push(reason);
                }
            }
            if !self.vacancies.is_empty() {
                match stage {
                    Stage::FirstRound => next.push(Reason::new(
                        "tally.rerun",
                        "未选足的名额另行选举，得票多且不少于选票数三分之一者当选",
                        "unfilled seats go to a re-run: the most votes wins, with at least one third of the ballots",
                    )),
                    Stage::Rerun => next.extend(unfilled_options(&self.seated, ctx.rules)),
                }
            }
        }
        let mut decisions = std::mem::take(&mut self.decisions);
        decisions.sort_by(|a, b| {
            (a.post, std::cmp::Reverse(a.votes), &a.person).cmp(&(
                b.post,
                std::cmp::Reverse(b.votes),
                &b.person,
            ))
        });
        RoundResult::Counted(Outcome {
            validity,
            decisions,
            tie_votes: self.tie_votes,
            vacancies: self.vacancies,
            findings,
            next,
        })
    }
}

/// Step 6 — options for seats still empty after the re-run [T].
fn unfilled_options(seated: &[Seat], rules: &TallyRules) -> Vec<Reason> {
    let n = seated.len() as u32;
    let mut options = Vec::new();
    if n >= rules.min_seated_to_leave_vacant {
        options.push(Reason::new(
            "tally.vacancy_may_stay",
            format!(
                "已当选{n}名，不少于{}名，空缺职位可以暂缺",
                rules.min_seated_to_leave_vacant
            ),
            format!(
                "{n} members seated (at least {}): the empty posts may stay vacant",
                rules.min_seated_to_leave_vacant
            ),
        ));
    }
    let chair = seated.iter().any(|s| s.post == PostTitle::Chair);
    let vice = seated.iter().any(|s| s.post == PostTitle::ViceChair);
    if !chair && vice {
        options.push(Reason::new(
            "tally.vice_chair_presides",
            "主任暂缺，由副主任主持工作",
            "the chair is vacant: a vice-chair presides",
        ));
    }
    let days = rules.further_election_within_days;
    options.push(Reason::new(
        "tally.further_election",
        format!("空缺名额应在{days}日内再行选举"),
        format!("hold a further election for the empty seats within {days} days"),
    ));
    options
}

fn is_woman(ctx: &TallyContext, person: &EntityId) -> bool {
    ctx.people.get(person).is_some_and(|p| p.sex == Sex::Female)
}

/// Seats per post in rank order, duplicates merged.
fn merge_seats(seats: impl Iterator<Item = (PostTitle, u32, bool)>) -> Vec<(PostTitle, u32, bool)> {
    let mut merged: BTreeMap<(PostTitle, bool), u32> = BTreeMap::new();
    for (post, n, women_only) in seats {
        *merged.entry((post, women_only)).or_default() += n;
    }
    merged
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|((post, women_only), n)| (post, n, women_only))
        .collect()
}

/// Votes counted for `post`, per person, most first (ties by id so the order never depends on
/// input order): the post's own votes, plus higher posts' votes when they cascade.
fn ranked_votes(post: PostTitle, votes: &[PostVotes], cascade: bool) -> Vec<(EntityId, u32)> {
    let mut total: BTreeMap<EntityId, u32> = BTreeMap::new();
    for pv in votes {
        let counts = pv.post == post || (cascade && pv.post.level() < post.level());
        if counts {
            for cv in &pv.votes {
                // Saturating: absurd counts from a corrupt or forged record are caught by the
                // tally's checks against the ballots, not by a crash here.
                let sum = total.entry(cv.person.clone()).or_default();
                *sum = sum.saturating_add(cv.votes);
            }
        }
    }
    let mut ranked: Vec<(EntityId, u32)> = total.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

#[cfg(test)]
mod tests {

    #[test]
    fn cascaded_votes_past_u32_saturate_instead_of_crashing() {
        // Found by `cargo test -p cunju-fuzz` (a_short_seeded_run_finds_nothing).
        let person: EntityId = "person:p1".parse().unwrap();
        let votes = [PostTitle::Chair, PostTitle::Member].map(|post| PostVotes {
            post,
            votes: vec![CandidateVotes {
                person: person.clone(),
                votes: u32::MAX,
            }],
        });
        assert_eq!(
            ranked_votes(PostTitle::Member, &votes, true),
            [(person, u32::MAX)]
        );
    }
    use super::*;
    use crate::event::Relation;

    fn p(name: &str) -> EntityId {
        format!("person:{name}").parse().unwrap()
    }

    fn village() -> CompositionRules {
        CompositionRules {
            min_members: 3,
            max_members: 7,
            woman_required: true,
            close_relatives_barred: true,
        }
    }

    /// People, relatives and rules for one test; everyone named `w…` is a woman.
    struct Setup {
        rules: TallyRules,
        composition: CompositionRules,
        multi_ethnic: bool,
        people: BTreeMap<EntityId, Profile>,
        kinship: Kinship,
    }

    impl Setup {
        fn new(names: &[&str]) -> Setup {
            let people = names
                .iter()
                .map(|n| {
                    let sex = if n.starts_with('w') {
                        Sex::Female
                    } else {
                        Sex::Male
                    };
                    (
                        p(n),
                        Profile {
                            sex,
                            minority: n.ends_with("_min"),
                        },
                    )
                })
                .collect();
            Setup {
                rules: TallyRules::default(),
                composition: village(),
                multi_ethnic: false,
                people,
                kinship: Kinship::default(),
            }
        }

        fn relatives(mut self, pairs: &[(&str, &str, Relation)]) -> Setup {
            self.kinship = Kinship::new(
                pairs.iter().map(|(a, b, r)| (p(a), p(b), *r)),
                std::iter::empty(),
            );
            self
        }

        fn ctx(&self) -> TallyContext<'_> {
            TallyContext {
                rules: &self.rules,
                composition: self.composition,
                multi_ethnic: self.multi_ethnic,
                people: &self.people,
                kinship: &self.kinship,
            }
        }
    }

    fn direct(registered: u32, voted: u32, ballots: u32) -> Turnout {
        Turnout {
            mode: ElectoralMode::Direct,
            registered: Registered {
                voters: registered,
                ..Registered::default()
            },
            voted,
            ballots,
        }
    }

    fn votes(post: PostTitle, list: &[(&str, u32)]) -> PostVotes {
        PostVotes {
            post,
            votes: list
                .iter()
                .map(|(n, v)| CandidateVotes {
                    person: p(n),
                    votes: *v,
                })
                .collect(),
        }
    }

    fn round(turnout: Turnout, posts: Vec<PostVotes>) -> Round {
        Round {
            turnout,
            votes: posts,
            tie_breaks: Vec::new(),
        }
    }

    fn seats(list: &[(PostTitle, u32)]) -> Vec<Seats> {
        list.iter()
            .map(|&(post, count)| Seats { post, count })
            .collect()
    }

    fn counted(result: RoundResult) -> Outcome {
        match result {
            RoundResult::Counted(o) => o,
            RoundResult::Invalid(b) => panic!("round invalid: {}", b.message_en),
        }
    }

    fn elected(o: &Outcome) -> Vec<String> {
        o.elected()
            .map(|d| d.person.as_str().trim_start_matches("person:").to_string())
            .collect()
    }

    fn verdict(o: &Outcome, post: PostTitle, name: &str) -> Verdict {
        o.decisions
            .iter()
            .find(|d| d.post == post && d.person == p(name))
            .unwrap_or_else(|| panic!("no decision for {name}"))
            .verdict
            .clone()
    }

    use PostTitle::*;

    #[test]
    fn plan_seats_must_fit_the_committee_size() {
        let c = village();
        assert!(check_plan_seats(&seats(&[(Chair, 1), (Member, 2)]), &c).is_ok());
        assert!(check_plan_seats(&seats(&[(Chair, 1), (ViceChair, 2), (Member, 4)]), &c).is_ok());
        assert_eq!(
            check_plan_seats(&seats(&[(Chair, 1), (Member, 1)]), &c)
                .unwrap_err()
                .rule,
            "V03.committee_size"
        );
        assert!(check_plan_seats(&seats(&[(Chair, 1), (ViceChair, 2), (Member, 5)]), &c).is_err());
        assert_eq!(
            check_plan_seats(&seats(&[(Member, 3)]), &c)
                .unwrap_err()
                .rule,
            "V03.one_chair"
        );
    }

    // ---- Step 1: round validity ------------------------------------------------------------

    #[test]
    fn more_ballots_than_voters_invalidates_the_round() {
        let err = round_validity(&direct(100, 60, 61), StepCode::V18).unwrap_err();
        assert_eq!(err.class, BreachClass::InvalidRound);
        assert_eq!(err.rule, "tally.ballots_exceed_voters");
        assert!(round_validity(&direct(100, 60, 60), StepCode::V18).is_ok());
    }

    #[test]
    fn turnout_exactly_half_is_invalid() {
        let err = round_validity(&direct(100, 50, 50), StepCode::V18).unwrap_err();
        assert_eq!(err.class, BreachClass::InvalidRound);
        assert_eq!(err.rule, "tally.turnout_majority");
        assert_eq!(err.step, Some(StepCode::V18));
        // And through the full first round.
        let s = Setup::new(&["a"]);
        let r = round(direct(100, 50, 50), vec![votes(Chair, &[("a", 50)])]);
        assert!(matches!(
            decide_first_round(&seats(&[(Chair, 1)]), &r, &s.ctx()),
            RoundResult::Invalid(_)
        ));
    }

    #[test]
    fn turnout_one_more_than_half_is_valid() {
        let ok = round_validity(&direct(100, 51, 51), StepCode::V18).unwrap();
        assert_eq!(ok.rule, "tally.turnout_majority");
        // Odd R: 51 of 101 is not more than half (102 > 101 is), 50 of 101 is not.
        assert!(round_validity(&direct(101, 51, 51), StepCode::V18).is_ok());
        assert!(round_validity(&direct(101, 50, 50), StepCode::V18).is_err());
    }

    #[test]
    fn household_mode_counts_turnout_against_registered_households() {
        let registered = Registered {
            voters: 1000,
            households: 300,
            group_representatives: 40,
        };
        let t = |mode, voted| Turnout {
            mode,
            registered,
            voted,
            ballots: voted,
        };
        assert!(round_validity(&t(ElectoralMode::Household, 151), StepCode::V18).is_ok());
        let err = round_validity(&t(ElectoralMode::Household, 150), StepCode::V18).unwrap_err();
        assert!(err.message_zh.contains("登记户300"), "{}", err.message_zh);
        assert!(round_validity(&t(ElectoralMode::Direct, 151), StepCode::V18).is_err());
        assert!(round_validity(&t(ElectoralMode::GroupReps, 21), StepCode::V18).is_ok());
        assert!(round_validity(&t(ElectoralMode::GroupReps, 20), StepCode::V18).is_err());
    }

    // ---- Step 3: first-round winners -------------------------------------------------------

    #[test]
    fn winner_with_exactly_half_is_not_elected() {
        let s = Setup::new(&["a", "b"]);
        let r = round(
            direct(150, 100, 100),
            vec![votes(Chair, &[("a", 50), ("b", 45)])],
        );
        let o = counted(decide_first_round(&seats(&[(Chair, 1)]), &r, &s.ctx()));
        assert_eq!(verdict(&o, Chair, "a"), Verdict::BelowThreshold);
        assert_eq!(o.vacancies.len(), 1);
        assert_eq!(o.vacancies[0].post, Chair);
        assert_eq!(o.next[0].rule, "tally.rerun");
    }

    #[test]
    fn winner_with_one_more_than_half_is_elected() {
        let s = Setup::new(&["a", "b"]);
        let r = round(
            direct(150, 100, 100),
            vec![votes(Chair, &[("a", 51), ("b", 45)])],
        );
        let o = counted(decide_first_round(&seats(&[(Chair, 1)]), &r, &s.ctx()));
        assert_eq!(elected(&o), ["a"]);
        let d = &o.decisions[0];
        assert_eq!(d.reason.rule, "tally.first_round_majority");
        assert!(d.reason.zh.contains("超过投票人数100的半数"));
    }

    #[test]
    fn only_the_top_candidates_up_to_the_seats_are_elected() {
        let s = Setup::new(&["a", "b", "c", "w"]);
        let r = round(
            direct(150, 100, 100),
            vec![votes(Member, &[("a", 90), ("w", 80), ("b", 70), ("c", 60)])],
        );
        let o = counted(decide_first_round(&seats(&[(Member, 2)]), &r, &s.ctx()));
        assert_eq!(elected(&o), ["a", "w"]);
        assert_eq!(verdict(&o, Member, "b"), Verdict::NoSeatLeft);
        assert!(o.vacancies.is_empty() && o.findings.is_empty());
    }

    #[test]
    fn tie_for_the_last_seat_calls_a_tie_vote_among_the_tied_only() {
        let s = Setup::new(&["a", "b", "c", "d", "w"]);
        let r = round(
            direct(150, 100, 100),
            vec![votes(
                Member,
                &[("a", 80), ("b", 70), ("c", 70), ("d", 60), ("w", 75)],
            )],
        );
        let o = counted(decide_first_round(&seats(&[(Member, 3)]), &r, &s.ctx()));
        assert_eq!(elected(&o), ["a", "w"]);
        assert_eq!(o.tie_votes.len(), 1);
        assert_eq!(o.tie_votes[0].among, [p("b"), p("c")]);
        assert_eq!(o.tie_votes[0].seats, 1);
        assert_eq!(verdict(&o, Member, "b"), Verdict::InTieVote);
        assert_eq!(verdict(&o, Member, "d"), Verdict::NoSeatLeft);
        assert!(o.vacancies.is_empty(), "the seat is held for the tie vote");
    }

    #[test]
    fn tie_above_the_boundary_elects_both() {
        let s = Setup::new(&["a", "b", "c", "w"]);
        let r = round(
            direct(150, 100, 100),
            vec![votes(Member, &[("a", 80), ("b", 80), ("w", 70), ("c", 60)])],
        );
        let o = counted(decide_first_round(&seats(&[(Member, 3)]), &r, &s.ctx()));
        assert_eq!(elected(&o), ["a", "b", "w"]);
        assert!(o.tie_votes.is_empty());
    }

    #[test]
    fn tie_vote_result_settles_the_last_seat() {
        let s = Setup::new(&["a", "b", "c", "w"]);
        let mut r = round(
            direct(150, 100, 100),
            vec![votes(Member, &[("w", 80), ("b", 70), ("c", 70)])],
        );
        r.tie_breaks.push(TieBreak {
            post: Member,
            votes: vec![
                CandidateVotes {
                    person: p("c"),
                    votes: 55,
                },
                CandidateVotes {
                    person: p("b"),
                    votes: 40,
                },
            ],
        });
        let o = counted(decide_first_round(&seats(&[(Member, 2)]), &r, &s.ctx()));
        assert_eq!(elected(&o), ["w", "c"]);
        assert_eq!(verdict(&o, Member, "b"), Verdict::NoSeatLeft);
        // A tie vote that ties again settles nothing.
        r.tie_breaks[0].votes[0].votes = 40;
        let o = counted(decide_first_round(&seats(&[(Member, 2)]), &r, &s.ctx()));
        assert_eq!(o.tie_votes.len(), 1);
    }

    #[test]
    fn votes_cascade_down_only_when_configured() {
        let mut s = Setup::new(&["x", "y", "z", "w"]);
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("y", 70), ("x", 40)]),
                votes(Member, &[("w", 60), ("z", 45), ("x", 20)]),
            ],
        );
        let plan = seats(&[(Chair, 1), (Member, 2)]);
        let o = counted(decide_first_round(&plan, &r, &s.ctx()));
        assert_eq!(elected(&o), ["y", "w"]);
        assert_eq!(o.vacancies[0].seats, 1);
        s.rules.cascade_votes_down = true;
        let o = counted(decide_first_round(&plan, &r, &s.ctx()));
        assert_eq!(elected(&o), ["y", "w", "x"], "x: 40 + 20 = 60 for 委员");
        assert_eq!(verdict(&o, Member, "y"), Verdict::AlreadyElected);
    }

    // ---- Step 4: composition ---------------------------------------------------------------

    #[test]
    fn close_relative_ranked_lower_steps_aside_and_the_next_moves_up() {
        let s = Setup::new(&["chair", "b", "c", "d", "w"]).relatives(&[(
            "b",
            "chair",
            Relation::Spouse,
        )]);
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("chair", 70)]),
                votes(Member, &[("b", 80), ("w", 65), ("c", 60), ("d", 40)]),
            ],
        );
        let o = counted(decide_first_round(
            &seats(&[(Chair, 1), (Member, 2)]),
            &r,
            &s.ctx(),
        ));
        // b has more votes than the chair, but the chair ranks higher: b steps aside.
        assert_eq!(
            verdict(&o, Member, "b"),
            Verdict::SteppedAside {
                because_of: p("chair")
            }
        );
        assert_eq!(elected(&o), ["chair", "w", "c"]);
        let b = o.decisions.iter().find(|d| d.person == p("b")).unwrap();
        assert_eq!(b.reason.rule, "tally.close_relatives");
        assert!(b.reason.zh.contains("配偶"), "{}", b.reason.zh);
    }

    #[test]
    fn the_next_one_moving_up_still_needs_more_than_half() {
        let s =
            Setup::new(&["chair", "b", "d", "w"]).relatives(&[("chair", "b", Relation::Sibling)]);
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("chair", 70)]),
                votes(Member, &[("b", 80), ("w", 65), ("d", 50)]),
            ],
        );
        let o = counted(decide_first_round(
            &seats(&[(Chair, 1), (Member, 2)]),
            &r,
            &s.ctx(),
        ));
        assert_eq!(elected(&o), ["chair", "w"]);
        assert_eq!(verdict(&o, Member, "d"), Verdict::BelowThreshold);
        assert_eq!(o.vacancies[0].seats, 1);
    }

    #[test]
    fn of_two_relatives_on_one_post_the_one_with_fewer_votes_steps_aside() {
        let s = Setup::new(&["b", "c", "d", "w"]).relatives(&[("c", "b", Relation::Parent)]);
        let r = round(
            direct(150, 100, 100),
            vec![votes(Member, &[("b", 80), ("w", 75), ("c", 70), ("d", 60)])],
        );
        let o = counted(decide_first_round(&seats(&[(Member, 3)]), &r, &s.ctx()));
        assert_eq!(elected(&o), ["b", "w", "d"]);
        assert_eq!(
            verdict(&o, Member, "c"),
            Verdict::SteppedAside { because_of: p("b") }
        );
    }

    #[test]
    fn relatives_may_sit_together_where_the_pack_does_not_bar_them() {
        let mut s = Setup::new(&["b", "c", "w"]).relatives(&[("c", "b", Relation::Parent)]);
        s.composition.close_relatives_barred = false;
        let r = round(
            direct(150, 100, 100),
            vec![votes(Member, &[("b", 80), ("w", 75), ("c", 70)])],
        );
        let o = counted(decide_first_round(&seats(&[(Member, 3)]), &r, &s.ctx()));
        assert_eq!(elected(&o), ["b", "w", "c"]);
    }

    #[test]
    fn with_no_woman_elected_the_member_with_fewest_votes_gives_way() {
        let s = Setup::new(&["chair", "m2", "m3", "m4", "w1", "w2"]);
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("chair", 55)]),
                votes(
                    Member,
                    &[("m2", 80), ("m3", 70), ("m4", 60), ("w1", 58), ("w2", 52)],
                ),
            ],
        );
        let o = counted(decide_first_round(
            &seats(&[(Chair, 1), (Member, 3)]),
            &r,
            &s.ctx(),
        ));
        // The chair has the fewest votes of all, but only a 委员 gives way.
        assert_eq!(elected(&o), ["chair", "m2", "m3", "w1"]);
        assert_eq!(verdict(&o, Member, "m4"), Verdict::GaveWayToWoman);
        assert_eq!(verdict(&o, Member, "w2"), Verdict::NoSeatLeft);
        assert!(o.findings.is_empty() && o.vacancies.is_empty());
    }

    #[test]
    fn with_no_woman_above_the_threshold_the_seat_goes_to_the_rerun_for_women() {
        let s = Setup::new(&["chair", "m2", "m3", "w1"]);
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("chair", 55)]),
                votes(Member, &[("m2", 80), ("m3", 70), ("w1", 40)]),
            ],
        );
        let o = counted(decide_first_round(
            &seats(&[(Chair, 1), (Member, 2)]),
            &r,
            &s.ctx(),
        ));
        assert_eq!(elected(&o), ["chair", "m2"]);
        assert_eq!(verdict(&o, Member, "m3"), Verdict::GaveWayToWoman);
        assert_eq!(o.vacancies.len(), 1);
        assert!(o.vacancies[0].women_only);
        let ballots = rerun_ballots(&o, &s.ctx());
        assert_eq!(ballots[0].candidates, [p("w1")]);
        assert!(ballots[0].reason.zh.contains("无法差额"));
    }

    #[test]
    fn women_seat_rule_can_be_report_only() {
        let mut s = Setup::new(&["chair", "m2", "m3", "w1"]);
        s.rules.lowest_member_yields_to_woman = false;
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("chair", 55)]),
                votes(Member, &[("m2", 80), ("m3", 70), ("w1", 60)]),
            ],
        );
        let o = counted(decide_first_round(
            &seats(&[(Chair, 1), (Member, 2)]),
            &r,
            &s.ctx(),
        ));
        assert_eq!(elected(&o), ["chair", "m2", "m3"]);
        assert_eq!(o.findings[0].class, BreachClass::Compliance);
        assert_eq!(o.findings[0].rule, "tally.woman_member");
    }

    #[test]
    fn with_seats_left_and_no_woman_one_rerun_seat_is_reserved_for_women() {
        let s = Setup::new(&["chair", "m2", "m3", "w1"]);
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("chair", 55)]),
                votes(Member, &[("m2", 80), ("m3", 45), ("w1", 40)]),
            ],
        );
        let o = counted(decide_first_round(
            &seats(&[(Chair, 1), (Member, 3)]),
            &r,
            &s.ctx(),
        ));
        assert_eq!(elected(&o), ["chair", "m2"]);
        let mut v: Vec<(u32, bool)> = o
            .vacancies
            .iter()
            .map(|v| (v.seats, v.women_only))
            .collect();
        v.sort();
        assert_eq!(v, [(1, false), (1, true)]);
        assert!(o.findings.is_empty(), "the re-run can still seat a woman");
    }

    #[test]
    fn a_reserved_womens_seat_counts_only_women() {
        let s = Setup::new(&["m1", "w1", "w2"]);
        let r = round(
            direct(150, 100, 100),
            vec![votes(WomenMember, &[("m1", 90), ("w1", 60), ("w2", 55)])],
        );
        let o = counted(decide_first_round(
            &seats(&[(WomenMember, 1)]),
            &r,
            &s.ctx(),
        ));
        assert_eq!(elected(&o), ["w1"]);
        assert_eq!(
            verdict(&o, WomenMember, "m1"),
            Verdict::NotEligibleForWomensSeat
        );
    }

    #[test]
    fn a_multi_ethnic_village_without_a_minority_member_is_flagged() {
        let mut s = Setup::new(&["a", "w", "c_min"]);
        s.multi_ethnic = true;
        let r = round(
            direct(150, 100, 100),
            vec![votes(Member, &[("a", 80), ("w", 75), ("c_min", 30)])],
        );
        let o = counted(decide_first_round(&seats(&[(Member, 2)]), &r, &s.ctx()));
        assert_eq!(o.findings.len(), 1);
        assert_eq!(o.findings[0].rule, "tally.minority_member");
        assert_eq!(o.findings[0].class, BreachClass::Compliance);
        let r = round(
            direct(150, 100, 100),
            vec![votes(Member, &[("a", 80), ("w", 75), ("c_min", 70)])],
        );
        let o = counted(decide_first_round(&seats(&[(Member, 3)]), &r, &s.ctx()));
        assert!(o.findings.is_empty());
    }

    // ---- Step 5–6: the re-run --------------------------------------------------------------

    /// First round: chair a (60) elected; members w (70) elected, b (45), c (40), d (30)
    /// below half; one member seat left for the re-run.
    fn first_round_with_one_member_seat_left(s: &Setup) -> Outcome {
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("a", 60)]),
                votes(Member, &[("w", 70), ("b", 45), ("c", 40), ("d", 30)]),
            ],
        );
        counted(decide_first_round(
            &seats(&[(Chair, 1), (Member, 2)]),
            &r,
            &s.ctx(),
        ))
    }

    #[test]
    fn rerun_candidates_are_the_non_elected_in_first_round_order_one_more_than_seats() {
        let s = Setup::new(&["a", "b", "c", "d", "w"]);
        let first = first_round_with_one_member_seat_left(&s);
        let ballots = rerun_ballots(&first, &s.ctx());
        assert_eq!(ballots.len(), 1);
        assert_eq!(ballots[0].seats, 1);
        assert_eq!(ballots[0].candidates, [p("b"), p("c")]);
    }

    #[test]
    fn rerun_winner_at_exactly_one_third_is_elected() {
        let s = Setup::new(&["a", "b", "c", "d", "w"]);
        let first = first_round_with_one_member_seat_left(&s);
        let rerun = round(
            direct(150, 90, 90),
            vec![votes(Member, &[("b", 30), ("c", 29)])],
        );
        let o = counted(decide_rerun(&first, &rerun, &s.ctx()));
        assert_eq!(elected(&o), ["b"]);
        assert_eq!(o.decisions[0].reason.rule, "tally.rerun_one_third");
        assert!(o.vacancies.is_empty());
    }

    #[test]
    fn rerun_winner_below_one_third_is_not() {
        let s = Setup::new(&["a", "b", "c", "d", "w"]);
        let first = first_round_with_one_member_seat_left(&s);
        let rerun = round(
            direct(150, 90, 90),
            vec![votes(Member, &[("b", 29), ("c", 28)])],
        );
        let o = counted(decide_rerun(&first, &rerun, &s.ctx()));
        assert_eq!(elected(&o), Vec::<String>::new());
        assert_eq!(verdict(&o, Member, "b"), Verdict::BelowThreshold);
        assert_eq!(o.vacancies[0].seats, 1);
    }

    #[test]
    fn rerun_denominator_is_ballots_collected_not_voters() {
        // 90 voted, 84 ballots collected: 28 votes is one third of the ballots.
        let s = Setup::new(&["a", "b", "c", "d", "w"]);
        let first = first_round_with_one_member_seat_left(&s);
        let rerun = round(
            direct(150, 90, 84),
            vec![votes(Member, &[("b", 28), ("c", 20)])],
        );
        assert_eq!(
            elected(&counted(decide_rerun(&first, &rerun, &s.ctx()))),
            ["b"]
        );
    }

    #[test]
    fn rerun_needs_more_than_half_to_vote_unless_configured_otherwise() {
        let mut s = Setup::new(&["a", "b", "c", "d", "w"]);
        let first = first_round_with_one_member_seat_left(&s);
        let rerun = round(direct(150, 75, 75), vec![votes(Member, &[("b", 40)])]);
        let RoundResult::Invalid(b) = decide_rerun(&first, &rerun, &s.ctx()) else {
            panic!("expected an invalid re-run");
        };
        assert_eq!(b.step, Some(StepCode::V19));
        s.rules.rerun_needs_turnout = false;
        assert_eq!(
            elected(&counted(decide_rerun(&first, &rerun, &s.ctx()))),
            ["b"]
        );
        // More ballots than voters is never accepted.
        let stuffed = round(direct(150, 75, 76), vec![votes(Member, &[("b", 40)])]);
        assert!(matches!(
            decide_rerun(&first, &stuffed, &s.ctx()),
            RoundResult::Invalid(_)
        ));
    }

    #[test]
    fn rerun_winner_who_is_a_close_relative_of_a_member_steps_aside() {
        let s = Setup::new(&["a", "b", "c", "d", "w"]).relatives(&[("b", "a", Relation::Child)]);
        let first = first_round_with_one_member_seat_left(&s);
        let rerun = round(
            direct(150, 90, 90),
            vec![votes(Member, &[("b", 50), ("c", 35)])],
        );
        let o = counted(decide_rerun(&first, &rerun, &s.ctx()));
        assert_eq!(
            verdict(&o, Member, "b"),
            Verdict::SteppedAside { because_of: p("a") }
        );
        assert_eq!(elected(&o), ["c"]);
    }

    #[test]
    fn seats_unfilled_after_the_rerun_come_with_the_step_6_options() {
        let s = Setup::new(&["a", "b", "v", "w", "x"]);
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("a", 45), ("b", 40)]),
                votes(ViceChair, &[("v", 60)]),
                votes(Member, &[("w", 70), ("x", 65)]),
            ],
        );
        let first = counted(decide_first_round(
            &seats(&[(Chair, 1), (ViceChair, 1), (Member, 2)]),
            &r,
            &s.ctx(),
        ));
        assert_eq!(elected(&first), ["v", "w", "x"]);
        let rerun = round(
            direct(150, 90, 90),
            vec![votes(Chair, &[("a", 29), ("b", 28)])],
        );
        let o = counted(decide_rerun(&first, &rerun, &s.ctx()));
        assert_eq!(o.vacancies[0].post, Chair);
        let rules: Vec<&str> = o.next.iter().map(|r| r.rule).collect();
        assert_eq!(
            rules,
            [
                "tally.vacancy_may_stay",
                "tally.vice_chair_presides",
                "tally.further_election"
            ]
        );
    }

    #[test]
    fn a_womens_seat_still_empty_stays_women_only_in_the_rerun() {
        let s = Setup::new(&["chair", "m2", "m3", "w1", "w2"]);
        let r = round(
            direct(150, 100, 100),
            vec![
                votes(Chair, &[("chair", 55)]),
                votes(Member, &[("m2", 80), ("m3", 45), ("w1", 40), ("w2", 30)]),
            ],
        );
        let first = counted(decide_first_round(
            &seats(&[(Chair, 1), (Member, 3)]),
            &r,
            &s.ctx(),
        ));
        // Re-run: m3 leads, but one of the two seats is for a woman.
        let rerun = round(
            direct(150, 90, 90),
            vec![votes(Member, &[("m3", 60), ("w1", 35), ("w2", 31)])],
        );
        let o = counted(decide_rerun(&first, &rerun, &s.ctx()));
        assert_eq!(elected(&o), ["m3", "w1"]);
        assert!(o.findings.is_empty());
    }

    // ---- Invariants ------------------------------------------------------------------------

    mod props {
        use super::*;
        use proptest::prelude::*;

        const NAMES: [&str; 8] = ["a", "b", "c", "d", "w1", "w2", "w3", "e_min"];

        fn arb_round() -> impl Strategy<Value = (Vec<Seats>, Round)> {
            let post_votes = |post| {
                proptest::collection::vec((0..NAMES.len(), 0u32..120), 0..8).prop_map(move |vs| {
                    PostVotes {
                        post,
                        votes: vs
                            .into_iter()
                            .map(|(i, v)| CandidateVotes {
                                person: p(NAMES[i]),
                                votes: v,
                            })
                            .collect(),
                    }
                })
            };
            (
                1u32..3,
                0u32..3,
                1u32..5,
                post_votes(Chair),
                post_votes(ViceChair),
                post_votes(Member),
                60u32..121,
            )
                .prop_map(|(c, v, m, pc, pv, pm, voted)| {
                    let plan = seats(&[(Chair, c), (ViceChair, v), (Member, m)]);
                    (plan, round(direct(200, voted, voted), vec![pc, pv, pm]))
                })
        }

        fn setup() -> Setup {
            Setup::new(&NAMES)
                .relatives(&[("a", "b", Relation::Spouse), ("c", "w1", Relation::Parent)])
        }

        proptest! {
            #[test]
            fn never_more_winners_than_seats((plan, r) in arb_round(), cascade in any::<bool>()) {
                let mut s = setup();
                s.rules.cascade_votes_down = cascade;
                if let RoundResult::Counted(o) = decide_first_round(&plan, &r, &s.ctx()) {
                    for seat in &plan {
                        let n = o.elected().filter(|d| d.post == seat.post).count() as u32;
                        prop_assert!(n <= seat.count);
                    }
                    let people: BTreeSet<&EntityId> = o.elected().map(|d| &d.person).collect();
                    prop_assert_eq!(people.len(), o.elected().count(), "one post per person");
                    for d in o.elected() {
                        prop_assert!(2 * d.votes > r.turnout.voted);
                    }
                }
            }

            #[test]
            fn result_does_not_depend_on_input_order((plan, r) in arb_round(), seed in any::<u64>()) {
                let s = setup();
                let mut shuffled = r.clone();
                shuffled.votes.reverse();
                for (i, pv) in shuffled.votes.iter_mut().enumerate() {
                    let len = pv.votes.len();
                    if len > 1 {
                        pv.votes.rotate_left((seed as usize + i) % len);
                        pv.votes.reverse();
                    }
                }
                let mut plan2 = plan.clone();
                plan2.reverse();
                prop_assert_eq!(
                    decide_first_round(&plan, &r, &s.ctx()),
                    decide_first_round(&plan2, &shuffled, &s.ctx())
                );
            }

            #[test]
            fn no_seated_members_are_close_relatives((plan, r) in arb_round()) {
                let s = setup();
                if let RoundResult::Counted(o) = decide_first_round(&plan, &r, &s.ctx()) {
                    let seated: Vec<&EntityId> = o.elected().map(|d| &d.person).collect();
                    for (i, a) in seated.iter().enumerate() {
                        for b in &seated[i + 1..] {
                            prop_assert!(!s.kinship.are_close_relatives(a, b));
                        }
                    }
                }
            }
        }
    }
}
