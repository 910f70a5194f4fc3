//! Basic legal conditions the app computes itself instead of asking a reviewer (§2.2):
//! B01 age ≥ 18 on election day from the ID number, B03 on this unit's published voter list,
//! and B06, the automatic removal of a nominated election-committee member from the VEC.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rule::{RuleId, RuleResult};
use crate::directory::person::{IdNumber, age_on};
use crate::ids::EntityId;

/// Rules decided by [`check_basic`]; a department may not answer them in a review batch.
pub const COMPUTED_RULES: [&str; 3] = ["B01", "B03", "B06"];

/// 年满十八周岁 — the voting and candidacy age, reached on the birthday itself.
pub const ADULT_AGE: i32 = 18;

/// Whether `rule` is one the app computes rather than a reviewer answers.
pub fn is_computed(rule: &RuleId) -> bool {
    COMPUTED_RULES.contains(&rule.as_str())
}

/// Something the app must do as a consequence of a basic check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BasicAction {
    /// B06 选举委员会成员被提名须退出: the nominee leaves the VEC; the VEC fills the place.
    LeaveElectionCommittee { person: EntityId },
}

/// The computed basic conditions of one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicCheck {
    pub person: EntityId,
    pub results: BTreeMap<RuleId, RuleResult>,
    pub actions: Vec<BasicAction>,
}

impl BasicCheck {
    pub fn result(&self, rule: &RuleId) -> Option<RuleResult> {
        self.results.get(rule).copied()
    }
}

/// Computes B01, B03 and B06 for a nominee.
///
/// `voter_list` is the published list of registered voters of this unit (登记参加选举的村民名单,
/// step V05); `None` while it is not yet published, which leaves B03 pending. `vec_members` is
/// the current election-committee roster. B06 never disqualifies: a VEC member is Clear and
/// gets a [`BasicAction::LeaveElectionCommittee`].
pub fn check_basic(
    person: &EntityId,
    id_number: &IdNumber,
    election_day: NaiveDate,
    voter_list: Option<&BTreeSet<EntityId>>,
    vec_members: &BTreeSet<EntityId>,
) -> BasicCheck {
    let b01 = if age_on(id_number.birth_date(), election_day) >= ADULT_AGE {
        RuleResult::Clear
    } else {
        RuleResult::Hit
    };
    let b03 = match voter_list {
        None => RuleResult::Pending,
        Some(list) if list.contains(person) => RuleResult::Clear,
        Some(_) => RuleResult::Hit,
    };
    let mut actions = Vec::new();
    let b06 = if vec_members.contains(person) {
        actions.push(BasicAction::LeaveElectionCommittee {
            person: person.clone(),
        });
        RuleResult::Clear
    } else {
        RuleResult::NotApplicable
    };
    BasicCheck {
        person: person.clone(),
        results: BTreeMap::from([
            (RuleId::new("B01"), b01),
            (RuleId::new("B03"), b03),
            (RuleId::new("B06"), b06),
        ]),
        actions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::fixtures::{day, id_born, person};

    fn b01(birth: NaiveDate, e: NaiveDate) -> RuleResult {
        let p = person("a");
        let list = BTreeSet::from([p.clone()]);
        check_basic(&p, &id_born(birth), e, Some(&list), &BTreeSet::new())
            .result(&RuleId::new("B01"))
            .unwrap()
    }

    #[test]
    fn turns_18_on_election_day_is_eligible() {
        assert_eq!(b01(day(2008, 3, 1), day(2026, 3, 1)), RuleResult::Clear);
    }

    #[test]
    fn turns_18_one_day_after_is_not() {
        assert_eq!(b01(day(2008, 3, 2), day(2026, 3, 1)), RuleResult::Hit);
    }

    #[test]
    fn born_on_29_february_turns_18_on_1_march() {
        assert_eq!(b01(day(2008, 2, 29), day(2026, 2, 28)), RuleResult::Hit);
        assert_eq!(b01(day(2008, 2, 29), day(2026, 3, 1)), RuleResult::Clear);
    }

    #[test]
    fn b03_on_the_published_voter_list_only() {
        let (a, b) = (person("a"), person("b"));
        let id = id_born(day(1980, 1, 1));
        let e = day(2026, 3, 1);
        let list = BTreeSet::from([a.clone()]);
        let none = BTreeSet::new();
        let b03 = RuleId::new("B03");
        let on = check_basic(&a, &id, e, Some(&list), &none);
        let off = check_basic(&b, &id, e, Some(&list), &none);
        let unpublished = check_basic(&a, &id, e, None, &none);
        assert_eq!(on.result(&b03), Some(RuleResult::Clear));
        assert_eq!(off.result(&b03), Some(RuleResult::Hit));
        assert_eq!(unpublished.result(&b03), Some(RuleResult::Pending));
    }

    #[test]
    fn b06_vec_member_leaves_the_vec_and_stays_eligible() {
        let a = person("a");
        let list = BTreeSet::from([a.clone()]);
        let vec = BTreeSet::from([a.clone()]);
        let check = check_basic(
            &a,
            &id_born(day(1980, 1, 1)),
            day(2026, 3, 1),
            Some(&list),
            &vec,
        );
        assert_eq!(check.result(&RuleId::new("B06")), Some(RuleResult::Clear));
        assert_eq!(
            check.actions,
            [BasicAction::LeaveElectionCommittee { person: a.clone() }]
        );
        let other = check_basic(
            &a,
            &id_born(day(1980, 1, 1)),
            day(2026, 3, 1),
            Some(&list),
            &BTreeSet::new(),
        );
        assert_eq!(
            other.result(&RuleId::new("B06")),
            Some(RuleResult::NotApplicable)
        );
        assert!(other.actions.is_empty());
    }
}
