//! The candidate eligibility module's screens (资格审查, domain-spec §2): the review batches, a
//! new batch, one batch with its verdicts, a department's fast CLEAR/HIT screen, a candidate's
//! eligibility card, the printable result and the rule packs. Every rule is the domain's
//! (`cunju_domain::eligibility`); what a device shows is what the server let it receive.

pub mod batch;
pub mod candidate;
pub mod data;
pub mod index;
pub mod new;
pub mod packs;
pub mod result;
pub mod review;
