//! What the eligibility module records as events (the payloads of its `EventBody` variants):
//! rule packs cloned and changed by a district admin, review batches compiled and sent by the
//! township, departments' answers and sign-offs, the township party committee's decisions on
//! WARN hits, and the verdict codes issued to the village.
//!
//! Privacy (§2.4) is decided by which event carries what: `DepartmentAnswers` holds the HIT
//! details (record date, note, seal) and is read only by district admins and the department
//! that wrote it; `DepartmentSignOff` holds one result per rule and person; `IssuedVerdicts`
//! holds verdict codes only — the one thing a village device receives.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::pack::{PackChange, RulePack};
use super::rule::{Committee, Department, Rule, RuleId, RuleResult};
use super::verdict::VerdictCode;
use crate::event::BodyError;
use crate::ids::{EntityId, Hash};

/// The longest HIT note a department may write (a case number or a short reference, never a
/// narrative).
pub const MAX_HIT_NOTE_CHARS: usize = 60;

/// 复制规则包 — a district admin's copy of a pack under a new id (the whole pack is carried,
/// so the copy does not depend on the source staying as it was).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackCloned {
    pub pack: RulePack,
    /// The pack it was copied from: id and version.
    pub source_id: String,
    pub source_version: u32,
}

/// 修改规则包 — changes applied together to the version `base_version` of the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackChanged {
    pub base_version: u32,
    pub changes: Vec<PackChange>,
}

/// A preliminary candidate (初步候选人), in nomination-vote order within the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nominee {
    pub person: EntityId,
    pub name: String,
}

/// 汇总初步候选人 — the township compiles the preliminary candidates of one village or
/// community for the joint review. The event's unit is that village or community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCompiled {
    pub committee: Committee,
    /// 选举日
    pub election_day: NaiveDate,
    /// V10: the day the formal candidate list is published; sign-offs after it do not count.
    pub formal_list_day: NaiveDate,
    /// 应选人数 and 差额数 of the post: the formal list takes `seats + margin` candidates.
    pub seats: u8,
    pub margin: u8,
    pub pack_id: String,
    pub pack_version: u32,
    /// The HARD and WARN rules of the pack in force for the committee on election day.
    pub rules: Vec<Rule>,
    pub nominees: Vec<Nominee>,
}

/// 报送县级联审 — the batch goes to the county's departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSent {}

/// One department's answer on one rule for one person, with its HIT details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerLine {
    pub person: EntityId,
    pub rule: RuleId,
    pub result: RuleResult,
    /// For a HIT: the date of the record it rests on (lookback counts back to it).
    pub record_date: Option<NaiveDate>,
    /// For a HIT: a case number or short reference (at most `MAX_HIT_NOTE_CHARS`).
    pub note: Option<String>,
    /// 审查日期
    pub date: NaiveDate,
    /// 盖章照片 hash, when a photo of the sealed answer sheet was taken.
    pub seal_photo_hash: Option<Hash>,
}

/// 部门联审意见 — a department's answers (HIT details included). Read only by district admins
/// and the department itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentAnswers {
    pub department: Department,
    pub answers: Vec<AnswerLine>,
}

/// The outcome of one answer as the township may see it: the result after the rule's lookback,
/// without the record behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedLine {
    pub person: EntityId,
    pub rule: RuleId,
    pub result: RuleResult,
    /// A HIT was found but lies outside the rule's lookback (so `result` is CLEAR).
    pub outside_lookback: bool,
    pub date: NaiveDate,
}

/// 部门签署 — the results of a department's answers, written with them, for the township and
/// the district (status per department, verdicts with reasons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentSignOff {
    pub department: Department,
    pub results: Vec<SignedLine>,
}

/// One verdict code for one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedVerdict {
    pub person: EntityId,
    pub code: VerdictCode,
}

/// 下发审查结论 — the verdict codes the township sends to the village (codes only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedVerdicts {
    pub verdicts: Vec<IssuedVerdict>,
}

fn invalid(msg: impl Into<String>) -> BodyError {
    BodyError(msg.into())
}

impl PackCloned {
    pub fn validate(&self) -> Result<(), BodyError> {
        self.pack.validate().map_err(|e| invalid(e.to_string()))?;
        if self.pack.id.trim() == self.source_id.trim() {
            return Err(invalid("a cloned pack needs an id of its own"));
        }
        Ok(())
    }
}

impl PackChanged {
    pub fn validate(&self) -> Result<(), BodyError> {
        if self.changes.is_empty() {
            return Err(invalid("a pack change must change at least one rule"));
        }
        Ok(())
    }
}

impl BatchCompiled {
    pub fn validate(&self) -> Result<(), BodyError> {
        if self.nominees.is_empty() {
            return Err(invalid("a review batch needs at least one nominee"));
        }
        let mut seen = BTreeSet::new();
        for n in &self.nominees {
            if n.person.kind_prefix() != "person" {
                return Err(invalid(format!("nominee {} is not a person", n.person)));
            }
            if !seen.insert(&n.person) {
                return Err(invalid(format!("nominee {} appears twice", n.person)));
            }
            if n.name.trim().is_empty() {
                return Err(invalid("a nominee's name must not be empty"));
            }
        }
        if self.rules.is_empty() {
            return Err(invalid("a review batch needs at least one rule"));
        }
        if self.formal_list_day > self.election_day {
            return Err(invalid(
                "the formal list is published before election day, not after",
            ));
        }
        if self.seats == 0 {
            return Err(invalid("a post has at least one seat"));
        }
        Ok(())
    }
}

