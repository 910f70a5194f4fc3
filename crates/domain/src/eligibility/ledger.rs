//! Typed projections of the eligibility events: `PackLedger` (one cloned rule pack and its
//! changes) and `BatchLedger` (one review batch: what was compiled, who answered, decisions,
//! issued codes). Each device folds only the events it received, so a township device builds
//! its batch from sign-offs and a village device knows only the issued codes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::basic::BasicCheck;
use super::events::{BatchCompiled, DepartmentAnswers, DepartmentSignOff, SignedLine};
use super::pack::RulePack;
use super::review::{ReviewBatch, RuleOutcome};
use super::rule::{Department, RuleId, RuleResult};
use super::verdict::{
    FormalList, FormalListError, Verdict, VerdictCode, WarnDecision, formal_candidates, verdict,
};
use crate::event::{Event, EventBody};
use crate::ids::{EntityId, Hash, UnitId, UserId};
use crate::projection::{Projection, canonical_order};

/// One change of a pack as recorded: who, when (ms), and whether it applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackHistoryEntry {
    pub actor: UserId,
    pub at_ms: u64,
    pub version: u32,
    /// `None` if applied; otherwise why not (Chinese message of the domain error).
    pub refused: Option<String>,
}

/// A cloned rule pack with its changes folded in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackLedger {
    pub entity: Option<EntityId>,
    pub pack: Option<RulePack>,
    pub source: Option<(String, u32)>,
    pub history: Vec<PackHistoryEntry>,
}

impl Projection for PackLedger {
    fn apply(&mut self, ev: &Event) {
        match &ev.body {
            EventBody::RulePackCloned(c) if self.pack.is_none() => {
                self.entity = Some(ev.entity.clone());
                self.pack = Some(c.pack.clone());
                self.source = Some((c.source_id.clone(), c.source_version));
                self.history.push(PackHistoryEntry {
                    actor: ev.actor.clone(),
                    at_ms: ev.hlc.wall_ms,
                    version: c.pack.version,
                    refused: None,
                });
            }
            EventBody::RulePackChanged(change) => {
                let Some(pack) = &self.pack else { return };
                // Changes made on two devices from the same version both apply, in canonical
                // order: each is a list of settings, and the later setting wins.
                let (version, refused) = match pack.apply(&change.changes) {
                    Ok(next) => {
                        let v = next.version;
                        self.pack = Some(next);
                        (v, None)
                    }
                    Err(e) => (pack.version, Some(e.message_zh())),
                };
                self.history.push(PackHistoryEntry {
                    actor: ev.actor.clone(),
                    at_ms: ev.hlc.wall_ms,
                    version,
                    refused,
                });
            }
            _ => {}
        }
    }
}

/// Where one department stands in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentProgress {
    pub department: Department,
    /// Answers owed: its rules × nominees.
    pub owed: usize,
    /// Final answers still missing.
    pub missing: usize,
}

impl DepartmentProgress {
    pub fn answered(&self) -> bool {
        self.missing == 0
    }
}

/// One review batch as this device knows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchLedger {
    pub entity: Option<EntityId>,
    pub unit: Option<UnitId>,
    pub compiled: Option<BatchCompiled>,
    pub compiled_by: Option<UserId>,
    pub sent_on_ms: Option<u64>,
    /// Full answers (HIT details), per department — only on devices allowed to read them.
    pub answers: BTreeMap<Department, Vec<RuleOutcome>>,
    /// Notes of HIT answers: (department, person, rule) → note.
    pub hit_notes: BTreeMap<(Department, EntityId, RuleId), String>,
    /// Sign-offs per department, in canonical order.
    pub sign_offs: BTreeMap<Department, Vec<(UserId, SignedLine)>>,
    pub decisions: Vec<WarnDecision>,
    /// The codes last issued to the village.
    pub issued: BTreeMap<EntityId, VerdictCode>,
    pub issued_on_ms: Option<u64>,
}

