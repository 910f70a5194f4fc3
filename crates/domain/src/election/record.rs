//! 选举台账 — what the events of one election (`election:<X>`) say, and the record folded from
//! them: the pinned rule pack, election day E and its moves, who ticked which step when, with
//! what notes and evidence, unticks with their reasons, and village edits that need re-review.
//! The record is stored as the entity's projection; `view` turns it into the timetable.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::HolidayCalendar;
use super::schedule::{DoneSteps, Refusal, confirm_election_day};
use super::template::{
    ElectionTemplate, ElectionType, ElectoralMode, NominationMode, RulePackVersion, StepCode,
    TemplateError, TemplateParams, pack_in_force,
};
use crate::event::Event;
use crate::ids::{EventId, Hash, UserId};

/// Longest note on a step, in characters.
pub const MAX_NOTES_CHARS: usize = 2000;
/// Longest reason for a move or an untick, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Most evidence files one event may reference.
pub const MAX_EVIDENCE: usize = 12;

/// 选举登记 — an election opened for a village or resident committee. Its unit is the event's
/// unit; the rule pack is the one in force on the day the election committee is (to be) formed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionOpened {
    pub election_type: ElectionType,
    pub mode: ElectoralMode,
    pub nomination: NominationMode,
    /// 选举日 E — the voting day of the first round.
    pub election_day: NaiveDate,
    /// 选举委员会推选日 — the day the election committee (V02) is formed, which pins the pack.
    pub committee_formed_on: NaiveDate,
    pub pack: RulePackVersion,
}

/// 变更选举日 — E moved, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionDayMoved {
    pub election_day: NaiveDate,
    pub reason: String,
}

/// 确认完成 — the township supervisor ticks a step as done on `done_on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTicked {
    pub step: StepCode,
    /// The day the step was actually done (the deadline engine judges this day).
    pub done_on: NaiveDate,
    pub notes: String,
    /// SHA-256 of each evidence file (photos of posted notices, minutes, sign-in sheets).
    pub evidence: Vec<Hash>,
    /// The device's clock when ticked (ms since 1970, UTC).
    pub device_time_ms: u64,
}

/// 撤销确认 — a tick withdrawn, with the reason; the tick stays in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUnticked {
    pub step: StepCode,
    pub reason: String,
}

/// 补充材料 — a village official adds notes or evidence to a step. After a tick this raises
/// "needs re-review" (待复核) until the supervisor ticks the step again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepEdited {
    pub step: StepCode,
    pub notes: String,
    pub evidence: Vec<Hash>,
}

/// Why an election event is not acceptable, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElectionError {
    #[error("no rule pack for {0:?} elections was in force on {1}")]
    NoPackInForce(ElectionType, NaiveDate),
    #[error("the pack in force on {on} is {expected}, not {given}")]
    WrongPack {
        on: NaiveDate,
        expected: RulePackVersion,
        given: RulePackVersion,
    },
    #[error("village committees are elected directly by all registered villagers")]
    VillageModeMustBeDirect,
    #[error("the election committee must be formed before election day")]
    CommitteeAfterElectionDay,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{0} is too long")]
    TooLong(&'static str),
    #[error("at most {MAX_EVIDENCE} evidence files, each once")]
    Evidence,
    #[error("a step cannot be done after the day it is ticked ({0})")]
    DoneInTheFuture(NaiveDate),
    #[error("a note or an evidence file is needed")]
    EmptyEdit,
}

