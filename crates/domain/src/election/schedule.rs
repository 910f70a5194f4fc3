//! The deadline engine (时间节点): from election day E and the template, when each step is due;
//! from the days steps were recorded as done, whether each is on time, due soon, overdue or
//! late — and whether a new E would break a step already done.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::breach::{Breach, Reason};
use super::calendar::{Deadline, HolidayCalendar};
use super::template::{Anchor, ElectionTemplate, StepCode, StepTemplate, Timing};

/// The day each step was ticked as done (by the township supervisor).
pub type DoneSteps = BTreeMap<StepCode, NaiveDate>;

/// 进度状态 of one step on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum StepState {
    /// Not done, and its deadline (if any) is more than `due_soon_days` away.
    NotStarted,
    /// 即将到期 — not done; the deadline is within `due_soon_days`.
    DueSoon { due: Deadline },
    /// 已逾期 — not done and the deadline has passed. `breach` is set when the timing is binding.
    Overdue {
        due: Deadline,
        breach: Option<Breach>,
    },
    /// 已完成 — on time (or a step with no deadline).
    Done { on: NaiveDate },
    /// 逾期完成 — done after its deadline. `breach` is set when the timing is binding; a missed
    /// planning window (≈) only shows as late.
    DoneLate {
        on: NaiveDate,
        due: Deadline,
        breach: Option<Breach>,
    },
}

/// One row of the timetable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepStatus {
    pub code: StepCode,
    /// Start of a planning window (≈ E − from), if the step has one.
    pub opens: Option<NaiveDate>,
    pub due: Option<Deadline>,
    pub state: StepState,
}

/// 不予确认 — why a proposed election day cannot be confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub step: StepCode,
    pub rule: &'static str,
    /// For "X 日前" steps: the earliest election day the step, as done, allows.
    pub earliest_election_day: Option<NaiveDate>,
    pub message_zh: String,
    pub message_en: String,
}

/// 时间表 — an election's deadlines for one election day.
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a> {
    template: &'a ElectionTemplate,
    calendar: &'a HolidayCalendar,
    election_day: NaiveDate,
}

