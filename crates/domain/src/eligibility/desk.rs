//! What the eligibility screens ask of a batch besides verdicts: a batch compiled from a pack
//! (with its input checked, in Chinese), its status for the list, one department's answers as
//! it last gave them (what it signs off), the changes it has not signed off yet, and the lines
//! that answer the rest of a person CLEAR in one tap.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::basic::is_computed;
use super::events::{AnswerLine, BatchCompiled, DepartmentAnswers, Nominee, SignedLine};
use super::ledger::{BatchLedger, sign_off};
use super::pack::RulePack;
use super::rule::{Committee, Department, RuleId, RuleKind, RuleResult};
use crate::directory::person::IdNumber;
use crate::election::roll::RollView;
use crate::election::tally::PostTitle;
use crate::election::template::ElectionType;
use crate::ids::{EntityId, Hash};

/// Why a batch cannot be compiled as entered. `Display` is English; `message_zh` for the app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("add at least one preliminary candidate")]
    NoNominees,
    #[error("{0} is on the list twice")]
    DuplicateNominee(String),
    #[error(
        "the formal list ({list_day}) must be published no later than election day ({election_day})"
    )]
    ListDayAfterElection {
        list_day: NaiveDate,
        election_day: NaiveDate,
    },
    #[error("a post has at least one seat")]
    NoSeats,
    #[error("pack {0} has no rule in force for this committee on election day")]
    NoRules(String),
}

impl CompileError {
    pub fn message_zh(&self) -> String {
        match self {
            CompileError::NoNominees => "请至少添加一名初步候选人".into(),
            CompileError::DuplicateNominee(name) => format!("{name}在名单中出现了两次"),
            CompileError::ListDayAfterElection {
                list_day,
                election_day,
            } => format!("正式候选人名单公布日({list_day})不能晚于选举日({election_day})"),
            CompileError::NoSeats => "应选人数至少为1".into(),
            CompileError::NoRules(id) => {
                format!("规则包{id}在选举日对该委员会没有生效的审查规则")
            }
        }
    }
}

/// 汇总初步候选人 — the batch for `nominees` (in nomination-vote order) with the HARD and WARN
/// rules of `pack` in force for `committee` on `election_day`.
#[allow(clippy::too_many_arguments)]
pub fn compile_batch(
    pack: &RulePack,
    committee: Committee,
    election_day: NaiveDate,
    formal_list_day: NaiveDate,
    seats: u8,
    margin: u8,
    nominees: Vec<Nominee>,
) -> Result<BatchCompiled, CompileError> {
    if nominees.is_empty() {
        return Err(CompileError::NoNominees);
    }
    for (i, n) in nominees.iter().enumerate() {
        if nominees[..i].iter().any(|m| m.person == n.person) {
            return Err(CompileError::DuplicateNominee(n.name.clone()));
        }
    }
    if formal_list_day > election_day {
        return Err(CompileError::ListDayAfterElection {
            list_day: formal_list_day,
            election_day,
        });
    }
    if seats == 0 {
        return Err(CompileError::NoSeats);
    }
    let rules: Vec<_> = pack
        .applicable(committee, election_day)
        .filter(|r| r.kind != RuleKind::Post)
        .cloned()
        .collect();
    if rules.is_empty() {
        return Err(CompileError::NoRules(pack.id.clone()));
    }
    Ok(BatchCompiled {
        committee,
        election_day,
        formal_list_day,
        seats,
        margin,
        pack_id: pack.id.clone(),
        pack_version: pack.version,
        rules,
        nominees,
    })
}

/// The preliminary candidates of one post of an election roll, ready to compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromRoll {
    pub committee: Committee,
    pub election_day: Option<NaiveDate>,
    /// 应选人数 of the post.
    pub seats: u32,
    /// In list order: the 初步候选人名单 if fixed, else the nominations by votes.
    pub nominees: Vec<Nominee>,
    /// Names of candidates registered without a directory record: they cannot be reviewed
    /// until they are recorded in the directory and picked from it.
    pub unlinked: Vec<String>,
}

