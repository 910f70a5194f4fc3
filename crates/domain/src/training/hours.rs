//! 学时: study hours in tenths (so half of 3 学时 is 1.5, not a float), and the credited hours
//! of one person in one class: Σ planned 学时 of the sessions attended, with late arrival
//! beyond N minutes or early departure credited half or nothing (config, §4.2).

use std::fmt;
use std::iter::Sum;
use std::ops::Add;

use serde::{Deserialize, Serialize};

use super::entities::{Attendance, Presence, Session};
use crate::ids::EntityId;

/// Study hours (学时) in tenths.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct StudyHours(u32);

impl StudyHours {
    pub const ZERO: StudyHours = StudyHours(0);

    pub const fn hours(hours: u32) -> StudyHours {
        StudyHours(hours * 10)
    }

    pub const fn from_tenths(tenths: u32) -> StudyHours {
        StudyHours(tenths)
    }

    pub const fn tenths(self) -> u32 {
        self.0
    }

    /// Half, rounded down to the tenth (half of 0.5 is 0.2): never credit more than earned.
    pub const fn half(self) -> StudyHours {
        StudyHours(self.0 / 2)
    }

    pub fn saturating_sub(self, other: StudyHours) -> StudyHours {
        StudyHours(self.0.saturating_sub(other.0))
    }
}

impl Add for StudyHours {
    type Output = StudyHours;
    fn add(self, other: StudyHours) -> StudyHours {
        StudyHours(self.0 + other.0)
    }
}

impl Sum for StudyHours {
    fn sum<I: Iterator<Item = StudyHours>>(iter: I) -> StudyHours {
        iter.fold(StudyHours::ZERO, Add::add)
    }
}

/// `8`, `7.5`.
impl fmt::Display for StudyHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 % 10 {
            0 => write!(f, "{}", self.0 / 10),
            t => write!(f, "{}.{t}", self.0 / 10),
        }
    }
}

/// How much of a session's planned hours a marked attendance earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credit {
    Zero,
    Half,
    Full,
}

impl Credit {
    fn apply(self, planned: StudyHours) -> StudyHours {
        match self {
            Credit::Full => planned,
            Credit::Half => planned.half(),
            Credit::Zero => StudyHours::ZERO,
        }
    }
}

/// The counting rules of §4.2 [T]. Default: more than 15 minutes late, or signing out before
/// the end, earns half.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursRules {
    /// Arriving up to this many minutes after the start is on time.
    pub late_grace_minutes: u32,
    pub late_credit: Credit,
    /// Signing out up to this many minutes before the end is not leaving early.
    pub early_grace_minutes: u32,
    pub early_leave_credit: Credit,
}

impl Default for HoursRules {
    fn default() -> Self {
        HoursRules {
            late_grace_minutes: 15,
            late_credit: Credit::Half,
            early_grace_minutes: 0,
            early_leave_credit: Credit::Half,
        }
    }
}

/// What a session counted as for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionOutcome {
    Attended,
    /// 迟到 beyond the grace minutes.
    Late {
        minutes: u32,
    },
    /// 早退 beyond the grace minutes.
    LeftEarly {
        minutes: u32,
    },
    LateAndLeftEarly {
        late: u32,
        early: u32,
    },
    /// 请假 with an approver: absence, reported separately.
    ApprovedLeave,
    /// 缺勤 (including unapproved leave).
    Absent,
}

impl SessionOutcome {
    pub fn label_zh(self) -> String {
        match self {
            SessionOutcome::Attended => "出勤".into(),
            SessionOutcome::Late { minutes } => format!("迟到{minutes}分钟"),
            SessionOutcome::LeftEarly { minutes } => format!("早退{minutes}分钟"),
            SessionOutcome::LateAndLeftEarly { late, early } => {
                format!("迟到{late}分钟、早退{early}分钟")
            }
            SessionOutcome::ApprovedLeave => "请假（已批准）".into(),
            SessionOutcome::Absent => "缺勤".into(),
        }
    }
}

