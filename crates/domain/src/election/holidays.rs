//! 节假日安排 — a district's statutory holidays and 调休 working days, one year per event
//! (`holidays_set`, entity `holidays:<district>:<year>`, unit: the district), set by the district
//! admin. The deadline engine reads every configured year of a unit's district as one
//! `HolidayCalendar`; a year nobody configured has ordinary weekends only.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::calendar::HolidayCalendar;
use crate::event::{Event, EventBody};
use crate::ids::{EntityId, UnitId};
use crate::projection::EntityState;

/// Entity id prefix.
pub const HOLIDAYS: &str = "holidays";
/// More days off than this in one year is a typing mistake (the State Council's yearly
/// arrangement has about 30, weekends inside the breaks included).
pub const MAX_HOLIDAYS: usize = 60;
/// More 调休 Saturdays or Sundays than this in one year is a typing mistake (usually 5–8).
pub const MAX_WORKING_DAYS: usize = 20;
/// The years a district may configure.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// 设定节假日 — the whole arrangement of `year` for the event's district; a later event for the
/// same year replaces it (an empty one clears the year).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HolidaysSet {
    pub year: i32,
    /// 法定节假日 (放假日), weekdays and weekend days alike.
    pub holidays: BTreeSet<NaiveDate>,
    /// 调休上班日 — Saturdays or Sundays that are working days.
    pub working_days: BTreeSet<NaiveDate>,
}

/// Why a holiday arrangement cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolidayError {
    #[error("year {0} is outside {min}–{max}", min = YEARS.start(), max = YEARS.end())]
    BadYear(i32),
    #[error("{0} is not in the year being set")]
    OutsideYear(NaiveDate),
    #[error("{0} is both a holiday and a working day")]
    HolidayAndWorkingDay(NaiveDate),
    #[error(
        "{0} is a weekday, already a working day: only a Saturday or Sunday can be a 调休 working day"
    )]
    WorkingDayNotWeekend(NaiveDate),
    #[error("more than {MAX_HOLIDAYS} holidays in one year")]
    TooManyHolidays,
    #[error("more than {MAX_WORKING_DAYS} make-up working days in one year")]
    TooManyWorkingDays,
    #[error("holidays are set for a district (4-digit code) at entity holidays:<district>:<year>")]
    WrongEntity,
}

impl HolidayError {
    /// What to tell the user, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            HolidayError::BadYear(y) => format!(
                "年份{y}不在{}—{}之间，请重新选择年份",
                YEARS.start(),
                YEARS.end()
            ),
            HolidayError::OutsideYear(d) => format!("{d}不在所设年份内，请删除或改到本年"),
            HolidayError::HolidayAndWorkingDay(d) => {
                format!("{d}不能既是节假日又是调休上班日，请删去其中一个")
            }
            HolidayError::WorkingDayNotWeekend(d) => {
                format!("{d}是工作日，本来就要上班；调休上班日只能是周六或周日")
            }
            HolidayError::TooManyHolidays => {
                format!("一年的节假日不能超过{MAX_HOLIDAYS}天，请检查是否录错")
            }
            HolidayError::TooManyWorkingDays => {
                format!("一年的调休上班日不能超过{MAX_WORKING_DAYS}天，请检查是否录错")
            }
            HolidayError::WrongEntity => "节假日只能由区县为本区县按年设定".to_string(),
        }
    }
}