/// 从选举导入 — the preliminary candidates of `post` in an election roll; `None` before the
/// roll is opened or when the post has no nominee yet.
pub fn from_roll(view: &RollView, post: PostTitle) -> Option<FromRoll> {
    let plan = view.plan.as_ref()?;
    let ids: Vec<&IdNumber> = match view.preliminary_for(post) {
        Some(list) => list.candidates.iter().collect(),
        None => view
            .nominations_for(post)
            .into_iter()
            .map(|n| &n.id_number)
            .collect(),
    };
    if ids.is_empty() {
        return None;
    }
    let mut nominees = Vec::new();
    let mut unlinked = Vec::new();
    for id in ids {
        let voter = view
            .voters
            .iter()
            .find(|v| v.id_number.as_str() == id.as_str());
        match voter {
            Some(v) => match &v.person {
                Some(person) => nominees.push(Nominee {
                    person: person.clone(),
                    name: v.name.clone(),
                }),
                None => unlinked.push(v.name.clone()),
            },
            None => unlinked.push(id.masked()),
        }
    }
    Some(FromRoll {
        committee: match plan.committee {
            ElectionType::Village => Committee::VillageCommittee,
            ElectionType::Resident => Committee::ResidentCommittee,
        },
        election_day: plan.election_day,
        seats: view.seats(post),
        nominees,
        unlinked,
    })
}

/// Where a batch stands, as this device knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// 已汇总，未报送
    Compiled,
    /// 已报送，联审中 (some department still owes answers or has not signed them off)
    UnderReview,
    /// 联审完成 — every department signed off every answer it owes.
    Closed,
    /// 已下发审查结论
    Issued,
}

impl BatchStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            BatchStatus::Compiled => "已汇总，未报送",
            BatchStatus::UnderReview => "联审中",
            BatchStatus::Closed => "联审完成",
            BatchStatus::Issued => "已下发结论",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            BatchStatus::Compiled => "Compiled, not sent",
            BatchStatus::UnderReview => "Under joint review",
            BatchStatus::Closed => "Review complete",
            BatchStatus::Issued => "Verdicts issued",
        }
    }
}

/// A department's latest answer on one rule for one person, as the department's own device
/// (or a district admin's) knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenAnswer {
    pub result: RuleResult,
    pub record_date: Option<NaiveDate>,
    pub note: Option<String>,
    pub date: NaiveDate,
}

impl BatchLedger {
    /// `None` before the compile event is on this device (a village device never has it).
    pub fn status(&self) -> Option<BatchStatus> {
        self.compiled.as_ref()?;
        if self.issued_on_ms.is_some() {
            return Some(BatchStatus::Issued);
        }
        if !self.is_sent() {
            return Some(BatchStatus::Compiled);
        }
        let all_signed = self.progress().iter().all(|p| {
            self.sign_offs.contains_key(&p.department) && self.unsigned(p.department) == 0
        });
        if self.is_closed() && all_signed {
            Some(BatchStatus::Closed)
        } else {
            Some(BatchStatus::UnderReview)
        }
    }

    /// The latest answer `department` gave on `rule` for `person`, with its HIT details; `None`
    /// if none is on this device.
    pub fn given(
        &self,
        department: Department,
        person: &EntityId,
        rule: &RuleId,
    ) -> Option<GivenAnswer> {
        let latest = self
            .answers
            .get(&department)?
            .iter()
            .rev()
            .find(|a| &a.person == person && &a.rule == rule)?;
        Some(GivenAnswer {
            result: latest.result,
            record_date: latest.record_date,
            note: self
                .hit_notes
                .get(&(department, person.clone(), rule.clone()))
                .cloned(),
            date: latest.date,
        })
    }

    /// Every latest answer of `department` on its own rules for the nominees, in nomination
    /// order then rule order — what it signs off. `None` if it has given none on this device.
    pub fn department_answers(&self, department: Department) -> Option<DepartmentAnswers> {
        let full = self.answers.get(&department)?;
        let rules = self.rules_for(department);
        let mut latest: BTreeMap<(&EntityId, &RuleId), &super::review::RuleOutcome> =
            BTreeMap::new();
        for a in full {
            latest.insert((&a.person, &a.rule), a);
        }
        let mut answers = Vec::new();
        for person in self.nominees() {
            for rule in &rules {
                let Some(a) = latest.get(&(&person, rule)) else {
                    continue;
                };
                answers.push(AnswerLine {
                    person: person.clone(),
                    rule: rule.clone(),
                    result: a.result,
                    record_date: a.record_date,
                    note: self
                        .hit_notes
                        .get(&(department, person.clone(), rule.clone()))
                        .cloned(),
                    date: a.date,
                    seal_photo_hash: (a.seal_photo_hash != Hash::ZERO).then_some(a.seal_photo_hash),
                });
            }
        }
        (!answers.is_empty()).then_some(DepartmentAnswers {
            department,
            answers,
        })
    }