impl Projection for BatchLedger {
    fn apply(&mut self, ev: &Event) {
        if self.entity.is_none() {
            self.entity = Some(ev.entity.clone());
            self.unit = Some(ev.unit.clone());
        }
        match &ev.body {
            EventBody::ReviewBatchCompiled(c) if self.compiled.is_none() => {
                self.compiled = Some(c.clone());
                self.compiled_by = Some(ev.actor.clone());
                self.unit = Some(ev.unit.clone());
            }
            EventBody::ReviewBatchSent(_) => {
                self.sent_on_ms.get_or_insert(ev.hlc.wall_ms);
            }
            EventBody::ReviewAnswered(a) => self.add_answers(a, &ev.actor),
            EventBody::ReviewSignedOff(s) => {
                let list = self.sign_offs.entry(s.department).or_default();
                list.extend(s.results.iter().map(|r| (ev.actor.clone(), r.clone())));
            }
            EventBody::WarnDecided(d) => self.decisions.push(d.clone()),
            EventBody::VerdictsIssued(v) => {
                for line in &v.verdicts {
                    self.issued.insert(line.person.clone(), line.code);
                }
                self.issued_on_ms = Some(ev.hlc.wall_ms);
            }
            _ => {}
        }
    }
}

/// Stands for "a record older than any lookback" when a sign-off says a HIT fell outside the
/// lookback: the batch then ignores it exactly as it would the real record date.
const BEFORE_ANY_LOOKBACK: NaiveDate = NaiveDate::MIN;

impl BatchLedger {
    /// Folds the events of one batch (any order, repeats allowed).
    pub fn of(events: &[Event]) -> BatchLedger {
        let mut ledger = BatchLedger::default();
        for ev in canonical_order(events) {
            ledger.apply(ev);
        }
        ledger
    }

    fn add_answers(&mut self, a: &DepartmentAnswers, actor: &UserId) {
        let list = self.answers.entry(a.department).or_default();
        for line in &a.answers {
            list.push(RuleOutcome {
                rule: line.rule.clone(),
                person: line.person.clone(),
                department: a.department,
                result: line.result,
                record_date: line.record_date,
                date: line.date,
                reviewer: actor.clone(),
                seal_photo_hash: line.seal_photo_hash.unwrap_or(Hash::ZERO),
            });
            match &line.note {
                Some(note) => {
                    self.hit_notes.insert(
                        (a.department, line.person.clone(), line.rule.clone()),
                        note.clone(),
                    );
                }
                None => {
                    self.hit_notes
                        .remove(&(a.department, line.person.clone(), line.rule.clone()));
                }
            }
        }
    }

    pub fn is_sent(&self) -> bool {
        self.sent_on_ms.is_some()
    }

    /// The nominees in nomination order.
    pub fn nominees(&self) -> Vec<EntityId> {
        self.compiled
            .iter()
            .flat_map(|c| c.nominees.iter().map(|n| n.person.clone()))
            .collect()
    }

    /// The domain batch with every answer this device knows: a department's full answers when
    /// present here, otherwise its sign-off. Answers the batch refuses (a rule not the
    /// department's, a stranger) are left out. `None` before the compile event arrives.
    pub fn batch(&self) -> Option<ReviewBatch> {
        let c = self.compiled.as_ref()?;
        let mut batch = ReviewBatch {
            id: self.entity.clone()?,
            township: self.unit.clone()?,
            committee: c.committee,
            election_day: c.election_day,
            pack_id: c.pack_id.clone(),
            pack_version: c.pack_version,
            persons: self.nominees(),
            rules: c.rules.clone(),
            answers: Vec::new(),
        };
        let departments: BTreeSet<Department> = self
            .answers
            .keys()
            .chain(self.sign_offs.keys())
            .copied()
            .collect();
        for department in departments {
            let outcomes: Vec<RuleOutcome> = match self.answers.get(&department) {
                Some(full) => full.clone(),
                None => self.sign_offs[&department]
                    .iter()
                    .map(|(reviewer, line)| signed_outcome(department, reviewer, line))
                    .collect(),
            };
            for outcome in outcomes {
                let _ = batch.record(outcome);
            }
        }
        Some(batch)
    }

