//! What the app flags when an election goes wrong (spec §1.6), and the reason every decision
//! carries: a stable rule id plus a Chinese and an English explanation, so a screen can show
//! *why* and a log can say *which rule*.

use serde::Serialize;

use super::template::StepCode;

/// 违规类别 — how serious a breach is and what usually follows (spec §1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BreachClass {
    /// 选举无效 — the round has no legal result and is repeated.
    InvalidRound,
    /// 当选无效 — one member's election is void; the seat is refilled.
    WinVoid,
    /// 程序违法 — a statutory safeguard was broken; the step (or election) may be redone.
    Proc,
    /// 结构不合规 — the committee's composition breaks a rule (women, minority, relatives).
    Compliance,
    /// 逾期 — a post-election deadline was missed; the township orders completion.
    Late,
}

impl BreachClass {
    /// The code used in the spec and in exports.
    pub fn code(self) -> &'static str {
        match self {
            BreachClass::InvalidRound => "INVALID_ROUND",
            BreachClass::WinVoid => "WIN_VOID",
            BreachClass::Proc => "PROC",
            BreachClass::Compliance => "COMPLIANCE",
            BreachClass::Late => "LATE",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            BreachClass::InvalidRound => "选举无效",
            BreachClass::WinVoid => "当选无效",
            BreachClass::Proc => "程序违法",
            BreachClass::Compliance => "成员结构不合规",
            BreachClass::Late => "逾期未完成",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            BreachClass::InvalidRound => "Invalid round",
            BreachClass::WinVoid => "Election of a member void",
            BreachClass::Proc => "Procedural breach",
            BreachClass::Compliance => "Composition breach",
            BreachClass::Late => "Deadline missed",
        }
    }
}

/// Why a decision came out the way it did: the rule that decided it and a sentence in each
/// language. Rule ids are stable (`tally.turnout`, `V05.publish_20_days`) so logs can count them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub rule: &'static str,
    pub zh: String,
    pub en: String,
}

impl Reason {
    pub fn new(rule: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Reason {
        Reason {
            rule,
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// 违规记录 — one breach found by the schedule, the tally or a composition check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    pub class: BreachClass,
    /// Stable id of the rule that fired.
    pub rule: &'static str,
    /// The procedure step it belongs to, if any (V05 for a late voter list, V18 for a tally).
    pub step: Option<StepCode>,
    pub message_zh: String,
    pub message_en: String,
}

impl Breach {
    pub fn new(class: BreachClass, step: Option<StepCode>, reason: Reason) -> Breach {
        Breach {
            class,
            rule: reason.rule,
            step,
            message_zh: reason.zh,
            message_en: reason.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_a_code_and_both_labels() {
        use BreachClass::*;
        let codes: Vec<&str> = [InvalidRound, WinVoid, Proc, Compliance, Late]
            .iter()
            .map(|c| {
                assert!(!c.label_zh().is_empty() && !c.label_en().is_empty());
                c.code()
            })
            .collect();
        assert_eq!(
            codes,
            ["INVALID_ROUND", "WIN_VOID", "PROC", "COMPLIANCE", "LATE"]
        );
    }
}
