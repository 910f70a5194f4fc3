//! Per-candidate verdicts (资格审查结论) with their reasons, the township party committee's
//! decisions on WARN hits (乡镇党委研究决定), the redacted view village devices get, and the
//! step from the preliminary to the formal candidate list (初步候选人 → 正式候选人, V08–V10).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::basic::{BasicCheck, is_computed};
use super::review::ReviewBatch;
use super::rule::{RuleId, RuleKind, RuleResult};
use crate::authz::Role;
use crate::ids::{EntityId, UserId};

/// The one thing every device may know about a candidate (§2.4 privacy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerdictCode {
    /// 审查通过 — may be a formal candidate.
    Clear,
    /// 不具备候选人资格
    NotEligible,
    /// 审查中 — answers missing, or signed off too late.
    Pending,
    /// 待乡镇党委研究 — a WARN hit without a recorded decision.
    NeedsDecision,
}

impl VerdictCode {
    pub fn label_zh(self) -> &'static str {
        match self {
            VerdictCode::Clear => "审查通过",
            VerdictCode::NotEligible => "不具备候选人资格",
            VerdictCode::Pending => "审查中",
            VerdictCode::NeedsDecision => "待乡镇党委研究决定",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            VerdictCode::Clear => "Eligible",
            VerdictCode::NotEligible => "Not eligible",
            VerdictCode::Pending => "Review pending",
            VerdictCode::NeedsDecision => "Awaiting township party committee decision",
        }
    }
}

/// What the township party committee decided on a WARN hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    /// 同意列为候选人
    Keep,
    /// 不宜列为候选人
    Remove,
}

/// 乡镇党委研究决定 — the recorded decision on one WARN hit. Counts only with a reason and
/// only if taken no later than the formal list's publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarnDecision {
    pub rule: RuleId,
    pub person: EntityId,
    pub outcome: DecisionOutcome,
    /// 理由 — required.
    pub reason: String,
    pub decided_on: NaiveDate,
    pub decided_by: UserId,
}

/// How one rule came out for the candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonStatus {
    Clear,
    NotApplicable,
    /// A HIT older than the rule's lookback, ignored.
    ClearOutsideLookback,
    Hit,
    Pending,
    /// Clear, but signed off after the formal list was published: does not count.
    SignedTooLate,
    /// WARN hit, no valid decision yet.
    NeedsDecision,
    KeptByDecision,
    RemovedByDecision,
}

impl ReasonStatus {
    fn label_zh(self) -> &'static str {
        match self {
            ReasonStatus::Clear => "通过",
            ReasonStatus::NotApplicable => "不适用",
            ReasonStatus::ClearOutsideLookback => "记录已超出追溯期，不予考虑",
            ReasonStatus::Hit => "命中",
            ReasonStatus::Pending => "待审查",
            ReasonStatus::SignedTooLate => "审查签署晚于正式候选人名单公布，不予认可",
            ReasonStatus::NeedsDecision => "命中，须乡镇党委研究决定",
            ReasonStatus::KeptByDecision => "命中，乡镇党委决定同意列为候选人",
            ReasonStatus::RemovedByDecision => "命中，乡镇党委决定不宜列为候选人",
        }
    }

    fn label_en(self) -> &'static str {
        match self {
            ReasonStatus::Clear => "clear",
            ReasonStatus::NotApplicable => "not applicable",
            ReasonStatus::ClearOutsideLookback => "record older than the lookback period, ignored",
            ReasonStatus::Hit => "hit",
            ReasonStatus::Pending => "pending",
            ReasonStatus::SignedTooLate => {
                "signed off after the formal list was published; does not count"
            }
            ReasonStatus::NeedsDecision => "hit; needs a township party committee decision",
            ReasonStatus::KeptByDecision => "hit; township party committee decided to keep",
            ReasonStatus::RemovedByDecision => "hit; township party committee decided to remove",
        }
    }

    /// The verdict this status alone would give.
    fn code(self) -> VerdictCode {
        match self {
            ReasonStatus::Clear
            | ReasonStatus::NotApplicable
            | ReasonStatus::ClearOutsideLookback
            | ReasonStatus::KeptByDecision => VerdictCode::Clear,
            ReasonStatus::Hit | ReasonStatus::RemovedByDecision => VerdictCode::NotEligible,
            ReasonStatus::Pending | ReasonStatus::SignedTooLate => VerdictCode::Pending,
            ReasonStatus::NeedsDecision => VerdictCode::NeedsDecision,
        }
    }
}

