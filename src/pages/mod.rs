//! One module per screen, named after its route. Each of the four modules keeps its screens in
//! its own folder (`pages/elections/`, …) named after their routes below `/elections`, ….

pub mod accounts;
pub mod devices;
pub mod home;
pub mod login;
pub mod not_found;
pub mod password;
pub mod people;
pub mod person;
pub mod sync;
pub mod transfer;
pub mod units;
pub mod units_import;

// ── elections ──
pub mod elections;
pub mod elections_roll;

// ── eligibility ──
pub mod eligibility;

// ── allowances ──
pub mod allowances;

// ── training ──
pub mod training;
