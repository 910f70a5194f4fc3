//! What leaves a class: the attendance sheet of a session (签到表) and the completion list
//! (结业名单) as export `Workbook`s (CSV here, `.xlsx` in the export worker), and the dashboard
//! counts — completion rate per class and per township, annual requirements per group.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::completion::{Completion, Outcome};
use super::entities::{Presence, TargetGroup};
use super::events::ClassFile;
use super::hours::{HoursRules, SessionOutcome, credited_hours};
use super::requirements::{Group, RequirementStatus, TrainingRecord, requirement_status};
use crate::export::{Cell, Sheet, Workbook};
use crate::ids::{EntityId, UnitId};

/// The mark of one person at one session, as the door screen and the sheet show it.
pub fn presence_label_zh(presence: Option<&Presence>) -> &'static str {
    match presence {
        None => "未到",
        Some(Presence::Present {
            signed_out: Some(_),
            ..
        }) => "已签到（有签退）",
        Some(Presence::Present { .. }) => "已签到",
        Some(Presence::Leave {
            approved_by: Some(_),
            ..
        }) => "请假（已批准）",
        Some(Presence::Leave { .. }) => "请假（未批准）",
    }
}

/// 签到表 of session `index` (in date order) of the class.
pub fn attendance_sheet(file: &ClassFile, index: usize, rules: &HoursRules) -> Workbook {
    let Some((session, doc)) = file.sessions.get(index) else {
        return Workbook::default();
    };
    let attendance = doc.attendance(&session.id);
    let mut rows = Vec::new();
    let (mut present, mut leave) = (0, 0);
    for (n, t) in file.trainees.iter().enumerate() {
        let hours = credited_hours(&t.person, std::slice::from_ref(session), &attendance, rules);
        let line = &hours.sessions[0];
        let mark = doc.marks.get(&t.person).and_then(|m| m.last());
        let time = match mark {
            Some(Presence::Present { signed_in, .. }) => signed_in.format("%H:%M").to_string(),
            _ => String::new(),
        };
        match line.outcome {
            SessionOutcome::Absent => {}
            SessionOutcome::ApprovedLeave => leave += 1,
            _ => present += 1,
        }
        rows.push(vec![
            Cell::Int(n as i64 + 1),
            Cell::text(&t.name),
            Cell::text(&t.id_masked),
            Cell::text(t.unit.as_str()),
            Cell::text(time),
            Cell::text(line.outcome.label_zh()),
            Cell::Tenths(i64::from(line.credited.tenths())),
        ]);
    }
    Workbook {
        sheets: vec![Sheet {
            name: "签到表".into(),
            title: vec![
                format!("{} 签到表", file.class.name),
                format!(
                    "{} {} {}–{} 授课人：{} 计划学时：{}",
                    session.date,
                    slot_zh(session.slot),
                    session.starts_at.format("%H:%M"),
                    session.ends_at.format("%H:%M"),
                    session.instructor,
                    session.planned
                ),
            ],
            columns: [
                "序号",
                "姓名",
                "身份证号码",
                "单位代码",
                "签到时间",
                "考勤",
                "计入学时",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            footer: vec![vec![Cell::text(format!(
                "应到{}人，实到{present}人，请假{leave}人",
                file.trainees.len()
            ))]],
        }],
    }
}

pub fn slot_zh(slot: super::entities::Slot) -> &'static str {
    match slot {
        super::entities::Slot::Am => "上午",
        super::entities::Slot::Pm => "下午",
        super::entities::Slot::Eve => "晚上",
    }
}

/// The outcome as a short Chinese label.
pub fn outcome_zh(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Completed => "结业".into(),
        Outcome::NotCompleted(short) => {
            let why: Vec<String> = short.iter().map(|s| s.label_zh()).collect();
            format!("未结业（{}）", why.join("；"))
        }
        Outcome::Exempted => "免训".into(),
        Outcome::Withdrawn => "退学".into(),
    }
}