/// One line of a verdict: a rule and how it came out, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: RuleId,
    pub kind: RuleKind,
    pub status: ReasonStatus,
    pub zh: String,
    pub en: String,
}

/// 资格审查结论 — a candidate's verdict with one reason per rule checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub person: EntityId,
    pub code: VerdictCode,
    pub reasons: Vec<Reason>,
}

/// What one role may see of a verdict. Village devices get the code only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictView {
    pub person: EntityId,
    pub code: VerdictCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<Reason>>,
}

impl Verdict {
    /// The reasons that keep the verdict from CLEAR.
    pub fn blocking_reasons(&self) -> impl Iterator<Item = &Reason> {
        self.reasons
            .iter()
            .filter(|r| r.status.code() != VerdictCode::Clear)
    }

    /// The verdict as `role` may see it. Only the township supervisor (who compiles batches and
    /// takes WARN decisions) and the district admin see per-rule reasons; everyone else, above
    /// all a village official, sees the code only.
    pub fn redact_for(&self, role: Role) -> VerdictView {
        let reasons = match role {
            Role::TownshipSupervisor | Role::DistrictAdmin => Some(self.reasons.clone()),
            Role::VillageOfficial
            | Role::TownshipReviewer
            | Role::ReviewDepartment
            | Role::Trainer
            | Role::CityViewer => None,
        };
        VerdictView {
            person: self.person.clone(),
            code: self.code,
            reasons,
        }
    }
}

/// The verdict for `person` in `batch`.
///
/// Eligible (CLEAR) only when every HARD rule is CLEAR or NOT_APPLICABLE, signed off no later
/// than `formal_list_day` (V10, the day the formal list is published), and every WARN rule is
/// the same or a HIT with a valid decision to keep. A HIT always counts, however late it
/// arrives. Computed rules (B01, B03, B06) come from `basic`; without it they are pending.
/// The code is the worst of the reasons: NOT_ELIGIBLE, then PENDING, then NEEDS_DECISION.
pub fn verdict(
    batch: &ReviewBatch,
    person: &EntityId,
    basic: Option<&BasicCheck>,
    decisions: &[WarnDecision],
    formal_list_day: NaiveDate,
) -> Verdict {
    let mut reasons = Vec::new();
    for rule in &batch.rules {
        let status = if is_computed(&rule.id) {
            match basic.and_then(|b| b.result(&rule.id)) {
                Some(RuleResult::Clear) => ReasonStatus::Clear,
                Some(RuleResult::NotApplicable) => ReasonStatus::NotApplicable,
                Some(RuleResult::Hit) => ReasonStatus::Hit,
                Some(RuleResult::Pending) | None => ReasonStatus::Pending,
            }
        } else {
            let s = batch.rule_status(&rule.id, person);
            let late = s.signed_on.is_some_and(|d| d > formal_list_day);
            match s.result {
                RuleResult::Hit => ReasonStatus::Hit,
                RuleResult::Pending => ReasonStatus::Pending,
                RuleResult::Clear | RuleResult::NotApplicable if late => {
                    ReasonStatus::SignedTooLate
                }
                RuleResult::Clear if s.outside_lookback => ReasonStatus::ClearOutsideLookback,
                RuleResult::Clear => ReasonStatus::Clear,
                RuleResult::NotApplicable => ReasonStatus::NotApplicable,
            }
        };
        let status = match (rule.kind, status) {
            (RuleKind::Warn, ReasonStatus::Hit) => {
                match decision(decisions, &rule.id, person, formal_list_day) {
                    Some(DecisionOutcome::Keep) => ReasonStatus::KeptByDecision,
                    Some(DecisionOutcome::Remove) => ReasonStatus::RemovedByDecision,
                    None => ReasonStatus::NeedsDecision,
                }
            }
            _ => status,
        };
        reasons.push(Reason {
            rule: rule.id.clone(),
            kind: rule.kind,
            status,
            zh: format!("{} {}：{}", rule.id, rule.zh, status.label_zh()),
            en: format!("{} {}: {}", rule.id, rule.en, status.label_en()),
        });
    }
    let codes: Vec<VerdictCode> = reasons.iter().map(|r| r.status.code()).collect();
    let code = [
        VerdictCode::NotEligible,
        VerdictCode::Pending,
        VerdictCode::NeedsDecision,
    ]
    .into_iter()
    .find(|c| codes.contains(c))
    .unwrap_or(VerdictCode::Clear);
    Verdict {
        person: person.clone(),
        code,
        reasons,
    }
}

