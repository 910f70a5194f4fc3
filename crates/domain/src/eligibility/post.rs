//! Composition checks on the winners (班子结构, POST rules of §2.3): C01 no close relatives on
//! the same committee (近亲属回避), C02 no committee member or close relative of one on the
//! supervision committee, C03 a woman member and, in multi-ethnic places, a minority member.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::pack::RulePack;
use super::rule::{Committee, RuleId};
use crate::directory::kinship::Kinship;
use crate::event::{Relation, Sex};
use crate::ids::EntityId;

/// A winner as the composition checks need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub person: EntityId,
    pub sex: Sex,
    /// 民族, as recorded in the directory (e.g. `土家族`).
    pub ethnicity: String,
}

/// C01: `person` is `relative_of`'s `relation` and ranks lower, so `person` steps aside (回避).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepAside {
    pub person: EntityId,
    pub relative_of: EntityId,
    pub relation: Relation,
}

/// Walks the winners from the highest rank down (主任 first, then by votes): anyone who is a
/// close relative of someone already kept steps aside. Someone who stepped aside no longer
/// counts, so a relative of theirs further down may stay.
pub fn close_relatives_step_aside(members_ranked: &[EntityId], kin: &Kinship) -> Vec<StepAside> {
    let mut kept: Vec<&EntityId> = Vec::new();
    let mut aside = Vec::new();
    for member in members_ranked {
        let clash = kept
            .iter()
            .find_map(|k| kin.relation(k, member).map(|r| (*k, r)));
        match clash {
            Some((higher, relation)) => aside.push(StepAside {
                person: member.clone(),
                relative_of: higher.clone(),
                relation,
            }),
            None => kept.push(member),
        }
    }
    aside
}

/// C02: a supervision-committee member who is a committee member (`relation` = `None`) or a
/// close relative of one (`supervisor` is `member`'s `relation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionConflict {
    pub supervisor: EntityId,
    pub member: EntityId,
    pub relation: Option<Relation>,
}

pub fn supervision_conflicts(
    committee: &[EntityId],
    supervision: &[EntityId],
    kin: &Kinship,
) -> Vec<SupervisionConflict> {
    let mut conflicts = Vec::new();
    for supervisor in supervision {
        for member in committee {
            let relation = kin.relation(member, supervisor);
            if supervisor == member || relation.is_some() {
                conflicts.push(SupervisionConflict {
                    supervisor: supervisor.clone(),
                    member: member.clone(),
                    relation,
                });
            }
        }
    }
    conflicts
}

/// C03: what the committee lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "gap", rename_all = "snake_case")]
pub enum CompositionGap {
    /// 无妇女成员
    NoWoman,
    /// 无人数较少民族成员 — none of `groups` is represented.
    NoMinorityMember { groups: Vec<String> },
}

/// `minority_groups` are the smaller ethnic groups living in the unit (empty where only one
/// group lives); at least one member must belong to one of them.
pub fn composition_gaps(members: &[Member], minority_groups: &[String]) -> Vec<CompositionGap> {
    let mut gaps = Vec::new();
    if !members.iter().any(|m| m.sex == Sex::Female) {
        gaps.push(CompositionGap::NoWoman);
    }
    if !minority_groups.is_empty()
        && !members.iter().any(|m| {
            minority_groups
                .iter()
                .any(|g| g.trim() == m.ethnicity.trim())
        })
    {
        gaps.push(CompositionGap::NoMinorityMember {
            groups: minority_groups.to_vec(),
        });
    }
    gaps
}

/// One composition problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PostProblem {
    CloseRelatives(StepAside),
    SupervisionConflict(SupervisionConflict),
    Composition(CompositionGap),
}

/// A problem found on the winners, with the rule it breaks, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFinding {
    pub rule: RuleId,
    pub problem: PostProblem,
    pub zh: String,
    pub en: String,
}