    /// Every department that must answer, with its progress.
    pub fn progress(&self) -> Vec<DepartmentProgress> {
        let Some(batch) = self.batch() else {
            return Vec::new();
        };
        let mut owed: BTreeMap<Department, usize> = BTreeMap::new();
        for rule in &batch.rules {
            if super::basic::is_computed(&rule.id) {
                continue;
            }
            for &d in &rule.departments {
                *owed.entry(d).or_default() += batch.persons.len();
            }
        }
        let reminders = batch.reminders();
        owed.into_iter()
            .map(|(department, owed)| DepartmentProgress {
                department,
                owed,
                missing: reminders.get(&department).copied().unwrap_or(0),
            })
            .collect()
    }

    /// 催办 — the departments that still owe answers.
    pub fn reminders(&self) -> Vec<DepartmentProgress> {
        self.progress()
            .into_iter()
            .filter(|p| !p.answered())
            .collect()
    }

    /// 联审完成 — every required department answered for every nominee.
    pub fn is_closed(&self) -> bool {
        self.batch().is_some_and(|b| b.is_closed())
    }

    /// The rules `department` answers in this batch.
    pub fn rules_for(&self, department: Department) -> Vec<RuleId> {
        self.batch()
            .map(|b| b.rules_for(department).into_iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Each nominee's verdict with its reasons, in nomination order. `basics` are the computed
    /// basic conditions (B01, B03, B06); a nominee without one stays pending on them.
    pub fn verdicts(&self, basics: &BTreeMap<EntityId, BasicCheck>) -> Vec<Verdict> {
        let (Some(batch), Some(c)) = (self.batch(), self.compiled.as_ref()) else {
            return Vec::new();
        };
        batch
            .persons
            .iter()
            .map(|p| verdict(&batch, p, basics.get(p), &self.decisions, c.formal_list_day))
            .collect()
    }

    /// The formal candidate list from the verdicts: NOT_ELIGIBLE nominees are removed and the
    /// next ones move up.
    pub fn formal_list(
        &self,
        basics: &BTreeMap<EntityId, BasicCheck>,
    ) -> Option<Result<FormalList, FormalListError>> {
        let c = self.compiled.as_ref()?;
        let codes: BTreeMap<EntityId, VerdictCode> = self
            .verdicts(basics)
            .into_iter()
            .map(|v| (v.person, v.code))
            .collect();
        Some(formal_candidates(
            &self.nominees(),
            &codes,
            usize::from(c.seats),
            usize::from(c.margin),
        ))
    }
}

/// The computed basic conditions of a nominee from the directory: B01 from the identity number
/// (its birth date) on election day; B03 "registered in this unit" — until the elections module
/// publishes voter lists, being recorded in the batch's village or community stands for it;
/// B06 no election-committee roster yet, so not applicable. `None` if the identity number is
/// not valid (the nominee then stays pending on B01).
pub fn basic_from_directory(
    person: &EntityId,
    id_number: &str,
    registered_in: &UnitId,
    batch_unit: &UnitId,
    election_day: NaiveDate,
) -> Option<BasicCheck> {
    let id = crate::directory::person::IdNumber::parse(id_number, election_day).ok()?;
    let registered: BTreeSet<EntityId> = if registered_in.is_within(batch_unit) {
        BTreeSet::from([person.clone()])
    } else {
        BTreeSet::new()
    };
    Some(super::basic::check_basic(
        person,
        &id,
        election_day,
        Some(&registered),
        &BTreeSet::new(),
    ))
}

/// 联审结果表 — the batch's result for the files: one row per nominee with the verdict and
/// every reason, and who answered for each department.
pub fn result_workbook(
    ledger: &BatchLedger,
    unit_name: &str,
    basics: &BTreeMap<EntityId, BasicCheck>,
) -> crate::export::Workbook {
    use crate::export::{Cell, Sheet, Workbook};
    let Some(c) = ledger.compiled.as_ref() else {
        return Workbook::default();
    };
    let names: BTreeMap<&EntityId, &str> = c
        .nominees
        .iter()
        .map(|n| (&n.person, n.name.as_str()))
        .collect();
    let rows = ledger
        .verdicts(basics)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let blocking: Vec<String> = v.blocking_reasons().map(|r| r.zh.clone()).collect();
            vec![
                Cell::Int(i as i64 + 1),
                Cell::text(names.get(&v.person).copied().unwrap_or_default()),
                Cell::text(v.code.label_zh()),
                Cell::text(blocking.join("；")),
                Cell::text(
                    v.reasons
                        .iter()
                        .map(|r| r.zh.clone())
                        .collect::<Vec<_>>()
                        .join("；"),
                ),
            ]
        })
        .collect();
    let footer = ledger
        .progress()
        .into_iter()
        .map(|p| {
            vec![
                Cell::Empty,
                Cell::text(p.department.label_zh()),
                Cell::text(if p.answered() {
                    "已答复"
                } else {
                    "未答复"
                }),
                Cell::text(format!("{}/{}", p.owed - p.missing, p.owed)),
            ]
        })
        .collect();
    Workbook {
        sheets: vec![Sheet {
            name: "联审结果".into(),
            title: vec![
                format!("{unit_name} {} 候选人资格联审结果", c.committee.label_zh()),
                format!(
                    "选举日 {} · 规则包 {} v{}",
                    c.election_day, c.pack_id, c.pack_version
                ),
            ],
            columns: ["序号", "姓名", "审查结论", "未通过原因", "逐条审查情况"]
                .map(String::from)
                .to_vec(),
            rows,
            footer,
        }],
    }
}