/// The last valid decision on (`rule`, `person`): with a reason, taken by `formal_list_day`.
fn decision(
    decisions: &[WarnDecision],
    rule: &RuleId,
    person: &EntityId,
    formal_list_day: NaiveDate,
) -> Option<DecisionOutcome> {
    decisions
        .iter()
        .rev()
        .find(|d| {
            &d.rule == rule
                && &d.person == person
                && !d.reason.trim().is_empty()
                && d.decided_on <= formal_list_day
        })
        .map(|d| d.outcome)
}

/// 正式候选人名单 for one post, fixed in nomination-vote order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormalList {
    pub candidates: Vec<EntityId>,
    /// Nominees taken off the list (NOT_ELIGIBLE), in nomination order.
    pub removed: Vec<EntityId>,
    /// Nominees on the list only because someone above them was removed (递补), to announce.
    pub moved_up: Vec<EntityId>,
}

/// Why the formal list cannot be fixed yet or at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormalListError {
    #[error("{} nominee(s) within reach of the list still need a verdict or a decision", waiting.len())]
    Waiting {
        /// Nominees whose verdict is PENDING or NEEDS_DECISION, in nomination order.
        waiting: Vec<(EntityId, VerdictCode)>,
    },
    #[error(
        "only {eligible} eligible nominee(s) for {seats} seat(s): candidates must outnumber seats"
    )]
    NotMoreThanSeats { seats: usize, eligible: usize },
}

impl FormalListError {
    /// The message shown in the app, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            FormalListError::Waiting { waiting } => format!(
                "有{}名被提名人尚未审查完毕或待乡镇党委研究决定，暂不能确定正式候选人",
                waiting.len()
            ),
            FormalListError::NotMoreThanSeats { seats, eligible } => format!(
                "应选{seats}名，符合资格的被提名人仅{eligible}名：正式候选人须多于应选人数(差额)"
            ),
        }
    }
}

