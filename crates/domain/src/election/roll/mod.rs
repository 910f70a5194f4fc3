//! 选民登记与计票台账 — the registers and the tally of one election (spec §1.3 V04–V19, §1.5):
//! the entity `election_roll:<X>` of `election:<X>`. Its events (`event`) register voters,
//! publish the list, record objections, nominations, candidate lists, proxies, ballot boxes
//! and counts; `view` folds them into `RollView` under one rule book (`RollView::check`);
//! `results` puts the counts through the tally; `import` plans a voter CSV.

pub mod error;
pub mod event;
pub mod import;
pub mod results;
pub mod view;

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests;

pub use error::{RollError, VoterProblem};
pub use event::{
    BoxKind, MAX_VOTERS_PER_EVENT, RollEvent, RollPlan, TallyRound, VoidGround, VoteCount,
    VoterCategory, VoterEntry, election_of, roll_id_for,
};
pub use import::{parse_voter, plan_voter_import};
pub use results::{Missing, RollResults, RoundStatus, tally_key, voter_of_key};
pub use view::{RollView, validate_event};

use serde_json::{Map, Value};

use crate::event::Event;

/// The entity-state document of a roll is its `RollView` as JSON: folds `ev` into it.
pub fn apply_to_doc(doc: &mut Map<String, Value>, ev: &Event) {
    let mut view: RollView =
        serde_json::from_value(Value::Object(std::mem::take(doc))).unwrap_or_default();
    view.apply(ev);
    if let Value::Object(map) = serde_json::to_value(&view).expect("a roll view serializes") {
        *doc = map;
    }
}

/// Reads the roll from its entity-state document.
pub fn from_doc(doc: &Value) -> Option<RollView> {
    serde_json::from_value(doc.clone()).ok()
}