impl ElectionError {
    pub fn message_zh(&self) -> String {
        match self {
            ElectionError::NoPackInForce(_, on) => {
                format!("{on}没有适用的选举办法，请检查选举委员会推选日期")
            }
            ElectionError::WrongPack { on, expected, .. } => {
                format!("{on}适用的选举办法是{expected}")
            }
            ElectionError::VillageModeMustBeDirect => {
                "村民委员会由登记参加选举的村民直接选举，不能采用户代表或居民代表方式".into()
            }
            ElectionError::CommitteeAfterElectionDay => "选举委员会推选日期必须早于选举日".into(),
            ElectionError::Empty(what) => format!("请填写{}", field_zh(what)),
            ElectionError::TooLong(what) => format!("{}太长，请精简", field_zh(what)),
            ElectionError::Evidence => format!("每次最多附{MAX_EVIDENCE}份证据材料，且不能重复"),
            ElectionError::DoneInTheFuture(today) => {
                format!("完成日期不能晚于今天（{today}）")
            }
            ElectionError::EmptyEdit => "请填写说明或附上证据材料".into(),
        }
    }
}

fn field_zh(what: &str) -> &'static str {
    match what {
        "reason" => "原因",
        _ => "说明",
    }
}

impl From<TemplateError> for ElectionError {
    fn from(e: TemplateError) -> Self {
        match e {
            TemplateError::VillageModeMustBeDirect => ElectionError::VillageModeMustBeDirect,
        }
    }
}

/// The calendar day in China (UTC+8) of a device time.
pub fn china_date(ms: u64) -> NaiveDate {
    let offset = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    DateTime::from_timestamp_millis(ms as i64)
        .unwrap_or_default()
        .with_timezone(&offset)
        .date_naive()
}

fn text(what: &'static str, value: &str, max: usize, required: bool) -> Result<(), ElectionError> {
    if required && value.trim().is_empty() {
        return Err(ElectionError::Empty(what));
    }
    if value.chars().count() > max {
        return Err(ElectionError::TooLong(what));
    }
    Ok(())
}

fn evidence(list: &[Hash]) -> Result<(), ElectionError> {
    let mut sorted = list.to_vec();
    sorted.sort();
    sorted.dedup();
    if list.len() > MAX_EVIDENCE || sorted.len() != list.len() {
        return Err(ElectionError::Evidence);
    }
    Ok(())
}

impl ElectionOpened {
    /// The pack is the one in force on the committee day; villages vote directly; the
    /// committee is formed before E.
    pub fn validate(&self) -> Result<(), ElectionError> {
        let expected = pack_in_force(self.election_type, self.committee_formed_on).ok_or(
            ElectionError::NoPackInForce(self.election_type, self.committee_formed_on),
        )?;
        if expected != self.pack {
            return Err(ElectionError::WrongPack {
                on: self.committee_formed_on,
                expected,
                given: self.pack,
            });
        }
        self.template()?;
        if self.committee_formed_on >= self.election_day {
            return Err(ElectionError::CommitteeAfterElectionDay);
        }
        Ok(())
    }

    /// The template this election follows (default parameters of its pack).
    pub fn template(&self) -> Result<ElectionTemplate, ElectionError> {
        Ok(ElectionTemplate::new(
            self.pack,
            self.mode,
            self.nomination,
            TemplateParams::default(),
        )?)
    }

    /// An opening with the pack in force on `committee_formed_on` filled in.
    pub fn new(
        election_type: ElectionType,
        mode: ElectoralMode,
        nomination: NominationMode,
        election_day: NaiveDate,
        committee_formed_on: NaiveDate,
    ) -> Result<ElectionOpened, ElectionError> {
        let pack = pack_in_force(election_type, committee_formed_on).ok_or(
            ElectionError::NoPackInForce(election_type, committee_formed_on),
        )?;
        let opened = ElectionOpened {
            election_type,
            mode,
            nomination,
            election_day,
            committee_formed_on,
            pack,
        };
        opened.validate()?;
        Ok(opened)
    }
}

impl ElectionDayMoved {
    pub fn validate(&self) -> Result<(), ElectionError> {
        text("reason", &self.reason, MAX_REASON_CHARS, true)
    }
}

impl StepTicked {
    pub fn validate(&self) -> Result<(), ElectionError> {
        text("notes", &self.notes, MAX_NOTES_CHARS, false)?;
        evidence(&self.evidence)?;
        let today = china_date(self.device_time_ms);
        if self.done_on > today {
            return Err(ElectionError::DoneInTheFuture(today));
        }
        Ok(())
    }
}