/// 结业名单: every trainee with planned, credited and leave hours, the outcome and the
/// certificate number if issued.
pub fn completion_list(file: &ClassFile, completions: &[Completion]) -> Workbook {
    let rows = completions
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let t = file.trainees.iter().find(|t| t.person == c.person);
            let cert = file
                .certificates
                .iter()
                .find(|x| x.person == c.person)
                .map(|x| x.number.to_string())
                .unwrap_or_default();
            vec![
                Cell::Int(n as i64 + 1),
                Cell::text(t.map(|t| t.name.clone()).unwrap_or_default()),
                Cell::text(t.map(|t| t.id_masked.clone()).unwrap_or_default()),
                Cell::Tenths(i64::from(c.hours.planned.tenths())),
                Cell::Tenths(i64::from(c.hours.credited.tenths())),
                Cell::Tenths(i64::from(c.hours.approved_leave.tenths())),
                Cell::text(outcome_zh(&c.outcome)),
                Cell::text(cert),
            ]
        })
        .collect();
    let tally = Tally::of(completions);
    let exempted = if tally.exempted > 0 {
        format!("，免训{}人（不计入结业率）", tally.exempted)
    } else {
        String::new()
    };
    Workbook {
        sheets: vec![Sheet {
            name: "结业名单".into(),
            title: vec![format!(
                "{}（{}年第{}期，主办：{}）结业名单",
                file.class.name, file.class.year, file.class.seq, file.class.organiser
            )],
            columns: [
                "序号",
                "姓名",
                "身份证号码",
                "计划学时",
                "计入学时",
                "请假学时",
                "结果",
                "结业证书编号",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            footer: vec![vec![Cell::text(format!(
                "学员{}人，结业{}人{exempted}",
                tally.expected, tally.completed
            ))]],
        }],
    }
}

/// A class's completion count: who is expected to complete (trainees in the class, not the
/// exempted), who did, and the exempted apart. The withdrawn are not in the completions at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub expected: u32,
    pub completed: u32,
    pub exempted: u32,
}

impl Tally {
    pub fn of(completions: &[Completion]) -> Tally {
        let mut t = Tally::default();
        for c in completions {
            t.add(&c.outcome);
        }
        t
    }

    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Exempted => self.exempted += 1,
            Outcome::Withdrawn => {}
            Outcome::Completed => {
                self.expected += 1;
                self.completed += 1;
            }
            Outcome::NotCompleted(_) => self.expected += 1,
        }
    }
}

/// Completed out of enrolled (the exempted counted apart, the withdrawn not at all), for one
/// bar of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rate {
    pub label: String,
    pub enrolled: u32,
    pub completed: u32,
    pub exempted: u32,
}

impl Rate {
    fn add(&mut self, outcome: &Outcome) {
        let mut t = Tally::default();
        t.add(outcome);
        self.enrolled += t.expected;
        self.completed += t.completed;
        self.exempted += t.exempted;
    }
}

impl Rate {
    /// Per mille, rounded down (integer arithmetic, no floats in the domain).
    pub fn per_mille(&self) -> u32 {
        (self.completed * 1000)
            .checked_div(self.enrolled)
            .unwrap_or(0)
    }
}

/// Completion rate per class and per township (the first 7 digits of the trainee's unit).
pub fn completion_rates(
    classes: &[(ClassFile, Vec<Completion>)],
    township_name: impl Fn(&UnitId) -> String,
) -> (Vec<Rate>, Vec<Rate>) {
    let mut per_class = Vec::new();
    let mut towns: BTreeMap<String, Rate> = BTreeMap::new();
    for (file, done) in classes {
        let mut rate = Rate {
            label: file.class.name.clone(),
            ..Rate::default()
        };
        for c in done {
            rate.add(&c.outcome);
            let unit = file
                .trainees
                .iter()
                .find(|t| t.person == c.person)
                .map(|t| t.unit.clone());
            if let Some(unit) = unit {
                let code = &unit.as_str()[..unit.as_str().len().min(7)];
                let town: UnitId = code.parse().unwrap_or(unit.clone());
                let entry = towns.entry(town.to_string()).or_insert_with(|| Rate {
                    label: township_name(&town),
                    ..Rate::default()
                });
                entry.add(&c.outcome);
            }
        }
        per_class.push(rate);
    }
    (per_class, towns.into_values().collect())
}

/// The requirement group a class's trainees belong to, when the target group has one (§4.3).
pub fn group_of(target: TargetGroup) -> Option<Group> {
    match target {
        TargetGroup::CommunityWorkers => Some(Group::OtherCommunityWorker),
        TargetGroup::VillageCommittees => Some(Group::NewVillageCommitteeMember),
        TargetGroup::TownshipCadres | TargetGroup::ElectionStaff => None,
        TargetGroup::SupervisionCommittee => None,
    }
}

