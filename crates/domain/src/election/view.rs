//! 选举进度 — what the election screens show: the timetable with each step's due date and
//! colour state (done, due soon, late, breach, needs re-review), who ticked it and when, and the
//! breaches with the rule that fired. Computed from the folded `ElectionRecord` and today's
//! date; nothing here is stored.

use chrono::NaiveDate;
use serde::Serialize;

use super::breach::Breach;
use super::calendar::{Deadline, HolidayCalendar};
use super::record::{ElectionOpened, ElectionRecord, Tick};
use super::schedule::{Schedule, StepState};
use super::template::{ElectionTemplate, Label, StepCode};
use crate::ids::Hash;

/// The colour a step shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepColour {
    /// 未开始 — not done; not due soon.
    Pending,
    /// 即将到期 — not done; the deadline is near.
    DueSoon,
    /// 已完成 — done on time (or a step without a deadline).
    Done,
    /// 逾期 — done after, or not done by, a planning deadline that is not binding.
    Late,
    /// 违规 — a binding deadline was missed (the step's `breach` says which rule).
    Breach,
    /// 待复核 — ticked, then edited by the village: the supervisor must look again.
    NeedsReview,
}

impl StepColour {
    pub fn slug(self) -> &'static str {
        match self {
            StepColour::Pending => "pending",
            StepColour::DueSoon => "due-soon",
            StepColour::Done => "done",
            StepColour::Late => "late",
            StepColour::Breach => "breach",
            StepColour::NeedsReview => "needs-review",
        }
    }
}

/// One row of the timetable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRow {
    pub code: StepCode,
    pub name: Label,
    pub actor: Label,
    pub evidence_expected: &'static [(&'static str, &'static str)],
    /// The rule in words (中文, English).
    pub timing: (String, String),
    pub opens: Option<NaiveDate>,
    pub due: Option<Deadline>,
    pub colour: StepColour,
    pub tick: Option<Tick>,
    pub needs_review: bool,
    pub breach: Option<Breach>,
    pub evidence: Vec<Hash>,
}

/// Counts for lists and the township dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StepCounts {
    pub total: u32,
    pub done: u32,
    pub due_soon: u32,
    pub late: u32,
    pub breach: u32,
    pub needs_review: u32,
}

/// 选举进度 — an election as the screens show it on `today`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElectionView {
    pub opened: ElectionOpened,
    pub election_day: NaiveDate,
    pub rows: Vec<StepRow>,
    /// Every breach: steps done after a binding deadline (including those a move of E broke)
    /// and steps whose binding deadline passed undone.
    pub breaches: Vec<Breach>,
    /// The first step of the procedure not done yet (`None` when all are done).
    pub current: Option<StepCode>,
    pub counts: StepCounts,
}

impl ElectionView {
    /// `None` until the election's opening event is on this device.
    pub fn new(
        record: &ElectionRecord,
        calendar: &HolidayCalendar,
        today: NaiveDate,
    ) -> Option<ElectionView> {
        let opened = record.opened.clone()?;
        let template: ElectionTemplate = opened.template().ok()?;
        let election_day = record.election_day.unwrap_or(opened.election_day);
        let schedule = Schedule::new(&template, calendar, election_day);
        let done = record.done();
        let mut counts = StepCounts::default();
        let mut breaches = vec![];
        let rows: Vec<StepRow> = template
            .steps
            .iter()
            .map(|s| {
                let state = schedule.state(s.code, &done, today);
                let step = record.steps.get(&s.code).cloned().unwrap_or_default();
                let breach = match &state {
                    StepState::Overdue { breach, .. } | StepState::DoneLate { breach, .. } => {
                        breach.clone()
                    }
                    _ => None,
                };
                let colour = if step.needs_review && step.tick.is_some() {
                    StepColour::NeedsReview
                } else {
                    match (&state, &breach) {
                        (_, Some(_)) => StepColour::Breach,
                        (StepState::Done { .. }, _) => StepColour::Done,
                        (StepState::DoneLate { .. } | StepState::Overdue { .. }, _) => {
                            StepColour::Late
                        }
                        (StepState::DueSoon { .. }, _) => StepColour::DueSoon,
                        (StepState::NotStarted, _) => StepColour::Pending,
                    }
                };
                counts.total += 1;
                if step.tick.is_some() {
                    counts.done += 1;
                }
                match colour {
                    StepColour::DueSoon => counts.due_soon += 1,
                    StepColour::Late => counts.late += 1,
                    StepColour::NeedsReview => counts.needs_review += 1,
                    _ => {}
                }
                if let Some(b) = &breach {
                    counts.breach += 1;
                    breaches.push(b.clone());
                }
                StepRow {
                    code: s.code,
                    name: s.name,
                    actor: s.actor,
                    evidence_expected: s.evidence,
                    timing: s.timing.describe(),
                    opens: schedule.opens(s.code),
                    due: schedule.due(s.code, &done),
                    colour,
                    tick: step.tick,
                    needs_review: step.needs_review,
                    breach,
                    evidence: step.evidence,
                }
            })
            .collect();
        let current = rows.iter().find(|r| r.tick.is_none()).map(|r| r.code);
        Some(ElectionView {
            opened,
            election_day,
            rows,
            breaches,
            current,
            counts,
        })
    }

