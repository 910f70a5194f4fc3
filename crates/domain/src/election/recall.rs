//! 罢免 — recall of a committee member (spec §1.7): who may propose it, when the vote
//! succeeds, and by when the committee must hold it. Integer arithmetic only.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::breach::Reason;
use super::calendar::{Deadline, HolidayCalendar};

/// The committee holds the recall vote within this many days of receiving the demand [T].
pub const RECALL_VOTE_WITHIN_DAYS: u32 = 30;

/// 罢免要求 — who signed the demand (jointly, with reasons) [L §16].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecallProposers {
    /// 有选举权的村民 — needs at least one fifth of them.
    Voters { signed: u32, registered: u32 },
    /// 村民代表 — needs at least one third of them.
    Representatives { signed: u32, total: u32 },
}

/// Whether a recall demand has enough signatures to be put to a vote (≥ 1/5 of voters or
/// ≥ 1/3 of representatives).
pub fn recall_proposal(proposers: RecallProposers) -> Result<Reason, Reason> {
    match proposers {
        RecallProposers::Voters { signed, registered } => {
            if 5 * u64::from(signed) >= u64::from(registered) {
                Ok(Reason::new(
                    "recall.proposal_one_fifth_of_voters",
                    format!(
                        "{signed}名有选举权的村民联名，达到{registered}人的五分之一，罢免要求成立"
                    ),
                    format!(
                        "{signed} of {registered} voters signed, at least one fifth: the demand stands"
                    ),
                ))
            } else {
                Err(Reason::new(
                    "recall.proposal_one_fifth_of_voters",
                    format!("{signed}名村民联名，不足{registered}人的五分之一，罢免要求不成立"),
                    format!(
                        "{signed} of {registered} voters signed, less than one fifth: not enough to demand a recall"
                    ),
                ))
            }
        }
        RecallProposers::Representatives { signed, total } => {
            if 3 * u64::from(signed) >= u64::from(total) {
                Ok(Reason::new(
                    "recall.proposal_one_third_of_representatives",
                    format!("{signed}名村民代表联名，达到{total}人的三分之一，罢免要求成立"),
                    format!(
                        "{signed} of {total} representatives signed, at least one third: the demand stands"
                    ),
                ))
            } else {
                Err(Reason::new(
                    "recall.proposal_one_third_of_representatives",
                    format!("{signed}名村民代表联名，不足{total}人的三分之一，罢免要求不成立"),
                    format!(
                        "{signed} of {total} representatives signed, less than one third: not enough to demand a recall"
                    ),
                ))
            }
        }
    }
}

/// 罢免表决 — the counts of a recall vote (secret ballot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallVote {
    /// 登记选民
    pub registered: u32,
    /// 参加投票
    pub voted: u32,
    /// 赞成罢免
    pub approve: u32,
}

/// 罢免结果 — recalled only if more than half of registered voters voted AND more than half of
/// those voting approved [L §16].
pub fn recall_result(vote: RecallVote) -> Result<Reason, Reason> {
    let RecallVote {
        registered,
        voted,
        approve,
    } = vote;
    if 2 * u64::from(voted) <= u64::from(registered) {
        return Err(Reason::new(
            "recall.turnout_majority",
            format!("登记选民{registered}，参加投票{voted}，未超过半数，罢免表决无效"),
            format!(
                "{voted} of {registered} registered voters voted, not more than half: the recall vote is void"
            ),
        ));
    }
    if 2 * u64::from(approve) <= u64::from(voted) {
        return Err(Reason::new(
            "recall.approval_majority",
            format!("参加投票{voted}，赞成{approve}，未超过半数，罢免未通过"),
            format!("{approve} of {voted} voting approved, not more than half: not recalled"),
        ));
    }
    Ok(Reason::new(
        "recall.approval_majority",
        format!(
            "参加投票{voted}（超过登记选民{registered}的半数），赞成{approve}，超过半数，罢免通过"
        ),
        format!(
            "{voted} of {registered} voted and {approve} approved, more than half each: recalled"
        ),
    ))
}

/// The day by which the committee must hold the recall vote after receiving the demand [T].
pub fn recall_vote_due(received: NaiveDate, calendar: &HolidayCalendar) -> Deadline {
    Deadline::within_days(received, RECALL_VOTE_WITHIN_DAYS, calendar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_proposal_needs_one_fifth_of_voters() {
        let v = |signed| RecallProposers::Voters {
            signed,
            registered: 1000,
        };
        assert!(recall_proposal(v(200)).is_ok());
        assert!(recall_proposal(v(199)).is_err());
    }

    #[test]
    fn recall_proposal_needs_one_third_of_representatives() {
        let r = |signed| RecallProposers::Representatives { signed, total: 31 };
        // 11 × 3 = 33 ≥ 31; 10 × 3 = 30 < 31.
        assert!(recall_proposal(r(11)).is_ok());
        let err = recall_proposal(r(10)).unwrap_err();
        assert_eq!(err.rule, "recall.proposal_one_third_of_representatives");
    }

    #[test]
    fn recall_vote_needs_more_than_half_turnout() {
        let v = |voted| RecallVote {
            registered: 1000,
            voted,
            approve: voted,
        };
        assert_eq!(
            recall_result(v(500)).unwrap_err().rule,
            "recall.turnout_majority"
        );
        assert!(recall_result(v(501)).is_ok());
    }

    #[test]
    fn recall_vote_needs_more_than_half_of_those_voting_to_approve() {
        let v = |approve| RecallVote {
            registered: 1000,
            voted: 600,
            approve,
        };
        assert_eq!(
            recall_result(v(300)).unwrap_err().rule,
            "recall.approval_majority"
        );
        assert!(recall_result(v(301)).is_ok());
    }

    #[test]
    fn recall_vote_is_due_within_30_days_of_the_demand() {
        let received = NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(); // +30 = Wed 06-03
        let due = recall_vote_due(received, &HolidayCalendar::default());
        assert_eq!(due.last_day, NaiveDate::from_ymd_opt(2026, 6, 3).unwrap());
    }
}
