//! Election date arithmetic (spec §1.2), implemented once: "X 日前" counts back from the
//! election day without skipping anything; "自…之日起 N 日内" counts forward from the day after
//! the event and, if the last day is a rest day, moves to the next working day.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::directory::person::age_on;

/// Legal voting age (年满十八周岁).
pub const VOTING_AGE: i32 = 18;

/// 节假日安排 — statutory holidays (法定节假日) and the weekend days turned into working days
/// (调休上班日) for the years an election spans. Published yearly by the State Council, so it is
/// data, not code; the default is empty (only ordinary weekends are rest days).
///
/// Civil Code §203 moves a period that ends on a 法定休假日 to the next day after it; courts read
/// 法定休假日 as including ordinary weekends, which is why 调休 days matter here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayCalendar {
    /// 法定节假日 — days off, including the weekdays that become days off.
    pub holidays: BTreeSet<NaiveDate>,
    /// 调休上班日 — Saturdays or Sundays that are working days.
    pub adjusted_working_days: BTreeSet<NaiveDate>,
}

impl HolidayCalendar {
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        adjusted_working_days: impl IntoIterator<Item = NaiveDate>,
    ) -> HolidayCalendar {
        HolidayCalendar {
            holidays: holidays.into_iter().collect(),
            adjusted_working_days: adjusted_working_days.into_iter().collect(),
        }
    }

    /// 工作日: not a holiday, and either a weekday or a 调休 working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.holidays.contains(&day) {
            return false;
        }
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend || self.adjusted_working_days.contains(&day)
    }

    /// `day` itself if it is a working day, else the first working day after it.
    pub fn next_working_day(&self, day: NaiveDate) -> NaiveDate {
        let mut d = day;
        while !self.is_working_day(d) {
            d = d + Days::new(1);
        }
        d
    }
}

/// 期限 — the last day on which an act still counts as on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The act is on time if done on or before this day.
    pub last_day: NaiveDate,
    /// For "within N days" periods that ended on a rest day: the day the period would have
    /// ended without the roll-over (shown to the user so the later date is not a surprise).
    pub rolled_over_from: Option<NaiveDate>,
}

impl Deadline {
    /// "X 日前": on or before `E − X` calendar days. Weekends and holidays are not skipped.
    pub fn days_before(election_day: NaiveDate, days: u32) -> Deadline {
        Deadline {
            last_day: election_day - Days::new(days.into()),
            rolled_over_from: None,
        }
    }

    /// "自…之日起 N 日内": the day of the event is not counted, so the period ends with day
    /// `event + N`; if that day is a rest day, the deadline is the next working day (Civil Code
    /// §§201–203).
    pub fn within_days(event: NaiveDate, days: u32, calendar: &HolidayCalendar) -> Deadline {
        let end = event + Days::new(days.into());
        let last_day = calendar.next_working_day(end);
        Deadline {
            last_day,
            rolled_over_from: (last_day != end).then_some(end),
        }
    }

    /// A fixed last day, e.g. election day itself.
    pub fn on(day: NaiveDate) -> Deadline {
        Deadline {
            last_day: day,
            rolled_over_from: None,
        }
    }

    pub fn is_met_by(&self, done_on: NaiveDate) -> bool {
        done_on <= self.last_day
    }

    /// Whole days from `today` to the last day (negative once it has passed).
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.last_day - today).num_days()
    }
}

/// Whether someone born on `birth` may vote on election day: age counts as of E, so a person
/// whose 18th birthday is E may vote (spec §1.2).
pub fn old_enough_to_vote(birth: NaiveDate, election_day: NaiveDate) -> bool {
    age_on(birth, election_day) >= VOTING_AGE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_before_counts_back_without_skipping_weekends() {
        // E is Sunday 2026-03-29; 20 days before is Monday 2026-03-09 — and a 21-day deadline
        // lands on Sunday 03-08 and stays there.
        assert_eq!(
            Deadline::days_before(day(2026, 3, 29), 20).last_day,
            day(2026, 3, 9)
        );
        assert_eq!(
            Deadline::days_before(day(2026, 3, 29), 21).last_day,
            day(2026, 3, 8)
        );
    }

    #[test]
    fn within_days_does_not_count_the_day_of_the_event() {
        // Published Wednesday 2026-03-04: the 5 days are 03-05 … 03-09, ending on a Monday.
        let none = HolidayCalendar::default();
        let d = Deadline::within_days(day(2026, 3, 4), 5, &none);
        assert_eq!(d.last_day, day(2026, 3, 9));
        assert_eq!(d.rolled_over_from, None);
        assert!(d.is_met_by(day(2026, 3, 9)));
        assert!(!d.is_met_by(day(2026, 3, 10)));
    }

    #[test]
    fn within_days_ending_on_a_holiday_rolls_over_to_the_next_working_day() {
        // 2026 National Day holiday 10-01 … 10-07, with Saturday 10-10 a 调休 working day.
        let holidays = (1..=7).map(|d| day(2026, 10, d));
        let calendar = HolidayCalendar::new(holidays, [day(2026, 10, 10)]);
        let d = Deadline::within_days(day(2026, 9, 25), 10, &calendar);
        assert_eq!(d.rolled_over_from, Some(day(2026, 10, 5)));
        assert_eq!(d.last_day, day(2026, 10, 8));
        // Period ending on Friday 10-09: a working day, stays.
        assert_eq!(
            Deadline::within_days(day(2026, 9, 29), 10, &calendar).last_day,
            day(2026, 10, 9)
        );
        // Ending on the 调休 Saturday 10-10: a working day, no roll-over.
        let d = Deadline::within_days(day(2026, 9, 30), 10, &calendar);
        assert_eq!((d.last_day, d.rolled_over_from), (day(2026, 10, 10), None));
    }

    #[test]
    fn within_days_ending_on_a_weekend_rolls_over_to_monday() {
        let none = HolidayCalendar::default();
        let d = Deadline::within_days(day(2026, 3, 9), 5, &none); // ends Sat 03-14
        assert_eq!(d.last_day, day(2026, 3, 16));
        assert_eq!(d.rolled_over_from, Some(day(2026, 3, 14)));
    }

    #[test]
    fn turning_18_on_election_day_may_vote() {
        let e = day(2026, 3, 29);
        assert!(old_enough_to_vote(day(2008, 3, 29), e));
        assert!(!old_enough_to_vote(day(2008, 3, 30), e));
    }
}
