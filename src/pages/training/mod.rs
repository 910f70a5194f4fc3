//! The training module's screens (培训, domain-spec §4): plans and classes, a new class, one
//! class (sessions, enrolment, completion, certificates), the attendance door screen and the
//! dashboard. Every rule is the domain's (`cunju_domain::training`).

pub mod attendance;
pub mod class;
pub mod class_new;
pub mod dashboard;
pub mod data;
pub mod index;
pub mod qr;
pub mod trainee_records;
