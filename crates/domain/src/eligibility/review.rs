//! The county joint review (县级联审, §2.4): the township compiles its preliminary candidates
//! into a batch, each department records only outcomes for its own rules, and the batch closes
//! when every required department has answered for every person. Lookback is applied here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::basic::is_computed;
use super::pack::RulePack;
use super::rule::{Committee, Department, Rule, RuleId, RuleKind, RuleResult};
use crate::ids::{EntityId, Hash, UnitId, UserId};

/// 联审结果 — one department's answer on one rule for one person. Outcome only: no narrative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleOutcome {
    pub rule: RuleId,
    pub person: EntityId,
    pub department: Department,
    pub result: RuleResult,
    /// For a HIT, the date of the record it rests on (judgment, detention, finding); the rule's
    /// lookback counts back from election day to this date. `None`: always counts.
    pub record_date: Option<NaiveDate>,
    /// 审查日期 — the day the department signed the answer off.
    pub date: NaiveDate,
    /// 审查人
    pub reviewer: UserId,
    /// 盖章照片 — hash of the photo of the sealed answer sheet.
    pub seal_photo_hash: Hash,
}

/// 联审批次 — the preliminary candidates of one township and committee, sent to the county.
/// It keeps a copy of the rules it was compiled with, so later pack changes do not alter it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewBatch {
    pub id: EntityId,
    pub township: UnitId,
    pub committee: Committee,
    /// 选举日 — ages and lookbacks count to this day.
    pub election_day: NaiveDate,
    pub pack_id: String,
    pub pack_version: u32,
    /// 初步候选人
    pub persons: Vec<EntityId>,
    /// The HARD and WARN rules in force for this committee on election day.
    pub rules: Vec<Rule>,
    /// Every answer in the order recorded; a later answer by the same department on the same
    /// rule and person replaces the earlier one.
    pub answers: Vec<RuleOutcome>,
}

/// Why an answer is refused. `Display` is English; `message_zh` is for the app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("{0} is not in this review batch")]
    UnknownPerson(EntityId),
    #[error("rule {0} is not reviewed in this batch")]
    RuleNotInBatch(RuleId),
    #[error("rule {0} is computed by the app from the record; no department answers it")]
    ComputedRule(RuleId),
    #[error("{} does not review rule {rule}; only its own rules may be answered", department.label_en())]
    NotYourRule {
        department: Department,
        rule: RuleId,
    },
}

impl ReviewError {
    /// The message shown in the app, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            ReviewError::UnknownPerson(p) => format!("{p}不在本联审批次中"),
            ReviewError::RuleNotInBatch(r) => format!("本批次不审查规则{r}"),
            ReviewError::ComputedRule(r) => {
                format!("规则{r}由系统根据登记信息自动判定，无需部门填报")
            }
            ReviewError::NotYourRule { department, rule } => format!(
                "{}不负责审查规则{rule}，只能填报本部门负责的规则",
                department.label_zh()
            ),
        }
    }
}

/// An answer still owed: for reminders (催办).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MissingAnswer {
    pub department: Department,
    pub person: EntityId,
    pub rule: RuleId,
}

/// Where one rule stands for one person, all of its departments taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStatus {
    /// HIT if any department has a HIT that counts; PENDING while any department has not given
    /// a final answer; NOT_APPLICABLE if all say so; otherwise CLEAR.
    pub result: RuleResult,
    /// The day the result was settled: the first counting HIT, or the last department's answer.
    pub signed_on: Option<NaiveDate>,
    /// A HIT was reported but is older than the rule's lookback, so it was ignored.
    pub outside_lookback: bool,
}