/// One person's standing against their group's requirement this year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub person: EntityId,
    pub name: String,
    pub group: Group,
    pub status: RequirementStatus,
    /// Why the person was exempted (免训) this year, when `status` is `Exempted`.
    pub exemption: Option<String>,
}

/// Who is due or overdue in `year`: every trainee of a class whose target group has an annual
/// requirement, judged on their completed trainings (dated by the class's last session).
/// Term requirements are judged from 1 January of the class year when no start is known.
/// Someone exempted (免训) from a class of `year` who has not met the requirement otherwise is
/// `Exempted`, with the reason: not due, not overdue.
pub fn standings(
    classes: &[(ClassFile, Vec<Completion>)],
    year: i32,
    as_of: NaiveDate,
) -> Vec<Standing> {
    let mut records: BTreeMap<EntityId, (String, Group, Vec<TrainingRecord>)> = BTreeMap::new();
    let mut exemptions: BTreeMap<EntityId, String> = BTreeMap::new();
    for (file, done) in classes {
        let Some(group) = group_of(file.class.target_group) else {
            continue;
        };
        let last_day = file.sessions.iter().map(|(s, _)| s.date).max();
        for c in done {
            let name = file
                .trainees
                .iter()
                .find(|t| t.person == c.person)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let entry = records
                .entry(c.person.clone())
                .or_insert_with(|| (name, group, vec![]));
            if c.outcome == Outcome::Exempted
                && file.class.year == year
                && let Some(reason) = file.exempted.get(&c.person)
            {
                exemptions.insert(c.person.clone(), reason.clone());
            }
            if let (true, Some(day)) = (c.is_completed(), last_day) {
                entry.2.push(TrainingRecord {
                    completed_on: day,
                    credited: c.hours.credited,
                });
            }
        }
    }
    records
        .into_iter()
        .map(|(person, (name, group, recs))| {
            let took_office = NaiveDate::from_ymd_opt(year, 1, 1);
            let status =
                requirement_status(group.default_requirement(), &recs, year, as_of, took_office);
            let exemption = (status != RequirementStatus::Met)
                .then(|| exemptions.get(&person).cloned())
                .flatten();
            Standing {
                status: if exemption.is_some() {
                    RequirementStatus::Exempted
                } else {
                    status
                },
                person,
                name,
                group,
                exemption,
            }
        })
        .collect()
}

