//! Calendar months (`YearMonth`, written `2024-04`) and pay periods (`Period`, an inclusive run
//! of months such as `2024-01` to `2024-03` for a quarterly roster).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One calendar month. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{0:?} is not a month; write it like 2024-04")]
    BadMonth(String),
    #[error("the period ends ({to}) before it starts ({from})")]
    EndsBeforeStart { from: YearMonth, to: YearMonth },
}

impl YearMonth {
    /// `None` unless `month` is 1..=12 and the year is one chrono can represent.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| YearMonth { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month after the one `date` falls in — when most allowance events take effect.
    pub fn after(date: NaiveDate) -> YearMonth {
        YearMonth::of(date).next()
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                month: self.month + 1,
                ..self
            }
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("checked when made")
    }

    /// Day `day` of this month, `None` if the month is shorter.
    pub fn day(self, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, day)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("not the first day ever")
    }

    /// 28 to 31.
    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    /// Every date of the month, in order.
    pub fn dates(self) -> impl Iterator<Item = NaiveDate> {
        self.first_day().iter_days().take(self.days() as usize)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<YearMonth, PeriodError> {
        let bad = || PeriodError::BadMonth(text.to_string());
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let (y, m) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        YearMonth::new(y, m).ok_or_else(bad)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A pay period: the months `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    from: YearMonth,
    to: YearMonth,
}

impl Period {
    pub fn new(from: YearMonth, to: YearMonth) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::EndsBeforeStart { from, to });
        }
        Ok(Period { from, to })
    }

    pub fn month(m: YearMonth) -> Period {
        Period { from: m, to: m }
    }

    pub fn from(self) -> YearMonth {
        self.from
    }

    pub fn to(self) -> YearMonth {
        self.to
    }

    pub fn contains(self, m: YearMonth) -> bool {
        self.from <= m && m <= self.to
    }

    pub fn months(self) -> impl Iterator<Item = YearMonth> {
        std::iter::successors(Some(self.from), |m| Some(m.next()))
            .take_while(move |m| *m <= self.to)
    }

    /// The `n` (at least 1) full months before the month of `today` — the period a roster
    /// drafted on `today` proposes (a quarter for `n = 3`).
    pub fn last_full_months(today: NaiveDate, n: u32) -> Period {
        let to = YearMonth::of(today.with_day(1).expect("day 1 exists") - chrono::Days::new(1));
        let from = YearMonth::of(to.first_day() - chrono::Months::new(n.max(1) - 1));
        Period { from, to }
    }
}

/// `2024-04 至 2024-06`, as printed on a roster.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 至 {}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(text: &str) -> YearMonth {
        text.parse().unwrap()
    }

    #[test]
    fn months_parse_print_and_step_across_years() {
        assert_eq!(ym("2024-12").next(), ym("2025-01"));
        assert_eq!(ym("2024-02").days(), 29);
        assert_eq!(ym("2023-02").days(), 28);
        assert_eq!(ym("2024-04").to_string(), "2024-04");
        assert_eq!(
            YearMonth::after(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()),
            ym("2025-01")
        );
        for bad in ["2024-13", "2024-00", "2024-4", "24-04", "2024/04", ""] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad:?}");
        }
        assert_eq!(serde_json::to_value(ym("2024-04")).unwrap(), "2024-04");
    }

    #[test]
    fn a_period_lists_its_months_inclusive() {
        let p = Period::new(ym("2024-11"), ym("2025-02")).unwrap();
        let months: Vec<String> = p.months().map(|m| m.to_string()).collect();
        assert_eq!(months, ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert!(Period::new(ym("2024-02"), ym("2024-01")).is_err());
        assert_eq!(Period::month(ym("2024-02")).months().count(), 1);
    }

    #[test]
    fn the_proposed_period_is_the_last_full_months_before_today() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let p = Period::last_full_months(day(2026, 11, 29), 3);
        assert_eq!((p.from(), p.to()), (ym("2026-08"), ym("2026-10")));
        let p = Period::last_full_months(day(2025, 2, 1), 3);
        assert_eq!((p.from(), p.to()), (ym("2024-11"), ym("2025-01")));
        let p = Period::last_full_months(day(2025, 1, 31), 0);
        assert_eq!((p.from(), p.to()), (ym("2024-12"), ym("2024-12")));
    }
}
