//! Social-work qualification allowance (社会工作职业资格津贴, domain-spec §3): levels, district
//! rate tables, the month-by-month entitlement with a trace a reviewer can read, and the payment
//! roster (发放花名册) with its approval steps.
//!
//! Start with `entitlement` (who is paid what for which month, and why), then `roster`.

pub mod entitlement;
pub mod level;
pub mod period;
pub mod rates;
pub mod records;
pub mod roster;
pub mod sheet;

pub use entitlement::{
    Adjustment, AdjustmentKind, AllowanceError, AllowancePolicy, AssessmentGrade, Certificate,
    ContinuingEducation, EntitlementRules, Factor, LeaveReason, MonthLine, Post, PostTerm,
    Qualification, Registration, Suspension, SuspensionCause, SuspensionKind, SuspensionRecord,
    Trace,
};
pub use level::Level;
pub use period::{Period, YearMonth};
pub use rates::{LevelRate, PaymentType, Proration, RateOrigin, RateSchedule, RateTable};