impl HolidaysSet {
    pub fn validate(&self) -> Result<(), HolidayError> {
        if !YEARS.contains(&self.year) {
            return Err(HolidayError::BadYear(self.year));
        }
        if let Some(d) = self
            .holidays
            .iter()
            .chain(&self.working_days)
            .find(|d| d.year() != self.year)
        {
            return Err(HolidayError::OutsideYear(*d));
        }
        if let Some(d) = self.holidays.intersection(&self.working_days).next() {
            return Err(HolidayError::HolidayAndWorkingDay(*d));
        }
        if let Some(d) = self
            .working_days
            .iter()
            .find(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        {
            return Err(HolidayError::WorkingDayNotWeekend(*d));
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            return Err(HolidayError::TooManyHolidays);
        }
        if self.working_days.len() > MAX_WORKING_DAYS {
            return Err(HolidayError::TooManyWorkingDays);
        }
        Ok(())
    }
}

/// The entity of a district's arrangement for `year`.
pub fn holidays_entity(district: &UnitId, year: i32) -> EntityId {
    format!("{HOLIDAYS}:{district}:{year}")
        .parse()
        .expect("a unit code and a year make a valid id fragment")
}

/// The district (区县, the first four digits) a unit lies in.
pub fn district_of(unit: &UnitId) -> Option<UnitId> {
    crate::allowance::records::district_of(unit)
}

/// The rules on an event's unit and entity: the unit is a district and the entity names it and
/// the year of the body.
pub fn check_placement(
    unit: &UnitId,
    entity: &EntityId,
    set: &HolidaysSet,
) -> Result<(), HolidayError> {
    if district_of(unit).as_ref() != Some(unit) || *entity != holidays_entity(unit, set.year) {
        return Err(HolidayError::WrongEntity);
    }
    Ok(())
}

/// Holidays are set at the district and apply to every unit below it, so a user receives those
/// of the district above their scope too (pull serves only the scope's own subtree; the server
/// offers these through `GET /api/v1/elections/holidays`).
pub fn may_read_holidays(profile: &crate::sync::Profile, ev: &Event) -> bool {
    matches!(ev.body, EventBody::HolidaysSet(_))
        && crate::authz::permits(
            profile.role,
            crate::authz::Action::ReadEvent(crate::event::EntityKind::Holidays),
        )
        && (profile.scope.is_within(&ev.unit) || ev.unit.is_within(&profile.scope))
}

/// The projection of a `holidays:` entity: the latest arrangement of its year.
pub fn fold_into_doc(doc: &mut Map<String, Value>, ev: &Event) {
    if let EventBody::HolidaysSet(set) = &ev.body
        && let Ok(Value::Object(map)) = serde_json::to_value(set)
    {
        *doc = map;
    }
}

/// The arrangement stored in a `holidays:` entity's state.
pub fn year_of(state: &EntityState) -> Option<HolidaysSet> {
    if state.id.kind_prefix() != HOLIDAYS {
        return None;
    }
    serde_json::from_value(state.doc.clone()).ok()
}

/// Every year configured for the district `unit` lies in, by year.
pub fn years_for<'a>(
    states: impl IntoIterator<Item = &'a EntityState>,
    unit: &UnitId,
) -> Vec<HolidaysSet> {
    let Some(district) = district_of(unit) else {
        return Vec::new();
    };
    let mut years: Vec<HolidaysSet> = states
        .into_iter()
        .filter(|s| s.unit == district)
        .filter_map(|s| year_of(s).filter(|set| s.id == holidays_entity(&district, set.year)))
        .collect();
    years.sort_by_key(|y| y.year);
    years.dedup_by_key(|y| y.year);
    years
}