impl StepUnticked {
    pub fn validate(&self) -> Result<(), ElectionError> {
        text("reason", &self.reason, MAX_REASON_CHARS, true)
    }
}

impl StepEdited {
    pub fn validate(&self) -> Result<(), ElectionError> {
        text("notes", &self.notes, MAX_NOTES_CHARS, false)?;
        evidence(&self.evidence)?;
        if self.notes.trim().is_empty() && self.evidence.is_empty() {
            return Err(ElectionError::EmptyEdit);
        }
        Ok(())
    }
}

/// One election event, as the fold sees it.
#[derive(Debug, Clone, Copy)]
pub enum ElectionEvent<'a> {
    Opened(&'a ElectionOpened),
    DayMoved(&'a ElectionDayMoved),
    Ticked(&'a StepTicked),
    Unticked(&'a StepUnticked),
    Edited(&'a StepEdited),
}

/// A tick as it stands: who, when (device time; the server's time is its receipt of `event`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tick {
    pub event: EventId,
    pub by: UserId,
    pub done_on: NaiveDate,
    pub device_time_ms: u64,
    pub notes: String,
    pub evidence: Vec<Hash>,
}

/// What happened to the election, newest last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum HistoryKind {
    Opened {
        election_day: NaiveDate,
    },
    DayMoved {
        from: NaiveDate,
        to: NaiveDate,
        reason: String,
    },
    Ticked {
        step: StepCode,
        done_on: NaiveDate,
        notes: String,
        evidence: Vec<Hash>,
    },
    Unticked {
        step: StepCode,
        reason: String,
    },
    Edited {
        step: StepCode,
        notes: String,
        evidence: Vec<Hash>,
    },
}

impl HistoryKind {
    pub fn step(&self) -> Option<StepCode> {
        match self {
            HistoryKind::Ticked { step, .. }
            | HistoryKind::Unticked { step, .. }
            | HistoryKind::Edited { step, .. } => Some(*step),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub event: EventId,
    pub by: UserId,
    /// The writing device's clock (the event's HLC wall time).
    pub at_ms: u64,
    #[serde(flatten)]
    pub kind: HistoryKind,
}

/// One step's record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The standing tick, if the step is done.
    pub tick: Option<Tick>,
    /// 待复核 — edited by the village after the standing tick.
    pub needs_review: bool,
    /// Every evidence hash ever attached to the step (ticks and edits), first seen first.
    pub evidence: Vec<Hash>,
}

/// 选举台账 — the folded record of one election.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionRecord {
    /// `None` until the opening event is folded (a tick can arrive first only from a forged log).
    pub opened: Option<ElectionOpened>,
    /// 选举日 E as it stands (the opening's, then each move's).
    pub election_day: Option<NaiveDate>,
    pub steps: BTreeMap<StepCode, StepRecord>,
    pub history: Vec<HistoryEntry>,
}

impl ElectionRecord {
    /// Folds one event; events arrive in canonical order, each once. Ticks are last-writer-wins;
    /// a village edit never changes a tick, it only raises "needs re-review".
    pub fn apply(&mut self, ev: &Event, body: ElectionEvent<'_>) {
        let kind = match body {
            ElectionEvent::Opened(o) => {
                if self.opened.is_none() {
                    self.opened = Some(o.clone());
                    self.election_day = Some(o.election_day);
                }
                HistoryKind::Opened {
                    election_day: o.election_day,
                }
            }
            ElectionEvent::DayMoved(m) => {
                let from = self.election_day.unwrap_or(m.election_day);
                self.election_day = Some(m.election_day);
                HistoryKind::DayMoved {
                    from,
                    to: m.election_day,
                    reason: m.reason.clone(),
                }
            }
            ElectionEvent::Ticked(t) => {
                let step = self.steps.entry(t.step).or_default();
                step.tick = Some(Tick {
                    event: ev.id,
                    by: ev.actor.clone(),
                    done_on: t.done_on,
                    device_time_ms: t.device_time_ms,
                    notes: t.notes.clone(),
                    evidence: t.evidence.clone(),
                });
                step.needs_review = false;
                add_evidence(&mut step.evidence, &t.evidence);
                HistoryKind::Ticked {
                    step: t.step,
                    done_on: t.done_on,
                    notes: t.notes.clone(),
                    evidence: t.evidence.clone(),
                }
            }
            ElectionEvent::Unticked(u) => {
                let step = self.steps.entry(u.step).or_default();
                step.tick = None;
                step.needs_review = false;
                HistoryKind::Unticked {
                    step: u.step,
                    reason: u.reason.clone(),
                }
            }
            ElectionEvent::Edited(e) => {
                let step = self.steps.entry(e.step).or_default();
                if step.tick.is_some() {
                    step.needs_review = true;
                }
                add_evidence(&mut step.evidence, &e.evidence);
                HistoryKind::Edited {
                    step: e.step,
                    notes: e.notes.clone(),
                    evidence: e.evidence.clone(),
                }
            }
        };
        self.history.push(HistoryEntry {
            event: ev.id,
            by: ev.actor.clone(),
            at_ms: ev.hlc.wall_ms,
            kind,
        });
    }

    /// The day each step was done, for the deadline engine.
    pub fn done(&self) -> DoneSteps {
        self.steps
            .iter()
            .filter_map(|(code, s)| s.tick.as_ref().map(|t| (*code, t.done_on)))
            .collect()
    }

    pub fn template(&self) -> Option<ElectionTemplate> {
        self.opened.as_ref()?.template().ok()
    }

    /// 确认选举日: may E move to `to`? Refused, with the reason and the earliest acceptable
    /// day, when a step already done would then be late (a voter list published 20 days
    /// before the old E breaks if E comes earlier).
    pub fn check_move(
        &self,
        calendar: &HolidayCalendar,
        to: NaiveDate,
    ) -> Result<(), Vec<Refusal>> {
        let Some(template) = self.template() else {
            return Ok(());
        };
        confirm_election_day(&template, calendar, to, &self.done())
    }

    /// May `step` be ticked on `done_on`? Only steps of this election's template.
    pub fn has_step(&self, step: StepCode) -> bool {
        self.template().is_some_and(|t| t.step(step).is_some())
    }
}

fn add_evidence(all: &mut Vec<Hash>, new: &[Hash]) {
    for h in new {
        if !all.contains(h) {
            all.push(*h);
        }
    }
}

impl From<ElectionError> for crate::event::BodyError {
    fn from(e: ElectionError) -> Self {
        crate::event::BodyError(e.to_string())
    }
}

impl<'a> ElectionEvent<'a> {
    /// The election event a body carries, if it is one.
    pub fn of(body: &'a crate::event::EventBody) -> Option<ElectionEvent<'a>> {
        use crate::event::EventBody;
        match body {
            EventBody::ElectionOpened(b) => Some(ElectionEvent::Opened(b)),
            EventBody::ElectionDayMoved(b) => Some(ElectionEvent::DayMoved(b)),
            EventBody::StepTicked(b) => Some(ElectionEvent::Ticked(b)),
            EventBody::StepUnticked(b) => Some(ElectionEvent::Unticked(b)),
            EventBody::StepEdited(b) => Some(ElectionEvent::Edited(b)),
            _ => None,
        }
    }
}

/// The election's projection document is its `ElectionRecord` as JSON; folds `ev` into it.
pub fn fold_into_doc(doc: &mut serde_json::Map<String, serde_json::Value>, ev: &Event) {
    let Some(body) = ElectionEvent::of(&ev.body) else {
        return;
    };
    let mut record = ElectionRecord::from_doc(&serde_json::Value::Object(doc.clone()));
    record.apply(ev, body);
    if let serde_json::Value::Object(map) =
        serde_json::to_value(&record).expect("an election record serializes to JSON")
    {
        *doc = map;
    }
}

impl ElectionRecord {
    /// The record kept as an entity's document (empty for a new entity).
    pub fn from_doc(doc: &serde_json::Value) -> ElectionRecord {
        if doc.as_object().is_some_and(|m| m.is_empty()) {
            return ElectionRecord::default();
        }
        serde_json::from_value(doc.clone()).unwrap_or_default()
    }
}

/// Parses a step code as written in routes and on the wire (`V05`, `V07b`).
pub fn parse_step(code: &str) -> Option<StepCode> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
}

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests {
    // Without `test`, only the sample bodies are used (the permission matrix of `testing`).
    #![cfg_attr(not(test), allow(dead_code, unused_imports))]
    use super::*;
    use crate::event::tests::NOW;
    use crate::event::{DeviceLog, EventBody, NewEvent};
    use crate::projection::fold_entity;

    pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A village election on Sunday 2026-03-29, committee formed 2026-02-20 (CQ-VC-2025).
    pub(crate) fn opened() -> ElectionOpened {
        ElectionOpened::new(
            ElectionType::Village,
            ElectoralMode::Direct,
            NominationMode::Candidates,
            day(2026, 3, 29),
            day(2026, 2, 20),
        )
        .unwrap()
    }

    /// Device time 2026-06-01 08:00 China time: after every day used in these tests.
    pub(crate) const LATER_MS: u64 = 1_780_272_000_000;

    pub(crate) fn ticked(step: StepCode, done_on: NaiveDate) -> StepTicked {
        StepTicked {
            step,
            done_on,
            notes: "已张贴".into(),
            evidence: vec![],
            device_time_ms: LATER_MS,
        }
    }

    /// Appends `bodies` as events of `election:e1` in village 5001001001, by `actor`.
    pub(crate) fn events(actor: &str, bodies: Vec<EventBody>) -> Vec<Event> {
        let mut log = DeviceLog::new("d1".parse().unwrap());
        bodies
            .into_iter()
            .enumerate()
            .map(|(i, body)| {
                log.append(
                    NewEvent {
                        actor: actor.parse().unwrap(),
                        unit: "5001001001".parse().unwrap(),
                        entity: "election:e1".parse().unwrap(),
                        body,
                    },
                    NOW + i as u64,
                    [i as u8; 10],
                )
            })
            .collect()
    }

    pub(crate) fn record_of(events: &[Event]) -> ElectionRecord {
        ElectionRecord::from_doc(&fold_entity(events).unwrap().doc)
    }

    #[test]
    fn the_pack_is_pinned_by_the_committee_day() {
        let before = ElectionOpened::new(
            ElectionType::Village,
            ElectoralMode::Direct,
            NominationMode::Candidates,
            day(2026, 1, 20),
            day(2025, 12, 31),
        )
        .unwrap();
        assert_eq!(before.pack, RulePackVersion::CqVc2012r2019);
        assert_eq!(opened().pack, RulePackVersion::CqVc2025);
        let rc = ElectionOpened::new(
            ElectionType::Resident,
            ElectoralMode::Household,
            NominationMode::Candidates,
            day(2026, 3, 29),
            day(2026, 2, 20),
        )
        .unwrap();
        assert_eq!(rc.pack, RulePackVersion::CqRc2025);
    }

    #[test]
    fn opening_with_a_pack_not_in_force_is_refused() {
        let mut o = opened();
        o.pack = RulePackVersion::CqVc2012r2019;
        assert_eq!(
            o.validate(),
            Err(ElectionError::WrongPack {
                on: day(2026, 2, 20),
                expected: RulePackVersion::CqVc2025,
                given: RulePackVersion::CqVc2012r2019
            })
        );
        let mut o = opened();
        o.committee_formed_on = day(2011, 1, 1);
        assert!(matches!(
            o.validate(),
            Err(ElectionError::NoPackInForce(..))
        ));
        assert!(
            EventBody::ElectionOpened(o).validate().is_err(),
            "the server refuses it too"
        );
    }

    #[test]
    fn a_village_election_is_direct_and_the_committee_comes_before_e() {
        let household = ElectionOpened::new(
            ElectionType::Village,
            ElectoralMode::Household,
            NominationMode::Candidates,
            day(2026, 3, 29),
            day(2026, 2, 20),
        );
        assert_eq!(household, Err(ElectionError::VillageModeMustBeDirect));
        let mut o = opened();
        o.committee_formed_on = o.election_day;
        assert_eq!(o.validate(), Err(ElectionError::CommitteeAfterElectionDay));
        assert!(
            ElectionError::CommitteeAfterElectionDay
                .message_zh()
                .contains("必须早于选举日")
        );
    }

    #[test]
    fn a_tick_may_not_be_done_after_the_device_day() {
        let mut t = ticked(StepCode::V05, day(2026, 3, 9));
        // 2026-03-08 23:30 China time = 15:30 UTC.
        t.device_time_ms = 1_772_983_800_000;
        assert_eq!(china_date(t.device_time_ms), day(2026, 3, 8));
        assert_eq!(
            t.validate(),
            Err(ElectionError::DoneInTheFuture(day(2026, 3, 8)))
        );
        t.done_on = day(2026, 3, 8);
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn evidence_is_bounded_and_never_repeated() {
        let mut t = ticked(StepCode::V05, day(2026, 3, 9));
        t.evidence = vec![Hash::of(b"a"), Hash::of(b"a")];
        assert_eq!(t.validate(), Err(ElectionError::Evidence));
        t.evidence = (0..=MAX_EVIDENCE as u8).map(|i| Hash::of(&[i])).collect();
        assert_eq!(t.validate(), Err(ElectionError::Evidence));
        t.evidence.pop();
        assert_eq!(t.validate(), Ok(()));
        t.notes = "字".repeat(MAX_NOTES_CHARS + 1);
        assert_eq!(t.validate(), Err(ElectionError::TooLong("notes")));
    }

    #[test]
    fn moves_and_unticks_need_a_reason_edits_need_content() {
        let moved = ElectionDayMoved {
            election_day: day(2026, 4, 5),
            reason: "  ".into(),
        };
        assert_eq!(moved.validate(), Err(ElectionError::Empty("reason")));
        let untick = StepUnticked {
            step: StepCode::V05,
            reason: String::new(),
        };
        assert_eq!(untick.validate(), Err(ElectionError::Empty("reason")));
        assert_eq!(ElectionError::Empty("reason").message_zh(), "请填写原因");
        let edit = StepEdited {
            step: StepCode::V05,
            notes: " ".into(),
            evidence: vec![],
        };
        assert_eq!(edit.validate(), Err(ElectionError::EmptyEdit));
    }

    #[test]
    fn ticks_record_who_when_and_what() {
        let evs = events(
            "sup",
            vec![
                EventBody::ElectionOpened(opened()),
                EventBody::StepTicked(StepTicked {
                    evidence: vec![Hash::of(b"photo")],
                    ..ticked(StepCode::V05, day(2026, 3, 9))
                }),
            ],
        );
        let rec = record_of(&evs);
        let tick = rec.steps[&StepCode::V05].tick.clone().unwrap();
        assert_eq!(tick.by, "sup".parse().unwrap());
        assert_eq!(tick.event, evs[1].id);
        assert_eq!(tick.done_on, day(2026, 3, 9));
        assert_eq!(tick.device_time_ms, LATER_MS);
        assert_eq!(tick.evidence, vec![Hash::of(b"photo")]);
        assert_eq!(
            rec.done(),
            DoneSteps::from([(StepCode::V05, day(2026, 3, 9))])
        );
        assert_eq!(rec.history.len(), 2);
    }

    #[test]
    fn an_untick_withdraws_the_tick_and_stays_in_the_history() {
        let evs = events(
            "sup",
            vec![
                EventBody::ElectionOpened(opened()),
                EventBody::StepTicked(ticked(StepCode::V05, day(2026, 3, 9))),
                EventBody::StepUnticked(StepUnticked {
                    step: StepCode::V05,
                    reason: "名单有误".into(),
                }),
            ],
        );
        let rec = record_of(&evs);
        assert!(rec.steps[&StepCode::V05].tick.is_none());
        assert!(rec.done().is_empty());
        let kinds: Vec<_> = rec.history.iter().map(|h| h.kind.clone()).collect();
        assert!(matches!(kinds[1], HistoryKind::Ticked { .. }));
        assert_eq!(
            kinds[2],
            HistoryKind::Unticked {
                step: StepCode::V05,
                reason: "名单有误".into()
            }
        );
    }

    #[test]
    fn a_village_edit_after_a_tick_needs_re_review_until_ticked_again() {
        let edit = EventBody::StepEdited(StepEdited {
            step: StepCode::V05,
            notes: "补充照片".into(),
            evidence: vec![Hash::of(b"p2")],
        });
        let evs = events(
            "official",
            vec![
                EventBody::ElectionOpened(opened()),
                EventBody::StepTicked(ticked(StepCode::V05, day(2026, 3, 9))),
                edit.clone(),
            ],
        );
        let rec = record_of(&evs);
        let step = &rec.steps[&StepCode::V05];
        assert!(step.needs_review);
        assert_eq!(
            step.tick.as_ref().unwrap().done_on,
            day(2026, 3, 9),
            "the supervisor's tick stands"
        );
        assert_eq!(step.evidence, vec![Hash::of(b"p2")]);

        let again = events(
            "sup",
            vec![
                EventBody::ElectionOpened(opened()),
                EventBody::StepTicked(ticked(StepCode::V05, day(2026, 3, 9))),
                edit.clone(),
                EventBody::StepTicked(ticked(StepCode::V05, day(2026, 3, 9))),
            ],
        );
        assert!(!record_of(&again).steps[&StepCode::V05].needs_review);

        // An edit before any tick is just material for the supervisor.
        let before = events("official", vec![EventBody::ElectionOpened(opened()), edit]);
        assert!(!record_of(&before).steps[&StepCode::V05].needs_review);
    }

    #[test]
    fn moving_e_earlier_than_the_voter_list_allows_is_refused_with_the_earliest_day() {
        let evs = events(
            "sup",
            vec![
                EventBody::ElectionOpened(opened()),
                EventBody::StepTicked(ticked(StepCode::V05, day(2026, 3, 9))),
            ],
        );
        let rec = record_of(&evs);
        let cal = HolidayCalendar::default();
        let refusals = rec.check_move(&cal, day(2026, 3, 28)).unwrap_err();
        assert_eq!(refusals[0].step, StepCode::V05);
        assert_eq!(refusals[0].earliest_election_day, Some(day(2026, 3, 29)));
        assert!(
            refusals[0]
                .message_zh
                .contains("选举日最早可定为2026-03-29")
        );
        assert_eq!(rec.check_move(&cal, day(2026, 4, 12)), Ok(()));
    }

    #[test]
    fn a_move_changes_e_and_records_from_and_to() {
        let evs = events(
            "sup",
            vec![
                EventBody::ElectionOpened(opened()),
                EventBody::ElectionDayMoved(ElectionDayMoved {
                    election_day: day(2026, 4, 12),
                    reason: "与春耕冲突".into(),
                }),
            ],
        );
        let rec = record_of(&evs);
        assert_eq!(rec.election_day, Some(day(2026, 4, 12)));
        assert_eq!(
            rec.history[1].kind,
            HistoryKind::DayMoved {
                from: day(2026, 3, 29),
                to: day(2026, 4, 12),
                reason: "与春耕冲突".into()
            }
        );
    }

    #[test]
    fn step_codes_parse_as_written() {
        assert_eq!(parse_step("V07b"), Some(StepCode::V07b));
        assert_eq!(parse_step("V23"), Some(StepCode::V23));
        assert_eq!(parse_step("V99"), None);
        assert_eq!(parse_step("v05"), None);
    }

    #[test]
    fn only_steps_of_the_template_belong_to_the_election() {
        let rec = record_of(&events("sup", vec![EventBody::ElectionOpened(opened())]));
        assert!(rec.has_step(StepCode::V07));
        assert!(
            !rec.has_step(StepCode::V07b),
            "candidate mode has no self-declaration"
        );
    }

    fn profile(role: crate::authz::Role, scope: &str, user: &str) -> crate::sync::Profile {
        crate::sync::Profile {
            user: user.parse().unwrap(),
            display_name: "测试".into(),
            role,
            scope: scope.parse().unwrap(),
            department: None,
        }
    }

    #[test]
    fn who_may_write_which_election_event() {
        use crate::authz::{Role::*, authorize_event};
        use crate::sync::RejectReason::*;
        let bodies = vec![
            EventBody::ElectionOpened(opened()),
            EventBody::ElectionDayMoved(ElectionDayMoved {
                election_day: day(2026, 4, 12),
                reason: "改期".into(),
            }),
            EventBody::StepTicked(ticked(StepCode::V05, day(2026, 3, 9))),
            EventBody::StepUnticked(StepUnticked {
                step: StepCode::V05,
                reason: "重做".into(),
            }),
            EventBody::StepEdited(StepEdited {
                step: StepCode::V05,
                notes: "补充".into(),
                evidence: vec![],
            }),
        ];
        // (role, scope, may: open, move, tick, untick, edit)
        let table = [
            (
                TownshipSupervisor,
                "5001001",
                [true, true, true, true, false],
            ),
            (DistrictAdmin, "5001", [true, true, false, true, false]),
            (
                VillageOfficial,
                "5001001001",
                [false, false, false, false, true],
            ),
            (TownshipReviewer, "5001001", [false; 5]),
            (ReviewDepartment, "5001", [false; 5]),
            (Trainer, "5001", [false; 5]),
            (CityViewer, "50", [false; 5]),
        ];
        for (role, scope, may) in table {
            let me = profile(role, scope, "u1");
            for (ev, allowed) in events("u1", bodies.clone()).iter().zip(may) {
                let expected = if allowed { Ok(()) } else { Err(NotPermitted) };
                assert_eq!(
                    authorize_event(&me, ev),
                    expected,
                    "{role:?} {}",
                    ev.body.kind_name()
                );
            }
        }
        // In role but outside the scope: another township's supervisor, another village's official.
        let other_sup = profile(TownshipSupervisor, "5001002", "u1");
        let other_official = profile(VillageOfficial, "5001001002", "u1");
        let evs = events("u1", bodies);
        assert_eq!(authorize_event(&other_sup, &evs[2]), Err(OutOfScope));
        assert_eq!(authorize_event(&other_official, &evs[4]), Err(OutOfScope));
    }

    #[test]
    fn who_receives_election_events() {
        use crate::authz::{Role::*, may_read_event};
        let ev = &events("u1", vec![EventBody::ElectionOpened(opened())])[0];
        for (role, scope, receives) in [
            (VillageOfficial, "5001001001", true),
            (VillageOfficial, "5001001002", false),
            (TownshipSupervisor, "5001001", true),
            (TownshipReviewer, "5001001", true),
            (DistrictAdmin, "5001", true),
            (ReviewDepartment, "5001", false),
            (Trainer, "5001", false),
            (CityViewer, "50", false),
        ] {
            assert_eq!(
                may_read_event(&profile(role, scope, "u1"), ev),
                receives,
                "{role:?} in {scope}"
            );
        }
    }
}