impl ReviewBatch {
    /// 汇总初步候选人: a batch over `persons` with the pack's HARD and WARN rules in force for
    /// `committee` on `election_day`.
    pub fn compile(
        id: EntityId,
        township: UnitId,
        committee: Committee,
        election_day: NaiveDate,
        pack: &RulePack,
        persons: Vec<EntityId>,
    ) -> ReviewBatch {
        let rules = pack
            .applicable(committee, election_day)
            .filter(|r| r.kind != RuleKind::Post)
            .cloned()
            .collect();
        ReviewBatch {
            id,
            township,
            committee,
            election_day,
            pack_id: pack.id.clone(),
            pack_version: pack.version,
            persons,
            rules,
            answers: Vec::new(),
        }
    }

    pub fn rule(&self, id: &RuleId) -> Option<&Rule> {
        self.rules.iter().find(|r| &r.id == id)
    }

    /// The rules `department` must answer for every person in the batch.
    pub fn rules_for(&self, department: Department) -> Vec<&RuleId> {
        self.reviewed_rules()
            .filter(|r| r.departments.contains(&department))
            .map(|r| &r.id)
            .collect()
    }

    /// Rules answered by departments (not computed by the app).
    fn reviewed_rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| !is_computed(&r.id))
    }

    /// Records a department's answer, refusing a rule the department does not review.
    pub fn record(&mut self, outcome: RuleOutcome) -> Result<(), ReviewError> {
        if !self.persons.contains(&outcome.person) {
            return Err(ReviewError::UnknownPerson(outcome.person));
        }
        if is_computed(&outcome.rule) {
            return Err(ReviewError::ComputedRule(outcome.rule));
        }
        let rule = self
            .rule(&outcome.rule)
            .ok_or_else(|| ReviewError::RuleNotInBatch(outcome.rule.clone()))?;
        if !rule.departments.contains(&outcome.department) {
            return Err(ReviewError::NotYourRule {
                department: outcome.department,
                rule: outcome.rule,
            });
        }
        self.answers.push(outcome);
        Ok(())
    }

    /// The latest answer of `department` on `rule` for `person`.
    pub fn answer(
        &self,
        department: Department,
        rule: &RuleId,
        person: &EntityId,
    ) -> Option<&RuleOutcome> {
        self.answers
            .iter()
            .rev()
            .find(|a| a.department == department && &a.rule == rule && &a.person == person)
    }

    /// Every (department, person, rule) still without a final answer (none yet, or PENDING),
    /// sorted by department for reminders.
    pub fn missing_answers(&self) -> Vec<MissingAnswer> {
        let mut missing = Vec::new();
        for rule in self.reviewed_rules() {
            for &department in &rule.departments {
                for person in &self.persons {
                    let answered = self
                        .answer(department, &rule.id, person)
                        .is_some_and(|a| a.result != RuleResult::Pending);
                    if !answered {
                        missing.push(MissingAnswer {
                            department,
                            person: person.clone(),
                            rule: rule.id.clone(),
                        });
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        missing
    }

    /// Missing answers grouped by department: one reminder per department.
    pub fn reminders(&self) -> BTreeMap<Department, usize> {
        let mut count = BTreeMap::new();
        for m in self.missing_answers() {
            *count.entry(m.department).or_insert(0) += 1;
        }
        count
    }

    /// 联审完成 — every required department has given a final answer for every person.
    pub fn is_closed(&self) -> bool {
        self.missing_answers().is_empty()
    }

    /// Where `rule` stands for `person`, with lookback applied. Computed rules (B01, B03, B06)
    /// and rules not in the batch are PENDING here; see `basic::check_basic`.
    pub fn rule_status(&self, rule: &RuleId, person: &EntityId) -> RuleStatus {
        let pending = RuleStatus {
            result: RuleResult::Pending,
            signed_on: None,
            outside_lookback: false,
        };
        let Some(rule) = self.rule(rule).filter(|r| !is_computed(&r.id)) else {
            return pending;
        };
        let answers: Vec<Option<&RuleOutcome>> = rule
            .departments
            .iter()
            .map(|&d| self.answer(d, &rule.id, person))
            .collect();
        let hits = answers
            .iter()
            .flatten()
            .filter(|a| a.result == RuleResult::Hit);
        let (counting, ignored): (Vec<&&RuleOutcome>, Vec<_>) =
            hits.partition(|a| rule.record_counts(a.record_date, self.election_day));
        let outside_lookback = !ignored.is_empty();
        if let Some(first) = counting.iter().map(|a| a.date).min() {
            return RuleStatus {
                result: RuleResult::Hit,
                signed_on: Some(first),
                outside_lookback,
            };
        }
        let Some(answers) = answers
            .into_iter()
            .map(|a| a.filter(|a| a.result != RuleResult::Pending))
            .collect::<Option<Vec<&RuleOutcome>>>()
        else {
            return RuleStatus {
                outside_lookback,
                ..pending
            };
        };
        let result = if answers
            .iter()
            .all(|a| a.result == RuleResult::NotApplicable)
        {
            RuleResult::NotApplicable
        } else {
            RuleResult::Clear
        };
        RuleStatus {
            result,
            signed_on: answers.iter().map(|a| a.date).max(),
            outside_lookback,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::fixtures::*;

    #[test]
    fn compile_takes_hard_and_warn_rules_in_force_for_the_committee() {
        let batch = new_batch(&["a"]);
        let ids: Vec<&str> = batch.rules.iter().map(|r| r.id.as_str()).collect();
        assert!(ids.contains(&"B01") && ids.contains(&"P01") && ids.contains(&"N17"));
        assert!(!ids.contains(&"N14"), "party committee only");
        assert!(!ids.contains(&"N18"), "disabled");
        assert!(!ids.contains(&"C01"), "POST rules are for winners");
        assert_eq!(batch.rules_for(Department::Court), ["B02", "N01", "N06"]);
    }

    #[test]
    fn department_cannot_answer_another_departments_rule() {
        let mut batch = new_batch(&["a"]);
        let err = batch
            .record(outcome("N04", "a", Department::Court, RuleResult::Clear))
            .unwrap_err();
        assert_eq!(
            err,
            ReviewError::NotYourRule {
                department: Department::Court,
                rule: RuleId::new("N04")
            }
        );
        assert!(err.message_zh().contains("法院不负责审查规则N04"));
        assert!(err.to_string().contains("Court does not review rule N04"));
        assert!(batch.answers.is_empty());
        // Its own rule is accepted.
        batch
            .record(outcome("N01", "a", Department::Court, RuleResult::Clear))
            .unwrap();
    }

    #[test]
    fn computed_rules_and_strangers_are_refused() {
        let mut batch = new_batch(&["a"]);
        assert_eq!(
            batch.record(outcome(
                "B01",
                "a",
                Department::ElectionCommittee,
                RuleResult::Clear
            )),
            Err(ReviewError::ComputedRule(RuleId::new("B01")))
        );
        assert!(matches!(
            batch.record(outcome("N01", "z", Department::Court, RuleResult::Clear)),
            Err(ReviewError::UnknownPerson(_))
        ));
        assert!(matches!(
            batch.record(outcome(
                "N14",
                "a",
                Department::Organisation,
                RuleResult::Clear
            )),
            Err(ReviewError::RuleNotInBatch(_))
        ));
    }

    #[test]
    fn batch_closes_only_when_every_department_answered() {
        let mut batch = new_batch(&["a", "b"]);
        assert!(!batch.is_closed());
        answer_all(&mut batch, "a", RuleResult::Clear, review_day());
        answer_all_except(
            &mut batch,
            "b",
            RuleResult::Clear,
            review_day(),
            ("N01", Department::Procuratorate),
        );
        assert!(!batch.is_closed());
        assert_eq!(
            batch.missing_answers(),
            [MissingAnswer {
                department: Department::Procuratorate,
                person: person("b"),
                rule: RuleId::new("N01"),
            }]
        );
        assert_eq!(
            batch.reminders(),
            BTreeMap::from([(Department::Procuratorate, 1)])
        );
        // PENDING is not a final answer.
        batch
            .record(outcome(
                "N01",
                "b",
                Department::Procuratorate,
                RuleResult::Pending,
            ))
            .unwrap();
        assert!(!batch.is_closed());
        batch
            .record(outcome(
                "N01",
                "b",
                Department::Procuratorate,
                RuleResult::Clear,
            ))
            .unwrap();
        assert!(batch.is_closed());
        assert!(batch.missing_answers().is_empty());
    }

    #[test]
    fn lookback_5_ignores_6_year_old_record() {
        let status = n10_hit_dated(day(2020, 3, 1));
        assert_eq!(status.result, RuleResult::Clear);
        assert!(status.outside_lookback);
    }

    #[test]
    fn counts_4_year_old_record() {
        assert_eq!(n10_hit_dated(day(2022, 3, 1)).result, RuleResult::Hit);
    }

    #[test]
    fn lookback_5_counts_a_record_exactly_5_years_old_but_not_a_day_older() {
        assert_eq!(n10_hit_dated(day(2021, 3, 1)).result, RuleResult::Hit);
        assert_eq!(n10_hit_dated(day(2021, 2, 28)).result, RuleResult::Clear);
    }

    #[test]
    fn permanent_rule_counts_a_30_year_old_record() {
        let mut batch = new_batch(&["a"]);
        answer_all(&mut batch, "a", RuleResult::Clear, review_day());
        batch
            .record(RuleOutcome {
                record_date: Some(day(1996, 1, 1)),
                ..outcome("N01", "a", Department::Court, RuleResult::Hit)
            })
            .unwrap();
        assert_eq!(
            batch.rule_status(&RuleId::new("N01"), &person("a")).result,
            RuleResult::Hit
        );
    }

    #[test]
    fn one_department_hit_is_a_hit_even_while_others_are_pending() {
        let mut batch = new_batch(&["a"]);
        batch
            .record(outcome("N01", "a", Department::Court, RuleResult::Hit))
            .unwrap();
        let status = batch.rule_status(&RuleId::new("N01"), &person("a"));
        assert_eq!(status.result, RuleResult::Hit);
        // Two of three departments clear: still pending.
        let mut batch = new_batch(&["a"]);
        for d in [Department::Court, Department::PublicSecurity] {
            batch
                .record(outcome("N01", "a", d, RuleResult::Clear))
                .unwrap();
        }
        assert_eq!(
            batch.rule_status(&RuleId::new("N01"), &person("a")).result,
            RuleResult::Pending
        );
    }

    #[test]
    fn a_later_answer_replaces_the_earlier_one_and_sign_off_is_the_last_answer() {
        let mut batch = new_batch(&["a"]);
        answer_all(&mut batch, "a", RuleResult::Clear, review_day());
        batch
            .record(outcome(
                "N02",
                "a",
                Department::PublicSecurity,
                RuleResult::Hit,
            ))
            .unwrap();
        assert_eq!(
            batch.rule_status(&RuleId::new("N02"), &person("a")).result,
            RuleResult::Hit
        );
        batch
            .record(RuleOutcome {
                date: day(2026, 2, 25),
                ..outcome("N02", "a", Department::PublicSecurity, RuleResult::Clear)
            })
            .unwrap();
        let status = batch.rule_status(&RuleId::new("N02"), &person("a"));
        assert_eq!(status.result, RuleResult::Clear);
        assert_eq!(status.signed_on, Some(day(2026, 2, 25)));
    }

    fn n10_hit_dated(record: NaiveDate) -> RuleStatus {
        let mut batch = new_batch(&["a"]);
        answer_all(&mut batch, "a", RuleResult::Clear, review_day());
        batch
            .record(RuleOutcome {
                record_date: Some(record),
                ..outcome("N10", "a", Department::PetitionOffice, RuleResult::Hit)
            })
            .unwrap();
        batch.rule_status(&RuleId::new("N10"), &person("a"))
    }
}
