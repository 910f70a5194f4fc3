//! Candidate eligibility (候选人资格审查, domain-spec §2): versioned rule packs, the basic legal
//! conditions computed from the record, the county joint review (县级联审), per-candidate
//! verdicts with the formal candidate list, and composition checks on the winners.

pub mod pack;
pub mod rule;

pub use pack::{PackChange, PackError, RulePack};
pub use rule::{Committee, Department, Rule, RuleId, RuleKind};
