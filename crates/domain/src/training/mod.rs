//! Training records (培训, domain-spec §4): plans, classes, sessions, enrolment and attendance;
//! credited 学时, completion, certificates (结业证书) and the annual requirements that drive the
//! "due / overdue" dashboards.
//!
//! Start with `entities`, then `hours` → `completion` → `certificate`.

pub mod certificate;
pub mod completion;
pub mod entities;
pub mod events;
pub mod hours;
pub mod report;
pub mod requirements;
pub mod roster;

pub use certificate::{
    CertificateError, CertificateNumber, TrainingCertificate, issue_certificates,
};
pub use completion::{Completion, CompletionRules, Outcome, Ratio, Shortfall, assess_completion};
pub use entities::{
    Assessment, AssessmentRequirement, AssessmentResult, Attendance, ClassReport, Enrollment,
    EnrollmentStatus, OrganiserLevel, Presence, Session, SignInMethod, Slot, TargetGroup, Topic,
    TrainingClass, TrainingPlan, Venue,
};
pub use hours::{
    Credit, CreditedHours, HoursRules, SessionCredit, SessionOutcome, StudyHours, credited_hours,
};
pub use requirements::{Group, Requirement, RequirementStatus, TrainingRecord, requirement_status};