impl<'a> Schedule<'a> {
    pub fn new(
        template: &'a ElectionTemplate,
        calendar: &'a HolidayCalendar,
        election_day: NaiveDate,
    ) -> Schedule<'a> {
        Schedule {
            template,
            calendar,
            election_day,
        }
    }

    pub fn election_day(&self) -> NaiveDate {
        self.election_day
    }

    /// The step's deadline: from E, or from the day the step it depends on was done (its due
    /// day while it is not done yet). `None` for steps without one, or not in this template.
    pub fn due(&self, code: StepCode, done: &DoneSteps) -> Option<Deadline> {
        self.deadline(code, done).map(|(d, _)| d)
    }

    /// Start of the step's planning window, if it has one.
    pub fn opens(&self, code: StepCode) -> Option<NaiveDate> {
        match self.template.step(code)?.timing {
            Timing::Around { from, .. } => Some(self.election_day - Days::new(from.into())),
            _ => None,
        }
    }

    /// The step's state on `today`.
    pub fn state(&self, code: StepCode, done: &DoneSteps, today: NaiveDate) -> StepState {
        let Some(step) = self.template.step(code) else {
            return StepState::NotStarted;
        };
        let deadline = self.deadline(code, done);
        match (done.get(&code), deadline) {
            (Some(&on), Some((due, firm))) if !due.is_met_by(on) => StepState::DoneLate {
                on,
                due,
                breach: firm.then(|| self.late_breach(step, on, due)).flatten(),
            },
            (Some(&on), _) => StepState::Done { on },
            (None, Some((due, firm))) if due.days_left(today) < 0 => StepState::Overdue {
                due,
                breach: firm.then(|| self.overdue_breach(step, due)).flatten(),
            },
            (None, Some((due, _)))
                if due.days_left(today) <= i64::from(self.template.params.due_soon_days) =>
            {
                StepState::DueSoon { due }
            }
            (None, _) => StepState::NotStarted,
        }
    }

    /// Every step of the template, in procedure order.
    pub fn statuses(&self, done: &DoneSteps, today: NaiveDate) -> Vec<StepStatus> {
        self.template
            .steps
            .iter()
            .map(|s| StepStatus {
                code: s.code,
                opens: self.opens(s.code),
                due: self.due(s.code, done),
                state: self.state(s.code, done, today),
            })
            .collect()
    }

    /// Breaches among the steps already done: those done after a binding deadline.
    pub fn breaches(&self, done: &DoneSteps) -> Vec<Breach> {
        self.template
            .steps
            .iter()
            .filter_map(|s| {
                let on = *done.get(&s.code)?;
                let (due, firm) = self.deadline(s.code, done)?;
                if !firm || due.is_met_by(on) {
                    return None;
                }
                self.late_breach(s, on, due)
            })
            .collect()
    }

    /// 变更选举日: the schedule for `new_election_day`, and the steps already done that it breaks
    /// (a list published 20 days before the old E is late if E moves one day earlier).
    pub fn move_election_day(
        &self,
        new_election_day: NaiveDate,
        done: &DoneSteps,
    ) -> (Schedule<'a>, Vec<Breach>) {
        let moved = Schedule::new(self.template, self.calendar, new_election_day);
        let breaches = moved.breaches(done);
        (moved, breaches)
    }

    /// The deadline and whether it is firm: fixed by E or by steps actually done, rather than
    /// by the planned day of a step not done yet. Only firm deadlines produce breaches.
    fn deadline(&self, code: StepCode, done: &DoneSteps) -> Option<(Deadline, bool)> {
        let e = self.election_day;
        let cal = self.calendar;
        match self.template.step(code)?.timing {
            Timing::Around { to, .. } => Some((Deadline::days_before(e, to), true)),
            Timing::DaysBefore(x) => Some((Deadline::days_before(e, x), true)),
            Timing::OnElectionDay => Some((Deadline::on(e), true)),
            Timing::After(_) => None,
            Timing::DaysBeforeStep { step, days } => {
                let (anchor, firm) = self.anchor_day(step, done)?;
                Some((Deadline::days_before(anchor, days), firm))
            }
            Timing::Within { anchor, days, then } => {
                let (from, firm) = match anchor {
                    Anchor::ElectionDay => (e, true),
                    Anchor::Step(step) => self.anchor_day(step, done)?,
                };
                let first = Deadline::within_days(from, days, cal);
                let last = match then {
                    Some(more) => Deadline::within_days(first.last_day, more, cal),
                    None => first,
                };
                Some((last, firm))
            }
        }
    }

    /// The day a step was done, or (not firm) the day it is due.
    fn anchor_day(&self, step: StepCode, done: &DoneSteps) -> Option<(NaiveDate, bool)> {
        match done.get(&step) {
            Some(&on) => Some((on, true)),
            None => self.deadline(step, done).map(|(d, _)| (d.last_day, false)),
        }
    }

    fn late_breach(&self, step: &StepTemplate, on: NaiveDate, due: Deadline) -> Option<Breach> {
        let class = step.late?;
        let (rule_zh, rule_en) = step.timing.describe();
        Some(Breach::new(
            class,
            Some(step.code),
            Reason::new(
                step.rule,
                format!(
                    "{} {}于{on}完成，晚于期限{}（{rule_zh}，选举日{}）",
                    step.code, step.name.zh, due.last_day, self.election_day
                ),
                format!(
                    "{} {} was done on {on}, after the deadline {} ({rule_en}; election day {})",
                    step.code, step.name.en, due.last_day, self.election_day
                ),
            ),
        ))
    }

    fn overdue_breach(&self, step: &StepTemplate, due: Deadline) -> Option<Breach> {
        let class = step.late?;
        let (rule_zh, rule_en) = step.timing.describe();
        Some(Breach::new(
            class,
            Some(step.code),
            Reason::new(
                step.rule,
                format!(
                    "{} {}已超过期限{}仍未完成（{rule_zh}）",
                    step.code, step.name.zh, due.last_day
                ),
                format!(
                    "{} {} is not done and its deadline {} has passed ({rule_en})",
                    step.code, step.name.en, due.last_day
                ),
            ),
        ))
    }
}

