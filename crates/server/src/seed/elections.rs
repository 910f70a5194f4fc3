//! The demo district's elections (换届选举): a few village and community elections of 青石镇
//! and 白沙乡 at different steps — one just started, one with a voter list published too late
//! (a PROC breach), one past election day with the handover overdue (LATE), one far ahead —
//! as events of the server's device, so every device in scope receives them.

use chrono::{Days, NaiveDate};
use cunju_domain::election::record::china_date;
use cunju_domain::election::template::{ElectoralMode, NominationMode};
use cunju_domain::election::{
    ElectionOpened, ElectionType, HolidayCalendar, Schedule, StepCode, StepTicked,
};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::{EntityId, EventId, UnitId, UserId};

use crate::store::SERVER_ACTOR;

/// One demo election: unit, type, mode, election day relative to today, the last step done,
/// and a step done `late_by` days after its deadline.
struct DemoElection {
    unit: &'static str,
    election_type: ElectionType,
    mode: ElectoralMode,
    days_from_today: i64,
    done_through: Option<StepCode>,
    late: Option<(StepCode, u64)>,
}

const DEMO_ELECTIONS: &[DemoElection] = &[
    // 青石村: the committee is about to be formed.
    DemoElection {
        unit: "5099001001",
        election_type: ElectionType::Village,
        mode: ElectoralMode::Direct,
        days_from_today: 40,
        done_through: Some(StepCode::V01),
        late: None,
    },
    // 石梁村: the voter list went up 19 days before E — a PROC breach.
    DemoElection {
        unit: "5099001002",
        election_type: ElectionType::Village,
        mode: ElectoralMode::Direct,
        days_from_today: 10,
        done_through: Some(StepCode::V05),
        late: Some((StepCode::V05, 1)),
    },
    // 青石镇社区: household representatives voted three weeks ago; the handover is overdue.
    DemoElection {
        unit: "5099001003",
        election_type: ElectionType::Resident,
        mode: ElectoralMode::Household,
        days_from_today: -21,
        done_through: Some(StepCode::V21),
        late: None,
    },
    // 白沙村: planned two months ahead.
    DemoElection {
        unit: "5099002001",
        election_type: ElectionType::Village,
        mode: ElectoralMode::Direct,
        days_from_today: 60,
        done_through: None,
        late: None,
    },
];

/// The events of the demo elections, dated around `now_ms`.
pub fn election_drafts(now_ms: i64) -> Vec<NewEvent> {
    let today = china_date(now_ms as u64);
    let actor: UserId = SERVER_ACTOR.parse().expect("a valid user id");
    let calendar = HolidayCalendar::default();
    let mut drafts = vec![];
    for demo in DEMO_ELECTIONS {
        let e = shift(today, demo.days_from_today);
        let opened = ElectionOpened::new(
            demo.election_type,
            demo.mode,
            NominationMode::Candidates,
            e,
            e - Days::new(40),
        )
        .expect("valid demo election");
        let template = opened.template().expect("valid demo template");
        let unit: UnitId = demo.unit.parse().expect("a demo unit code");
        let entity = EntityId::new("election", EventId::new(now_ms as u64, rand::random()));
        let draft = |body| NewEvent {
            actor: actor.clone(),
            unit: unit.clone(),
            entity: entity.clone(),
            body,
        };
        drafts.push(draft(EventBody::ElectionOpened(opened)));
        let Some(last) = demo.done_through else {
            continue;
        };
        let schedule = Schedule::new(&template, &calendar, e);
        let mut done = cunju_domain::election::DoneSteps::new();
        for step in template.steps.iter().take_while(|s| s.code <= last) {
            let due = schedule.due(step.code, &done).map_or(today, |d| d.last_day);
            let mut on = due.min(today);
            if let Some((code, days)) = demo.late
                && code == step.code
            {
                on = due + Days::new(days);
            }
            done.insert(step.code, on);
            drafts.push(draft(EventBody::StepTicked(StepTicked {
                step: step.code,
                done_on: on,
                notes: format!("{}（演示）", step.name.zh),
                evidence: vec![],
                device_time_ms: now_ms as u64,
            })));
        }
    }
    drafts
}

fn shift(day: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        day + Days::new(days as u64)
    } else {
        day - Days::new(days.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_election_events_are_valid() {
        let drafts = election_drafts(1_780_272_000_000);
        assert!(drafts.iter().all(|d| d.validate().is_ok()));
        let opened = drafts
            .iter()
            .filter(|d| matches!(d.body, EventBody::ElectionOpened(_)))
            .count();
        assert_eq!(opened, DEMO_ELECTIONS.len());
    }
}