/// One session's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCredit {
    pub session: EntityId,
    pub planned: StudyHours,
    pub credited: StudyHours,
    pub outcome: SessionOutcome,
}

/// One person's hours in one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditedHours {
    pub planned: StudyHours,
    pub credited: StudyHours,
    /// Planned hours of sessions missed on approved leave (shown apart from other absence).
    pub approved_leave: StudyHours,
    pub sessions: Vec<SessionCredit>,
}

/// Credits `person` for `sessions` (one class) from the attendance records. Late and early
/// together earn the smaller of the two credits, not their product.
pub fn credited_hours(
    person: &EntityId,
    sessions: &[Session],
    attendance: &[Attendance],
    rules: &HoursRules,
) -> CreditedHours {
    let lines: Vec<SessionCredit> = sessions
        .iter()
        .map(|s| {
            let record = attendance
                .iter()
                .find(|a| &a.person == person && a.session == s.id);
            let outcome = match record.map(|a| &a.presence) {
                None
                | Some(Presence::Leave {
                    approved_by: None, ..
                }) => SessionOutcome::Absent,
                Some(Presence::Leave {
                    approved_by: Some(_),
                    ..
                }) => SessionOutcome::ApprovedLeave,
                Some(Presence::Present {
                    signed_in,
                    signed_out,
                    ..
                }) => {
                    let minutes =
                        |d: chrono::TimeDelta| u32::try_from(d.num_minutes()).unwrap_or(0);
                    let late = minutes(*signed_in - s.starts_at);
                    let early = signed_out.map_or(0, |out| minutes(s.ends_at - out));
                    let late = (late > rules.late_grace_minutes).then_some(late);
                    let early = (early > rules.early_grace_minutes).then_some(early);
                    match (late, early) {
                        (None, None) => SessionOutcome::Attended,
                        (Some(minutes), None) => SessionOutcome::Late { minutes },
                        (None, Some(minutes)) => SessionOutcome::LeftEarly { minutes },
                        (Some(late), Some(early)) => {
                            SessionOutcome::LateAndLeftEarly { late, early }
                        }
                    }
                }
            };
            let credit = match outcome {
                SessionOutcome::Attended => Credit::Full,
                SessionOutcome::Late { .. } => rules.late_credit,
                SessionOutcome::LeftEarly { .. } => rules.early_leave_credit,
                SessionOutcome::LateAndLeftEarly { .. } => {
                    rules.late_credit.min(rules.early_leave_credit)
                }
                SessionOutcome::ApprovedLeave | SessionOutcome::Absent => Credit::Zero,
            };
            SessionCredit {
                session: s.id.clone(),
                planned: s.planned,
                credited: credit.apply(s.planned),
                outcome,
            }
        })
        .collect();
    CreditedHours {
        planned: lines.iter().map(|l| l.planned).sum(),
        credited: lines.iter().map(|l| l.credited).sum(),
        approved_leave: lines
            .iter()
            .filter(|l| l.outcome == SessionOutcome::ApprovedLeave)
            .map(|l| l.planned)
            .sum(),
        sessions: lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::entities::fixtures::{leave, on_time, person, present, session};

    fn credit_of(attendance: &[Attendance], rules: &HoursRules) -> (StudyHours, SessionOutcome) {
        let hours = credited_hours(&person(), &[session(1, 40)], attendance, rules);
        (hours.credited, hours.sessions[0].outcome)
    }

    #[test]
    fn study_hours_print_in_hours_with_one_decimal() {
        assert_eq!(StudyHours::hours(8).to_string(), "8");
        assert_eq!(StudyHours::from_tenths(75).to_string(), "7.5");
        assert_eq!(
            StudyHours::from_tenths(5).half(),
            StudyHours::from_tenths(2),
            "rounded down"
        );
    }

    #[test]
    fn credited_hours_are_the_planned_hours_of_sessions_attended() {
        let sessions = [session(1, 40), session(2, 40), session(3, 80)];
        let hours = credited_hours(
            &person(),
            &sessions,
            &[on_time(1), on_time(3)],
            &HoursRules::default(),
        );
        assert_eq!(hours.planned, StudyHours::hours(16));
        assert_eq!(hours.credited, StudyHours::hours(12));
        assert_eq!(hours.sessions[1].outcome, SessionOutcome::Absent);
    }

    #[test]
    fn late_beyond_15_minutes_counts_half_by_default() {
        let rules = HoursRules::default();
        assert_eq!(
            credit_of(&[present(1, (9, 15), None)], &rules),
            (StudyHours::hours(4), SessionOutcome::Attended),
            "exactly 15 minutes is on time"
        );
        assert_eq!(
            credit_of(&[present(1, (9, 16), None)], &rules),
            (StudyHours::hours(2), SessionOutcome::Late { minutes: 16 })
        );
    }

    #[test]
    fn late_counts_zero_when_configured() {
        let rules = HoursRules {
            late_credit: Credit::Zero,
            late_grace_minutes: 10,
            ..HoursRules::default()
        };
        assert_eq!(
            credit_of(&[present(1, (9, 10), None)], &rules).0,
            StudyHours::hours(4)
        );
        assert_eq!(
            credit_of(&[present(1, (9, 11), None)], &rules).0,
            StudyHours::ZERO
        );
    }

    #[test]
    fn leaving_early_counts_half_and_needs_a_sign_out_to_be_seen() {
        let rules = HoursRules::default();
        assert_eq!(
            credit_of(&[present(1, (9, 0), Some((12, 0)))], &rules).0,
            StudyHours::hours(4)
        );
        assert_eq!(
            credit_of(&[present(1, (9, 0), Some((11, 59)))], &rules),
            (
                StudyHours::hours(2),
                SessionOutcome::LeftEarly { minutes: 1 }
            )
        );
        assert_eq!(
            credit_of(&[present(1, (9, 0), None)], &rules).0,
            StudyHours::hours(4)
        );
    }

    #[test]
    fn late_and_early_together_take_the_smaller_credit_not_both() {
        let rules = HoursRules {
            early_leave_credit: Credit::Zero,
            ..HoursRules::default()
        };
        assert_eq!(
            credit_of(&[present(1, (9, 30), Some((11, 0)))], &rules),
            (
                StudyHours::ZERO,
                SessionOutcome::LateAndLeftEarly {
                    late: 30,
                    early: 60
                }
            )
        );
        assert_eq!(
            credit_of(
                &[present(1, (9, 30), Some((11, 0)))],
                &HoursRules::default()
            )
            .0,
            StudyHours::hours(2),
            "half, not a quarter"
        );
    }

    #[test]
    fn approved_leave_earns_nothing_and_is_reported_separately() {
        let sessions = [session(1, 40), session(2, 40), session(3, 40)];
        let hours = credited_hours(
            &person(),
            &sessions,
            &[on_time(1), leave(2, true), leave(3, false)],
            &HoursRules::default(),
        );
        assert_eq!(hours.credited, StudyHours::hours(4));
        assert_eq!(hours.approved_leave, StudyHours::hours(4));
        assert_eq!(hours.sessions[1].outcome, SessionOutcome::ApprovedLeave);
        assert_eq!(
            hours.sessions[2].outcome,
            SessionOutcome::Absent,
            "unapproved leave is absence"
        );
        assert_eq!(SessionOutcome::ApprovedLeave.label_zh(), "请假（已批准）");
    }

    #[test]
    fn other_peoples_attendance_does_not_count() {
        let mut someone_else = on_time(1);
        someone_else.person = "person:p2".parse().unwrap();
        assert_eq!(
            credit_of(&[someone_else], &HoursRules::default()).0,
            StudyHours::ZERO
        );
    }
}