pub fn group_zh(group: Group) -> &'static str {
    match group {
        Group::CommunitySecretaryOrDirector => "社区党组织书记/居委会主任",
        Group::OtherCommunityWorker => "其他社区工作者",
        Group::NewVillageCommitteeMember => "换届后的村委会成员",
        Group::VillagePartySecretary => "村党组织书记",
        Group::PartyMember => "党员",
        Group::GrassrootsPartyCadre => "基层党组织书记和班子成员",
        Group::ProfessionalTechnical => "专业技术人员",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::completion::CompletionRules;
    use crate::training::entities::{AssessmentRequirement, SignInMethod, Slot, Topic, Venue};
    use crate::training::events::{ClassDoc, ClassRecorded, SessionDoc, SessionScheduled, Trainee};
    use crate::training::hours::StudyHours;
    use chrono::NaiveTime;

    fn file() -> ClassFile {
        let owner: crate::ids::UserId = "t1".parse().unwrap();
        let class_id: EntityId = "training_class:c1".parse().unwrap();
        let doc = ClassDoc {
            class: Some(ClassRecorded {
                owner: owner.clone(),
                plan: None,
                name: "社区工作者轮训班".into(),
                organiser: "演示区社会工作部".into(),
                organiser_code: "YS".into(),
                contractor: None,
                target_group: TargetGroup::CommunityWorkers,
                topics: vec![Topic::FourDeliberationsTwoDisclosures],
                year: 2026,
                seq: 1,
                assessment: AssessmentRequirement::NotRequired,
            }),
            trainees: (1..=4)
                .map(|i| Trainee {
                    person: format!("person:p{i}").parse().unwrap(),
                    name: format!("学员{i}"),
                    id_masked: "5099**********0011".into(),
                    unit: if i < 3 { "5099001001" } else { "5099002001" }
                        .parse()
                        .unwrap(),
                })
                .collect(),
            certificates: vec![],
            // 学员4 withdrew: out of the sheet, the list and the rates.
            statuses: BTreeMap::from([(
                "person:p4".parse().unwrap(),
                crate::training::events::StatusNote {
                    status: crate::training::EnrollmentStatus::Withdrawn,
                    reason: "工作调动".into(),
                },
            )]),
            assessments: BTreeMap::new(),
        };
        let mut s = SessionDoc {
            session: Some(SessionScheduled {
                owner,
                class: class_id.clone(),
                date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                slot: Slot::Am,
                starts_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                ends_at: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
                venue: Venue::Site("党校".into()),
                instructor: "王老师".into(),
                planned: StudyHours::hours(4),
            }),
            marks: BTreeMap::new(),
        };
        s.marks.insert(
            "person:p1".parse().unwrap(),
            vec![Presence::Present {
                signed_in: NaiveTime::from_hms_opt(8, 50, 0).unwrap(),
                signed_out: None,
                method: SignInMethod::RollCall,
            }],
        );
        s.marks.insert(
            "person:p2".parse().unwrap(),
            vec![Presence::Leave {
                approved_by: Some("t1".parse().unwrap()),
                reason: "病假".into(),
            }],
        );
        ClassFile::new(
            &class_id,
            &doc,
            &[("training_session:s1".parse().unwrap(), s)],
        )
        .unwrap()
    }

    #[test]
    fn attendance_sheet_lists_everyone_with_the_counts() {
        let f = file();
        let sheet = &attendance_sheet(&f, 0, &HoursRules::default()).sheets[0];
        assert_eq!(sheet.rows.len(), 3);
        assert_eq!(sheet.rows[0][4], Cell::text("08:50"));
        assert_eq!(sheet.rows[0][6], Cell::Tenths(40));
        assert_eq!(sheet.rows[1][5], Cell::text("请假（已批准）"));
        assert_eq!(sheet.rows[2][5], Cell::text("缺勤"));
        assert!(sheet.to_csv().contains("应到3人，实到1人，请假1人"));
    }

    #[test]
    fn completion_list_and_rates_per_class_and_township() {
        let f = file();
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        let sheet = &completion_list(&f, &done).sheets[0];
        assert_eq!(sheet.rows[0][6], Cell::text("结业"));
        assert!(sheet.to_csv().contains("学员3人，结业1人"));
        let classes = vec![(f, done)];
        let (per_class, per_town) = completion_rates(&classes, |u| u.to_string());
        assert_eq!(per_class[0].per_mille(), 333);
        assert_eq!(
            per_town
                .iter()
                .map(|r| (r.label.as_str(), r.enrolled, r.completed))
                .collect::<Vec<_>>(),
            vec![("5099001", 2, 1), ("5099002", 1, 0)]
        );
        let who = standings(&classes, 2026, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
        assert_eq!(who.len(), 3);
        assert_eq!(who[0].status, RequirementStatus::Met);
        assert!(matches!(who[1].status, RequirementStatus::Due { .. }));
    }

    #[test]
    fn someone_exempted_this_year_is_neither_due_nor_overdue_but_listed_with_the_reason() {
        let mut f = file();
        f.exempted
            .insert("person:p3".parse().unwrap(), "已参加市级示范班".into());
        let done = f.completions(&HoursRules::default(), &CompletionRules::default());
        let classes = vec![(f, done)];
        let who = standings(&classes, 2026, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
        let p3 = who
            .iter()
            .find(|s| s.person.as_str() == "person:p3")
            .unwrap();
        assert_eq!(p3.status, RequirementStatus::Exempted);
        assert_eq!(p3.exemption.as_deref(), Some("已参加市级示范班"));
        // The one who attended is met, the one on leave still due: the exemption is personal.
        assert_eq!(who[0].status, RequirementStatus::Met);
        assert_eq!(who[0].exemption, None);
        assert!(matches!(who[1].status, RequirementStatus::Due { .. }));
        // An exemption from a 2026 class says nothing about 2027.
        let next = standings(&classes, 2027, NaiveDate::from_ymd_opt(2027, 6, 1).unwrap());
        let p3 = next
            .iter()
            .find(|s| s.person.as_str() == "person:p3")
            .unwrap();
        assert!(matches!(p3.status, RequirementStatus::Due { .. }));
        assert_eq!(p3.exemption, None);
    }
}
