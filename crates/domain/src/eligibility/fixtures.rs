//! Shared test data: an election on 2026-03-01 with the formal list published on 2026-02-24
//! (V10, five days before), reviewed under the default pack for a village committee.
#![cfg_attr(not(test), allow(dead_code, unused_imports))]

use chrono::NaiveDate;

use super::pack::RulePack;
use super::review::{ReviewBatch, RuleOutcome};
use super::rule::{Committee, Department, RuleId, RuleResult};
use crate::directory::person::{IdNumber, check_digit};
use crate::ids::{EntityId, Hash, UserId};

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 选举日
pub fn election_day() -> NaiveDate {
    day(2026, 3, 1)
}

/// The day departments sign their answers off.
pub fn review_day() -> NaiveDate {
    day(2026, 2, 19)
}

/// V10: the formal candidate list is published.
pub fn list_day() -> NaiveDate {
    day(2026, 2, 24)
}

pub fn person(n: &str) -> EntityId {
    format!("person:{n}").parse().unwrap()
}

pub fn user(n: &str) -> UserId {
    n.parse().unwrap()
}

/// A valid Chongqing ID number for someone born on `birth`.
pub fn id_born(birth: NaiveDate) -> IdNumber {
    let first17 = format!("500101{}123", birth.format("%Y%m%d"));
    let check = check_digit(first17.as_bytes().try_into().unwrap());
    IdNumber::parse(&format!("{first17}{check}"), birth).unwrap()
}

/// A village-committee batch over the default pack.
pub fn new_batch(persons: &[&str]) -> ReviewBatch {
    ReviewBatch::compile(
        "batch:1".parse().unwrap(),
        "5001001".parse().unwrap(),
        Committee::VillageCommittee,
        election_day(),
        &RulePack::cq_candidate_2021(),
        persons.iter().map(|p| person(p)).collect(),
    )
}

pub fn outcome(rule: &str, who: &str, department: Department, result: RuleResult) -> RuleOutcome {
    RuleOutcome {
        rule: RuleId::new(rule),
        person: person(who),
        department,
        result,
        record_date: None,
        date: review_day(),
        reviewer: user("reviewer-1"),
        seal_photo_hash: Hash::of(b"seal photo"),
    }
}

/// Every department answers every one of its rules for `who` with `result` on `date`.
pub fn answer_all(batch: &mut ReviewBatch, who: &str, result: RuleResult, date: NaiveDate) {
    answer_all_except(batch, who, result, date, ("", Department::Court));
}

/// Like `answer_all`, leaving out one (rule, department).
pub fn answer_all_except(
    batch: &mut ReviewBatch,
    who: &str,
    result: RuleResult,
    date: NaiveDate,
    skip: (&str, Department),
) {
    let owed: Vec<(RuleId, Department)> = batch
        .missing_answers()
        .into_iter()
        .filter(|m| m.person == person(who))
        .map(|m| (m.rule, m.department))
        .filter(|(r, d)| !(r == skip.0 && *d == skip.1))
        .collect();
    for (rule, department) in owed {
        batch
            .record(RuleOutcome {
                date,
                ..outcome(rule.as_str(), who, department, result)
            })
            .unwrap();
    }
}