/// Fixes the formal candidates for one post: walk the nominees in nomination-vote order, skip
/// the NOT_ELIGIBLE (the next nominee moves up), take CLEAR ones until `seats + margin`.
/// A PENDING or NEEDS_DECISION nominee reached before the list is full blocks it. Fewer than
/// `seats + margin` is accepted as long as candidates still outnumber seats (差额, OLVC §15).
/// Works on codes alone, so a village device can run it.
pub fn formal_candidates(
    nominees_ranked: &[EntityId],
    verdicts: &BTreeMap<EntityId, VerdictCode>,
    seats: usize,
    margin: usize,
) -> Result<FormalList, FormalListError> {
    let wanted = seats + margin;
    let mut list = FormalList {
        candidates: Vec::new(),
        removed: Vec::new(),
        moved_up: Vec::new(),
    };
    let mut waiting = Vec::new();
    for (rank, nominee) in nominees_ranked.iter().enumerate() {
        if list.candidates.len() + waiting.len() >= wanted {
            break;
        }
        match verdicts
            .get(nominee)
            .copied()
            .unwrap_or(VerdictCode::Pending)
        {
            VerdictCode::Clear => {
                if rank >= wanted {
                    list.moved_up.push(nominee.clone());
                }
                list.candidates.push(nominee.clone());
            }
            VerdictCode::NotEligible => list.removed.push(nominee.clone()),
            code @ (VerdictCode::Pending | VerdictCode::NeedsDecision) => {
                waiting.push((nominee.clone(), code));
            }
        }
    }
    if !waiting.is_empty() {
        return Err(FormalListError::Waiting { waiting });
    }
    if list.candidates.len() <= seats {
        return Err(FormalListError::NotMoreThanSeats {
            seats,
            eligible: list.candidates.len(),
        });
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::eligibility::basic::check_basic;
    use crate::eligibility::fixtures::*;
    use crate::eligibility::review::RuleOutcome;
    use crate::eligibility::rule::Department;

    /// Everyone in the batch is an adult on the voter list; everything answered CLEAR.
    fn all_clear(persons: &[&str]) -> (ReviewBatch, BTreeMap<EntityId, BasicCheck>) {
        let mut batch = new_batch(persons);
        let list: BTreeSet<EntityId> = persons.iter().map(|p| person(p)).collect();
        let mut basics = BTreeMap::new();
        for p in persons {
            answer_all(&mut batch, p, RuleResult::Clear, review_day());
            let check = check_basic(
                &person(p),
                &id_born(day(1980, 5, 5)),
                election_day(),
                Some(&list),
                &BTreeSet::new(),
            );
            basics.insert(person(p), check);
        }
        (batch, basics)
    }

    fn verdict_of(
        batch: &ReviewBatch,
        basics: &BTreeMap<EntityId, BasicCheck>,
        who: &str,
        decisions: &[WarnDecision],
    ) -> Verdict {
        verdict(
            batch,
            &person(who),
            basics.get(&person(who)),
            decisions,
            list_day(),
        )
    }

    fn n13_hit(batch: &mut ReviewBatch, who: &str) {
        batch
            .record(RuleOutcome {
                record_date: Some(day(2024, 6, 1)),
                ..outcome("N13", who, Department::PublicSecurity, RuleResult::Hit)
            })
            .unwrap();
    }

    fn keep(who: &str, reason: &str, on: NaiveDate) -> WarnDecision {
        WarnDecision {
            rule: RuleId::new("N13"),
            person: person(who),
            outcome: DecisionOutcome::Keep,
            reason: reason.into(),
            decided_on: on,
            decided_by: user("township-party-secretary"),
        }
    }

    #[test]
    fn all_clear_is_eligible_and_lists_every_rule() {
        let (batch, basics) = all_clear(&["a"]);
        let v = verdict_of(&batch, &basics, "a", &[]);
        assert_eq!(v.code, VerdictCode::Clear);
        assert_eq!(v.reasons.len(), batch.rules.len());
        assert_eq!(v.blocking_reasons().count(), 0);
    }

    #[test]
    fn hard_hit_is_not_eligible_with_its_reason() {
        let (mut batch, basics) = all_clear(&["a"]);
        batch
            .record(outcome("N01", "a", Department::Court, RuleResult::Hit))
            .unwrap();
        let v = verdict_of(&batch, &basics, "a", &[]);
        assert_eq!(v.code, VerdictCode::NotEligible);
        let blocking: Vec<&Reason> = v.blocking_reasons().collect();
        assert_eq!(blocking.len(), 1);
        assert_eq!(blocking[0].rule, "N01");
        assert_eq!(blocking[0].zh, "N01 受过刑事处罚：命中");
        assert!(
            blocking[0]
                .en
                .starts_with("N01 Has received a criminal penalty")
        );
    }

    #[test]
    fn under_18_on_election_day_is_not_eligible() {
        let (batch, mut basics) = all_clear(&["a"]);
        let list = BTreeSet::from([person("a")]);
        basics.insert(
            person("a"),
            check_basic(
                &person("a"),
                &id_born(day(2008, 3, 2)),
                election_day(),
                Some(&list),
                &BTreeSet::new(),
            ),
        );
        let v = verdict_of(&batch, &basics, "a", &[]);
        assert_eq!(v.code, VerdictCode::NotEligible);
        assert_eq!(v.blocking_reasons().next().unwrap().rule, "B01");
    }

    #[test]
    fn missing_basic_check_or_answer_is_pending() {
        let (batch, _) = all_clear(&["a"]);
        assert_eq!(
            verdict(&batch, &person("a"), None, &[], list_day()).code,
            VerdictCode::Pending
        );
        let mut batch = new_batch(&["a"]);
        answer_all_except(
            &mut batch,
            "a",
            RuleResult::Clear,
            review_day(),
            ("N06", Department::CreditAuthority),
        );
        let (_, basics) = all_clear(&["a"]);
        assert_eq!(
            verdict_of(&batch, &basics, "a", &[]).code,
            VerdictCode::Pending
        );
    }

    #[test]
    fn sign_off_after_formal_list_publication_does_not_count() {
        let (mut batch, basics) = all_clear(&["a"]);
        batch
            .record(RuleOutcome {
                date: list_day().succ_opt().unwrap(),
                ..outcome("N05", "a", Department::PublicSecurity, RuleResult::Clear)
            })
            .unwrap();
        let v = verdict_of(&batch, &basics, "a", &[]);
        assert_eq!(v.code, VerdictCode::Pending);
        let reason = v.blocking_reasons().next().unwrap();
        assert_eq!(
            (reason.rule.as_str(), reason.status),
            ("N05", ReasonStatus::SignedTooLate)
        );
    }

    #[test]
    fn sign_off_on_formal_list_publication_day_counts() {
        let (mut batch, basics) = all_clear(&["a"]);
        batch
            .record(RuleOutcome {
                date: list_day(),
                ..outcome("N05", "a", Department::PublicSecurity, RuleResult::Clear)
            })
            .unwrap();
        assert_eq!(
            verdict_of(&batch, &basics, "a", &[]).code,
            VerdictCode::Clear
        );
    }

    #[test]
    fn a_late_hit_still_counts() {
        let (mut batch, basics) = all_clear(&["a"]);
        batch
            .record(RuleOutcome {
                date: election_day(),
                ..outcome("N11", "a", Department::Township, RuleResult::Hit)
            })
            .unwrap();
        assert_eq!(
            verdict_of(&batch, &basics, "a", &[]).code,
            VerdictCode::NotEligible
        );
    }

    #[test]
    fn old_hit_outside_lookback_is_eligible_and_says_so() {
        let (mut batch, basics) = all_clear(&["a"]);
        batch
            .record(RuleOutcome {
                record_date: Some(day(2020, 3, 1)),
                ..outcome("N10", "a", Department::PetitionOffice, RuleResult::Hit)
            })
            .unwrap();
        let v = verdict_of(&batch, &basics, "a", &[]);
        assert_eq!(v.code, VerdictCode::Clear);
        assert!(
            v.reasons
                .iter()
                .any(|r| r.rule == "N10" && r.status == ReasonStatus::ClearOutsideLookback)
        );
    }

    #[test]
    fn warn_hit_without_decision_blocks_formal_list() {
        let (mut batch, basics) = all_clear(&["a", "b", "c"]);
        n13_hit(&mut batch, "a");
        let v = verdict_of(&batch, &basics, "a", &[]);
        assert_eq!(v.code, VerdictCode::NeedsDecision);
        let codes = codes_of(&batch, &basics, &[]);
        let err =
            formal_candidates(&[person("a"), person("b"), person("c")], &codes, 1, 1).unwrap_err();
        assert_eq!(
            err,
            FormalListError::Waiting {
                waiting: vec![(person("a"), VerdictCode::NeedsDecision)]
            }
        );
        assert!(err.message_zh().contains("待乡镇党委研究决定"));
    }

    #[test]
    fn warn_hit_with_decision_clears() {
        let (mut batch, basics) = all_clear(&["a"]);
        n13_hit(&mut batch, "a");
        let d = keep("a", "已改正，群众评价良好", list_day());
        let v = verdict_of(&batch, &basics, "a", std::slice::from_ref(&d));
        assert_eq!(v.code, VerdictCode::Clear);
        assert!(
            v.reasons
                .iter()
                .any(|r| r.rule == "N13" && r.status == ReasonStatus::KeptByDecision)
        );
        let remove = WarnDecision {
            outcome: DecisionOutcome::Remove,
            ..d
        };
        assert_eq!(
            verdict_of(&batch, &basics, "a", &[remove]).code,
            VerdictCode::NotEligible
        );
    }

    #[test]
    fn warn_decision_without_reason_or_after_publication_does_not_count() {
        let (mut batch, basics) = all_clear(&["a"]);
        n13_hit(&mut batch, "a");
        for d in [
            keep("a", "  ", list_day()),
            keep("a", "已改正", list_day().succ_opt().unwrap()),
        ] {
            assert_eq!(
                verdict_of(&batch, &basics, "a", &[d]).code,
                VerdictCode::NeedsDecision
            );
        }
    }

    #[test]
    fn hard_hit_outranks_pending_and_needs_decision() {
        let mut batch = new_batch(&["a"]);
        n13_hit(&mut batch, "a");
        batch
            .record(outcome(
                "N02",
                "a",
                Department::PublicSecurity,
                RuleResult::Hit,
            ))
            .unwrap();
        let (_, basics) = all_clear(&["a"]);
        assert_eq!(
            verdict_of(&batch, &basics, "a", &[]).code,
            VerdictCode::NotEligible
        );
    }

    #[test]
    fn village_view_has_codes_only() {
        let (mut batch, basics) = all_clear(&["a"]);
        batch
            .record(outcome(
                "N04",
                "a",
                Department::PublicSecurity,
                RuleResult::Hit,
            ))
            .unwrap();
        let v = verdict_of(&batch, &basics, "a", &[]);
        let view = v.redact_for(Role::VillageOfficial);
        assert_eq!(view.code, VerdictCode::NotEligible);
        assert_eq!(view.reasons, None);
        let json = serde_json::to_string(&view).unwrap();
        assert_eq!(json, r#"{"person":"person:a","code":"NOT_ELIGIBLE"}"#);
        for role in [
            Role::TownshipReviewer,
            Role::ReviewDepartment,
            Role::CityViewer,
            Role::Trainer,
        ] {
            assert_eq!(v.redact_for(role).reasons, None, "{role:?}");
        }
        let admin = v.redact_for(Role::DistrictAdmin);
        assert!(admin.reasons.unwrap().iter().any(|r| r.rule == "N04"));
    }

    fn codes_of(
        batch: &ReviewBatch,
        basics: &BTreeMap<EntityId, BasicCheck>,
        decisions: &[WarnDecision],
    ) -> BTreeMap<EntityId, VerdictCode> {
        batch
            .persons
            .iter()
            .map(|p| {
                let v = verdict(batch, p, basics.get(p), decisions, list_day());
                (p.clone(), v.code)
            })
            .collect()
    }

    fn ranked(names: &[&str]) -> Vec<EntityId> {
        names.iter().map(|n| person(n)).collect()
    }

    fn codes(pairs: &[(&str, VerdictCode)]) -> BTreeMap<EntityId, VerdictCode> {
        pairs.iter().map(|(n, c)| (person(n), *c)).collect()
    }

    #[test]
    fn hard_hit_removes_and_next_nominee_moves_up() {
        let (mut batch, basics) = all_clear(&["a", "b", "c", "d"]);
        batch
            .record(outcome(
                "N03",
                "b",
                Department::PoliticalLegal,
                RuleResult::Hit,
            ))
            .unwrap();
        let codes = codes_of(&batch, &basics, &[]);
        let list = formal_candidates(&ranked(&["a", "b", "c", "d"]), &codes, 2, 1).unwrap();
        assert_eq!(list.candidates, ranked(&["a", "c", "d"]));
        assert_eq!(list.removed, ranked(&["b"]));
        assert_eq!(list.moved_up, ranked(&["d"]));
    }

    #[test]
    fn nominees_below_the_cut_do_not_block() {
        use VerdictCode::*;
        let c = codes(&[("a", Clear), ("b", Clear), ("c", Pending)]);
        let list = formal_candidates(&ranked(&["a", "b", "c"]), &c, 1, 1).unwrap();
        assert_eq!(list.candidates, ranked(&["a", "b"]));
        assert!(list.moved_up.is_empty());
    }

    #[test]
    fn a_nominee_without_verdict_is_pending() {
        let c = codes(&[("a", VerdictCode::Clear)]);
        assert!(matches!(
            formal_candidates(&ranked(&["a", "b"]), &c, 1, 1),
            Err(FormalListError::Waiting { .. })
        ));
    }

    #[test]
    fn candidates_must_outnumber_seats() {
        use VerdictCode::*;
        let c = codes(&[("a", Clear), ("b", NotEligible), ("c", Clear)]);
        // 2 seats, 2 eligible: not a competitive election.
        let err = formal_candidates(&ranked(&["a", "b", "c"]), &c, 2, 1).unwrap_err();
        assert_eq!(
            err,
            FormalListError::NotMoreThanSeats {
                seats: 2,
                eligible: 2
            }
        );
        assert!(err.message_zh().contains("差额"));
        // 1 seat, 2 eligible, margin 2 wanted: fewer than wanted but still more than seats.
        let list = formal_candidates(&ranked(&["a", "b", "c"]), &c, 1, 2).unwrap();
        assert_eq!(list.candidates, ranked(&["a", "c"]));
    }
}
