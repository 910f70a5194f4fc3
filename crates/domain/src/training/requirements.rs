//! Annual training requirements per group (§4.3) and whether a person's requirement is met,
//! due or overdue — what the dashboards count. Social workers' continuing education (72/90 h
//! per registration period) is checked with their registration in `allowance::roster`.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::hours::StudyHours;

/// A group with a training requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// 社区党组织书记 / 居委会主任 — trained every year [CQ✓ 2025].
    CommunitySecretaryOrDirector,
    /// 其他社区工作者 — rotation once every 3 years [CQ✓ 2025].
    OtherCommunityWorker,
    /// 换届后的村委会成员 — the whole new committee within about a year [T].
    NewVillageCommitteeMember,
    /// 村党组织书记 — by the county at least once a year [T].
    VillagePartySecretary,
    /// 党员 — ≥ 32 学时 of concentrated study a year [T].
    PartyMember,
    /// 基层党组织书记和班子成员 — ≥ 56 学时 a year [T].
    GrassrootsPartyCadre,
    /// 专业技术人员 — Chongqing ≥ 80 学时 a year [CQ✓ 2010] (national rule 90 [T]).
    ProfessionalTechnical,
}

/// The kinds of requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// A completed training in each run of `years` calendar years.
    OnceEvery { years: u32 },
    /// At least these hours each calendar year.
    HoursPerYear(StudyHours),
    /// A completed training within this many months of taking office.
    WithinMonthsOfTakingOffice(u32),
}

impl Group {
    /// The §4.3 default for the group (configurable).
    pub fn default_requirement(self) -> Requirement {
        match self {
            Group::CommunitySecretaryOrDirector | Group::VillagePartySecretary => {
                Requirement::OnceEvery { years: 1 }
            }
            Group::OtherCommunityWorker => Requirement::OnceEvery { years: 3 },
            Group::NewVillageCommitteeMember => Requirement::WithinMonthsOfTakingOffice(12),
            Group::PartyMember => Requirement::HoursPerYear(StudyHours::hours(32)),
            Group::GrassrootsPartyCadre => Requirement::HoursPerYear(StudyHours::hours(56)),
            Group::ProfessionalTechnical => Requirement::HoursPerYear(StudyHours::hours(80)),
        }
    }
}

/// One completed training of a person (from a `Completion`): when and how many hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingRecord {
    pub completed_on: NaiveDate,
    pub credited: StudyHours,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequirementStatus {
    Met,
    /// Not met yet; `remaining` hours for hour requirements.
    Due {
        deadline: NaiveDate,
        remaining: Option<StudyHours>,
    },
    /// The deadline has passed.
    Overdue {
        deadline: NaiveDate,
        remaining: Option<StudyHours>,
    },
    /// E.g. a term requirement for someone with no term start.
    NotApplicable,
    /// 免训: excused from a class of this year (the reason is on the [`Standing`]); neither
    /// met nor due, listed apart.
    ///
    /// [`Standing`]: super::report::Standing
    Exempted,
}

fn end_of_year(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("a representable year")
}