fn signed_outcome(department: Department, reviewer: &UserId, line: &SignedLine) -> RuleOutcome {
    let (result, record_date) = if line.outside_lookback {
        (RuleResult::Hit, Some(BEFORE_ANY_LOOKBACK))
    } else {
        (line.result, None)
    };
    RuleOutcome {
        rule: line.rule.clone(),
        person: line.person.clone(),
        department,
        result,
        record_date,
        date: line.date,
        reviewer: reviewer.clone(),
        seal_photo_hash: Hash::ZERO,
    }
}

/// The sign-off a department writes with its answers: each answer's result after the rule's
/// lookback (a HIT older than the lookback is CLEAR, marked as such), without the record.
pub fn sign_off(
    compiled: &BatchCompiled,
    answers: &DepartmentAnswers,
) -> super::events::DepartmentSignOff {
    let results = answers
        .answers
        .iter()
        .map(|a| {
            let counts = compiled
                .rules
                .iter()
                .find(|r| r.id == a.rule)
                .is_none_or(|r| r.record_counts(a.record_date, compiled.election_day));
            let outside = a.result == RuleResult::Hit && !counts;
            SignedLine {
                person: a.person.clone(),
                rule: a.rule.clone(),
                result: if outside { RuleResult::Clear } else { a.result },
                outside_lookback: outside,
                date: a.date,
            }
        })
        .collect();
    DepartmentSignOff {
        department: answers.department,
        results,
    }
}

