//! Qualification levels (domain-spec §3.1), ranked so that "the highest level in force" is a
//! plain `max` (就高不叠加: levels never stack).

use serde::{Deserialize, Serialize};

use crate::training::hours::StudyHours;

/// A social-work qualification. Declared lowest first: the derived order is the rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// 重庆市社会工作员 (formerly 社区管理员/管理师) — Chongqing local assessment, below junior.
    CqSwWorker,
    /// 助理社会工作师 — junior (初级), national exam.
    SwAssistant,
    /// 社会工作师 — intermediate (中级), national exam.
    SwIntermediate,
    /// 高级社会工作师 — senior (高级), exam plus review.
    SwSenior,
}

impl Level {
    /// Lowest first.
    pub const ALL: [Level; 4] = [
        Level::CqSwWorker,
        Level::SwAssistant,
        Level::SwIntermediate,
        Level::SwSenior,
    ];

    /// The code used in configuration and on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Level::CqSwWorker => "CQ_SW_WORKER",
            Level::SwAssistant => "SW_ASSISTANT",
            Level::SwIntermediate => "SW_INTERMEDIATE",
            Level::SwSenior => "SW_SENIOR",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Level::CqSwWorker => "重庆市社会工作员",
            Level::SwAssistant => "助理社会工作师",
            Level::SwIntermediate => "社会工作师",
            Level::SwSenior => "高级社会工作师",
        }
    }

    /// Continuing education required per registration period (§3.3 [T]): 72 h for 助理,
    /// 90 h for 社会工作师 and 高级. The local 社会工作员 has no national registration.
    pub fn continuing_education_required(self) -> Option<StudyHours> {
        match self {
            Level::CqSwWorker => None,
            Level::SwAssistant => Some(StudyHours::hours(72)),
            Level::SwIntermediate | Level::SwSenior => Some(StudyHours::hours(90)),
        }
    }

    /// Whether the national registration (登记) rules apply to this level.
    pub fn is_registered(self) -> bool {
        self != Level::CqSwWorker
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_rank_senior_over_intermediate_over_assistant_over_worker() {
        assert!(Level::SwSenior > Level::SwIntermediate);
        assert!(Level::SwIntermediate > Level::SwAssistant);
        assert!(Level::SwAssistant > Level::CqSwWorker);
        assert_eq!(Level::ALL.iter().max(), Some(&Level::SwSenior));
        assert_eq!(
            serde_json::to_value(Level::SwIntermediate).unwrap(),
            "SW_INTERMEDIATE"
        );
        for level in Level::ALL {
            assert_eq!(serde_json::to_value(level).unwrap(), level.code());
        }
    }
}