    /// Answers of `department` whose result the latest sign-off does not yet carry (0 on a
    /// device without its answers).
    pub fn unsigned(&self, department: Department) -> usize {
        let (Some(compiled), Some(answers)) =
            (self.compiled.as_ref(), self.department_answers(department))
        else {
            return 0;
        };
        let mut signed: BTreeMap<(EntityId, RuleId), &SignedLine> = BTreeMap::new();
        for (_, line) in self.sign_offs.get(&department).into_iter().flatten() {
            signed.insert((line.person.clone(), line.rule.clone()), line);
        }
        sign_off(compiled, &answers)
            .results
            .iter()
            .filter(|line| {
                signed
                    .get(&(line.person.clone(), line.rule.clone()))
                    .copied()
                    != Some(*line)
            })
            .count()
    }

    /// The rules of `department` still without a final answer for `person`.
    pub fn open_rules(&self, department: Department, person: &EntityId) -> Vec<RuleId> {
        let Some(batch) = self.batch() else {
            return Vec::new();
        };
        batch
            .missing_answers()
            .into_iter()
            .filter(|m| m.department == department && &m.person == person)
            .map(|m| m.rule)
            .collect()
    }

    /// 其余全部通过 — CLEAR on every rule of `department` still open for `person`, dated `on`.
    pub fn clear_rest(
        &self,
        department: Department,
        person: &EntityId,
        on: NaiveDate,
    ) -> Vec<AnswerLine> {
        self.open_rules(department, person)
            .into_iter()
            .filter(|r| !is_computed(r))
            .map(|rule| AnswerLine {
                person: person.clone(),
                rule,
                result: RuleResult::Clear,
                record_date: None,
                note: None,
                date: on,
                seal_photo_hash: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::events::tests::compiled;
    use crate::eligibility::events::{BatchSent, DepartmentAnswers};
    use crate::eligibility::fixtures::{day, election_day, list_day, person, review_day};
    use crate::event::{DeviceLog, Event, EventBody, NewEvent};

    struct Writer(DeviceLog, u64);

    impl Writer {
        fn new() -> Writer {
            Writer(DeviceLog::new("d1".parse().unwrap()), 1_750_000_000_000)
        }

        fn write(&mut self, body: EventBody) -> Event {
            self.1 += 1000;
            self.0.append(
                NewEvent {
                    actor: "u".parse().unwrap(),
                    unit: "5001001001".parse().unwrap(),
                    entity: "review_batch:01ARZ3NDEKTSV4RRFFQ69G5FAV".parse().unwrap(),
                    body,
                },
                self.1,
                [0; 10],
            )
        }
    }

    fn nominee(n: &str) -> Nominee {
        Nominee {
            person: person(n),
            name: format!("候选人{n}"),
        }
    }

    fn answer(who: &str, rule: &str, result: RuleResult) -> AnswerLine {
        AnswerLine {
            person: person(who),
            rule: RuleId::new(rule),
            result,
            record_date: None,
            note: None,
            date: review_day(),
            seal_photo_hash: None,
        }
    }

    #[test]
    fn compile_batch_takes_the_hard_and_warn_rules_in_force_and_checks_its_input() {
        let pack = RulePack::cq_candidate_2021();
        let c = compile_batch(
            &pack,
            Committee::VillageCommittee,
            election_day(),
            list_day(),
            1,
            1,
            vec![nominee("a"), nominee("b"), nominee("c")],
        )
        .unwrap();
        assert_eq!(c, compiled());
        assert!(c.validate().is_ok());
        let ids: Vec<&str> = c.rules.iter().map(|r| r.id.as_str()).collect();
        assert!(!ids.contains(&"C01") && !ids.contains(&"N14") && !ids.contains(&"N18"));
        let err = |nominees, list_day, seats| {
            compile_batch(
                &pack,
                Committee::VillageCommittee,
                election_day(),
                list_day,
                seats,
                1,
                nominees,
            )
            .unwrap_err()
        };
        assert_eq!(err(vec![], list_day(), 1), CompileError::NoNominees);
        assert_eq!(
            err(vec![nominee("a"), nominee("a")], list_day(), 1).message_zh(),
            "候选人a在名单中出现了两次"
        );
        assert!(matches!(
            err(vec![nominee("a")], day(2026, 3, 2), 1),
            CompileError::ListDayAfterElection { .. }
        ));
        assert_eq!(
            err(vec![nominee("a")], list_day(), 0),
            CompileError::NoSeats
        );
    }

    #[test]
    fn from_roll_takes_the_preliminary_list_in_order_and_names_the_unlinked() {
        use crate::election::roll::VoterCategory;
        use crate::election::roll::VoterEntry;
        use crate::election::roll::view::{CandidateList, Nomination};
        use crate::eligibility::fixtures::id_born;
        let ids: Vec<IdNumber> = (1..=3).map(|d| id_born(day(1980, 1, d))).collect();
        let voter = |i: usize, person: Option<&str>| VoterEntry {
            name: format!("选民{i}"),
            id_number: ids[i].clone(),
            category: VoterCategory::Resident,
            household: None,
            basis: None,
            person: person.map(crate::eligibility::fixtures::person),
        };
        let mut view = RollView::default();
        assert!(from_roll(&view, PostTitle::Chair).is_none(), "not opened");
        view.plan = Some(crate::election::roll::RollPlan {
            unit: "5001001001".parse().unwrap(),
            committee: ElectionType::Resident,
            mode: crate::election::template::ElectoralMode::Direct,
            pack: crate::election::template::RulePackVersion::CqRc2025,
            seats: vec![crate::election::tally::Seats {
                post: PostTitle::Chair,
                count: 1,
            }],
            proxy_max_principals: 3,
            multi_ethnic: false,
            election_day: Some(election_day()),
        });
        view.voters = vec![voter(0, Some("a")), voter(1, None), voter(2, Some("c"))];
        assert!(
            from_roll(&view, PostTitle::Chair).is_none(),
            "no nominee yet"
        );
        view.nominations = [(0, 10), (1, 30), (2, 20)]
            .iter()
            .map(|&(i, votes)| Nomination {
                post: PostTitle::Chair,
                id_number: ids[i].clone(),
                nomination_votes: votes,
                minority: false,
            })
            .collect();
        let nominated = from_roll(&view, PostTitle::Chair).unwrap();
        let names: Vec<&str> = nominated.nominees.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["选民2", "选民0"], "by nomination votes");
        assert_eq!(nominated.unlinked, ["选民1"]);
        assert_eq!(nominated.committee, Committee::ResidentCommittee);
        assert_eq!(nominated.seats, 1);
        view.preliminary = vec![CandidateList {
            post: PostTitle::Chair,
            candidates: vec![ids[0].clone(), ids[2].clone()],
            published_on: None,
        }];
        let fixed = from_roll(&view, PostTitle::Chair).unwrap();
        assert_eq!(
            fixed
                .nominees
                .iter()
                .map(|n| n.person.clone())
                .collect::<Vec<_>>(),
            [person("a"), person("c")]
        );
        assert_eq!(fixed.election_day, Some(election_day()));
    }

    #[test]
    fn status_moves_from_compiled_to_issued_and_waits_for_every_sign_off() {
        let mut w = Writer::new();
        let c = compiled();
        let mut events = vec![w.write(EventBody::ReviewBatchCompiled(c.clone()))];
        assert_eq!(
            BatchLedger::of(&events).status(),
            Some(BatchStatus::Compiled)
        );
        events.push(w.write(EventBody::ReviewBatchSent(BatchSent {})));
        assert_eq!(
            BatchLedger::of(&events).status(),
            Some(BatchStatus::UnderReview)
        );
        // Every department answers everything CLEAR but does not sign off yet.
        let ledger = BatchLedger::of(&events);
        let mut by_dept: BTreeMap<Department, Vec<AnswerLine>> = BTreeMap::new();
        for p in ["a", "b", "c"] {
            for d in ledger.progress().iter().map(|p| p.department) {
                by_dept.entry(d).or_default().extend(ledger.clear_rest(
                    d,
                    &person(p),
                    review_day(),
                ));
            }
        }
        let all: Vec<DepartmentAnswers> = by_dept
            .into_iter()
            .map(|(department, answers)| DepartmentAnswers {
                department,
                answers,
            })
            .collect();
        for a in &all {
            events.push(w.write(EventBody::ReviewAnswered(a.clone())));
        }
        let ledger = BatchLedger::of(&events);
        assert!(ledger.is_closed(), "every answer is in");
        assert_eq!(
            ledger.status(),
            Some(BatchStatus::UnderReview),
            "but nobody signed off"
        );
        for a in &all {
            let d = a.department;
            let s = sign_off(&c, &ledger.department_answers(d).unwrap());
            events.push(w.write(EventBody::ReviewSignedOff(s)));
        }
        let ledger = BatchLedger::of(&events);
        assert_eq!(ledger.status(), Some(BatchStatus::Closed));
        events.push(w.write(EventBody::VerdictsIssued(
            crate::eligibility::events::IssuedVerdicts {
                verdicts: vec![crate::eligibility::events::IssuedVerdict {
                    person: person("a"),
                    code: crate::eligibility::VerdictCode::Clear,
                }],
            },
        )));
        assert_eq!(BatchLedger::of(&events).status(), Some(BatchStatus::Issued));
    }

    #[test]
    fn a_changed_answer_is_unsigned_until_signed_off_again() {
        let mut w = Writer::new();
        let c = compiled();
        let court = Department::Court;
        let mut events = vec![
            w.write(EventBody::ReviewBatchCompiled(c.clone())),
            w.write(EventBody::ReviewAnswered(DepartmentAnswers {
                department: court,
                answers: vec![
                    answer("a", "N01", RuleResult::Clear),
                    answer("b", "N01", RuleResult::Clear),
                ],
            })),
        ];
        let ledger = BatchLedger::of(&events);
        assert_eq!(ledger.unsigned(court), 2);
        let s = sign_off(&c, &ledger.department_answers(court).unwrap());
        events.push(w.write(EventBody::ReviewSignedOff(s)));
        assert_eq!(BatchLedger::of(&events).unsigned(court), 0);
        // The court changes its mind on b: a HIT with its details.
        let mut hit = answer("b", "N01", RuleResult::Hit);
        hit.record_date = Some(day(2019, 5, 1));
        hit.note = Some("(2019)渝0101刑初1号".into());
        events.push(w.write(EventBody::ReviewAnswered(DepartmentAnswers {
            department: court,
            answers: vec![hit],
        })));
        let ledger = BatchLedger::of(&events);
        assert_eq!(ledger.unsigned(court), 1);
        let given = ledger
            .given(court, &person("b"), &RuleId::new("N01"))
            .unwrap();
        assert_eq!(given.result, RuleResult::Hit);
        assert_eq!(given.note.as_deref(), Some("(2019)渝0101刑初1号"));
        let mine = ledger.department_answers(court).unwrap();
        assert_eq!(
            mine.answers.len(),
            2,
            "the latest answer per person and rule"
        );
        assert!(mine.validate().is_ok());
        // Departments without answers on this device (a township device) have nothing unsigned.
        assert_eq!(ledger.unsigned(Department::PublicSecurity), 0);
    }

    #[test]
    fn clear_rest_answers_only_the_departments_open_rules_for_that_person() {
        let mut w = Writer::new();
        let c = compiled();
        let court = Department::Court;
        let events = vec![
            w.write(EventBody::ReviewBatchCompiled(c)),
            w.write(EventBody::ReviewAnswered(DepartmentAnswers {
                department: court,
                answers: vec![answer("a", "N01", RuleResult::Hit)],
            })),
        ];
        let ledger = BatchLedger::of(&events);
        let rest: Vec<String> = ledger
            .clear_rest(court, &person("a"), review_day())
            .iter()
            .map(|l| l.rule.to_string())
            .collect();
        assert_eq!(
            rest,
            ["B02", "N06"],
            "N01 is answered; B01/B03 are computed"
        );
        assert!(
            ledger
                .clear_rest(court, &person("b"), review_day())
                .iter()
                .all(|l| l.result == RuleResult::Clear)
        );
        assert!(
            ledger
                .clear_rest(court, &person("zz"), review_day())
                .is_empty()
        );
    }
}