/// What the generic entity projection keeps of an eligibility event: a summary for lists
/// (never a HIT detail). The typed views are `PackLedger` and `BatchLedger`.
pub fn summarise(doc: &mut serde_json::Map<String, serde_json::Value>, body: &EventBody) {
    use serde_json::{Value, json};
    match body {
        EventBody::RulePackCloned(c) => {
            doc.insert("pack_id".into(), json!(c.pack.id));
            doc.insert("version".into(), json!(c.pack.version));
        }
        EventBody::RulePackChanged(_) => {
            let n = doc.get("changes").and_then(Value::as_u64).unwrap_or(0);
            doc.insert("changes".into(), json!(n + 1));
        }
        EventBody::ReviewBatchCompiled(c) => {
            doc.insert("committee".into(), json!(c.committee));
            doc.insert("election_day".into(), json!(c.election_day));
            doc.insert("pack_id".into(), json!(c.pack_id));
            doc.insert("nominees".into(), json!(c.nominees.len()));
        }
        EventBody::ReviewBatchSent(_) => {
            doc.insert("sent".into(), json!(true));
        }
        EventBody::ReviewSignedOff(s) => {
            let list = doc.entry("signed_off").or_insert_with(|| json!([]));
            let d = json!(s.department);
            if let Value::Array(items) = list
                && !items.contains(&d)
            {
                items.push(d);
            }
        }
        EventBody::VerdictsIssued(v) => {
            let map = doc.entry("verdicts").or_insert_with(|| json!({}));
            if let Value::Object(map) = map {
                for line in &v.verdicts {
                    map.insert(line.person.to_string(), json!(line.code));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::authz::Role;
    use crate::eligibility::access::may_read;
    use crate::eligibility::basic::check_basic;
    use crate::eligibility::events::tests::compiled;
    use crate::eligibility::events::{AnswerLine, BatchSent, DepartmentAnswers, IssuedVerdict};
    use crate::eligibility::fixtures::{day, election_day, id_born, person, review_day};
    use crate::event::{DeviceLog, NewEvent};
    use crate::sync::Profile;

    const VILLAGE: &str = "5001001001";
    const BATCH: &str = "review_batch:01ARZ3NDEKTSV4RRFFQ69G5FAV";

    /// Writes events as one device, in order.
    struct Writer(DeviceLog, u64);

    impl Writer {
        fn new() -> Writer {
            Writer(DeviceLog::new("d1".parse().unwrap()), 1_750_000_000_000)
        }

        fn write(&mut self, actor: &str, body: EventBody) -> Event {
            self.1 += 1000;
            self.0.append(
                NewEvent {
                    actor: actor.parse().unwrap(),
                    unit: VILLAGE.parse().unwrap(),
                    entity: BATCH.parse().unwrap(),
                    body,
                },
                self.1,
                [0; 10],
            )
        }
    }

    /// Every department answers all its rules for every nominee with CLEAR, except the hits
    /// given as (department, person, rule, record date).
    fn department_events(
        w: &mut Writer,
        hits: &[(Department, &str, &str, Option<NaiveDate>)],
    ) -> Vec<Event> {
        let c = compiled();
        let ledger = BatchLedger::of(&[w.write("sup", EventBody::ReviewBatchCompiled(c.clone()))]);
        let batch = ledger.batch().unwrap();
        let mut by_dept: BTreeMap<Department, Vec<AnswerLine>> = BTreeMap::new();
        for m in batch.missing_answers() {
            let hit = hits
                .iter()
                .find(|(d, p, r, _)| *d == m.department && person(p) == m.person && m.rule == *r);
            by_dept.entry(m.department).or_default().push(AnswerLine {
                person: m.person.clone(),
                rule: m.rule.clone(),
                result: if hit.is_some() {
                    RuleResult::Hit
                } else {
                    RuleResult::Clear
                },
                record_date: hit.and_then(|h| h.3),
                note: None,
                date: review_day(),
                seal_photo_hash: None,
            });
        }
        let mut events = vec![];
        for (department, answers) in by_dept {
            let a = DepartmentAnswers {
                department,
                answers,
            };
            events.push(w.write("dept", EventBody::ReviewSignedOff(sign_off(&c, &a))));
            events.push(w.write("dept", EventBody::ReviewAnswered(a)));
        }
        events
    }

    fn basics() -> BTreeMap<EntityId, BasicCheck> {
        let list: BTreeSet<EntityId> = ["a", "b", "c"].iter().map(|p| person(p)).collect();
        ["a", "b", "c"]
            .iter()
            .map(|p| {
                let check = check_basic(
                    &person(p),
                    &id_born(day(1980, 1, 1)),
                    election_day(),
                    Some(&list),
                    &BTreeSet::new(),
                );
                (person(p), check)
            })
            .collect()
    }

    fn profile(role: Role, department: Option<Department>) -> Profile {
        Profile {
            user: "u".parse().unwrap(),
            display_name: "x".into(),
            role,
            scope: "5001".parse().unwrap(),
            department,
        }
    }

    /// What a device of `profile` folds: only the events the server would serve it.
    fn as_seen_by(profile: &Profile, events: &[Event]) -> BatchLedger {
        let seen: Vec<Event> = events
            .iter()
            .filter(|e| may_read(profile, &e.body))
            .cloned()
            .collect();
        BatchLedger::of(&seen)
    }

    fn scenario(hits: &[(Department, &str, &str, Option<NaiveDate>)]) -> Vec<Event> {
        let mut w = Writer::new();
        let mut events = vec![w.write("sup", EventBody::ReviewBatchCompiled(compiled()))];
        events.push(w.write("sup", EventBody::ReviewBatchSent(BatchSent {})));
        events.extend(department_events(&mut w, hits));
        events
    }

    #[test]
    fn batch_closes_when_every_department_answered_and_reminds_the_rest() {
        let events = scenario(&[]);
        let full = BatchLedger::of(&events);
        assert!(full.is_sent());
        assert!(full.is_closed());
        assert!(full.reminders().is_empty());
        // Without the court's events the court is reminded, nobody else.
        let without_court: Vec<Event> = events
            .iter()
            .filter(|e| {
                crate::eligibility::access::department_of(&e.body) != Some(Department::Court)
            })
            .cloned()
            .collect();
        let ledger = BatchLedger::of(&without_court);
        assert!(!ledger.is_closed());
        let reminded: Vec<Department> = ledger.reminders().iter().map(|p| p.department).collect();
        assert_eq!(reminded, [Department::Court]);
        assert_eq!(
            ledger.reminders()[0].missing,
            3 * 3,
            "B02, N01, N06 × three nominees"
        );
    }

    #[test]
    fn township_sees_the_same_verdicts_as_the_district_without_the_details() {
        let events = scenario(&[
            (Department::Court, "a", "N01", Some(day(2019, 5, 1))),
            // Six years before election day, lookback 5: ignored.
            (
                Department::PetitionOffice,
                "b",
                "N10",
                Some(day(2020, 2, 1)),
            ),
        ]);
        let district = as_seen_by(&profile(Role::DistrictAdmin, None), &events);
        let township = as_seen_by(&profile(Role::TownshipSupervisor, None), &events);
        assert!(
            township.answers.is_empty(),
            "no HIT details on the township device"
        );
        assert!(!district.answers.is_empty());
        let codes = |l: &BatchLedger| -> Vec<VerdictCode> {
            l.verdicts(&basics()).iter().map(|v| v.code).collect()
        };
        assert_eq!(
            codes(&district),
            [
                VerdictCode::NotEligible,
                VerdictCode::Clear,
                VerdictCode::Clear
            ]
        );
        assert_eq!(codes(&township), codes(&district));
        let b = &township.verdicts(&basics())[1];
        let n10 = b.reasons.iter().find(|r| r.rule == "N10").unwrap();
        assert!(n10.zh.contains("超出追溯期"), "{}", n10.zh);
    }

    #[test]
    fn hard_hit_removes_and_the_next_nominee_moves_up_through_events() {
        let events = scenario(&[(Department::Court, "a", "N01", None)]);
        let list = BatchLedger::of(&events)
            .formal_list(&basics())
            .unwrap()
            .unwrap();
        assert_eq!(list.removed, [person("a")]);
        assert_eq!(list.candidates, [person("b"), person("c")]);
        assert_eq!(list.moved_up, [person("c")]);
    }

    #[test]
    fn warn_hit_without_decision_blocks_the_formal_list_until_decided() {
        let mut events = scenario(&[(
            Department::PublicSecurity,
            "b",
            "N13",
            Some(day(2025, 1, 1)),
        )]);
        let ledger = BatchLedger::of(&events);
        assert!(ledger.formal_list(&basics()).unwrap().is_err());
        let mut w = Writer::new();
        w.1 += 10_000_000;
        events.push(w.write(
            "sup",
            EventBody::WarnDecided(crate::eligibility::verdict::WarnDecision {
                rule: RuleId::new("N13"),
                person: person("b"),
                outcome: crate::eligibility::DecisionOutcome::Keep,
                reason: "情节轻微，已改正".into(),
                decided_on: day(2026, 2, 20),
                decided_by: "sup".parse().unwrap(),
            }),
        ));
        let list = BatchLedger::of(&events)
            .formal_list(&basics())
            .unwrap()
            .unwrap();
        assert_eq!(list.candidates, [person("a"), person("b")]);
    }

    #[test]
    fn village_device_knows_codes_only_and_departments_their_own_answers() {
        let mut events = scenario(&[(Department::Court, "a", "N01", None)]);
        let mut w = Writer::new();
        w.1 += 10_000_000;
        events.push(w.write(
            "sup",
            EventBody::VerdictsIssued(crate::eligibility::events::IssuedVerdicts {
                verdicts: vec![IssuedVerdict {
                    person: person("a"),
                    code: VerdictCode::NotEligible,
                }],
            }),
        ));
        let village = as_seen_by(&profile(Role::VillageOfficial, None), &events);
        assert!(village.compiled.is_none() && village.answers.is_empty());
        assert!(village.sign_offs.is_empty() && village.decisions.is_empty());
        assert_eq!(village.issued[&person("a")], VerdictCode::NotEligible);
        let court = as_seen_by(
            &profile(Role::ReviewDepartment, Some(Department::Court)),
            &events,
        );
        assert_eq!(
            court.answers.keys().collect::<Vec<_>>(),
            [&Department::Court]
        );
        assert_eq!(
            court.sign_offs.keys().collect::<Vec<_>>(),
            [&Department::Court]
        );
        assert!(court.issued.is_empty());
        let nobody = as_seen_by(&profile(Role::ReviewDepartment, None), &events);
        assert!(nobody.answers.is_empty() && nobody.sign_offs.is_empty());
    }

    #[test]
    fn turns_18_on_election_day_is_eligible_one_day_later_is_not() {
        let unit: UnitId = VILLAGE.parse().unwrap();
        let b01 = |birth: NaiveDate| {
            let id = id_born(birth);
            basic_from_directory(&person("a"), id.as_str(), &unit, &unit, election_day())
                .unwrap()
                .result(&RuleId::new("B01"))
                .unwrap()
        };
        assert_eq!(b01(day(2008, 3, 1)), RuleResult::Clear);
        assert_eq!(b01(day(2008, 3, 2)), RuleResult::Hit);
        let elsewhere: UnitId = "5001001002".parse().unwrap();
        let id = id_born(day(1980, 1, 1));
        let b03 =
            basic_from_directory(&person("a"), id.as_str(), &elsewhere, &unit, election_day())
                .unwrap()
                .result(&RuleId::new("B03"));
        assert_eq!(b03, Some(RuleResult::Hit), "registered in another village");
    }

    #[test]
    fn result_workbook_lists_every_nominee_with_reasons_and_departments() {
        let events = scenario(&[(Department::Court, "a", "N01", None)]);
        let ledger = BatchLedger::of(&events);
        let book = result_workbook(&ledger, "石桥村", &basics());
        let csv = book.sheets[0].to_csv();
        assert!(csv.contains("石桥村 村民委员会 候选人资格联审结果"));
        assert!(
            csv.contains("候选人a,不具备候选人资格,N01 受过刑事处罚：命中"),
            "{csv}"
        );
        assert!(
            csv.contains("法院,已答复,9/9"),
            "B02, N01, N06 × three: {csv}"
        );
    }

    #[test]
    fn pack_clone_and_changes_fold_into_a_new_version() {
        use crate::eligibility::events::{PackChanged, PackCloned};
        use crate::eligibility::pack::{PackChange, RulePack};
        let base = RulePack::cq_candidate_2021();
        let mut w = Writer::new();
        let mk = |w: &mut Writer, body| {
            let mut e = w.write("admin", body);
            e.entity = "rule_pack:01ARZ3NDEKTSV4RRFFQ69G5FAV".parse().unwrap();
            e
        };
        let events = vec![
            mk(
                &mut w,
                EventBody::RulePackCloned(PackCloned {
                    pack: base.clone_as("CQ-2026").unwrap(),
                    source_id: base.id.clone(),
                    source_version: base.version,
                }),
            ),
            mk(
                &mut w,
                EventBody::RulePackChanged(PackChanged {
                    base_version: 1,
                    changes: vec![PackChange::SetLookback {
                        rule: RuleId::new("N10"),
                        lookback_years: Some(3),
                    }],
                }),
            ),
            mk(
                &mut w,
                EventBody::RulePackChanged(PackChanged {
                    base_version: 2,
                    changes: vec![PackChange::SetLookback {
                        rule: RuleId::new("N10"),
                        lookback_years: Some(0),
                    }],
                }),
            ),
        ];
        let ledger: PackLedger = crate::projection::fold(&events);
        let pack = ledger.pack.unwrap();
        assert_eq!(pack.version, 2);
        assert_eq!(pack.rule("N10").unwrap().lookback_years, Some(3));
        assert!(
            ledger.history[2]
                .refused
                .as_deref()
                .unwrap()
                .contains("追溯年限")
        );
    }
}