/// 确认选举日: refuses an election day that would put a step already done in breach — e.g.
/// earlier than the voter list's publication day + 20 (spec §1.3 V05). Each refusal says which
/// step, why, and where possible the earliest day that would be accepted.
pub fn confirm_election_day(
    template: &ElectionTemplate,
    calendar: &HolidayCalendar,
    proposed: NaiveDate,
    done: &DoneSteps,
) -> Result<(), Vec<Refusal>> {
    let schedule = Schedule::new(template, calendar, proposed);
    let refusals: Vec<Refusal> = schedule
        .breaches(done)
        .into_iter()
        .filter_map(|breach| {
            let step = template.step(breach.step?)?;
            let on = done[&step.code];
            let earliest = match step.timing {
                Timing::DaysBefore(x) => Some(on + Days::new(x.into())),
                _ => None,
            };
            let (rule_zh, rule_en) = step.timing.describe();
            let (then_zh, then_en) = match earliest {
                Some(d) => (
                    format!("选举日最早可定为{d}"),
                    format!("the earliest possible election day is {d}"),
                ),
                None => (
                    "请另定选举日或重做该步骤".to_string(),
                    "choose another election day or redo the step".to_string(),
                ),
            };
            Some(Refusal {
                step: step.code,
                rule: step.rule,
                earliest_election_day: earliest,
                message_zh: format!(
                    "不能将选举日定为{proposed}：{} {}已于{on}完成，{rule_zh}；{then_zh}",
                    step.code, step.name.zh
                ),
                message_en: format!(
                    "Election day cannot be {proposed}: {} {} was done on {on} and {rule_en}; {then_en}",
                    step.code, step.name.en
                ),
            })
        })
        .collect();
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::election::breach::BreachClass;
    use crate::election::template::RulePackVersion;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn template() -> ElectionTemplate {
        ElectionTemplate::direct(RulePackVersion::CqVc2025).unwrap()
    }

    // E = Sunday 2026-03-29 throughout.
    const E: fn() -> NaiveDate = || day(2026, 3, 29);

    fn done(steps: &[(StepCode, NaiveDate)]) -> DoneSteps {
        steps.iter().copied().collect()
    }

    #[test]
    fn voter_list_published_20_days_before_is_on_time() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        let d = done(&[(StepCode::V05, day(2026, 3, 9))]);
        assert_eq!(
            s.state(StepCode::V05, &d, day(2026, 3, 10)),
            StepState::Done {
                on: day(2026, 3, 9)
            }
        );
        assert!(s.breaches(&d).is_empty());
    }

    #[test]
    fn voter_list_published_19_days_before_is_proc() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        let d = done(&[(StepCode::V05, day(2026, 3, 10))]);
        let StepState::DoneLate { breach, due, .. } = s.state(StepCode::V05, &d, day(2026, 3, 11))
        else {
            panic!("expected DoneLate");
        };
        assert_eq!(due.last_day, day(2026, 3, 9));
        let breach = breach.expect("binding [L] deadline");
        assert_eq!(breach.class, BreachClass::Proc);
        assert_eq!(breach.rule, "V05.list_published_20_days_before");
        assert_eq!(breach.step, Some(StepCode::V05));
    }

    #[test]
    fn moving_e_earlier_after_publication_breaks_v05() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        // Published exactly 20 days before the old E: fine until E moves one day earlier.
        let d = done(&[(StepCode::V05, day(2026, 3, 9))]);
        assert!(s.breaches(&d).is_empty());
        let (moved, breaches) = s.move_election_day(day(2026, 3, 28), &d);
        assert_eq!(moved.election_day(), day(2026, 3, 28));
        assert_eq!(breaches.len(), 1);
        assert_eq!(breaches[0].class, BreachClass::Proc);
        assert_eq!(breaches[0].step, Some(StepCode::V05));
        // Moving it later breaks nothing.
        assert!(s.move_election_day(day(2026, 4, 5), &d).1.is_empty());
    }

    #[test]
    fn confirming_an_earlier_e_after_publication_is_refused_with_the_reason() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let d = done(&[(StepCode::V05, day(2026, 3, 9))]);
        let refusals = confirm_election_day(&t, &cal, day(2026, 3, 28), &d).unwrap_err();
        assert_eq!(refusals.len(), 1);
        let r = &refusals[0];
        assert_eq!(r.step, StepCode::V05);
        assert_eq!(r.earliest_election_day, Some(day(2026, 3, 29)));
        assert_eq!(
            r.message_zh,
            "不能将选举日定为2026-03-28：V05 公布选民名单、发放选民证已于2026-03-09完成，\
             须在选举日20日前完成；选举日最早可定为2026-03-29"
        );
        assert!(
            r.message_en
                .contains("earliest possible election day is 2026-03-29")
        );
        assert_eq!(confirm_election_day(&t, &cal, day(2026, 3, 29), &d), Ok(()));
    }

    #[test]
    fn handover_on_day_10_is_on_time() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        // E + 10 = Wednesday 2026-04-08.
        let d = done(&[(StepCode::V22, day(2026, 4, 8))]);
        assert!(matches!(
            s.state(StepCode::V22, &d, day(2026, 4, 9)),
            StepState::Done { .. }
        ));
    }

    #[test]
    fn handover_on_day_11_is_late() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        let d = done(&[(StepCode::V22, day(2026, 4, 9))]);
        let breaches = s.breaches(&d);
        assert_eq!(breaches.len(), 1);
        assert_eq!(breaches[0].class, BreachClass::Late);
        assert_eq!(breaches[0].rule, "V22.handover_within_10_days");
    }

    #[test]
    fn handover_deadline_on_a_holiday_rolls_over() {
        // E = 2026-09-25; E + 10 = 10-05 falls in the National Day holiday → 10-08.
        let t = template();
        let cal = HolidayCalendar::new((1..=7).map(|d| day(2026, 10, d)), [day(2026, 10, 10)]);
        let s = Schedule::new(&t, &cal, day(2026, 9, 25));
        let due = s.due(StepCode::V22, &DoneSteps::new()).unwrap();
        assert_eq!(due.last_day, day(2026, 10, 8));
        assert_eq!(due.rolled_over_from, Some(day(2026, 10, 5)));
        let d = done(&[(StepCode::V22, day(2026, 10, 8))]);
        assert!(s.breaches(&d).is_empty());
    }

    #[test]
    fn audit_results_published_3_days_before_the_committee_is_on_time() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        let committee = day(2026, 2, 20);
        let on_time = done(&[
            (StepCode::V01, day(2026, 2, 17)),
            (StepCode::V02, committee),
        ]);
        assert!(s.breaches(&on_time).is_empty());
        let late = done(&[
            (StepCode::V01, day(2026, 2, 18)),
            (StepCode::V02, committee),
        ]);
        let b = s.breaches(&late);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].rule, "V01.audit_published_3_days_before_committee");
        // Until the committee is formed the deadline is provisional: late-looking, no breach.
        let provisional = done(&[(StepCode::V01, day(2026, 2, 28))]);
        assert!(s.breaches(&provisional).is_empty());
    }

    #[test]
    fn objections_within_5_days_of_publication_decided_within_3() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        // List published Monday 03-02: objections until Saturday 03-07 → Monday 03-09;
        // decisions within 3 days → Thursday 03-12.
        let list = day(2026, 3, 2);
        let due = s
            .due(StepCode::V06, &done(&[(StepCode::V05, list)]))
            .unwrap();
        assert_eq!(due.last_day, day(2026, 3, 12));
        let on_time = done(&[(StepCode::V05, list), (StepCode::V06, day(2026, 3, 12))]);
        assert!(s.breaches(&on_time).is_empty());
        let late = done(&[(StepCode::V05, list), (StepCode::V06, day(2026, 3, 13))]);
        assert_eq!(
            s.breaches(&late)[0].rule,
            "V06.objections_5_days_decided_3_days"
        );
    }

    #[test]
    fn formal_list_published_5_days_before_is_on_time_4_days_is_proc() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        assert!(
            s.breaches(&done(&[(StepCode::V10, day(2026, 3, 24))]))
                .is_empty()
        );
        let b = s.breaches(&done(&[(StepCode::V10, day(2026, 3, 25))]));
        assert_eq!(b[0].class, BreachClass::Proc);
    }

    #[test]
    fn formal_list_days_is_a_parameter() {
        let mut t = template();
        t.params.formal_list_days_before = 7;
        t = ElectionTemplate::new(t.pack, t.mode, t.nomination, t.params).unwrap();
        let cal = HolidayCalendar::default();
        let s = Schedule::new(&t, &cal, E());
        assert_eq!(
            s.due(StepCode::V10, &DoneSteps::new()).unwrap().last_day,
            day(2026, 3, 22)
        );
    }

    #[test]
    fn states_move_from_not_started_to_due_soon_to_overdue() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        let none = DoneSteps::new();
        // V05 is due 03-09; due soon from 03-06 (3 days).
        assert_eq!(
            s.state(StepCode::V05, &none, day(2026, 3, 5)),
            StepState::NotStarted
        );
        assert!(matches!(
            s.state(StepCode::V05, &none, day(2026, 3, 6)),
            StepState::DueSoon { .. }
        ));
        assert!(matches!(
            s.state(StepCode::V05, &none, day(2026, 3, 9)),
            StepState::DueSoon { .. }
        ));
        let StepState::Overdue { breach, .. } = s.state(StepCode::V05, &none, day(2026, 3, 10))
        else {
            panic!("expected Overdue");
        };
        assert_eq!(breach.unwrap().class, BreachClass::Proc);
    }

    #[test]
    fn missing_a_planning_window_is_late_but_not_a_breach() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        // V02 ≈ E−45…E−30; formed at E−25.
        let d = done(&[(StepCode::V02, day(2026, 3, 4))]);
        assert!(matches!(
            s.state(StepCode::V02, &d, day(2026, 3, 5)),
            StepState::DoneLate { breach: None, .. }
        ));
        assert!(s.breaches(&d).is_empty());
        assert_eq!(s.opens(StepCode::V02), Some(day(2026, 2, 12)));
    }

    #[test]
    fn statuses_cover_every_step_in_order() {
        let (t, cal) = (template(), HolidayCalendar::default());
        let s = Schedule::new(&t, &cal, E());
        let rows = s.statuses(&DoneSteps::new(), day(2026, 1, 1));
        assert_eq!(rows.len(), t.steps.len());
        assert_eq!(rows[0].code, StepCode::V00);
        assert_eq!(rows.last().unwrap().code, StepCode::V24);
        assert!(rows.last().unwrap().due.is_none());
    }
}
