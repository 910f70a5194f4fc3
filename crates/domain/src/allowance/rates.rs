//! Rate tables (发放标准, domain-spec §3.2): per district, versioned by the month they take
//! effect, an amount per level, paid monthly or as a one-off award. The built-in default
//! (500/300/200/100) is marked as such, with where it came from, so screens can show it.

use serde::{Deserialize, Serialize};

use super::level::Level;
use super::period::YearMonth;
use crate::ids::UnitId;
use crate::money::Fen;

/// How a level's amount is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentType {
    /// Every month the person is entitled (the default).
    Monthly,
    /// Once, in the first month the person is entitled at this level (一次性奖励).
    OneOff,
}

/// How a month in which the person is entitled for only part of the time is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Proration {
    /// Whole months: paid for month m if entitled on day 1 of m. The default.
    #[default]
    FirstDay,
    /// Whole months: paid for month m if entitled on the 15th of m, else nothing.
    #[serde(rename = "CUTOFF_15")]
    Cutoff15,
    /// rate × entitled days / days in the month, rounded to the fen (0.01 yuan), halves up.
    Daily,
}

impl Proration {
    pub fn label_zh(self) -> &'static str {
        match self {
            Proration::FirstDay => "按月（当月1日在册即全月发放）",
            Proration::Cutoff15 => "按月（当月15日在册即全月发放）",
            Proration::Daily => "按日折算",
        }
    }
}

/// One level's amount in a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelRate {
    pub level: Level,
    /// Per month for `Monthly`, once for `OneOff`.
    pub amount: Fen,
    pub payment: PaymentType,
}

/// Where a table's figures come from — shown next to them in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateOrigin {
    /// The app's built-in default; `provenance` says how weak it is. Must be confirmed locally.
    BuiltInDefault { provenance: String },
    /// Set by the district from its own document (文号).
    DistrictDocument { reference: String },
}

/// A district's rate table from a given month on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateTable {
    /// Printed in the roster header, e.g. `CQ-DEFAULT-2024` or `5001-2025-01`.
    pub version: String,
    /// The district it applies to; `None` for the built-in default.
    pub district: Option<UnitId>,
    /// First month paid at these rates.
    pub effective_from: YearMonth,
    pub rates: Vec<LevelRate>,
    pub origin: RateOrigin,
}

impl RateTable {
    /// The default of domain-spec §3.2: 高级 500, 社会工作师 300, 助理 200, 社会工作员 100 yuan per
    /// month. [CQ? unverified] — a district's own table should replace it.
    pub fn chongqing_default(effective_from: YearMonth) -> RateTable {
        let monthly = |level, yuan| LevelRate {
            level,
            amount: Fen::yuan(yuan),
            payment: PaymentType::Monthly,
        };
        RateTable {
            version: "CQ-DEFAULT".into(),
            district: None,
            effective_from,
            rates: vec![
                monthly(Level::SwSenior, 500),
                monthly(Level::SwIntermediate, 300),
                monthly(Level::SwAssistant, 200),
                monthly(Level::CqSwWorker, 100),
            ],
            origin: RateOrigin::BuiltInDefault {
                provenance:
                    "默认标准，引自某重庆城区社区专职工作者薪酬规定的二手网页（区县与年份未核实）；\
                             请以本区县正式文件为准"
                        .into(),
            },
        }
    }

    pub fn is_default(&self) -> bool {
        matches!(self.origin, RateOrigin::BuiltInDefault { .. })
    }

    /// The rate for a level, `None` if this table does not pay it.
    pub fn rate(&self, level: Level) -> Option<&LevelRate> {
        self.rates.iter().find(|r| r.level == level)
    }
}

/// All the tables of one district, any order; the one in force for a month is the latest that
/// took effect on or before it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RateSchedule {
    pub tables: Vec<RateTable>,
}

impl RateSchedule {
    pub fn new(tables: Vec<RateTable>) -> RateSchedule {
        RateSchedule { tables }
    }

    pub fn in_force(&self, month: YearMonth) -> Option<&RateTable> {
        self.tables
            .iter()
            .filter(|t| t.effective_from <= month)
            .max_by_key(|t| t.effective_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(text: &str) -> YearMonth {
        text.parse().unwrap()
    }

    #[test]
    fn default_table_is_500_300_200_100_and_marked_default() {
        let table = RateTable::chongqing_default(ym("2020-01"));
        let amount = |level| table.rate(level).unwrap().amount;
        assert_eq!(amount(Level::SwSenior), Fen::yuan(500));
        assert_eq!(amount(Level::SwIntermediate), Fen::yuan(300));
        assert_eq!(amount(Level::SwAssistant), Fen::yuan(200));
        assert_eq!(amount(Level::CqSwWorker), Fen::yuan(100));
        assert!(table.is_default());
    }

    #[test]
    fn the_table_in_force_is_the_latest_effective_on_or_before_the_month() {
        let mut newer = RateTable::chongqing_default(ym("2025-01"));
        newer.version = "5001-2025".into();
        newer.origin = RateOrigin::DistrictDocument {
            reference: "渝X社工〔2024〕12号".into(),
        };
        let schedule = RateSchedule::new(vec![newer, RateTable::chongqing_default(ym("2020-01"))]);
        assert_eq!(schedule.in_force(ym("2019-12")), None);
        assert_eq!(
            schedule.in_force(ym("2024-12")).unwrap().version,
            "CQ-DEFAULT"
        );
        assert_eq!(
            schedule.in_force(ym("2025-01")).unwrap().version,
            "5001-2025"
        );
        assert!(!schedule.in_force(ym("2025-01")).unwrap().is_default());
    }

    #[test]
    fn proration_names_on_the_wire() {
        assert_eq!(
            serde_json::to_value(Proration::Cutoff15).unwrap(),
            "CUTOFF_15"
        );
        assert_eq!(
            serde_json::to_value(Proration::FirstDay).unwrap(),
            "FIRST_DAY"
        );
        assert_eq!(Proration::default(), Proration::FirstDay);
    }
}
