//! The social-work allowance screens (社工津贴, domain-spec §3): the overview of qualified workers
//! and rosters, a worker's qualification card, the district's rate tables and the payment roster
//! (发放花名册) from draft to approved. Every rule is the domain's (`cunju_domain::allowance`).

pub mod data;
pub mod index;
pub mod rates;
pub mod roster;
pub mod roster_new;
pub mod suspensions;
pub mod worker;
