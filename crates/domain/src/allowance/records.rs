//! The allowance records as events and the views folded from them: a worker's qualification
//! file (资格档案, one fact per event), a district's rate tables (发放标准), and a roster (发放花名册)
//! moving draft → township reviewed → district approved, frozen once approved.
//!
//! Entities: `qualification:<person>` (unit: where the worker serves), `allowance_rates:<district>`
//! (unit: the district) and `roster:<id>` (unit: the community or township paid). Each view is kept
//! as the JSON document of its `EntityState`, folded in canonical order like every projection.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::entitlement::{
    Adjustment, AllowanceError, AllowancePolicy, AssessmentGrade, EntitlementRules, LeaveReason,
    Post, PostTerm, Qualification, Registration, SuspensionCause, SuspensionRecord,
};
use super::level::Level;
use super::period::{Period, YearMonth};
use super::rates::{PaymentType, Proration, RateOrigin, RateSchedule, RateTable};
use super::roster::{
    ApprovedRoster, Payee, PaymentMarker, Roster, RosterError, RosterHeader, RosterStatus,
};
use crate::directory::person::IdNumber;
use crate::event::{Event, EventBody, Sex};
use crate::ids::{EntityId, EventId, UnitId};
use crate::money::Fen;
use crate::training::hours::StudyHours;

/// Entity id prefixes.
pub const QUALIFICATION: &str = "qualification";
pub const ALLOWANCE_RATES: &str = "allowance_rates";
pub const ROSTER: &str = "roster";

/// The qualification file of a person: `qualification:` + the person id's own part.
pub fn qualification_entity(person: &EntityId) -> EntityId {
    let own = person.as_str().split_once(':').map_or("", |(_, rest)| rest);
    format!("{QUALIFICATION}:{own}")
        .parse()
        .expect("a person id's part is a valid id fragment")
}

/// The person a qualification file belongs to.
pub fn person_of(file: &EntityId) -> Option<EntityId> {
    let (_, own) = file.as_str().split_once(':')?;
    format!("person:{own}").parse().ok()
}

/// The district (区县, the first four digits) a unit lies in.
pub fn district_of(unit: &UnitId) -> Option<UnitId> {
    unit.as_str().get(..4)?.parse().ok()
}

/// The rate tables entity of a district.
pub fn rates_entity(district: &UnitId) -> EntityId {
    format!("{ALLOWANCE_RATES}:{district}")
        .parse()
        .expect("a unit code is a valid id fragment")
}

/// Rate tables are set at the district and apply to every unit below it, so a user receives
/// those of the units above their scope too (pull serves only the scope's own subtree; the
/// server offers these through `GET /api/v1/allowances/rates`).
pub fn may_read_rates(profile: &crate::sync::Profile, ev: &Event) -> bool {
    matches!(ev.body, EventBody::AllowanceRatesSet(_))
        && crate::authz::permits(
            profile.role,
            crate::authz::Action::ReadEvent(crate::event::EntityKind::AllowanceRates),
        )
        && (profile.scope.is_within(&ev.unit) || ev.unit.is_within(&profile.scope))
}

// ---------------------------------------------------------------------------------------------
// Event payloads

/// One fact of a qualification file (`qualification_recorded`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum QualificationFact {
    /// 取得职业资格证书
    Certificate {
        level: Level,
        number: String,
        obtained_on: NaiveDate,
    },
    /// 证书被撤销
    CertificateRevoked { level: Level, on: NaiveDate },
    /// 登记 / 再登记, with its validity.
    Registered { registration: Registration },
    /// 继续教育学时
    ContinuingEducation {
        on: NaiveDate,
        hours: StudyHours,
        what: String,
    },
    /// 任职 — a post in a unit; an open post ends the same day as a transfer (调动).
    Appointed {
        unit: UnitId,
        post: Post,
        on: NaiveDate,
    },
    /// 离岗 — the current post ends on `on` (last day in post).
    Left { on: NaiveDate, reason: LeaveReason },
    /// 津贴申请审批
    Approved { on: NaiveDate },
    /// 银行卡/社保卡号 and how the person is paid.
    BankCard {
        card: Option<String>,
        payment: PaymentMarker,
    },
    /// 补发 / 扣回 with its reason.
    Adjustment { adjustment: Adjustment },
    /// 年度考核不合格/不称职 for `year` — no pay the following year (domain-spec §3.3 stop 4).
    AssessmentFailed {
        year: i32,
        grade: AssessmentGrade,
        decided_on: NaiveDate,
        reference: String,
    },
    /// 受处分 on `on` — no pay for the rules' months (12) from the month after (§3.3 stop 4).
    Sanctioned { on: NaiveDate, reference: String },
    /// 无薪休假 from `from` to `to` (both included) — longer than the rules' days (30): no pay
    /// from the month after it began through the month it ends (§3.3 stop 5).
    UnpaidLeave {
        from: NaiveDate,
        to: NaiveDate,
        reference: String,
    },
    /// 撤销误录 — the suspension recorded by event `record` was wrong and suspends nothing.
    /// Months already paid on an approved roster come back as 补发 on the next one.
    SuspensionCancelled { record: EventId, reason: String },
}

/// A district's rate table and pro-rating rule (`allowance_rates_set`). A table with the version
/// of an earlier one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatesSet {
    pub table: RateTable,
    pub proration: Proration,
}

/// 编制名册 (`roster_drafted`): a roster of the event's unit for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterDraft {
    pub unit_name: String,
    pub period: Period,
    pub prepared_by: String,
    pub unit_head: Option<String>,
    pub date: NaiveDate,
}

/// 街道/乡镇审核 (`roster_reviewed`): what the reviewer saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterReview {
    pub reviewer: String,
    pub rows: u32,
    pub total: Fen,
}

/// 退回修改 (`roster_sent_back`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterSendBack {
    pub reason: String,
}

/// 区县审批 (`roster_approved`): the roster exactly as approved, frozen from here on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterApproval {
    pub approved: ApprovedRoster,
}

/// Why an allowance record is refused before it is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("the hours must be more than 0")]
    NoHours,
    #[error("an adjustment amount must be more than 0.00")]
    NotPositive,
    #[error("a registration must end after it starts")]
    RegistrationEndsBeforeStart,
    #[error("a bank card number has 12 to 19 digits")]
    BadBankCard,
    #[error("a rate table needs at least one level, each once, with an amount above 0")]
    BadRates,
    #[error("the period ends before it starts")]
    BadPeriod,
    #[error("unpaid leave must end on or after the day it starts")]
    LeaveEndsBeforeStart,
    #[error("the assessment year {0} is out of range")]
    BadAssessmentYear(i32),
    #[error("an assessment result cannot be decided before its year begins")]
    DecidedBeforeYear,
    #[error("no suspension was recorded by that event in this file")]
    NoSuchSuspension,
    #[error("that suspension is already cancelled")]
    AlreadyCancelled,
}

impl RecordError {
    pub fn message_zh(&self) -> String {
        match self {
            RecordError::Empty(field) => format!("“{}”不能为空", field_zh(field)),
            RecordError::NoHours => "学时必须大于0".into(),
            RecordError::NotPositive => "补发/扣回金额必须大于0.00元".into(),
            RecordError::RegistrationEndsBeforeStart => "登记有效期截止日期必须晚于起始日期".into(),
            RecordError::BadBankCard => "银行卡/社保卡号应为12至19位数字".into(),
            RecordError::BadRates => "发放标准至少包含一个等级，每个等级一次，金额大于0".into(),
            RecordError::BadPeriod => "发放期间的结束月份不能早于开始月份".into(),
            RecordError::LeaveEndsBeforeStart => "无薪休假的结束日期不能早于开始日期".into(),
            RecordError::BadAssessmentYear(year) => {
                format!("考核年度{year}不正确，请填写如2025的年份")
            }
            RecordError::DecidedBeforeYear => "考核结果的认定日期不能早于考核年度".into(),
            RecordError::NoSuchSuspension => "没有找到这条暂停发放记录".into(),
            RecordError::AlreadyCancelled => "这条暂停发放记录已经撤销".into(),
        }
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "number" => "编号",
        "what" => "内容",
        "reason" => "原因",
        "reference" => "依据",
        "version" => "版本",
        "unit_name" => "单位名称",
        "prepared_by" => "制表人",
        "reviewer" => "审核人",
        "approved_by" => "审批人",
        _ => "必填项",
    }
}

