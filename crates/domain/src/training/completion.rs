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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::entities::fixtures::session;
    use crate::training::entities::fixtures::{class, leave, on_time, person};

    fn enrolled(status: EnrollmentStatus) -> Enrollment {
        Enrollment {
            person: person(),
            class: "class:c1".parse().unwrap(),
            status,
        }
    }

    fn assessment(result: AssessmentResult) -> Assessment {
        Assessment {
            person: person(),
            class: "class:c1".parse().unwrap(),
            result,
            score: Some(80),
        }
    }

    /// Two sessions of `a` and `b` tenths; the person attends the first only.
    fn outcome(
        a: u32,
        b: u32,
        requirement: AssessmentRequirement,
        result: Option<AssessmentResult>,
    ) -> Outcome {
        let assessment = result.map(assessment);
        assess_completion(
            &class(requirement),
            &enrolled(EnrollmentStatus::Enrolled),
            &[session(1, a), session(2, b)],
            &[on_time(1)],
            assessment.as_ref(),
            &HoursRules::default(),
            &CompletionRules::default(),
        )
        .outcome
    }

    #[test]
    fn exactly_80_percent_completes() {
        assert!(
            Ratio::FOUR_FIFTHS.reached(StudyHours::from_tenths(800), StudyHours::from_tenths(1000))
        );
        assert_eq!(
            outcome(800, 200, AssessmentRequirement::NotRequired, None),
            Outcome::Completed
        );
    }

    #[test]
    fn attendance_79_9_percent_does_not_complete() {
        assert!(
            !Ratio::FOUR_FIFTHS
                .reached(StudyHours::from_tenths(799), StudyHours::from_tenths(1000))
        );
        assert_eq!(
            outcome(799, 201, AssessmentRequirement::NotRequired, None),
            Outcome::NotCompleted(vec![Shortfall::Hours {
                credited: StudyHours::from_tenths(799),
                needed: StudyHours::from_tenths(800),
            }])
        );
        assert_eq!(
            Shortfall::Hours {
                credited: StudyHours::from_tenths(799),
                needed: StudyHours::hours(80)
            }
            .label_zh(),
            "学时不足：已计79.9学时，至少需80学时"
        );
    }

    #[test]
    fn stricter_and_lenient_ratios_are_exact_fractions() {
        // 6/7 of 70 hours is 60.
        assert!(Ratio::SIX_SEVENTHS.reached(StudyHours::hours(60), StudyHours::hours(70)));
        assert!(!Ratio::SIX_SEVENTHS.reached(StudyHours::from_tenths(599), StudyHours::hours(70)));
        // 2/3 of 10 hours is 6.67: 6.7 reaches it, 6.6 does not; the least needed is 6.7.
        assert!(Ratio::TWO_THIRDS.reached(StudyHours::from_tenths(67), StudyHours::hours(10)));
        assert!(!Ratio::TWO_THIRDS.reached(StudyHours::from_tenths(66), StudyHours::hours(10)));
        assert_eq!(
            Ratio::TWO_THIRDS.of(StudyHours::hours(10)),
            StudyHours::from_tenths(67)
        );
        assert_eq!(Ratio::new(1, 0), None);
        assert_eq!(Ratio::new(5, 4), None);
    }

    #[test]
    fn a_required_assessment_must_be_passed() {
        use AssessmentRequirement::MustPass;
        assert_eq!(
            outcome(800, 200, MustPass, Some(AssessmentResult::Passed)),
            Outcome::Completed
        );
        assert_eq!(
            outcome(800, 200, MustPass, Some(AssessmentResult::Failed)),
            Outcome::NotCompleted(vec![Shortfall::AssessmentFailed])
        );
        assert_eq!(
            outcome(800, 200, MustPass, None),
            Outcome::NotCompleted(vec![Shortfall::AssessmentMissing])
        );
        assert_eq!(
            outcome(100, 900, MustPass, Some(AssessmentResult::Failed)),
            Outcome::NotCompleted(vec![
                Shortfall::Hours {
                    credited: StudyHours::hours(10),
                    needed: StudyHours::hours(80)
                },
                Shortfall::AssessmentFailed,
            ]),
            "every reason is listed"
        );
    }

    #[test]
    fn approved_leave_counts_as_absence_for_completion_but_is_shown_apart() {
        let completion = assess_completion(
            &class(AssessmentRequirement::NotRequired),
            &enrolled(EnrollmentStatus::Enrolled),
            &[
                session(1, 40),
                session(2, 40),
                session(3, 40),
                session(4, 40),
                session(5, 40),
            ],
            &[
                on_time(1),
                on_time(2),
                on_time(3),
                leave(4, true),
                leave(5, true),
            ],
            None,
            &HoursRules::default(),
            &CompletionRules::default(),
        );
        assert!(!completion.is_completed(), "12 of 20 hours");
        assert_eq!(completion.hours.approved_leave, StudyHours::hours(8));
    }

    #[test]
    fn exempted_and_withdrawn_are_not_completed_and_empty_classes_complete_no_one() {
        let run = |status, sessions: &[Session]| {
            assess_completion(
                &class(AssessmentRequirement::NotRequired),
                &enrolled(status),
                sessions,
                &[],
                None,
                &HoursRules::default(),
                &CompletionRules::default(),
            )
            .outcome
        };
        assert_eq!(
            run(EnrollmentStatus::Exempted, &[session(1, 40)]),
            Outcome::Exempted
        );
        assert_eq!(
            run(EnrollmentStatus::Withdrawn, &[session(1, 40)]),
            Outcome::Withdrawn
        );
        assert_eq!(
            run(EnrollmentStatus::Enrolled, &[]),
            Outcome::NotCompleted(vec![Shortfall::NoSessions])
        );
    }
}