    pub fn row(&self, code: StepCode) -> Option<&StepRow> {
        self.rows.iter().find(|r| r.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::election::breach::BreachClass;
    use crate::election::record::tests::{day, events, opened, record_of, ticked};
    use crate::election::record::{ElectionDayMoved, StepEdited};
    use crate::event::EventBody;

    fn view(bodies: Vec<EventBody>, today: NaiveDate) -> ElectionView {
        let mut all = vec![EventBody::ElectionOpened(opened())];
        all.extend(bodies);
        ElectionView::new(
            &record_of(&events("sup", all)),
            &HolidayCalendar::default(),
            today,
        )
        .unwrap()
    }

    fn tick(step: StepCode, on: NaiveDate) -> EventBody {
        EventBody::StepTicked(ticked(step, on))
    }

    #[test]
    fn a_new_election_lists_every_step_with_its_due_date() {
        let v = view(vec![], day(2026, 1, 10));
        assert_eq!(v.rows.len(), 26);
        assert_eq!(v.current, Some(StepCode::V00));
        let v05 = v.row(StepCode::V05).unwrap();
        assert_eq!(v05.due.unwrap().last_day, day(2026, 3, 9));
        assert_eq!(v05.colour, StepColour::Pending);
        assert_eq!(v05.name.zh, "公布选民名单、发放选民证");
        assert!(v.breaches.is_empty());
        assert_eq!(v.counts.total, 26);
    }

    #[test]
    fn colours_follow_the_deadline_engine() {
        // V05 due 03-09; on 03-07 it is due soon; on 03-10 undone it is a PROC breach.
        assert_eq!(
            view(vec![], day(2026, 3, 7))
                .row(StepCode::V05)
                .unwrap()
                .colour,
            StepColour::DueSoon
        );
        let late = view(vec![], day(2026, 3, 10));
        let row = late.row(StepCode::V05).unwrap();
        assert_eq!(row.colour, StepColour::Breach);
        assert_eq!(row.breach.as_ref().unwrap().class, BreachClass::Proc);
        assert!(
            late.breaches
                .iter()
                .any(|b| b.rule == "V05.list_published_20_days_before")
        );
        // V02's ≈ window passed undone: late, not a breach.
        assert_eq!(late.row(StepCode::V02).unwrap().colour, StepColour::Late);
        // Done on time: done, with who ticked it.
        let done = view(vec![tick(StepCode::V05, day(2026, 3, 9))], day(2026, 3, 10));
        let row = done.row(StepCode::V05).unwrap();
        assert_eq!(row.colour, StepColour::Done);
        assert_eq!(row.tick.as_ref().unwrap().by, "sup".parse().unwrap());
        assert_eq!(done.counts.done, 1);
    }

    #[test]
    fn a_voter_list_published_19_days_before_e_is_a_proc_breach() {
        let v = view(
            vec![tick(StepCode::V05, day(2026, 3, 10))],
            day(2026, 3, 11),
        );
        let row = v.row(StepCode::V05).unwrap();
        assert_eq!(row.colour, StepColour::Breach);
        assert_eq!(v.breaches.len(), 1);
        assert_eq!(v.breaches[0].class.code(), "PROC");
        assert_eq!(v.counts.breach, 1);
    }

    #[test]
    fn moving_e_earlier_after_the_list_turns_the_done_step_into_a_breach() {
        // A move that slipped past the device check (two devices offline) still shows.
        let v = view(
            vec![
                tick(StepCode::V05, day(2026, 3, 9)),
                EventBody::ElectionDayMoved(ElectionDayMoved {
                    election_day: day(2026, 3, 28),
                    reason: "提前".into(),
                }),
            ],
            day(2026, 3, 10),
        );
        assert_eq!(v.election_day, day(2026, 3, 28));
        assert_eq!(v.row(StepCode::V05).unwrap().colour, StepColour::Breach);
        assert_eq!(v.breaches[0].rule, "V05.list_published_20_days_before");
    }

    #[test]
    fn handover_on_day_10_is_done_on_day_11_is_late() {
        let on_time = view(vec![tick(StepCode::V22, day(2026, 4, 8))], day(2026, 4, 20));
        assert_eq!(on_time.row(StepCode::V22).unwrap().colour, StepColour::Done);
        let late = view(vec![tick(StepCode::V22, day(2026, 4, 9))], day(2026, 4, 20));
        let row = late.row(StepCode::V22).unwrap();
        assert_eq!(row.colour, StepColour::Breach);
        assert_eq!(row.breach.as_ref().unwrap().class.code(), "LATE");
    }

    #[test]
    fn an_edited_tick_shows_needs_review() {
        let v = view(
            vec![
                tick(StepCode::V05, day(2026, 3, 9)),
                EventBody::StepEdited(StepEdited {
                    step: StepCode::V05,
                    notes: "换了照片".into(),
                    evidence: vec![],
                }),
            ],
            day(2026, 3, 10),
        );
        assert_eq!(
            v.row(StepCode::V05).unwrap().colour,
            StepColour::NeedsReview
        );
        assert_eq!(v.counts.needs_review, 1);
    }

    #[test]
    fn the_current_step_is_the_first_not_done() {
        let v = view(
            vec![
                tick(StepCode::V00, day(2026, 1, 10)),
                tick(StepCode::V01, day(2026, 2, 10)),
                tick(StepCode::V03, day(2026, 2, 22)),
            ],
            day(2026, 2, 22),
        );
        assert_eq!(v.current, Some(StepCode::V02));
    }

    #[test]
    fn no_view_before_the_election_is_opened() {
        let record = crate::election::ElectionRecord::default();
        assert!(ElectionView::new(&record, &HolidayCalendar::default(), day(2026, 1, 1)).is_none());
    }
}