fn non_empty(field: &'static str, value: &str) -> Result<(), RecordError> {
    if value.trim().is_empty() {
        Err(RecordError::Empty(field))
    } else {
        Ok(())
    }
}

/// Checks a bank card number as typed (spaces allowed): 12–19 digits.
pub fn check_bank_card(card: &str) -> Result<(), RecordError> {
    let digits: Vec<char> = card.chars().filter(|c| !c.is_whitespace()).collect();
    if (12..=19).contains(&digits.len()) && digits.iter().all(char::is_ascii_digit) {
        Ok(())
    } else {
        Err(RecordError::BadBankCard)
    }
}

impl QualificationFact {
    pub fn validate(&self) -> Result<(), RecordError> {
        match self {
            QualificationFact::Certificate { number, .. } => non_empty("number", number),
            QualificationFact::Registered { registration } => {
                non_empty("number", &registration.number)?;
                if registration.valid_until < registration.valid_from
                    || registration.valid_from < registration.registered_on
                {
                    return Err(RecordError::RegistrationEndsBeforeStart);
                }
                Ok(())
            }
            QualificationFact::ContinuingEducation { hours, what, .. } => {
                non_empty("what", what)?;
                if *hours == StudyHours::ZERO {
                    return Err(RecordError::NoHours);
                }
                Ok(())
            }
            QualificationFact::BankCard { card, .. } => {
                card.as_deref().map_or(Ok(()), check_bank_card)
            }
            QualificationFact::Adjustment { adjustment } => {
                non_empty("reason", &adjustment.reason)?;
                non_empty("reference", &adjustment.reference)?;
                if adjustment.amount <= Fen::ZERO {
                    return Err(RecordError::NotPositive);
                }
                Ok(())
            }
            QualificationFact::AssessmentFailed {
                year,
                decided_on,
                reference,
                ..
            } => {
                if !(2000..=2100).contains(year) {
                    return Err(RecordError::BadAssessmentYear(*year));
                }
                if decided_on.year() < *year {
                    return Err(RecordError::DecidedBeforeYear);
                }
                non_empty("reference", reference)
            }
            QualificationFact::Sanctioned { reference, .. } => non_empty("reference", reference),
            QualificationFact::UnpaidLeave {
                from,
                to,
                reference,
            } => {
                if to < from {
                    return Err(RecordError::LeaveEndsBeforeStart);
                }
                non_empty("reference", reference)
            }
            QualificationFact::SuspensionCancelled { reason, .. } => non_empty("reason", reason),
            QualificationFact::CertificateRevoked { .. }
            | QualificationFact::Appointed { .. }
            | QualificationFact::Left { .. }
            | QualificationFact::Approved { .. } => Ok(()),
        }
    }

    /// A suspension or its cancellation: recorded by the township desk or the district
    /// (`authz::Action::RecordSuspension`), not by the village the worker serves in.
    pub fn is_suspension(&self) -> bool {
        matches!(
            self,
            QualificationFact::AssessmentFailed { .. }
                | QualificationFact::Sanctioned { .. }
                | QualificationFact::UnpaidLeave { .. }
                | QualificationFact::SuspensionCancelled { .. }
        )
    }
}

impl RatesSet {
    pub fn validate(&self) -> Result<(), RecordError> {
        non_empty("version", &self.table.version)?;
        let rates = &self.table.rates;
        let mut levels: Vec<Level> = rates.iter().map(|r| r.level).collect();
        levels.sort();
        levels.dedup();
        if rates.is_empty()
            || levels.len() != rates.len()
            || rates.iter().any(|r| r.amount <= Fen::ZERO)
        {
            return Err(RecordError::BadRates);
        }
        Ok(())
    }
}

impl RosterDraft {
    pub fn validate(&self) -> Result<(), RecordError> {
        non_empty("unit_name", &self.unit_name)?;
        non_empty("prepared_by", &self.prepared_by)?;
        if self.period.to() < self.period.from() {
            return Err(RecordError::BadPeriod);
        }
        Ok(())
    }
}

impl RosterReview {
    pub fn validate(&self) -> Result<(), RecordError> {
        non_empty("reviewer", &self.reviewer)
    }
}

impl RosterSendBack {
    pub fn validate(&self) -> Result<(), RecordError> {
        non_empty("reason", &self.reason)
    }
}

impl RosterApproval {
    pub fn validate(&self) -> Result<(), RecordError> {
        non_empty("approved_by", &self.approved.approved_by)
    }
}

// ---------------------------------------------------------------------------------------------
// Views

/// A worker's qualification file as folded from its facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationFile {
    pub qualification: Qualification,
    pub bank_card: Option<String>,
    pub payment: PaymentMarker,
    /// Facts that could not apply (a departure with no post held), for the reviewer.
    pub ignored: Vec<String>,
}

impl QualificationFile {
    pub fn new(person: EntityId) -> QualificationFile {
        QualificationFile {
            qualification: Qualification::new(person),
            bank_card: None,
            payment: PaymentMarker::BankTransfer,
            ignored: vec![],
        }
    }

    /// Folds one fact, recorded by event `recorded_by` (the id a cancellation names).
    pub fn apply(&mut self, recorded_by: EventId, fact: &QualificationFact) {
        let q = &mut self.qualification;
        let suspend = |q: &mut Qualification, cause: SuspensionCause, reference: String| {
            q.suspension_records.push(SuspensionRecord {
                id: recorded_by,
                cause,
                reference,
                cancelled: None,
            })
        };
        match fact.clone() {
            QualificationFact::Certificate {
                level,
                number,
                obtained_on,
            } => q.certificates.push(super::entitlement::Certificate {
                level,
                number,
                obtained_on,
                revoked_on: None,
            }),
            QualificationFact::CertificateRevoked { level, on } => {
                match q
                    .certificates
                    .iter_mut()
                    .filter(|c| c.level == level && c.obtained_on <= on)
                    .max_by_key(|c| c.obtained_on)
                {
                    Some(c) => c.revoked_on = Some(on),
                    None => self
                        .ignored
                        .push(format!("{on} 撤销{}证书：无此证书", level.label_zh())),
                }
            }
            QualificationFact::Registered { registration } => q.registrations.push(registration),
            QualificationFact::ContinuingEducation { on, hours, what } => q
                .continuing_education
                .push(super::entitlement::ContinuingEducation { on, hours, what }),
            QualificationFact::Appointed { unit, post, on } => {
                if q.posts.iter().any(|t| t.left.is_none()) {
                    q.transfer(on, unit, post);
                } else {
                    q.posts.push(PostTerm {
                        unit,
                        post,
                        appointed_on: on,
                        left: None,
                    });
                }
            }
            QualificationFact::Left { on, reason } => {
                match q.posts.iter_mut().find(|t| t.left.is_none()) {
                    Some(term) if term.appointed_on <= on => term.left = Some((on, reason)),
                    _ => self.ignored.push(format!("{on} 离岗：当时未在岗")),
                }
            }
            QualificationFact::Approved { on } => q.approved_on = Some(on),
            QualificationFact::BankCard { card, payment } => {
                self.bank_card = card;
                self.payment = payment;
            }
            QualificationFact::AssessmentFailed {
                year,
                grade,
                decided_on,
                reference,
            } => suspend(
                q,
                SuspensionCause::AssessmentFailed {
                    year,
                    grade,
                    decided_on,
                },
                reference,
            ),
            QualificationFact::Sanctioned { on, reference } => {
                suspend(q, SuspensionCause::Sanction { on }, reference)
            }
            QualificationFact::UnpaidLeave {
                from,
                to,
                reference,
            } => suspend(q, SuspensionCause::UnpaidLeave { from, to }, reference),
            QualificationFact::SuspensionCancelled { record, reason } => {
                match self.check_cancel(record) {
                    Ok(()) => {
                        let r = self
                            .qualification
                            .suspension_records
                            .iter_mut()
                            .find(|r| r.id == record)
                            .expect("checked");
                        r.cancelled = Some(reason);
                    }
                    Err(e) => self
                        .ignored
                        .push(format!("撤销暂停发放记录{record}：{}", e.message_zh())),
                }
            }
            QualificationFact::Adjustment { adjustment } => q.adjustments.push(adjustment),
        }
    }

