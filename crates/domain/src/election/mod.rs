//! Elections of 村民委员会 and 居民委员会 (spec §1): the date arithmetic, the versioned step
//! templates, the deadline engine, the tally, breaches and recall — all pure functions.
//!
//! Start with `template` (what must happen and when), then `schedule` (is it on time) and
//! `tally` (who is elected, and why).

pub mod breach;
pub mod calendar;
pub mod holidays;
pub mod recall;
pub mod record;
pub mod roll;
pub mod schedule;
pub mod tally;
pub mod template;
pub mod view;

pub use breach::{Breach, BreachClass, Reason};
pub use calendar::{Deadline, HolidayCalendar};
pub use recall::{RecallProposers, RecallVote, recall_proposal, recall_result};
pub use record::{
    ElectionDayMoved, ElectionError, ElectionOpened, ElectionRecord, StepEdited, StepTicked,
    StepUnticked,
};
pub use schedule::{DoneSteps, Refusal, Schedule, StepState, StepStatus, confirm_election_day};
pub use tally::{
    Decision, Outcome, PostTitle, Round, RoundResult, Seats, TallyContext, TallyRules, Turnout,
    Verdict, check_plan_seats, decide_first_round, decide_rerun, rerun_ballots, round_validity,
};
pub use template::{
    ElectionTemplate, ElectionType, ElectoralMode, NominationMode, RulePackVersion, StepCode,
    TemplateParams, pack_in_force,
};
pub use view::{ElectionView, StepColour, StepCounts, StepRow};