/// The composition of one committee's winners.
pub struct Winners<'a> {
    pub committee: Committee,
    /// In rank order: 主任, 副主任, 委员, each by votes.
    pub members: &'a [Member],
    /// The supervision committee elected alongside (empty if not yet elected).
    pub supervision: &'a [EntityId],
    pub minority_groups: &'a [String],
}

/// Runs C01–C03 as far as they are enabled, in force on `election_day` and meant for this
/// committee.
pub fn check_winners(
    pack: &RulePack,
    election_day: NaiveDate,
    winners: &Winners,
    kin: &Kinship,
) -> Vec<PostFinding> {
    let on = |id: &str| {
        pack.rule(id)
            .filter(|r| r.applies(winners.committee, election_day))
    };
    let ids: Vec<EntityId> = winners.members.iter().map(|m| m.person.clone()).collect();
    let mut problems = Vec::new();
    if let Some(rule) = on("C01") {
        for s in close_relatives_step_aside(&ids, kin) {
            let zh = format!(
                "{}系{}的{}，排名在后，应回避",
                s.person,
                s.relative_of,
                s.relation.label_zh()
            );
            let en = format!(
                "{} is a close relative ({:?}) of {} and ranks lower: steps aside",
                s.person, s.relation, s.relative_of
            );
            problems.push((rule, PostProblem::CloseRelatives(s), zh, en));
        }
    }
    if let Some(rule) = on("C02") {
        for c in supervision_conflicts(&ids, winners.supervision, kin) {
            let (zh, en) = match c.relation {
                None => (
                    format!("{}同时是委员会成员", c.supervisor),
                    format!("{} is also a committee member", c.supervisor),
                ),
                Some(r) => (
                    format!("{}系委员会成员{}的{}", c.supervisor, c.member, r.label_zh()),
                    format!(
                        "{} is a close relative ({r:?}) of committee member {}",
                        c.supervisor, c.member
                    ),
                ),
            };
            problems.push((rule, PostProblem::SupervisionConflict(c), zh, en));
        }
    }
    if let Some(rule) = on("C03") {
        for g in composition_gaps(winners.members, winners.minority_groups) {
            let (zh, en) = match &g {
                CompositionGap::NoWoman => ("没有妇女成员".into(), "no woman member".into()),
                CompositionGap::NoMinorityMember { groups } => (
                    format!("没有{}成员", groups.join("、")),
                    format!("no member of {}", groups.join(", ")),
                ),
            };
            problems.push((rule, PostProblem::Composition(g), zh, en));
        }
    }
    problems
        .into_iter()
        .map(|(rule, problem, zh, en)| PostFinding {
            rule: rule.id.clone(),
            zh: format!("{} {}：{zh}", rule.id, rule.zh),
            en: format!("{} {}: {en}", rule.id, rule.en),
            problem,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::fixtures::{election_day, person};
    use crate::eligibility::pack::PackChange;

    fn ids(names: &[&str]) -> Vec<EntityId> {
        names.iter().map(|n| person(n)).collect()
    }

    fn kin(links: &[(&str, &str, Relation)]) -> Kinship {
        Kinship::new(
            links.iter().map(|(a, b, r)| (person(a), person(b), *r)),
            std::iter::empty(),
        )
    }

    fn member(n: &str, sex: Sex, ethnicity: &str) -> Member {
        Member {
            person: person(n),
            sex,
            ethnicity: ethnicity.into(),
        }
    }

    #[test]
    fn post_close_relative_check_picks_lower_ranked_to_step_aside() {
        // c is b's spouse; b ranks higher, so c steps aside whichever side recorded the link.
        for k in [
            kin(&[("b", "c", Relation::Spouse)]),
            kin(&[("c", "b", Relation::Spouse)]),
        ] {
            let aside = close_relatives_step_aside(&ids(&["a", "b", "c"]), &k);
            assert_eq!(
                aside,
                [StepAside {
                    person: person("c"),
                    relative_of: person("b"),
                    relation: Relation::Spouse
                }]
            );
        }
    }

    #[test]
    fn close_relatives_implied_by_links_count_too() {
        // a and c share parent p: siblings without a recorded sibling link.
        let k = kin(&[("a", "p", Relation::Parent), ("c", "p", Relation::Parent)]);
        let aside = close_relatives_step_aside(&ids(&["a", "b", "c"]), &k);
        assert_eq!(aside.len(), 1);
        assert_eq!(
            (aside[0].person.clone(), aside[0].relation),
            (person("c"), Relation::Sibling)
        );
    }

    #[test]
    fn whoever_stepped_aside_no_longer_forces_others_out() {
        // b is a's child, c is b's spouse (not a close relative of a): only b steps aside.
        let k = kin(&[("a", "b", Relation::Child), ("b", "c", Relation::Spouse)]);
        let aside = close_relatives_step_aside(&ids(&["a", "b", "c"]), &k);
        assert_eq!(aside.len(), 1);
        assert_eq!(aside[0].person, person("b"));
    }

    #[test]
    fn unrelated_members_all_stay() {
        let k = kin(&[("a", "x", Relation::Spouse)]);
        assert!(close_relatives_step_aside(&ids(&["a", "b", "c"]), &k).is_empty());
    }

    #[test]
    fn c02_supervision_member_may_not_be_a_member_or_a_members_relative() {
        let k = kin(&[("a", "s2", Relation::Sibling)]);
        let conflicts = supervision_conflicts(&ids(&["a", "b"]), &ids(&["b", "s2", "s3"]), &k);
        assert_eq!(
            conflicts,
            [
                SupervisionConflict {
                    supervisor: person("b"),
                    member: person("b"),
                    relation: None
                },
                SupervisionConflict {
                    supervisor: person("s2"),
                    member: person("a"),
                    relation: Some(Relation::Sibling)
                },
            ]
        );
    }

    #[test]
    fn c03_needs_a_woman_and_a_minority_member_where_groups_are_named() {
        let tujia = vec!["土家族".to_string()];
        let men = [
            member("a", Sex::Male, "汉族"),
            member("b", Sex::Male, "汉族"),
        ];
        assert_eq!(
            composition_gaps(&men, &tujia),
            [
                CompositionGap::NoWoman,
                CompositionGap::NoMinorityMember {
                    groups: tujia.clone()
                }
            ]
        );
        let ok = [
            member("a", Sex::Male, "汉族"),
            member("b", Sex::Female, "土家族"),
        ];
        assert!(composition_gaps(&ok, &tujia).is_empty());
        // Single-ethnic village: only the woman member is required.
        assert_eq!(composition_gaps(&men, &[]), [CompositionGap::NoWoman]);
    }

    #[test]
    fn check_winners_names_rules_and_respects_disabled_ones() {
        let members = [
            member("a", Sex::Male, "汉族"),
            member("b", Sex::Male, "汉族"),
        ];
        let supervision = ids(&["s"]);
        let k = kin(&[("a", "b", Relation::Sibling), ("s", "a", Relation::Spouse)]);
        let winners = Winners {
            committee: Committee::VillageCommittee,
            members: &members,
            supervision: &supervision,
            minority_groups: &[],
        };
        let pack = RulePack::cq_candidate_2021();
        let found = check_winners(&pack, election_day(), &winners, &k);
        let rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["C01", "C02", "C03"]);
        assert!(found[0].zh.starts_with("C01 成员之间近亲属回避："));
        assert!(found[2].zh.ends_with("没有妇女成员"));

        let without_c03 = pack
            .apply(&[PackChange::SetEnabled {
                rule: RuleId::new("C03"),
                enabled: false,
            }])
            .unwrap();
        let found = check_winners(&without_c03, election_day(), &winners, &k);
        assert!(found.iter().all(|f| f.rule != "C03"));
    }
}
