//! Candidate eligibility (候选人资格审查, domain-spec §2): versioned rule packs, the basic legal
//! conditions computed from the record, the county joint review (县级联审), per-candidate
//! verdicts with the formal candidate list, and composition checks on the winners.
//!
//! Flow: `RulePack` → `basic::check_basic` + `ReviewBatch` (departments `record` outcomes) →
//! `verdict::verdict` per nominee → `verdict::formal_candidates` → after the vote,
//! `post::check_winners`.

pub mod access;
pub mod basic;
pub mod desk;
pub mod events;
pub mod ledger;
pub mod pack;
pub mod post;
pub mod review;
pub mod rule;
pub mod verdict;

#[cfg(any(test, feature = "testing"))]
mod fixtures;

pub use basic::{BasicAction, BasicCheck, check_basic};
pub use desk::{BatchStatus, CompileError, FromRoll, GivenAnswer, compile_batch, from_roll};
pub use ledger::{BatchLedger, DepartmentProgress, PackLedger};
pub use pack::{PackChange, PackError, RulePack};
pub use post::{Member, PostFinding, Winners, check_winners};
pub use review::{MissingAnswer, ReviewBatch, ReviewError, RuleOutcome, RuleStatus};
pub use rule::{Committee, Department, Rule, RuleId, RuleKind, RuleResult};
pub use verdict::{
    DecisionOutcome, FormalList, FormalListError, Reason, ReasonStatus, Verdict, VerdictCode,
    VerdictView, WarnDecision, formal_candidates, verdict,
};