impl DepartmentAnswers {
    pub fn validate(&self) -> Result<(), BodyError> {
        if self.answers.is_empty() {
            return Err(invalid(
                "a department's answers must hold at least one answer",
            ));
        }
        for a in &self.answers {
            if a.result != RuleResult::Hit && (a.record_date.is_some() || a.note.is_some()) {
                return Err(invalid(format!(
                    "{} {}: a record date or note belongs to a HIT only",
                    a.person, a.rule
                )));
            }
            if let Some(note) = &a.note
                && (note.trim().is_empty() || note.chars().count() > MAX_HIT_NOTE_CHARS)
            {
                return Err(invalid(format!(
                    "a HIT note has 1 to {MAX_HIT_NOTE_CHARS} characters"
                )));
            }
        }
        Ok(())
    }
}

impl DepartmentSignOff {
    pub fn validate(&self) -> Result<(), BodyError> {
        if self.results.is_empty() {
            return Err(invalid("a sign-off must hold at least one result"));
        }
        if self
            .results
            .iter()
            .any(|r| r.outside_lookback && r.result != RuleResult::Clear)
        {
            return Err(invalid("a HIT outside the lookback is signed off as CLEAR"));
        }
        Ok(())
    }
}

impl IssuedVerdicts {
    pub fn validate(&self) -> Result<(), BodyError> {
        if self.verdicts.is_empty() {
            return Err(invalid("issue at least one verdict"));
        }
        Ok(())
    }
}

impl super::verdict::WarnDecision {
    pub fn validate(&self) -> Result<(), BodyError> {
        if self.reason.trim().is_empty() {
            return Err(invalid(
                "a township party committee decision needs a reason",
            ));
        }
        Ok(())
    }
}

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests {
    // Without `test`, only the sample bodies are used (the permission matrix of `testing`).
    #![cfg_attr(not(test), allow(dead_code, unused_imports))]
    use super::*;
    use crate::eligibility::fixtures::{day, election_day, list_day, person, user};
    use crate::eligibility::pack::RulePack;
    use crate::eligibility::verdict::{DecisionOutcome, WarnDecision};

    /// A batch over the default pack for a village committee, nominees a, b, c.
    pub(crate) fn compiled() -> BatchCompiled {
        let pack = RulePack::cq_candidate_2021();
        BatchCompiled {
            committee: Committee::VillageCommittee,
            election_day: election_day(),
            formal_list_day: list_day(),
            seats: 1,
            margin: 1,
            pack_id: pack.id.clone(),
            pack_version: pack.version,
            rules: pack
                .applicable(Committee::VillageCommittee, election_day())
                .filter(|r| r.kind != crate::eligibility::RuleKind::Post)
                .cloned()
                .collect(),
            nominees: ["a", "b", "c"]
                .iter()
                .map(|n| Nominee {
                    person: person(n),
                    name: format!("候选人{n}"),
                })
                .collect(),
        }
    }

    pub(crate) fn answers() -> DepartmentAnswers {
        DepartmentAnswers {
            department: Department::Court,
            answers: vec![AnswerLine {
                person: person("a"),
                rule: RuleId::new("N01"),
                result: RuleResult::Hit,
                record_date: Some(day(2019, 5, 1)),
                note: Some("(2019)渝0101刑初123号".into()),
                date: day(2026, 2, 19),
                seal_photo_hash: None,
            }],
        }
    }

    pub(crate) fn sign_off() -> DepartmentSignOff {
        crate::eligibility::ledger::sign_off(&compiled(), &answers())
    }

    pub(crate) fn decision() -> WarnDecision {
        WarnDecision {
            rule: RuleId::new("N13"),
            person: person("b"),
            outcome: DecisionOutcome::Keep,
            reason: "已改正，群众认可".into(),
            decided_on: day(2026, 2, 20),
            decided_by: user("supervisor-1"),
        }
    }

    #[test]
    fn details_belong_to_hits_only() {
        let mut a = answers();
        a.answers[0].result = RuleResult::Clear;
        assert!(a.validate().is_err());
        a.answers[0].record_date = None;
        a.answers[0].note = None;
        assert!(a.validate().is_ok());
        let mut long = answers();
        long.answers[0].note = Some("字".repeat(MAX_HIT_NOTE_CHARS + 1));
        assert!(long.validate().is_err());
    }

    #[test]
    fn a_batch_needs_distinct_people_and_a_list_day_before_election() {
        let mut c = compiled();
        assert!(c.validate().is_ok());
        c.nominees.push(c.nominees[0].clone());
        assert!(c.validate().is_err());
        let mut c = compiled();
        c.formal_list_day = day(2026, 3, 2);
        assert!(c.validate().is_err());
        let mut c = compiled();
        c.nominees.clear();
        assert!(c.validate().is_err());
    }

    #[test]
    fn a_decision_needs_a_reason() {
        let mut d = decision();
        d.reason = "  ".into();
        assert!(d.validate().is_err());
    }
}
