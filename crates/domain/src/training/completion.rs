//! Completion (结业, §4.2): credited hours at least a ratio of planned hours (default 4/5, the
//! "absence ≤ 1/5" rule), and a passed assessment where the class requires one. The ratio is a
//! fraction of integers, so 80 % is exact. Approved leave still counts as absence.

use serde::{Deserialize, Serialize};

use super::entities::{
    Assessment, AssessmentRequirement, AssessmentResult, Attendance, Enrollment, EnrollmentStatus,
    Session, TrainingClass,
};
use super::hours::{CreditedHours, HoursRules, StudyHours, credited_hours};
use crate::ids::EntityId;

/// A fraction `num/den` with `0 < den` and `num <= den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ratio {
    num: u32,
    den: u32,
}

impl Ratio {
    /// 4/5: absence at most 1/5 (the default).
    pub const FOUR_FIFTHS: Ratio = Ratio { num: 4, den: 5 };
    /// 6/7: party-school strictness (absence over 1/7 fails).
    pub const SIX_SEVENTHS: Ratio = Ratio { num: 6, den: 7 };
    /// 2/3: lenient.
    pub const TWO_THIRDS: Ratio = Ratio { num: 2, den: 3 };

    pub fn new(num: u32, den: u32) -> Option<Ratio> {
        (den > 0 && num <= den).then_some(Ratio { num, den })
    }

    /// `part / whole >= self`, exactly.
    pub fn reached(self, part: StudyHours, whole: StudyHours) -> bool {
        u64::from(part.tenths()) * u64::from(self.den)
            >= u64::from(whole.tenths()) * u64::from(self.num)
    }

    /// The least hours that reach this ratio of `whole` (rounded up to the tenth).
    pub fn of(self, whole: StudyHours) -> StudyHours {
        let needed =
            (u64::from(whole.tenths()) * u64::from(self.num)).div_ceil(u64::from(self.den));
        StudyHours::from_tenths(u32::try_from(needed).expect("at most whole"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionRules {
    pub min_attendance: Ratio,
}

impl Default for CompletionRules {
    fn default() -> Self {
        CompletionRules {
            min_attendance: Ratio::FOUR_FIFTHS,
        }
    }
}

/// Why someone did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    Hours {
        credited: StudyHours,
        needed: StudyHours,
    },
    AssessmentFailed,
    AssessmentMissing,
    /// The class has no planned hours yet.
    NoSessions,
}

impl Shortfall {
    pub fn label_zh(self) -> String {
        match self {
            Shortfall::Hours { credited, needed } => {
                format!("学时不足：已计{credited}学时，至少需{needed}学时")
            }
            Shortfall::AssessmentFailed => "考核不合格".into(),
            Shortfall::AssessmentMissing => "未参加考核".into(),
            Shortfall::NoSessions => "培训班尚无课次".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 结业
    Completed,
    NotCompleted(Vec<Shortfall>),
    /// 免训
    Exempted,
    /// 退学
    Withdrawn,
}

/// One person's result in one class (`Completion` of §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub person: EntityId,
    pub class: EntityId,
    pub hours: CreditedHours,
    pub outcome: Outcome,
}

impl Completion {
    pub fn is_completed(&self) -> bool {
        self.outcome == Outcome::Completed
    }
}

/// Decides completion for one enrolment. `sessions` are the class's sessions; `assessment`
/// is the person's, if any.
pub fn assess_completion(
    class: &TrainingClass,
    enrollment: &Enrollment,
    sessions: &[Session],
    attendance: &[Attendance],
    assessment: Option<&Assessment>,
    hours_rules: &HoursRules,
    rules: &CompletionRules,
) -> Completion {
    let hours = credited_hours(&enrollment.person, sessions, attendance, hours_rules);
    let outcome = match enrollment.status {
        EnrollmentStatus::Exempted => Outcome::Exempted,
        EnrollmentStatus::Withdrawn => Outcome::Withdrawn,
        EnrollmentStatus::Enrolled => {
            let mut short = vec![];
            if hours.planned == StudyHours::ZERO {
                short.push(Shortfall::NoSessions);
            } else if !rules.min_attendance.reached(hours.credited, hours.planned) {
                short.push(Shortfall::Hours {
                    credited: hours.credited,
                    needed: rules.min_attendance.of(hours.planned),
                });
            }
            if class.assessment == AssessmentRequirement::MustPass {
                match assessment.map(|a| a.result) {
                    Some(AssessmentResult::Passed) => {}
                    Some(AssessmentResult::Failed) => short.push(Shortfall::AssessmentFailed),
                    None => short.push(Shortfall::AssessmentMissing),
                }
            }
            if short.is_empty() {
                Outcome::Completed
            } else {
                Outcome::NotCompleted(short)
            }
        }
    };
    Completion {
        person: enrollment.person.clone(),
        class: class.id.clone(),
        hours,
        outcome,
    }
}
