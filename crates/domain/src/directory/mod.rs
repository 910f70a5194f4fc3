//! The directory (名录): where — the jurisdiction tree of units — and who — people, their
//! identity numbers and close relatives. Every module builds on it.

pub mod kinship;
pub mod person;
pub mod units;