/// The calendar the deadlines of an election in `unit` use: every year its district configured;
/// weekends only for the others.
pub fn calendar_for<'a>(
    states: impl IntoIterator<Item = &'a EntityState>,
    unit: &UnitId,
) -> HolidayCalendar {
    let years = years_for(states, unit);
    HolidayCalendar::new(
        years.iter().flat_map(|y| y.holidays.iter().copied()),
        years.iter().flat_map(|y| y.working_days.iter().copied()),
    )
}

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests {
    #![cfg_attr(not(test), allow(dead_code, unused_imports))]
    use super::*;
    use crate::election::calendar::Deadline;
    use crate::election::record::tests::{day, events, opened, record_of, ticked};
    use crate::election::{Schedule, StepCode, StepTicked};
    use crate::event::{DeviceLog, NewEvent};
    use crate::projection::fold_all;

    /// 2026: National Day 10-01 … 10-07 off, Saturday 10-10 a working day.
    pub(crate) fn national_day_2026() -> HolidaysSet {
        HolidaysSet {
            year: 2026,
            holidays: (1..=7).map(|d| day(2026, 10, d)).collect(),
            working_days: [day(2026, 10, 10)].into(),
        }
    }

    #[test]
    fn a_valid_year_passes() {
        assert_eq!(national_day_2026().validate(), Ok(()));
        let empty = HolidaysSet {
            year: 2027,
            ..HolidaysSet::default()
        };
        assert_eq!(empty.validate(), Ok(()), "an empty year clears it");
    }

    #[test]
    fn dates_must_lie_in_the_year() {
        let mut set = national_day_2026();
        set.holidays.insert(day(2027, 1, 1));
        assert_eq!(
            set.validate(),
            Err(HolidayError::OutsideYear(day(2027, 1, 1)))
        );
        let mut set = national_day_2026();
        set.working_days.insert(day(2025, 12, 27));
        assert_eq!(
            set.validate(),
            Err(HolidayError::OutsideYear(day(2025, 12, 27)))
        );
        assert!(
            HolidayError::OutsideYear(day(2027, 1, 1))
                .message_zh()
                .contains("不在所设年份内")
        );
    }

    #[test]
    fn a_day_cannot_be_both_off_and_working() {
        let mut set = national_day_2026();
        set.holidays.insert(day(2026, 10, 10));
        assert_eq!(
            set.validate(),
            Err(HolidayError::HolidayAndWorkingDay(day(2026, 10, 10)))
        );
    }

    #[test]
    fn a_make_up_working_day_must_be_a_weekend_day() {
        let mut set = national_day_2026();
        set.working_days.insert(day(2026, 10, 9)); // a Friday
        assert_eq!(
            set.validate(),
            Err(HolidayError::WorkingDayNotWeekend(day(2026, 10, 9)))
        );
    }

    #[test]
    fn counts_and_years_are_bounded() {
        let mut set = HolidaysSet {
            year: 2026,
            ..HolidaysSet::default()
        };
        let mut d = day(2026, 1, 1);
        while set.holidays.len() < MAX_HOLIDAYS {
            set.holidays.insert(d);
            d = d.succ_opt().unwrap();
        }
        assert_eq!(set.validate(), Ok(()));
        set.holidays.insert(d);
        assert_eq!(set.validate(), Err(HolidayError::TooManyHolidays));

        let mut set = HolidaysSet {
            year: 2026,
            ..HolidaysSet::default()
        };
        let mut d = day(2026, 1, 3); // a Saturday
        while set.working_days.len() <= MAX_WORKING_DAYS {
            set.working_days.insert(d);
            d = d + chrono::Days::new(7);
        }
        assert_eq!(set.validate(), Err(HolidayError::TooManyWorkingDays));

        let set = HolidaysSet {
            year: 1999,
            ..HolidaysSet::default()
        };
        assert_eq!(set.validate(), Err(HolidayError::BadYear(1999)));
    }

    fn write(log: &mut DeviceLog, unit: &str, entity: &str, set: HolidaysSet, n: u64) -> Event {
        log.append(
            NewEvent {
                actor: "admin".parse().unwrap(),
                unit: unit.parse().unwrap(),
                entity: entity.parse().unwrap(),
                body: EventBody::HolidaysSet(set),
            },
            1_750_000_000_000 + n,
            [n as u8; 10],
        )
    }

    #[test]
    fn the_event_belongs_to_the_district_and_names_its_year() {
        let draft = |unit: &str, entity: &str| NewEvent {
            actor: "admin".parse().unwrap(),
            unit: unit.parse().unwrap(),
            entity: entity.parse().unwrap(),
            body: EventBody::HolidaysSet(national_day_2026()),
        };
        assert_eq!(draft("5001", "holidays:5001:2026").validate(), Ok(()));
        for (unit, entity) in [
            ("5001", "holidays:5001:2027"),
            ("5001", "holidays:5002:2026"),
            ("5001001", "holidays:5001001:2026"),
            ("5001001", "holidays:5001:2026"),
        ] {
            assert!(
                draft(unit, entity).validate().is_err(),
                "{unit} {entity} must be refused"
            );
        }
    }

    #[test]
    fn the_latest_arrangement_of_a_year_wins_and_applies_to_the_whole_district() {
        let mut log = DeviceLog::new("d1".parse().unwrap());
        let first = write(
            &mut log,
            "5001",
            "holidays:5001:2026",
            national_day_2026(),
            1,
        );
        let mut changed = national_day_2026();
        changed.holidays.insert(day(2026, 10, 8));
        let second = write(&mut log, "5001", "holidays:5001:2026", changed, 2);
        let other = write(
            &mut log,
            "5002",
            "holidays:5002:2026",
            HolidaysSet {
                year: 2026,
                holidays: [day(2026, 3, 9)].into(),
                ..HolidaysSet::default()
            },
            3,
        );
        let states = fold_all(&[other, second, first]);
        let village: UnitId = "5001001001".parse().unwrap();
        let cal = calendar_for(states.values(), &village);
        assert!(!cal.is_working_day(day(2026, 10, 8)), "the later event");
        assert!(cal.is_working_day(day(2026, 10, 10)), "调休 Saturday");
        assert!(
            cal.is_working_day(day(2026, 3, 9)),
            "another district's holiday does not apply here"
        );
        assert_eq!(years_for(states.values(), &village).len(), 1);
    }

    #[test]
    fn a_deadline_on_a_configured_holiday_moves_to_the_next_working_day() {
        // E = Friday 2026-09-25; the handover (V22) is due within 10 days: Monday 10-05, which
        // the district configured as a holiday (National Day) → Thursday 10-08.
        let mut log = DeviceLog::new("d1".parse().unwrap());
        let ev = write(
            &mut log,
            "5001",
            "holidays:5001:2026",
            national_day_2026(),
            1,
        );
        let states = fold_all(&[ev]);
        let cal = calendar_for(states.values(), &"5001001001".parse().unwrap());
        let d = Deadline::within_days(day(2026, 9, 25), 10, &cal);
        assert_eq!(d.last_day, day(2026, 10, 8));
        assert_eq!(d.rolled_over_from, Some(day(2026, 10, 5)));
        // Without the configuration, Monday 10-05 is an ordinary working day.
        let none = HolidayCalendar::default();
        assert_eq!(
            Deadline::within_days(day(2026, 9, 25), 10, &none).last_day,
            day(2026, 10, 5)
        );
    }

    #[test]
    fn a_make_up_working_day_counts_as_working() {
        // 10 days after Wednesday 09-30 is Saturday 10-10: a weekend, but a 调休 working day.
        let cal = calendar_from(national_day_2026());
        let d = Deadline::within_days(day(2026, 9, 30), 10, &cal);
        assert_eq!((d.last_day, d.rolled_over_from), (day(2026, 10, 10), None));
        // Without it, the ordinary Saturday rolls over to Monday.
        let d = Deadline::within_days(day(2026, 9, 30), 10, &HolidayCalendar::default());
        assert_eq!(d.last_day, day(2026, 10, 12));
    }

    fn calendar_from(set: HolidaysSet) -> HolidayCalendar {
        let mut log = DeviceLog::new("d1".parse().unwrap());
        let ev = write(&mut log, "5001", "holidays:5001:2026", set, 1);
        calendar_for(fold_all(&[ev]).values(), &"5001001001".parse().unwrap())
    }

    #[test]
    fn moving_e_is_re_validated_with_the_configured_calendar() {
        // The handover (V22) was done on Thursday 10-08. E moved to 09-25 makes it due on 10-05
        // (E + 10): late on a plain calendar, on time once 10-05 … 10-07 are holidays.
        let evs = events(
            "sup",
            vec![
                EventBody::ElectionOpened(opened()),
                EventBody::StepTicked(StepTicked {
                    // Device time 2027-01-15: after the day ticked.
                    device_time_ms: 1_800_000_000_000,
                    ..ticked(StepCode::V22, day(2026, 10, 8))
                }),
            ],
        );
        let rec = record_of(&evs);
        let to = day(2026, 9, 25);
        let refusals = rec.check_move(&HolidayCalendar::default(), to).unwrap_err();
        assert_eq!(refusals[0].step, StepCode::V22);
        assert_eq!(
            rec.check_move(&calendar_from(national_day_2026()), to),
            Ok(())
        );
        // And the schedule shows the rolled-over due day.
        let template = rec.template().unwrap();
        let cal = calendar_from(national_day_2026());
        let due = Schedule::new(&template, &cal, to)
            .due(StepCode::V22, &Default::default())
            .unwrap();
        assert_eq!(due.last_day, day(2026, 10, 8));
    }
}