/// The status of `requirement` for calendar `year`, seen on `as_of`. `took_office` is used by
/// term requirements only.
///
/// `OnceEvery { years }`: met if the last training was in `year` or the `years − 1` before;
/// otherwise due by the end of (last training year + `years`) — or the end of `year` if never
/// trained — and overdue once that has passed.
pub fn requirement_status(
    requirement: Requirement,
    records: &[TrainingRecord],
    year: i32,
    as_of: NaiveDate,
    took_office: Option<NaiveDate>,
) -> RequirementStatus {
    let judge = |met: bool, deadline: NaiveDate, remaining: Option<StudyHours>| {
        if met {
            RequirementStatus::Met
        } else if as_of <= deadline {
            RequirementStatus::Due {
                deadline,
                remaining,
            }
        } else {
            RequirementStatus::Overdue {
                deadline,
                remaining,
            }
        }
    };
    match requirement {
        Requirement::OnceEvery { years } => {
            let years = i32::try_from(years.max(1)).unwrap_or(i32::MAX);
            let last = records
                .iter()
                .map(|r| r.completed_on.year())
                .filter(|y| *y <= year)
                .max();
            match last {
                Some(last) => judge(
                    last > year - years,
                    end_of_year(last.saturating_add(years)),
                    None,
                ),
                None => judge(false, end_of_year(year), None),
            }
        }
        Requirement::HoursPerYear(needed) => {
            let done: StudyHours = records
                .iter()
                .filter(|r| r.completed_on.year() == year)
                .map(|r| r.credited)
                .sum();
            judge(
                done >= needed,
                end_of_year(year),
                Some(needed.saturating_sub(done)),
            )
        }
        Requirement::WithinMonthsOfTakingOffice(months) => {
            let Some(start) = took_office else {
                return RequirementStatus::NotApplicable;
            };
            let deadline = start + Months::new(months);
            let met = records
                .iter()
                .any(|r| start <= r.completed_on && r.completed_on <= deadline);
            judge(met, deadline, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn trained(on: NaiveDate, hours: u32) -> TrainingRecord {
        TrainingRecord {
            completed_on: on,
            credited: StudyHours::hours(hours),
        }
    }

    #[test]
    fn secretary_trained_this_year_is_met_last_year_is_due_two_years_ago_overdue() {
        let yearly = Group::CommunitySecretaryOrDirector.default_requirement();
        let as_of = d(2025, 6, 1);
        let status =
            |records: &[TrainingRecord]| requirement_status(yearly, records, 2025, as_of, None);
        assert_eq!(status(&[trained(d(2025, 3, 1), 8)]), RequirementStatus::Met);
        assert_eq!(
            status(&[trained(d(2024, 11, 1), 8)]),
            RequirementStatus::Due {
                deadline: d(2025, 12, 31),
                remaining: None
            }
        );
        assert_eq!(
            status(&[trained(d(2023, 11, 1), 8)]),
            RequirementStatus::Overdue {
                deadline: d(2024, 12, 31),
                remaining: None
            }
        );
        assert_eq!(
            status(&[]),
            RequirementStatus::Due {
                deadline: d(2025, 12, 31),
                remaining: None
            }
        );
    }

    #[test]
    fn other_community_workers_rotate_once_every_three_years() {
        let rotation = Group::OtherCommunityWorker.default_requirement();
        let records = [trained(d(2023, 5, 1), 16)];
        let status = |year, as_of| requirement_status(rotation, &records, year, as_of, None);
        assert_eq!(
            status(2025, d(2025, 1, 1)),
            RequirementStatus::Met,
            "2023..=2025"
        );
        assert_eq!(
            status(2026, d(2026, 1, 1)),
            RequirementStatus::Due {
                deadline: d(2026, 12, 31),
                remaining: None
            }
        );
        assert_eq!(
            status(2027, d(2027, 1, 1)),
            RequirementStatus::Overdue {
                deadline: d(2026, 12, 31),
                remaining: None
            }
        );
    }

    #[test]
    fn party_members_need_32_hours_a_year_boundary() {
        let req = Group::PartyMember.default_requirement();
        let as_of = d(2025, 12, 31);
        let short = [
            trained(d(2025, 3, 1), 16),
            TrainingRecord {
                completed_on: d(2025, 9, 1),
                credited: StudyHours::from_tenths(159),
            },
        ];
        assert_eq!(
            requirement_status(req, &short, 2025, as_of, None),
            RequirementStatus::Due {
                deadline: d(2025, 12, 31),
                remaining: Some(StudyHours::from_tenths(1))
            }
        );
        let enough = [
            trained(d(2025, 3, 1), 16),
            trained(d(2025, 9, 1), 16),
            trained(d(2024, 9, 1), 40),
        ];
        assert_eq!(
            requirement_status(req, &enough, 2025, as_of, None),
            RequirementStatus::Met
        );
        assert!(matches!(
            requirement_status(req, &short, 2025, d(2026, 1, 1), None),
            RequirementStatus::Overdue { .. }
        ));
    }

    #[test]
    fn new_village_committee_trained_within_a_year_of_taking_office() {
        let req = Group::NewVillageCommitteeMember.default_requirement();
        let office = Some(d(2026, 3, 15));
        assert_eq!(
            requirement_status(
                req,
                &[trained(d(2027, 3, 15), 8)],
                2027,
                d(2027, 4, 1),
                office
            ),
            RequirementStatus::Met,
            "on the anniversary"
        );
        assert_eq!(
            requirement_status(
                req,
                &[trained(d(2027, 3, 16), 8)],
                2027,
                d(2027, 4, 1),
                office
            ),
            RequirementStatus::Overdue {
                deadline: d(2027, 3, 15),
                remaining: None
            },
            "one day late"
        );
        assert_eq!(
            requirement_status(req, &[], 2026, d(2026, 4, 1), None),
            RequirementStatus::NotApplicable
        );
    }
}