    /// Whether the suspension recorded by event `record` may be cancelled: it is in this file
    /// and not cancelled yet.
    pub fn check_cancel(&self, record: EventId) -> Result<(), RecordError> {
        match self
            .qualification
            .suspension_records
            .iter()
            .find(|r| r.id == record)
        {
            None => Err(RecordError::NoSuchSuspension),
            Some(r) if r.cancelled.is_some() => Err(RecordError::AlreadyCancelled),
            Some(_) => Ok(()),
        }
    }

    /// The unit and post held now (the open post), if any.
    pub fn current_post(&self) -> Option<&PostTerm> {
        self.qualification.posts.iter().find(|t| t.left.is_none())
    }

    /// The highest level certified (not revoked).
    pub fn highest_level(&self) -> Option<Level> {
        self.qualification
            .certificates
            .iter()
            .filter(|c| c.revoked_on.is_none())
            .map(|c| c.level)
            .max()
    }
}

/// A district's rate tables and rule, as folded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DistrictRates {
    pub tables: Vec<RateTable>,
    pub proration: Proration,
}

impl DistrictRates {
    pub fn apply(&mut self, district: &UnitId, set: &RatesSet) {
        let mut table = set.table.clone();
        table.district = Some(district.clone());
        self.tables.retain(|t| t.version != table.version);
        self.tables.push(table);
        self.tables.sort_by_key(|t| t.effective_from);
        self.proration = set.proration;
    }

    /// The policy to compute with: the district's tables, or — while it has none — the built-in
    /// default (marked as such on every screen that shows it).
    pub fn policy(&self) -> AllowancePolicy {
        let tables = if self.tables.is_empty() {
            vec![default_table()]
        } else {
            self.tables.clone()
        };
        AllowancePolicy {
            rules: EntitlementRules {
                proration: self.proration,
                ..EntitlementRules::default()
            },
            rates: RateSchedule::new(tables),
        }
    }

    pub fn uses_default(&self) -> bool {
        self.tables.is_empty()
    }
}

/// The built-in default table (domain-spec §3.2) from 2000-01, marked as a default.
pub fn default_table() -> RateTable {
    RateTable::chongqing_default(YearMonth::new(2000, 1).expect("a valid month"))
}

/// A district table with the default amounts, for the editor to start from.
pub fn district_table(
    district: &UnitId,
    version: &str,
    effective_from: YearMonth,
    reference: &str,
    amounts: &[(Level, Fen, PaymentType)],
) -> RateTable {
    RateTable {
        version: version.trim().into(),
        district: Some(district.clone()),
        effective_from,
        rates: amounts
            .iter()
            .map(|&(level, amount, payment)| super::rates::LevelRate {
                level,
                amount,
                payment,
            })
            .collect(),
        origin: RateOrigin::DistrictDocument {
            reference: reference.trim().into(),
        },
    }
}

/// One step in a roster's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterLogLine {
    pub step: String,
    pub by: String,
    pub at_ms: u64,
    /// False when the step came in a state that does not allow it (it changed nothing).
    pub applied: bool,
}

/// A roster as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRecord {
    pub id: EntityId,
    pub unit: UnitId,
    pub draft: Option<RosterDraft>,
    pub status: RosterStatus,
    pub review: Option<RosterReview>,
    pub sent_back: Option<String>,
    pub approved: Option<ApprovedRoster>,
    pub log: Vec<RosterLogLine>,
}

impl RosterRecord {
    fn new(id: EntityId, unit: UnitId) -> RosterRecord {
        RosterRecord {
            id,
            unit,
            draft: None,
            status: RosterStatus::Draft,
            review: None,
            sent_back: None,
            approved: None,
            log: vec![],
        }
    }

    /// Folds one roster event. Steps that the status does not allow change nothing (an approved
    /// roster is frozen) but are kept in the log.
    pub fn apply(&mut self, ev: &Event) {
        let at_ms = ev.hlc.wall_ms;
        let by = ev.actor.to_string();
        let (step, applied) = match &ev.body {
            EventBody::RosterDrafted(draft) => {
                let ok = self.status == RosterStatus::Draft;
                if ok {
                    self.unit = ev.unit.clone();
                    self.draft = Some(draft.clone());
                    self.sent_back = None;
                }
                ("drafted", ok)
            }
            EventBody::RosterReviewed(review) => {
                let ok = self.status == RosterStatus::Draft && self.draft.is_some();
                if ok {
                    self.review = Some(review.clone());
                    self.status = RosterStatus::TownshipReviewed;
                }
                ("reviewed", ok)
            }
            EventBody::RosterSentBack(back) => {
                let ok = self.status == RosterStatus::TownshipReviewed;
                if ok {
                    self.review = None;
                    self.sent_back = Some(back.reason.clone());
                    self.status = RosterStatus::Draft;
                }
                ("sent_back", ok)
            }
            EventBody::RosterApproved(approval) => {
                let ok = self.status == RosterStatus::TownshipReviewed;
                if ok {
                    self.approved = Some(approval.approved.clone());
                    self.status = RosterStatus::DistrictApproved;
                }
                ("approved", ok)
            }
            _ => return,
        };
        self.log.push(RosterLogLine {
            step: step.into(),
            by,
            at_ms,
            applied,
        });
    }

    pub fn header(&self) -> Option<RosterHeader> {
        let d = self.draft.as_ref()?;
        Some(RosterHeader {
            unit: self.unit.clone(),
            unit_name: d.unit_name.clone(),
            period: d.period,
            prepared_by: d.prepared_by.clone(),
            reviewed_by: self.review.as_ref().map(|r| r.reviewer.clone()),
            unit_head: d.unit_head.clone(),
            sealed: false,
            date: d.date,
        })
    }

    pub fn is_frozen(&self) -> bool {
        self.status == RosterStatus::DistrictApproved
    }

    /// Whether the roster may still be changed (its header redrafted, adjustment lines added):
    /// only as a draft. Approved means frozen; reviewed must be sent back first.
    pub fn check_edit(&self) -> Result<(), RosterError> {
        match self.status {
            RosterStatus::Draft => Ok(()),
            RosterStatus::DistrictApproved => Err(RosterError::Frozen),
            status => Err(RosterError::WrongStatus {
                status,
                step: super::roster::RosterStep::Prepare,
            }),
        }
    }

    /// The month an adjustment line (补发/扣回) added on this roster is paid in: its first month,
    /// so it shows on this roster. Refused once the roster may no longer change.
    pub fn adjustment_month(&self) -> Result<YearMonth, RosterError> {
        self.check_edit()?;
        self.draft
            .as_ref()
            .map(|d| d.period.from())
            .ok_or(RosterError::WrongStatus {
                status: self.status,
                step: super::roster::RosterStep::Prepare,
            })
    }
}

/// Study hours as typed: `8` or `7.5` (tenths at most), more than 0.
pub fn parse_hours(text: &str) -> Result<StudyHours, RecordError> {
    let text = text.trim();
    let (whole, tenth) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(tenth) || tenth.len() != 1 || whole.len() > 5 {
        return Err(RecordError::NoHours);
    }
    let tenths = whole.parse::<u32>().map_err(|_| RecordError::NoHours)? * 10
        + tenth.parse::<u32>().map_err(|_| RecordError::NoHours)?;
    if tenths == 0 {
        return Err(RecordError::NoHours);
    }
    Ok(StudyHours::from_tenths(tenths))
}

/// The registration recorded on `on` for `level`: a renewal (再登记) of the latest registration
/// of that level if there is one, else a first registration; valid `years` (the rules' 3).
pub fn next_registration(
    q: &Qualification,
    level: Level,
    number: &str,
    on: NaiveDate,
    years: u32,
) -> Registration {
    match q
        .registrations
        .iter()
        .filter(|r| r.level == level)
        .max_by_key(|r| r.valid_until)
    {
        Some(latest) => {
            let mut renewal = latest.renewal(on, years);
            renewal.number = number.trim().into();
            renewal
        }
        None => Registration::first(level, number.trim(), on, years),
    }
}

/// Folds an allowance event into its entity's document (called by `projection::apply`).
pub fn fold_into_doc(doc: &mut Map<String, Value>, ev: &Event) {
    fn load<T: serde::de::DeserializeOwned>(doc: &Map<String, Value>) -> Option<T> {
        if doc.is_empty() {
            return None;
        }
        serde_json::from_value(Value::Object(doc.clone())).ok()
    }
    fn store<T: Serialize>(doc: &mut Map<String, Value>, view: &T) {
        if let Ok(Value::Object(map)) = serde_json::to_value(view) {
            *doc = map;
        }
    }
    match &ev.body {
        EventBody::QualificationRecorded(fact) => {
            let mut file = load(doc).unwrap_or_else(|| {
                QualificationFile::new(person_of(&ev.entity).unwrap_or_else(|| ev.entity.clone()))
            });
            file.apply(ev.id, fact);
            store(doc, &file);
        }
        EventBody::AllowanceRatesSet(set) => {
            let mut rates: DistrictRates = load(doc).unwrap_or_default();
            rates.apply(&ev.unit, set);
            store(doc, &rates);
        }
        EventBody::RosterDrafted(_)
        | EventBody::RosterReviewed(_)
        | EventBody::RosterSentBack(_)
        | EventBody::RosterApproved(_) => {
            let mut roster =
                load(doc).unwrap_or_else(|| RosterRecord::new(ev.entity.clone(), ev.unit.clone()));
            roster.apply(ev);
            store(doc, &roster);
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Building a roster from the records

/// A worker for a roster: directory facts and the qualification file.
#[derive(Debug, Clone)]
pub struct Worker {
    pub name: String,
    pub sex: Sex,
    pub id_number: String,
    /// 社区/村 name.
    pub community: String,
    pub file: QualificationFile,
}

/// Why a roster cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterBuildError {
    #[error("the roster has no draft yet")]
    NoDraft,
    #[error("{name}: identity number {id} is not valid; correct it in the directory")]
    BadIdNumber { name: String, id: String },
    #[error(transparent)]
    Allowance(#[from] AllowanceError),
}

impl RosterBuildError {
    pub fn message_zh(&self) -> String {
        match self {
            RosterBuildError::NoDraft => "名册尚未编制".into(),
            RosterBuildError::BadIdNumber { name, .. } => {
                format!("{name}的身份证号码无效，请先在人员登记中更正")
            }
            RosterBuildError::Allowance(AllowanceError::NoRateTable(month)) => {
                format!("{month}没有适用的发放标准，请区县管理员补充该月起的标准")
            }
            RosterBuildError::Allowance(AllowanceError::Money(_)) => "金额过大，无法计算".into(),
        }
    }
}

/// A typed view from a projection's document (`None` if it is not one).
pub fn view<T: serde::de::DeserializeOwned>(state: &crate::projection::EntityState) -> Option<T> {
    serde_json::from_value(state.doc.clone()).ok()
}

/// A roster's worker from the person's directory record and their qualification file.
pub fn worker(
    person: &crate::projection::EntityState,
    file: QualificationFile,
    community: String,
) -> Option<Worker> {
    let text = |field: &str| {
        person
            .doc
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Some(Worker {
        name: text("name")?,
        sex: serde_json::from_value(person.doc.get("sex")?.clone()).ok()?,
        id_number: text("id_number")?,
        community,
        file,
    })
}

/// Every worker from the projections on hand: qualification files matched to their persons,
/// named after the unit they serve in (`unit_name`).
pub fn workers(
    persons: &[crate::projection::EntityState],
    files: &[crate::projection::EntityState],
    unit_name: impl Fn(&UnitId) -> String,
) -> Vec<Worker> {
    files
        .iter()
        .filter_map(|state| {
            let file: QualificationFile = view(state)?;
            let person_id = &file.qualification.person;
            let person = persons.iter().find(|p| &p.id == person_id)?;
            let unit = file
                .qualification
                .posts
                .last()
                .map_or(state.unit.clone(), |t| t.unit.clone());
            worker(person, file, unit_name(&unit))
        })
        .collect()
}

fn payees(workers: &[Worker], today: NaiveDate) -> Result<Vec<Payee>, RosterBuildError> {
    workers
        .iter()
        .map(|w| {
            let id_number = IdNumber::parse(&w.id_number, today).map_err(|_| {
                RosterBuildError::BadIdNumber {
                    name: w.name.clone(),
                    id: w.id_number.clone(),
                }
            })?;
            Ok(Payee {
                name: w.name.clone(),
                sex: w.sex,
                id_number,
                community: w.community.clone(),
                bank_card: w.file.bank_card.clone(),
                payment: w.file.payment,
                remarks: String::new(),
                qualification: w.file.qualification.clone(),
            })
        })
        .collect()
}

/// The roster as it stands: the frozen approved roster if approved; otherwise computed from the
/// records now, with the corrections to earlier approved rosters of the same unit (`earlier`)
/// carried in as 补发/扣回 lines paid in this roster's first month. A correction already carried
/// by a later approved roster is not carried again.
pub fn current_roster(
    record: &RosterRecord,
    workers: &[Worker],
    rates: &DistrictRates,
    earlier: &[RosterRecord],
) -> Result<Roster, RosterBuildError> {
    if let Some(approved) = &record.approved {
        return Ok(approved.roster().clone());
    }
    let header = record.header().ok_or(RosterBuildError::NoDraft)?;
    let policy = rates.policy();
    let mut payees = payees(workers, header.date)?;
    let approved: Vec<&ApprovedRoster> = earlier
        .iter()
        .filter(|r| r.id != record.id && r.unit == record.unit)
        .filter_map(|r| r.approved.as_ref())
        .collect();
    for before in approved
        .iter()
        .filter(|a| a.roster().header.period.to() < header.period.from())
    {
        let recomputed = Roster::draft(before.roster().header.clone(), &payees, &policy)?;
        for (person, mut adjustment) in before.corrections(&recomputed, header.period.from()) {
            let reference = before.reference();
            let carried: i64 = approved
                .iter()
                .flat_map(|a| &a.roster().rows)
                .filter(|row| row.person == person)
                .flat_map(|row| &row.adjustments)
                .filter(|a| a.reference == reference)
                .map(|a| a.signed().0)
                .sum();
            let diff = adjustment.signed().0 - carried;
            if diff == 0 {
                continue;
            }
            adjustment.kind = if diff > 0 {
                super::entitlement::AdjustmentKind::BackPay
            } else {
                super::entitlement::AdjustmentKind::Recovery
            };
            adjustment.amount = Fen(diff.abs());
            if let Some(p) = payees.iter_mut().find(|p| p.qualification.person == person) {
                p.qualification.adjustments.push(adjustment);
            }
        }
    }
    let mut roster = Roster::draft(header, &payees, &policy)?;
    roster.status = record.status;
    Ok(roster)
}

/// The event-level form of a record error (the server's `invalid_body`).
pub(crate) fn body_error(e: RecordError) -> crate::event::BodyError {
    crate::event::BodyError(e.to_string())
}

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests {
    // Without `test`, only the sample bodies are used (the permission matrix of `testing`).
    #![cfg_attr(not(test), allow(dead_code, unused_imports))]
    use super::*;
    use crate::allowance::entitlement::AdjustmentKind;
    use crate::allowance::entitlement::tests::{d, ym};
    use crate::allowance::roster::RosterStep;
    use crate::authz::{Action, Role, authorize_event, permits};
    use crate::directory::person::check_digit;
    use crate::event::tests::NOW;
    use crate::event::{DeviceLog, NewEvent};
    use crate::projection::{EntityState, fold_all};
    use crate::sync::{Profile, RejectReason};

    const COMMUNITY: &str = "5001001003";
    const TOWNSHIP: &str = "5001001";
    const DISTRICT: &str = "5001";

    pub(crate) fn sample_fact() -> EventBody {
        EventBody::QualificationRecorded(QualificationFact::Certificate {
            level: Level::SwIntermediate,
            number: "2023-ZJ-0001".into(),
            obtained_on: d(2023, 11, 20),
        })
    }

    pub(crate) fn sample_rates() -> EventBody {
        EventBody::AllowanceRatesSet(RatesSet {
            table: default_table(),
            proration: Proration::FirstDay,
        })
    }

    fn draft_body(from: &str, to: &str) -> RosterDraft {
        RosterDraft {
            unit_name: "青石镇社区".into(),
            period: Period::new(ym(from), ym(to)).unwrap(),
            prepared_by: "李村干".into(),
            unit_head: Some("王主任".into()),
            date: ym(to).last_day(),
        }
    }

    pub(crate) fn sample_draft() -> EventBody {
        EventBody::RosterDrafted(draft_body("2024-10", "2024-12"))
    }

    pub(crate) fn sample_review() -> EventBody {
        EventBody::RosterReviewed(RosterReview {
            reviewer: "赵审核".into(),
            rows: 1,
            total: Fen::yuan(1500),
        })
    }

    pub(crate) fn sample_send_back() -> EventBody {
        EventBody::RosterSentBack(RosterSendBack {
            reason: "银行卡号缺失".into(),
        })
    }

    pub(crate) fn sample_approval() -> EventBody {
        let (events, _) = worked_example_events();
        let roster = build(&events, "roster:r1").unwrap();
        let mut roster = roster;
        roster.review(Role::TownshipReviewer, "赵审核").unwrap();
        EventBody::RosterApproved(RosterApproval {
            approved: roster
                .approve(Role::DistrictAdmin, "陈区管", d(2025, 1, 5))
                .unwrap(),
        })
    }

    fn id_number() -> String {
        let first17 = "50019919850312002";
        let check = check_digit(first17.as_bytes().try_into().unwrap());
        format!("{first17}{check}")
    }

    struct Writer {
        log: DeviceLog,
        now: u64,
        events: Vec<Event>,
    }

    impl Writer {
        fn new() -> Writer {
            Writer {
                log: DeviceLog::new("d1".parse().unwrap()),
                now: NOW,
                events: vec![],
            }
        }

        fn write(&mut self, unit: &str, entity: &str, body: EventBody) -> Event {
            self.now += 1000;
            let draft = NewEvent {
                actor: "u1".parse().unwrap(),
                unit: unit.parse().unwrap(),
                entity: entity.parse().unwrap(),
                body,
            };
            draft.validate().expect("a valid event");
            let ev = self
                .log
                .append(draft, self.now, [self.events.len() as u8; 10]);
            self.events.push(ev.clone());
            ev
        }

        fn fact(&mut self, fact: QualificationFact) {
            self.write(
                COMMUNITY,
                "qualification:w1",
                EventBody::QualificationRecorded(fact),
            );
        }
    }

    /// The spec's worked example as events: 社会工作师 certificate 2023-11-20, registered
    /// 2024-03-12; 高级 on 2024-09-05, registered the same day; in post since 2020.
    fn worked_example_events() -> (Vec<Event>, Writer) {
        let mut w = Writer::new();
        w.write(DISTRICT, "allowance_rates:5001", sample_rates());
        w.fact(QualificationFact::Appointed {
            unit: COMMUNITY.parse().unwrap(),
            post: Post::CommunityStaff,
            on: d(2020, 1, 1),
        });
        w.fact(QualificationFact::Approved { on: d(2020, 1, 1) });
        w.fact(QualificationFact::Certificate {
            level: Level::SwIntermediate,
            number: "ZJ-1".into(),
            obtained_on: d(2023, 11, 20),
        });
        w.fact(QualificationFact::Registered {
            registration: Registration::first(Level::SwIntermediate, "R-1", d(2024, 3, 12), 3),
        });
        w.fact(QualificationFact::Certificate {
            level: Level::SwSenior,
            number: "GJ-1".into(),
            obtained_on: d(2024, 9, 5),
        });
        w.fact(QualificationFact::Registered {
            registration: Registration::first(Level::SwSenior, "R-2", d(2024, 9, 5), 3),
        });
        w.fact(QualificationFact::ContinuingEducation {
            on: d(2024, 10, 1),
            hours: StudyHours::hours(90),
            what: "继续教育".into(),
        });
        w.fact(QualificationFact::BankCard {
            card: Some("6222020000000001".into()),
            payment: PaymentMarker::BankTransfer,
        });
        w.write(
            COMMUNITY,
            "roster:r1",
            EventBody::RosterDrafted(draft_body("2024-04", "2024-12")),
        );
        (w.events.clone(), w)
    }

    fn doc<T: serde::de::DeserializeOwned>(
        states: &std::collections::BTreeMap<EntityId, EntityState>,
        id: &str,
    ) -> T {
        serde_json::from_value(states[&id.parse::<EntityId>().unwrap()].doc.clone()).unwrap()
    }

    fn build(events: &[Event], roster: &str) -> Result<Roster, RosterBuildError> {
        let states = fold_all(events);
        let file: QualificationFile = doc(&states, "qualification:w1");
        let rates: DistrictRates = doc(&states, "allowance_rates:5001");
        let record: RosterRecord = doc(&states, roster);
        let others: Vec<RosterRecord> = states
            .values()
            .filter(|s| s.kind == crate::event::EntityKind::Roster)
            .map(|s| serde_json::from_value(s.doc.clone()).unwrap())
            .collect();
        let worker = Worker {
            name: "王社工".into(),
            sex: Sex::Female,
            id_number: id_number(),
            community: "青石镇社区".into(),
            file,
        };
        current_roster(&record, &[worker], &rates, &others)
    }

    pub(crate) fn worked_example_roster() -> Roster {
        let (events, _) = worked_example_events();
        build(&events, "roster:r1").unwrap()
    }

    #[test]
    fn worked_example_through_events_pays_300_then_500() {
        let roster = worked_example_roster();
        let row = &roster.rows[0];
        let months: Vec<(String, String)> = row
            .trace
            .iter()
            .map(|m| (m.month.to_string(), m.amount.to_string()))
            .collect();
        assert_eq!(months.len(), 9, "2024-04 … 2024-12");
        assert!(months[..6].iter().all(|(_, a)| a == "300.00"), "{months:?}");
        assert!(months[6..].iter().all(|(_, a)| a == "500.00"), "{months:?}");
        assert_eq!(months[6].0, "2024-10");
        assert_eq!(row.net, Fen::yuan(6 * 300 + 3 * 500));
        assert_eq!(roster.footer.total_capital, "叁仟叁佰元整");
        assert_eq!(roster.rate_versions, ["CQ-DEFAULT"]);
        assert!(roster.warnings.is_empty(), "{:?}", roster.warnings);
    }

    #[test]
    fn a_roster_moves_draft_reviewed_approved_and_is_then_frozen() {
        let (_, mut w) = worked_example_events();
        w.write(COMMUNITY, "roster:r1", sample_approval());
        let states = fold_all(&w.events);
        let r: RosterRecord = doc(&states, "roster:r1");
        assert_eq!(
            r.status,
            RosterStatus::Draft,
            "approval before review changes nothing"
        );
        assert!(!r.log.last().unwrap().applied);

        w.write(COMMUNITY, "roster:r1", sample_review());
        w.write(COMMUNITY, "roster:r1", sample_approval());
        let approved_total = build(&w.events, "roster:r1").unwrap().footer.total;
        // After approval: a new draft, a later departure and a send-back change nothing on it.
        w.write(
            COMMUNITY,
            "roster:r1",
            EventBody::RosterDrafted(draft_body("2024-01", "2024-02")),
        );
        w.write(COMMUNITY, "roster:r1", sample_send_back());
        w.fact(QualificationFact::Left {
            on: d(2024, 5, 20),
            reason: LeaveReason::Resigned,
        });
        let states = fold_all(&w.events);
        let r: RosterRecord = doc(&states, "roster:r1");
        assert_eq!(r.status, RosterStatus::DistrictApproved);
        assert!(r.is_frozen());
        assert_eq!(r.draft.as_ref().unwrap().period.from(), ym("2024-04"));
        let frozen = build(&w.events, "roster:r1").unwrap();
        assert_eq!(frozen.footer.total, approved_total);
        assert_eq!(frozen.status, RosterStatus::DistrictApproved);
        let applied: Vec<(&str, bool)> =
            r.log.iter().map(|l| (l.step.as_str(), l.applied)).collect();
        assert_eq!(
            applied,
            [
                ("drafted", true),
                ("approved", false),
                ("reviewed", true),
                ("approved", true),
                ("drafted", false),
                ("sent_back", false)
            ]
        );
    }

    #[test]
    fn only_a_draft_may_be_edited_and_an_approved_roster_refuses_in_chinese() {
        let (_, mut w) = worked_example_events();
        let r: RosterRecord = doc(&fold_all(&w.events), "roster:r1");
        assert_eq!(r.check_edit(), Ok(()));
        assert_eq!(r.adjustment_month(), Ok(ym("2024-04")));
        w.write(COMMUNITY, "roster:r1", sample_review());
        let r: RosterRecord = doc(&fold_all(&w.events), "roster:r1");
        let reviewed = r.check_edit().unwrap_err();
        assert!(
            reviewed.message_zh().contains("请审核人先退回"),
            "{reviewed}"
        );
        w.write(COMMUNITY, "roster:r1", sample_approval());
        let r: RosterRecord = doc(&fold_all(&w.events), "roster:r1");
        assert_eq!(r.check_edit(), Err(RosterError::Frozen));
        assert_eq!(r.adjustment_month(), Err(RosterError::Frozen));
        assert_eq!(
            RosterError::Frozen.message_zh(),
            "名册已经区县审批并冻结，不能修改；如需更正，请在下一期名册中补发或扣回"
        );
    }

    #[test]
    fn hours_parse_in_tenths_and_refuse_nothing_or_nonsense() {
        assert_eq!(parse_hours(" 8 "), Ok(StudyHours::hours(8)));
        assert_eq!(parse_hours("7.5"), Ok(StudyHours::from_tenths(75)));
        for bad in ["", "0", "0.0", "7.25", "-3", "八", "7.", ".5"] {
            assert_eq!(parse_hours(bad), Err(RecordError::NoHours), "{bad:?}");
        }
    }

    #[test]
    fn a_second_registration_of_a_level_is_a_renewal_from_the_end_of_the_first() {
        let mut q = Qualification::new("person:w1".parse().unwrap());
        let first = next_registration(&q, Level::SwAssistant, " DJ-1 ", d(2021, 3, 1), 3);
        assert_eq!(first.number, "DJ-1");
        assert_eq!(
            (first.valid_from, first.valid_until),
            (d(2021, 3, 1), d(2024, 2, 29))
        );
        q.registrations.push(first);
        // Applied for in the 3 months before expiry: continues without a gap.
        let renewal = next_registration(&q, Level::SwAssistant, "DJ-2", d(2024, 1, 10), 3);
        assert_eq!(renewal.registered_on, d(2024, 1, 10));
        assert_eq!(
            (renewal.valid_from, renewal.valid_until),
            (d(2024, 3, 1), d(2027, 2, 28))
        );
        // Another level starts its own first registration.
        let other = next_registration(&q, Level::SwIntermediate, "DJ-3", d(2024, 1, 10), 3);
        assert_eq!(other.valid_from, d(2024, 1, 10));
    }

    #[test]
    fn a_send_back_returns_the_roster_to_draft_with_the_reason() {
        let (_, mut w) = worked_example_events();
        w.write(COMMUNITY, "roster:r1", sample_review());
        w.write(COMMUNITY, "roster:r1", sample_send_back());
        let r: RosterRecord = doc(&fold_all(&w.events), "roster:r1");
        assert_eq!(r.status, RosterStatus::Draft);
        assert_eq!(r.sent_back.as_deref(), Some("银行卡号缺失"));
        assert_eq!(r.review, None);
    }

    #[test]
    fn changes_after_approval_become_adjustment_lines_on_the_next_roster_once() {
        let (_, mut w) = worked_example_events();
        w.write(COMMUNITY, "roster:r1", sample_review());
        w.write(COMMUNITY, "roster:r1", sample_approval());
        // Late news: the worker resigned on 2024-11-10, after the roster was approved.
        w.fact(QualificationFact::Left {
            on: d(2024, 11, 10),
            reason: LeaveReason::Resigned,
        });
        // Back in post from 2025-01-01 so that the next roster has a row to carry the recovery.
        w.fact(QualificationFact::Appointed {
            unit: COMMUNITY.parse().unwrap(),
            post: Post::CommunityStaff,
            on: d(2025, 1, 1),
        });
        let mut next = draft_body("2025-02", "2025-02");
        next.date = d(2025, 2, 28);
        w.write(COMMUNITY, "roster:r2", EventBody::RosterDrafted(next));
        let roster = build(&w.events, "roster:r2").unwrap();
        let row = &roster.rows[0];
        assert_eq!(row.amount_due, Fen::yuan(500), "February");
        assert_eq!(row.adjustments.len(), 1);
        let adj = &row.adjustments[0];
        assert_eq!(adj.kind, AdjustmentKind::Recovery);
        assert_eq!(adj.amount, Fen::yuan(500), "December was paid but not due");
        assert_eq!(adj.reason, "名册批准后更正：2024-12");
        assert_eq!(adj.pay_month, ym("2025-02"));
        assert_eq!(row.net, Fen::ZERO);
        assert_eq!(roster.footer.total_capital, "零元整");

        // Once the roster carrying the recovery is approved, the next one does not repeat it.
        let mut r2 = roster.clone();
        r2.review(Role::TownshipReviewer, "赵审核").unwrap();
        let approved = r2
            .approve(Role::DistrictAdmin, "陈区管", d(2025, 3, 5))
            .unwrap();
        w.write(COMMUNITY, "roster:r2", sample_review());
        w.write(
            COMMUNITY,
            "roster:r2",
            EventBody::RosterApproved(RosterApproval { approved }),
        );
        let mut third = draft_body("2025-03", "2025-03");
        third.date = d(2025, 3, 31);
        w.write(COMMUNITY, "roster:r3", EventBody::RosterDrafted(third));
        let roster = build(&w.events, "roster:r3").unwrap();
        assert!(
            roster.rows[0].adjustments.is_empty(),
            "{:?}",
            roster.rows[0].adjustments
        );
        assert_eq!(roster.rows[0].net, Fen::yuan(500));
    }

    fn sanction(on: NaiveDate) -> EventBody {
        EventBody::QualificationRecorded(QualificationFact::Sanctioned {
            on,
            reference: "纪发〔2024〕9号".into(),
        })
    }

    #[test]
    fn a_sanction_recorded_after_approval_leaves_the_frozen_roster_and_is_recovered_next() {
        let (_, mut w) = worked_example_events();
        w.write(COMMUNITY, "roster:r1", sample_review());
        w.write(COMMUNITY, "roster:r1", sample_approval());
        let approved = build(&w.events, "roster:r1").unwrap();
        // Sanctioned on 2024-10-15, recorded after 2024-04…2024-12 was approved: no pay from
        // 2024-11 to 2025-10.
        let recorded = w.write(COMMUNITY, "qualification:w1", sanction(d(2024, 10, 15)));
        assert_eq!(
            build(&w.events, "roster:r1").unwrap(),
            approved,
            "the approved roster stays as approved"
        );
        let mut next = draft_body("2025-01", "2025-03");
        next.date = d(2025, 3, 31);
        w.write(COMMUNITY, "roster:r2", EventBody::RosterDrafted(next));
        let roster = build(&w.events, "roster:r2").unwrap();
        assert_eq!(roster.rows.len(), 1, "kept on the roster for the recovery");
        let row = &roster.rows[0];
        assert_eq!((row.months_counted, row.amount_due), (0, Fen::ZERO));
        assert_eq!(row.adjustments.len(), 1);
        assert_eq!(row.adjustments[0].kind, AdjustmentKind::Recovery);
        assert_eq!(
            row.adjustments[0].amount,
            Fen::yuan(1000),
            "November and December were paid at 500"
        );
        assert_eq!(row.net, Fen::yuan(-1000));
        let reasons: Vec<String> = roster.warnings.iter().map(|w| w.message_zh()).collect();
        assert_eq!(
            reasons,
            [
                "第1行 王社工：2025-01至2025-03暂停发放：2024-10-15受处分，暂停发放12个月（纪发〔2024〕9号）"
            ]
        );

        // Recorded in error: cancelled with a reason, the next roster pays in full again and
        // recovers nothing; the frozen roster is still as approved.
        w.fact(QualificationFact::SuspensionCancelled {
            record: recorded.id,
            reason: "处分对象有误".into(),
        });
        let roster = build(&w.events, "roster:r2").unwrap();
        assert!(roster.rows[0].adjustments.is_empty());
        assert_eq!(roster.rows[0].net, Fen::yuan(1500));
        assert!(roster.warnings.is_empty(), "{:?}", roster.warnings);
        assert_eq!(build(&w.events, "roster:r1").unwrap(), approved);
        let file: QualificationFile = doc(&fold_all(&w.events), "qualification:w1");
        let record = &file.qualification.suspension_records[0];
        assert_eq!(record.id, recorded.id);
        assert_eq!(record.describe_zh(), "2024-10-15受处分");
        assert_eq!(
            record.effect_zh(&EntitlementRules::default()),
            "已撤销：处分对象有误"
        );
    }

    #[test]
    fn a_worker_suspended_for_the_whole_period_leaves_the_roster_with_the_reason() {
        let (_, mut w) = worked_example_events();
        w.fact(QualificationFact::AssessmentFailed {
            year: 2024,
            grade: AssessmentGrade::Unqualified,
            decided_on: d(2024, 12, 28),
            reference: "街道考核〔2024〕5号".into(),
        });
        let mut next = draft_body("2025-01", "2025-03");
        next.date = d(2025, 3, 31);
        w.write(COMMUNITY, "roster:r2", EventBody::RosterDrafted(next));
        let roster = build(&w.events, "roster:r2").unwrap();
        assert!(roster.rows.is_empty());
        assert_eq!(roster.footer.total, Fen::ZERO);
        assert_eq!(roster.warnings.len(), 1);
        assert_eq!(
            roster.warnings[0].message_zh(),
            "王社工（未列入本期名册）：2025-01至2025-03暂停发放：2024年度考核不合格，暂停发放（街道考核〔2024〕5号）"
        );
        // The roster before it (2024-04 … 2024-12, not yet approved) is unaffected.
        assert_eq!(
            build(&w.events, "roster:r1").unwrap().footer.total,
            Fen::yuan(3300)
        );
    }

    #[test]
    fn a_cancellation_names_a_recorded_suspension_once() {
        let (_, mut w) = worked_example_events();
        let leave = w.write(
            COMMUNITY,
            "qualification:w1",
            EventBody::QualificationRecorded(QualificationFact::UnpaidLeave {
                from: d(2025, 3, 1),
                to: d(2025, 5, 31),
                reference: "请假审批表".into(),
            }),
        );
        let file: QualificationFile = doc(&fold_all(&w.events), "qualification:w1");
        assert_eq!(file.check_cancel(leave.id), Ok(()));
        assert_eq!(
            file.check_cancel(crate::ids::EventId(7)),
            Err(RecordError::NoSuchSuspension)
        );
        let cancel = |record| QualificationFact::SuspensionCancelled {
            record,
            reason: "重复录入".into(),
        };
        w.fact(cancel(leave.id));
        w.fact(cancel(leave.id));
        w.fact(cancel(crate::ids::EventId(7)));
        let file: QualificationFile = doc(&fold_all(&w.events), "qualification:w1");
        assert_eq!(
            file.check_cancel(leave.id),
            Err(RecordError::AlreadyCancelled)
        );
        assert_eq!(file.ignored.len(), 2, "{:?}", file.ignored);
        assert!(file.ignored[0].ends_with("这条暂停发放记录已经撤销"));
        assert!(file.ignored[1].ends_with("没有找到这条暂停发放记录"));
    }

    #[test]
    fn bad_suspension_records_are_refused_with_a_chinese_message() {
        let bad = [
            QualificationFact::UnpaidLeave {
                from: d(2025, 3, 10),
                to: d(2025, 3, 9),
                reference: "请假审批表".into(),
            },
            QualificationFact::Sanctioned {
                on: d(2025, 3, 10),
                reference: "  ".into(),
            },
            QualificationFact::AssessmentFailed {
                year: 2025,
                grade: AssessmentGrade::Incompetent,
                decided_on: d(2024, 12, 31),
                reference: "考核".into(),
            },
            QualificationFact::AssessmentFailed {
                year: 25,
                grade: AssessmentGrade::Incompetent,
                decided_on: d(2024, 12, 31),
                reference: "考核".into(),
            },
            QualificationFact::SuspensionCancelled {
                record: crate::ids::EventId(1),
                reason: "".into(),
            },
        ];
        let messages: Vec<String> = bad
            .iter()
            .map(|f| f.validate().unwrap_err().message_zh())
            .collect();
        assert_eq!(
            messages,
            [
                "无薪休假的结束日期不能早于开始日期",
                "“依据”不能为空",
                "考核结果的认定日期不能早于考核年度",
                "考核年度25不正确，请填写如2025的年份",
                "“原因”不能为空",
            ]
        );
        for fact in &bad {
            assert!(
                EventBody::QualificationRecorded(fact.clone())
                    .validate()
                    .is_err()
            );
        }
        // The same day for both ends is one day of leave.
        assert_eq!(
            QualificationFact::UnpaidLeave {
                from: d(2025, 3, 10),
                to: d(2025, 3, 10),
                reference: "请假审批表".into(),
            }
            .validate(),
            Ok(())
        );
    }

    #[test]
    fn only_the_township_desk_and_the_district_record_or_cancel_suspensions() {
        let mut w = Writer::new();
        let recorded = w.write(COMMUNITY, "qualification:w1", sanction(d(2025, 1, 10)));
        let cancelled = w.write(
            COMMUNITY,
            "qualification:w1",
            EventBody::QualificationRecorded(QualificationFact::SuspensionCancelled {
                record: recorded.id,
                reason: "误录".into(),
            }),
        );
        let ordinary = w.write(COMMUNITY, "qualification:w1", sample_fact());
        use Role::*;
        for (role, scope, suspension, fact) in [
            (VillageOfficial, COMMUNITY, false, true),
            (TownshipSupervisor, TOWNSHIP, false, false),
            (TownshipReviewer, TOWNSHIP, true, true),
            (DistrictAdmin, DISTRICT, true, true),
            (Trainer, DISTRICT, false, false),
            (ReviewDepartment, DISTRICT, false, false),
            (CityViewer, "50", false, false),
        ] {
            let me = profile(role, scope);
            for ev in [&recorded, &cancelled] {
                assert_eq!(
                    authorize_event(&me, ev) == Ok(()),
                    suspension,
                    "{role:?} {ev:?}"
                );
            }
            assert_eq!(authorize_event(&me, &ordinary) == Ok(()), fact, "{role:?}");
            assert_eq!(permits(role, Action::RecordSuspension), suspension);
        }
        assert_eq!(
            authorize_event(&profile(TownshipReviewer, "5001002"), &recorded),
            Err(RejectReason::OutOfScope),
            "another township's worker"
        );
        assert!(crate::authz::may_read_event(
            &profile(VillageOfficial, COMMUNITY),
            &recorded
        ));
    }

    #[test]
    fn a_district_table_replaces_the_default_from_its_month() {
        let (_, mut w) = worked_example_events();
        let table = district_table(
            &DISTRICT.parse().unwrap(),
            "5001-2024-10",
            ym("2024-10"),
            "演示区社工〔2024〕1号",
            &[
                (Level::SwSenior, Fen::yuan(600), PaymentType::Monthly),
                (Level::SwIntermediate, Fen::yuan(350), PaymentType::Monthly),
            ],
        );
        w.write(
            DISTRICT,
            "allowance_rates:5001",
            EventBody::AllowanceRatesSet(RatesSet {
                table,
                proration: Proration::Daily,
            }),
        );
        let states = fold_all(&w.events);
        let rates: DistrictRates = doc(&states, "allowance_rates:5001");
        assert_eq!(rates.tables.len(), 2);
        assert_eq!(rates.proration, Proration::Daily);
        assert_eq!(
            rates.tables[1].district.as_ref().unwrap().as_str(),
            DISTRICT
        );
        let roster = build(&w.events, "roster:r1").unwrap();
        assert_eq!(roster.rows[0].net, Fen::yuan(6 * 300 + 3 * 600));
        assert_eq!(roster.rate_versions, ["CQ-DEFAULT", "5001-2024-10"]);
        assert!(DistrictRates::default().uses_default());
        assert!(DistrictRates::default().policy().rates.tables[0].is_default());
    }

    #[test]
    fn a_transfer_by_appointment_and_a_departure_fold_into_post_terms() {
        let mut file = QualificationFile::new("person:w1".parse().unwrap());
        file.apply(
            crate::ids::EventId(0),
            &QualificationFact::Left {
                on: d(2020, 1, 1),
                reason: LeaveReason::Resigned,
            },
        );
        assert_eq!(file.ignored, ["2020-01-01 离岗：当时未在岗"]);
        file.apply(
            crate::ids::EventId(0),
            &QualificationFact::Appointed {
                unit: COMMUNITY.parse().unwrap(),
                post: Post::CommunityStaff,
                on: d(2020, 1, 1),
            },
        );
        file.apply(
            crate::ids::EventId(0),
            &QualificationFact::Appointed {
                unit: "5001002001".parse().unwrap(),
                post: Post::Deputy,
                on: d(2022, 6, 1),
            },
        );
        let posts = &file.qualification.posts;
        assert_eq!(
            posts[0].left,
            Some((d(2022, 6, 1), LeaveReason::Transferred))
        );
        assert_eq!(file.current_post().unwrap().post, Post::Deputy);
        file.apply(
            crate::ids::EventId(0),
            &QualificationFact::Left {
                on: d(2023, 1, 31),
                reason: LeaveReason::Retired,
            },
        );
        assert_eq!(file.current_post(), None);
    }

    #[test]
    fn bad_records_are_refused_with_a_chinese_message() {
        let bad = [
            QualificationFact::Certificate {
                level: Level::SwAssistant,
                number: " ".into(),
                obtained_on: d(2024, 1, 1),
            },
            QualificationFact::ContinuingEducation {
                on: d(2024, 1, 1),
                hours: StudyHours::ZERO,
                what: "培训".into(),
            },
            QualificationFact::BankCard {
                card: Some("6222-0200".into()),
                payment: PaymentMarker::BankTransfer,
            },
            QualificationFact::Adjustment {
                adjustment: Adjustment {
                    pay_month: ym("2024-01"),
                    kind: AdjustmentKind::BackPay,
                    amount: Fen::ZERO,
                    reason: "漏发".into(),
                    reference: "X".into(),
                },
            },
        ];
        let messages: Vec<String> = bad
            .iter()
            .map(|f| f.validate().unwrap_err().message_zh())
            .collect();
        assert_eq!(
            messages,
            [
                "“编号”不能为空",
                "学时必须大于0",
                "银行卡/社保卡号应为12至19位数字",
                "补发/扣回金额必须大于0.00元"
            ]
        );
        let mut rates = RatesSet {
            table: default_table(),
            proration: Proration::FirstDay,
        };
        rates.table.rates[1].level = Level::SwSenior;
        assert_eq!(rates.validate(), Err(RecordError::BadRates));
        assert!(EventBody::AllowanceRatesSet(rates).validate().is_err());
        assert_eq!(check_bank_card("6222 0200 0000 0001"), Ok(()));
    }

    fn profile(role: Role, scope: &str) -> Profile {
        Profile {
            user: "u1".parse().unwrap(),
            display_name: "测试".into(),
            role,
            scope: scope.parse().unwrap(),
            department: None,
        }
    }

    #[test]
    fn who_may_write_which_allowance_record() {
        let mut w = Writer::new();
        let fact = w.write(COMMUNITY, "qualification:w1", sample_fact());
        let rates = w.write(DISTRICT, "allowance_rates:5001", sample_rates());
        let draft = w.write(COMMUNITY, "roster:r1", sample_draft());
        let review = w.write(COMMUNITY, "roster:r1", sample_review());
        let approve = w.write(COMMUNITY, "roster:r1", sample_approval());
        use Role::*;
        let cases = [
            (
                VillageOfficial,
                COMMUNITY,
                [true, false, true, false, false],
            ),
            (
                TownshipSupervisor,
                TOWNSHIP,
                [false, false, false, false, false],
            ),
            (TownshipReviewer, TOWNSHIP, [true, false, true, true, false]),
            (DistrictAdmin, DISTRICT, [true, true, false, false, true]),
            (Trainer, DISTRICT, [false; 5]),
            (CityViewer, "50", [false; 5]),
        ];
        for (role, scope, allowed) in cases {
            let me = profile(role, scope);
            for (ev, ok) in [&fact, &rates, &draft, &review, &approve]
                .into_iter()
                .zip(allowed)
            {
                assert_eq!(
                    authorize_event(&me, ev) == Ok(()),
                    ok,
                    "{role:?} {}",
                    ev.body.kind_name()
                );
            }
        }
        assert_eq!(
            authorize_event(&profile(VillageOfficial, "5001001001"), &draft),
            Err(RejectReason::OutOfScope),
            "another village's roster"
        );
        assert!(permits(DistrictAdmin, Action::Roster(RosterStep::Approve)));
        assert!(!permits(TownshipSupervisor, Action::EditQualifications));
        for role in [
            VillageOfficial,
            TownshipSupervisor,
            TownshipReviewer,
            DistrictAdmin,
        ] {
            assert!(
                crate::authz::may_read_event(&profile(role, TOWNSHIP), &draft),
                "{role:?}"
            );
        }
        assert!(!crate::authz::may_read_event(
            &profile(Trainer, TOWNSHIP),
            &draft
        ));
    }

    #[test]
    fn rate_tables_reach_every_unit_below_the_district() {
        let mut w = Writer::new();
        let rates = w.write(DISTRICT, "allowance_rates:5001", sample_rates());
        assert!(may_read_rates(
            &profile(Role::VillageOfficial, COMMUNITY),
            &rates
        ));
        assert!(may_read_rates(&profile(Role::DistrictAdmin, "50"), &rates));
        assert!(!may_read_rates(
            &profile(Role::VillageOfficial, "5002001001"),
            &rates
        ));
        assert!(!may_read_rates(&profile(Role::Trainer, COMMUNITY), &rates));
        let draft = w.write(COMMUNITY, "roster:r1", sample_draft());
        assert!(!may_read_rates(
            &profile(Role::DistrictAdmin, DISTRICT),
            &draft
        ));
    }

    #[test]
    fn entity_ids_and_districts() {
        let person: EntityId = "person:01ARZ3NDEKTSV4RRFFQ69G5FAV".parse().unwrap();
        let file = qualification_entity(&person);
        assert_eq!(file.as_str(), "qualification:01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assert_eq!(person_of(&file), Some(person));
        assert_eq!(
            district_of(&"5099001001".parse().unwrap())
                .unwrap()
                .as_str(),
            "5099"
        );
        assert_eq!(district_of(&"50".parse().unwrap()), None);
        assert_eq!(
            rates_entity(&"5099".parse().unwrap()).as_str(),
            "allowance_rates:5099"
        );
    }
}

#[cfg(test)]
mod sheet_tests {
    use super::tests::*;
    use crate::allowance::roster::Disclosure;
    use crate::allowance::sheet::{COLUMNS, roster_workbook};

    #[test]
    fn the_roster_sheet_has_header_columns_rows_and_totals_in_words() {
        let roster = worked_example_roster();
        let book = roster_workbook(&roster, Disclosure::Masked);
        let sheet = &book.sheets[0];
        assert_eq!(sheet.title[0], "社会工作职业资格津贴发放花名册");
        assert!(
            sheet.title[1].contains("发放期间：2024-04 至 2024-12"),
            "{}",
            sheet.title[1]
        );
        assert_eq!(sheet.columns.len(), COLUMNS.len());
        assert_eq!(sheet.rows[0].len(), COLUMNS.len());
        let csv = sheet.to_csv();
        assert!(csv.contains("高级社会工作师,1人,3300.00"), "{csv}");
        assert!(csv.contains("合计（小写）,1人,3300.00"), "{csv}");
        assert!(csv.contains("合计（大写）,叁仟叁佰元整"), "{csv}");
        assert!(
            csv.contains("5001**********"),
            "ID masked on a screen export"
        );
        assert!(csv.contains("************0001"), "card masked");
        let full = roster_workbook(&roster, Disclosure::Full).sheets[0].to_csv();
        assert!(full.contains("6222020000000001"));
    }
}
