//! The payment roster (发放花名册, domain-spec §3.4) of a 街道/乡镇 for a pay period: header,
//! one row per person paid (ID and bank card masked unless exported to finance), footer with
//! head count per level and the total in figures and capital numerals; the warnings a reviewer
//! sees before approving; the approval steps and who may take them; and the frozen approved
//! roster, against which later corrections become adjustments (补发/扣回).

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::entitlement::{
    Adjustment, AdjustmentKind, AllowanceError, AllowancePolicy, MonthLine, Post, Qualification,
};
use super::level::Level;
use super::period::{Period, YearMonth};
use crate::authz::Role;
use crate::directory::person::IdNumber;
use crate::event::Sex;
use crate::ids::{EntityId, UnitId};
use crate::money::{Fen, capital_numerals};
use crate::training::hours::StudyHours;

/// How a row is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMarker {
    /// 银行代发
    BankTransfer,
    /// 本人签领
    Signature,
}

/// A person to put on a roster: directory facts plus their qualification file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payee {
    pub name: String,
    pub sex: Sex,
    pub id_number: IdNumber,
    /// 社区/村 name.
    pub community: String,
    /// 银行卡/社保卡号.
    pub bank_card: Option<String>,
    pub payment: PaymentMarker,
    pub remarks: String,
    pub qualification: Qualification,
}

/// The roster header (表头).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterHeader {
    /// The 街道/乡镇 whose roster this is; rows are people paid by units within it.
    pub unit: UnitId,
    pub unit_name: String,
    pub period: Period,
    /// 制表人
    pub prepared_by: String,
    /// 审核人 — set by the township review.
    pub reviewed_by: Option<String>,
    /// 单位负责人
    pub unit_head: Option<String>,
    /// 盖章
    pub sealed: bool,
    /// 制表日期; also the day warnings are judged on.
    pub date: NaiveDate,
}

/// Whether personal numbers are shown in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disclosure {
    /// On screen: `5001**********1234`, `************5678`.
    Masked,
    /// Only in the export to finance.
    Full,
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRow {
    pub no: u32,
    pub person: EntityId,
    pub name: String,
    pub sex: Sex,
    id_number: IdNumber,
    pub community: String,
    pub post: Option<Post>,
    pub level: Option<Level>,
    /// 证书管理号 and date.
    pub certificate: Option<(String, NaiveDate)>,
    /// Registration number and validity end.
    pub registration: Option<(String, NaiveDate)>,
    /// First month ever paid at `level`.
    pub start_month: Option<YearMonth>,
    pub monthly_rate: Fen,
    /// Months of the period with a payment on this roster.
    pub months_counted: u32,
    pub amount_due: Fen,
    pub adjustments: Vec<Adjustment>,
    pub net: Fen,
    bank_card: Option<String>,
    pub payment: PaymentMarker,
    pub remarks: String,
    /// The months of the period on this roster: the calculation trace behind the row.
    pub trace: Vec<MonthLine>,
}

/// Bank and social-security cards on screen: only the last 4 digits.
pub fn mask_bank_card(card: &str) -> String {
    let chars: Vec<char> = card.chars().filter(|c| !c.is_whitespace()).collect();
    let keep = chars.len().min(4);
    let mut out = "*".repeat(chars.len() - keep);
    out.extend(&chars[chars.len() - keep..]);
    out
}

impl RosterRow {
    pub fn id_number(&self, disclosure: Disclosure) -> String {
        match disclosure {
            Disclosure::Masked => self.id_number.masked(),
            Disclosure::Full => self.id_number.as_str().to_string(),
        }
    }

    /// `None` when there is no card on file.
    pub fn bank_card(&self, disclosure: Disclosure) -> Option<String> {
        self.bank_card.as_deref().map(|card| match disclosure {
            Disclosure::Masked => mask_bank_card(card),
            Disclosure::Full => card.to_string(),
        })
    }

    /// The adjustment column: `+300.00 2023-12 漏发；-100.00 多发`.
    pub fn adjustments_text(&self) -> String {
        self.adjustments
            .iter()
            .map(|a| {
                let sign = if a.kind == AdjustmentKind::BackPay {
                    "+"
                } else {
                    ""
                };
                format!("{sign}{} {}", a.signed(), a.reason)
            })
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// The footer (表尾).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterFooter {
    /// Head count per level (of the row's level; rows with adjustments only count under none).
    pub head_count: BTreeMap<Level, u32>,
    pub total: Fen,
    /// 大写金额
    pub total_capital: String,
}

/// Something to look at before approving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Registration ends within 3 months of the roster date.
    RegistrationExpiring {
        level: Level,
        valid_until: NaiveDate,
    },
    /// Continuing education in the current registration period is below the level's need.
    ContinuingEducationShort {
        level: Level,
        have: StudyHours,
        need: StudyHours,
        valid_until: NaiveDate,
    },
    MissingBankCard,
    /// Months of the period not paid because of a suspension (考核、处分、无薪休假); a worker
    /// suspended for the whole period has no row (`row` 0) and is listed here all the same.
    Suspended {
        from: YearMonth,
        to: YearMonth,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterWarning {
    pub row: u32,
    pub name: String,
    pub kind: WarningKind,
}

impl RosterWarning {
    pub fn message_zh(&self) -> String {
        let what = match &self.kind {
            &WarningKind::RegistrationExpiring { level, valid_until } => {
                format!(
                    "{}登记将于{valid_until}到期，请提醒办理再登记",
                    level.label_zh()
                )
            }
            &WarningKind::ContinuingEducationShort {
                level,
                have,
                need,
                valid_until,
            } => format!(
                "本登记期（至{valid_until}）继续教育{have}学时，{}需{need}学时",
                level.label_zh()
            ),
            WarningKind::MissingBankCard => "未登记银行卡/社保卡号".into(),
            WarningKind::Suspended { from, to, reason } if from == to => {
                format!("{from}暂停发放：{reason}")
            }
            WarningKind::Suspended { from, to, reason } => {
                format!("{from}至{to}暂停发放：{reason}")
            }
        };
        if self.row == 0 {
            format!("{}（未列入本期名册）：{what}", self.name)
        } else {
            format!("第{}行 {}：{what}", self.row, self.name)
        }
    }
}

/// Where a roster is in its approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterStatus {
    /// 草稿 — prepared by the community or the township desk.
    Draft,
    /// 街道/乡镇已审核
    TownshipReviewed,
    /// 区县已审批 — frozen; see [`ApprovedRoster`].
    DistrictApproved,
}

/// A step of the approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterStep {
    /// 编制/修改草稿
    Prepare,
    /// 街道/乡镇审核
    Review,
    /// 区县审批
    Approve,
    /// 退回修改
    SendBack,
    /// 导出给财务 (full ID and card numbers)
    ExportToFinance,
}

/// Who may take each step (domain-spec §6.2): communities draft, the township reviewer
/// (finance or social-work desk) reviews, the district admin approves and exports. Township
/// supervisors only read the roster. Scope (own unit, own township) is checked by `authz`.
pub fn may_take(role: Role, step: RosterStep) -> bool {
    use Role::*;
    match step {
        RosterStep::Prepare => matches!(role, VillageOfficial | TownshipReviewer),
        RosterStep::Review => role == TownshipReviewer,
        RosterStep::Approve | RosterStep::ExportToFinance => role == DistrictAdmin,
        RosterStep::SendBack => matches!(role, TownshipReviewer | DistrictAdmin),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    #[error("a {role:?} may not {step:?} a roster")]
    NotPermitted { role: Role, step: RosterStep },
    #[error("a roster in status {status:?} cannot be {step:?}ed")]
    WrongStatus {
        status: RosterStatus,
        step: RosterStep,
    },
    /// The district approved it: it is frozen, later changes go on the next roster.
    #[error("the roster is approved and frozen; corrections go on the next roster")]
    Frozen,
}

impl RosterError {
    pub fn message_zh(&self) -> String {
        match self {
            RosterError::NotPermitted { role, .. } => {
                format!("{}无权进行此操作", role.label_zh())
            }
            RosterError::WrongStatus {
                status: RosterStatus::TownshipReviewed,
                step: RosterStep::Prepare,
            } => "名册已经街道/乡镇审核，不能修改；如需修改，请审核人先退回".into(),
            RosterError::WrongStatus { .. } => "名册当前状态不允许此操作".into(),
            RosterError::Frozen => {
                "名册已经区县审批并冻结，不能修改；如需更正，请在下一期名册中补发或扣回".into()
            }
        }
    }
}

/// A roster before district approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub header: RosterHeader,
    /// Rate table versions used in the period.
    pub rate_versions: Vec<String>,
    pub rows: Vec<RosterRow>,
    pub footer: RosterFooter,
    pub warnings: Vec<RosterWarning>,
    pub status: RosterStatus,
}

impl Roster {
    /// Computes a draft roster for `header.unit` and `header.period`. People appear for the
    /// months in which a unit within the township pays them, and for adjustments paid in the
    /// period while they belong to it.
    pub fn draft(
        header: RosterHeader,
        payees: &[Payee],
        policy: &AllowancePolicy,
    ) -> Result<Roster, AllowanceError> {
        let period = header.period;
        let mut rows = vec![];
        let mut warnings = vec![];
        for payee in payees {
            let q = &payee.qualification;
            let history = policy.history(q, period.to())?;
            let trace: Vec<MonthLine> = history
                .iter()
                .filter(|m| period.contains(m.month))
                .filter(|m| m.amount != Fen::ZERO)
                .filter(|m| m.unit.as_ref().is_some_and(|u| u.is_within(&header.unit)))
                .cloned()
                .collect();
            let adjustments: Vec<Adjustment> = q
                .adjustments
                .iter()
                .filter(|a| period.contains(a.pay_month))
                .filter(|a| unit_at(q, a.pay_month).is_some_and(|u| u.is_within(&header.unit)))
                .cloned()
                .collect();
            let suspended = suspended_warnings(payee, policy, &history, &header);
            if trace.is_empty() && adjustments.is_empty() {
                warnings.extend(suspended);
                continue;
            }
            let no = rows.len() as u32 + 1;
            let last = trace.last();
            let level = last.and_then(|m| m.level);
            let amount_due = Fen::checked_sum(trace.iter().map(|m| m.amount))?;
            let net = amount_due.checked_add(Fen::checked_sum(
                adjustments.iter().map(Adjustment::signed),
            )?)?;
            let on = period.to().last_day();
            let registration = level.and_then(|l| latest_registration(q, l, on));
            rows.push(RosterRow {
                no,
                person: q.person.clone(),
                name: payee.name.clone(),
                sex: payee.sex,
                id_number: payee.id_number.clone(),
                community: payee.community.clone(),
                post: post_at(q, period.to()),
                level,
                certificate: level
                    .and_then(|l| q.certificate(l))
                    .map(|c| (c.number.clone(), c.obtained_on)),
                registration: registration.map(|r| (r.number.clone(), r.valid_until)),
                start_month: level.and_then(|l| {
                    history
                        .iter()
                        .find(|m| m.level == Some(l) && m.amount > Fen::ZERO)
                        .map(|m| m.month)
                }),
                monthly_rate: last.map_or(Fen::ZERO, |m| m.rate),
                months_counted: trace.len() as u32,
                amount_due,
                adjustments,
                net,
                bank_card: payee.bank_card.clone(),
                payment: payee.payment,
                remarks: payee.remarks.clone(),
                trace,
            });
            warnings.extend(row_warnings(payee, no, level, header.date));
            warnings.extend(
                suspended
                    .into_iter()
                    .map(|w| RosterWarning { row: no, ..w }),
            );
        }
        let footer = footer(&rows)?;
        let mut rate_versions: Vec<String> = period
            .months()
            .filter_map(|m| policy.rates.in_force(m).map(|t| t.version.clone()))
            .collect();
        rate_versions.dedup();
        Ok(Roster {
            header,
            rate_versions,
            rows,
            footer,
            warnings,
            status: RosterStatus::Draft,
        })
    }

    /// 街道/乡镇审核: Draft → TownshipReviewed, recording the reviewer.
    pub fn review(&mut self, role: Role, reviewer: &str) -> Result<(), RosterError> {
        self.check(role, RosterStep::Review, RosterStatus::Draft)?;
        self.header.reviewed_by = Some(reviewer.into());
        self.status = RosterStatus::TownshipReviewed;
        Ok(())
    }

    /// 退回: TownshipReviewed → Draft.
    pub fn send_back(&mut self, role: Role) -> Result<(), RosterError> {
        self.check(role, RosterStep::SendBack, RosterStatus::TownshipReviewed)?;
        self.header.reviewed_by = None;
        self.status = RosterStatus::Draft;
        Ok(())
    }

    /// 区县审批: a reviewed roster becomes a frozen [`ApprovedRoster`].
    pub fn approve(
        &self,
        role: Role,
        approved_by: &str,
        on: NaiveDate,
    ) -> Result<ApprovedRoster, RosterError> {
        self.check(role, RosterStep::Approve, RosterStatus::TownshipReviewed)?;
        let mut roster = self.clone();
        roster.status = RosterStatus::DistrictApproved;
        Ok(ApprovedRoster {
            roster,
            approved_by: approved_by.into(),
            approved_on: on,
        })
    }

    fn check(&self, role: Role, step: RosterStep, from: RosterStatus) -> Result<(), RosterError> {
        if !may_take(role, step) {
            return Err(RosterError::NotPermitted { role, step });
        }
        if self.status != from {
            return Err(RosterError::WrongStatus {
                status: self.status,
                step,
            });
        }
        Ok(())
    }
}

/// An approved roster. It cannot change: later corrections are computed against it as
/// adjustments paid in a later month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovedRoster {
    roster: Roster,
    pub approved_by: String,
    pub approved_on: NaiveDate,
}

/// A row of the export to finance: full numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinanceRow {
    pub no: u32,
    pub name: String,
    pub id_number: String,
    pub bank_card: Option<String>,
    pub net: Fen,
}

impl ApprovedRoster {
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// The reference adjustments cite: `名册 {unit} {period}`.
    pub fn reference(&self) -> String {
        format!(
            "名册 {} {}",
            self.roster.header.unit, self.roster.header.period
        )
    }

    /// The export to finance, with full ID and card numbers — district admins only.
    pub fn finance_export(&self, role: Role) -> Result<Vec<FinanceRow>, RosterError> {
        if !may_take(role, RosterStep::ExportToFinance) {
            return Err(RosterError::NotPermitted {
                role,
                step: RosterStep::ExportToFinance,
            });
        }
        Ok(self
            .roster
            .rows
            .iter()
            .map(|r| FinanceRow {
                no: r.no,
                name: r.name.clone(),
                id_number: r.id_number(Disclosure::Full),
                bank_card: r.bank_card(Disclosure::Full),
                net: r.net,
            })
            .collect())
    }

    /// Compares a fresh computation of the same roster (after a late record or correction)
    /// with what was approved: one 补发 or 扣回 per person whose month amounts changed, to be
    /// paid in `pay_month`, citing this roster and the months that changed.
    pub fn corrections(
        &self,
        recomputed: &Roster,
        pay_month: YearMonth,
    ) -> Vec<(EntityId, Adjustment)> {
        let months = |roster: &Roster| -> BTreeMap<(EntityId, YearMonth), Fen> {
            roster
                .rows
                .iter()
                .flat_map(|r| {
                    r.trace
                        .iter()
                        .map(move |m| ((r.person.clone(), m.month), m.amount))
                })
                .collect()
        };
        let (before, after) = (months(&self.roster), months(recomputed));
        let mut per_person: BTreeMap<EntityId, (i64, Vec<YearMonth>)> = BTreeMap::new();
        for key in before.keys().chain(after.keys()) {
            let old = before.get(key).copied().unwrap_or_default();
            let new = after.get(key).copied().unwrap_or_default();
            let entry = per_person.entry(key.0.clone()).or_default();
            if old != new && !entry.1.contains(&key.1) {
                entry.0 += new.0 - old.0;
                entry.1.push(key.1);
            }
        }
        per_person
            .into_iter()
            .filter(|(_, (diff, _))| *diff != 0)
            .map(|(person, (diff, mut changed))| {
                changed.sort();
                let list: Vec<String> = changed.iter().map(YearMonth::to_string).collect();
                let adjustment = Adjustment {
                    pay_month,
                    kind: if diff > 0 {
                        AdjustmentKind::BackPay
                    } else {
                        AdjustmentKind::Recovery
                    },
                    amount: Fen(diff.abs()),
                    reason: format!("名册批准后更正：{}", list.join("、")),
                    reference: self.reference(),
                };
                (person, adjustment)
            })
            .collect()
    }
}

fn footer(rows: &[RosterRow]) -> Result<RosterFooter, AllowanceError> {
    let mut head_count = BTreeMap::new();
    for level in rows.iter().filter_map(|r| r.level) {
        *head_count.entry(level).or_insert(0) += 1;
    }
    let total = Fen::checked_sum(rows.iter().map(|r| r.net))?;
    Ok(RosterFooter {
        head_count,
        total,
        total_capital: capital_numerals(total),
    })
}

/// The unit holding the person at the end of `month` (latest appointment on or before it).
fn unit_at(q: &Qualification, month: YearMonth) -> Option<&UnitId> {
    q.posts
        .iter()
        .filter(|t| t.appointed_on <= month.last_day())
        .max_by_key(|t| t.appointed_on)
        .map(|t| &t.unit)
}

fn post_at(q: &Qualification, month: YearMonth) -> Option<Post> {
    q.posts
        .iter()
        .filter(|t| t.appointed_on <= month.last_day())
        .max_by_key(|t| t.appointed_on)
        .map(|t| t.post)
}

fn latest_registration(
    q: &Qualification,
    level: Level,
    on: NaiveDate,
) -> Option<&super::entitlement::Registration> {
    q.registration_on(level, on).or_else(|| {
        q.registrations
            .iter()
            .filter(|r| r.level == level)
            .max_by_key(|r| r.valid_until)
    })
}

/// One warning per suspension that takes months of this roster's period away from a payee
/// while a unit of the roster pays them (`row` 0: filled in by the caller if they have a row).
fn suspended_warnings(
    payee: &Payee,
    policy: &AllowancePolicy,
    history: &[MonthLine],
    header: &RosterHeader,
) -> Vec<RosterWarning> {
    let months: Vec<&MonthLine> = history
        .iter()
        .filter(|m| header.period.contains(m.month))
        .filter(|m| m.unit.as_ref().is_some_and(|u| u.is_within(&header.unit)))
        .collect();
    policy
        .suspensions(&payee.qualification)
        .into_iter()
        .filter_map(|s| {
            let hit: Vec<YearMonth> = months
                .iter()
                .map(|m| m.month)
                .filter(|m| s.covers(*m))
                .collect();
            Some(RosterWarning {
                row: 0,
                name: payee.name.clone(),
                kind: WarningKind::Suspended {
                    from: *hit.first()?,
                    to: *hit.last()?,
                    reason: s.reason_zh(),
                },
            })
        })
        .collect()
}

fn row_warnings(
    payee: &Payee,
    row: u32,
    level: Option<Level>,
    as_of: NaiveDate,
) -> Vec<RosterWarning> {
    let warn = |kind| RosterWarning {
        row,
        name: payee.name.clone(),
        kind,
    };
    let mut out = vec![];
    let q = &payee.qualification;
    if let Some(level) = level.filter(|l| l.is_registered())
        && let Some(reg) = q.registration_on(level, as_of)
    {
        if reg.valid_until <= as_of + Months::new(3) {
            out.push(warn(WarningKind::RegistrationExpiring {
                level,
                valid_until: reg.valid_until,
            }));
        }
        if let Some(need) = level.continuing_education_required() {
            let have = q.continuing_education_in(reg);
            if have < need {
                out.push(warn(WarningKind::ContinuingEducationShort {
                    level,
                    have,
                    need,
                    valid_until: reg.valid_until,
                }));
            }
        }
    }
    if payee.payment == PaymentMarker::BankTransfer
        && payee
            .bank_card
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
    {
        out.push(warn(WarningKind::MissingBankCard));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allowance::entitlement::tests::{d, period, policy, qualify, worker, ym};
    use crate::allowance::entitlement::{ContinuingEducation, Registration};
    use crate::allowance::rates::Proration;
    use crate::directory::person::check_digit;

    const TOWNSHIP: &str = "5001001";

    fn id_number(serial: u32) -> IdNumber {
        let first17 = format!("50010119900101{serial:03}");
        let check = check_digit(first17.as_bytes().try_into().unwrap());
        IdNumber::parse(&format!("{first17}{check}"), d(2025, 1, 1)).unwrap()
    }

    fn payee(n: u32, level: Level, qualified_on: NaiveDate) -> Payee {
        let mut q = worker(&format!("p{n}"));
        qualify(&mut q, level, qualified_on);
        q.continuing_education.push(ContinuingEducation {
            on: qualified_on,
            hours: StudyHours::hours(90),
            what: "继续教育".into(),
        });
        Payee {
            name: format!("人员{n}"),
            sex: Sex::Female,
            id_number: id_number(n),
            community: "桂花社区".into(),
            bank_card: Some(format!("6222 0200 0000 {n:04}")),
            payment: PaymentMarker::BankTransfer,
            remarks: String::new(),
            qualification: q,
        }
    }

    fn header(from: &str, to: &str, date: NaiveDate) -> RosterHeader {
        RosterHeader {
            unit: TOWNSHIP.parse().unwrap(),
            unit_name: "某某街道".into(),
            period: period(from, to),
            prepared_by: "张三".into(),
            reviewed_by: None,
            unit_head: Some("李四".into()),
            sealed: false,
            date,
        }
    }

    fn three_payees() -> Vec<Payee> {
        vec![
            payee(1, Level::SwIntermediate, d(2023, 1, 1)),
            payee(2, Level::SwIntermediate, d(2023, 2, 1)),
            payee(3, Level::SwSenior, d(2023, 3, 1)),
        ]
    }

    fn draft(payees: &[Payee]) -> Roster {
        Roster::draft(
            header("2024-01", "2024-03", d(2024, 4, 5)),
            payees,
            &policy(Proration::FirstDay),
        )
        .unwrap()
    }

    #[test]
    fn roster_totals_per_level_and_grand_total() {
        let mut payees = three_payees();
        payees[0].qualification.adjustments.push(Adjustment {
            pay_month: ym("2024-02"),
            kind: AdjustmentKind::Recovery,
            amount: Fen(5),
            reason: "多发".into(),
            reference: "X".into(),
        });
        let roster = draft(&payees);
        let nets: Vec<String> = roster.rows.iter().map(|r| r.net.to_string()).collect();
        assert_eq!(nets, ["899.95", "900.00", "1500.00"]);
        assert_eq!(roster.rows[0].amount_due, Fen::yuan(900));
        assert_eq!(roster.rows[0].adjustments_text(), "-0.05 多发");
        assert_eq!(roster.rows[2].months_counted, 3);
        assert_eq!(roster.rows[2].monthly_rate, Fen::yuan(500));
        assert_eq!(roster.rows[2].start_month, Some(ym("2023-04")));
        assert_eq!(
            roster.footer.head_count,
            BTreeMap::from([(Level::SwIntermediate, 2), (Level::SwSenior, 1)])
        );
        assert_eq!(roster.footer.total, Fen(329995));
        assert_eq!(roster.footer.total_capital, "叁仟贰佰玖拾玖元玖角伍分");
        assert_eq!(roster.rate_versions, ["CQ-DEFAULT"]);
        assert_eq!(roster.status, RosterStatus::Draft);
    }

    #[test]
    fn id_and_bank_card_are_masked_on_screen() {
        let roster = draft(&three_payees());
        let row = &roster.rows[0];
        assert_eq!(
            row.id_number(Disclosure::Masked),
            mask_for_test(&row.id_number(Disclosure::Full))
        );
        assert!(row.id_number(Disclosure::Masked).contains("**********"));
        assert_eq!(
            row.bank_card(Disclosure::Masked).unwrap(),
            "************0001"
        );
        assert_eq!(
            row.bank_card(Disclosure::Full).unwrap(),
            "6222 0200 0000 0001"
        );
    }

    fn mask_for_test(full: &str) -> String {
        format!("{}**********{}", &full[..4], &full[14..])
    }

    #[test]
    fn full_numbers_only_in_the_finance_export_by_the_district_admin() {
        let mut roster = draft(&three_payees());
        roster.review(Role::TownshipReviewer, "王审核").unwrap();
        let approved = roster
            .approve(Role::DistrictAdmin, "赵审批", d(2024, 4, 10))
            .unwrap();
        let export = approved.finance_export(Role::DistrictAdmin).unwrap();
        assert_eq!(export[0].id_number, id_number(1).as_str());
        assert_eq!(export[0].bank_card.as_deref(), Some("6222 0200 0000 0001"));
        for role in [
            Role::TownshipReviewer,
            Role::VillageOfficial,
            Role::CityViewer,
        ] {
            assert!(approved.finance_export(role).is_err(), "{role:?}");
        }
    }

    #[test]
    fn roster_moves_draft_reviewed_approved_by_the_right_roles_only() {
        let mut roster = draft(&three_payees());
        assert_eq!(
            roster.review(Role::VillageOfficial, "x"),
            Err(RosterError::NotPermitted {
                role: Role::VillageOfficial,
                step: RosterStep::Review
            })
        );
        assert!(
            roster.review(Role::TownshipSupervisor, "x").is_err(),
            "supervisors only read"
        );
        assert_eq!(
            roster
                .approve(Role::DistrictAdmin, "x", d(2024, 4, 10))
                .unwrap_err(),
            RosterError::WrongStatus {
                status: RosterStatus::Draft,
                step: RosterStep::Approve
            },
            "not before the township review"
        );
        roster.review(Role::TownshipReviewer, "王审核").unwrap();
        assert_eq!(roster.header.reviewed_by.as_deref(), Some("王审核"));
        assert!(
            roster
                .approve(Role::TownshipReviewer, "x", d(2024, 4, 10))
                .is_err()
        );
        roster.send_back(Role::DistrictAdmin).unwrap();
        assert_eq!(roster.status, RosterStatus::Draft);
        roster.review(Role::TownshipReviewer, "王审核").unwrap();
        let approved = roster
            .approve(Role::DistrictAdmin, "赵审批", d(2024, 4, 10))
            .unwrap();
        assert_eq!(approved.roster().status, RosterStatus::DistrictApproved);
        for role in Role::ALL {
            let expected = matches!(role, Role::VillageOfficial | Role::TownshipReviewer);
            assert_eq!(may_take(role, RosterStep::Prepare), expected, "{role:?}");
        }
    }

    #[test]
    fn warns_when_registration_expires_within_three_months() {
        // Registered 2021-07-01 → valid until 2024-06-30; roster dated 2024-03-30 and 2024-03-31.
        let payees = vec![payee(1, Level::SwIntermediate, d(2021, 7, 1))];
        let warned = |date| {
            Roster::draft(
                header("2024-03", "2024-03", date),
                &payees,
                &policy(Proration::FirstDay),
            )
            .unwrap()
            .warnings
            .iter()
            .any(|w| matches!(w.kind, WarningKind::RegistrationExpiring { .. }))
        };
        assert!(!warned(d(2024, 3, 29)), "3 months and a day before");
        assert!(warned(d(2024, 3, 30)), "exactly 3 months before");
        assert!(warned(d(2024, 6, 30)), "the last day");
    }

    #[test]
    fn warns_when_continuing_education_is_short_and_when_the_bank_card_is_missing() {
        let mut payees = three_payees();
        payees[1].qualification.continuing_education[0].hours = StudyHours::from_tenths(899);
        payees[2].bank_card = None;
        let roster = draft(&payees);
        let messages: Vec<String> = roster
            .warnings
            .iter()
            .map(RosterWarning::message_zh)
            .collect();
        assert_eq!(
            messages,
            [
                "第2行 人员2：本登记期（至2026-01-31）继续教育89.9学时，社会工作师需90学时",
                "第3行 人员3：未登记银行卡/社保卡号",
            ]
        );
    }

    #[test]
    fn assistants_need_72_hours_of_continuing_education() {
        let mut payees = vec![payee(1, Level::SwAssistant, d(2023, 1, 1))];
        payees[0].qualification.continuing_education[0].hours = StudyHours::hours(72);
        assert!(draft(&payees).warnings.is_empty());
        payees[0].qualification.continuing_education[0].hours = StudyHours::from_tenths(719);
        assert_eq!(draft(&payees).warnings.len(), 1);
    }

    #[test]
    fn a_transfer_between_townships_splits_the_months_between_rosters() {
        let mut payees = three_payees();
        payees.truncate(1);
        payees[0].qualification.transfer(
            d(2024, 2, 10),
            "5001002003".parse().unwrap(),
            Post::CommunityStaff,
        );
        let here = draft(&payees);
        assert_eq!(here.rows[0].months_counted, 2, "January and February");
        let mut there_header = header("2024-01", "2024-03", d(2024, 4, 5));
        there_header.unit = "5001002".parse().unwrap();
        let there = Roster::draft(there_header, &payees, &policy(Proration::FirstDay)).unwrap();
        assert_eq!(there.rows[0].months_counted, 1, "March");
        assert_eq!(there.rows[0].trace[0].month, ym("2024-03"));
    }

    #[test]
    fn changes_after_approval_become_adjustments() {
        let mut payees = three_payees();
        let mut roster = draft(&payees);
        roster.review(Role::TownshipReviewer, "王").unwrap();
        let approved = roster
            .approve(Role::DistrictAdmin, "赵", d(2024, 4, 10))
            .unwrap();
        // Late news: person 2 retired on 2024-01-31.
        payees[1].qualification.posts[0].left = Some((
            d(2024, 1, 31),
            crate::allowance::entitlement::LeaveReason::Retired,
        ));
        let recomputed = draft(&payees);
        let corrections = approved.corrections(&recomputed, ym("2024-05"));
        assert_eq!(corrections.len(), 1);
        let (person, adj) = &corrections[0];
        assert_eq!(person.as_str(), "person:p2");
        assert_eq!(adj.kind, AdjustmentKind::Recovery);
        assert_eq!(adj.amount, Fen::yuan(600));
        assert_eq!(adj.reason, "名册批准后更正：2024-02、2024-03");
        assert_eq!(adj.reference, "名册 5001001 2024-01 至 2024-03");
        assert_eq!(adj.pay_month, ym("2024-05"));
        // The approved roster itself is unchanged.
        assert_eq!(approved.roster().footer.total, Fen::yuan(3300));
    }

    #[test]
    fn back_pay_after_approval_when_a_district_turns_reregistration_backpay_on() {
        let mut p = policy(Proration::FirstDay);
        let mut q = worker("p9");
        qualify(&mut q, Level::SwAssistant, d(2021, 1, 10)); // expires 2024-01-09
        let renewal: Registration = q.registrations[0].renewal(d(2024, 2, 20), 3);
        q.registrations.push(renewal);
        let mut payees = vec![payee(9, Level::SwAssistant, d(2021, 1, 10))];
        payees[0].qualification = q;
        let h = || header("2024-01", "2024-03", d(2024, 4, 5));
        let mut roster = Roster::draft(h(), &payees, &p).unwrap();
        assert_eq!(roster.rows[0].net, Fen::yuan(400), "January and March");
        roster.review(Role::TownshipReviewer, "王").unwrap();
        let approved = roster
            .approve(Role::DistrictAdmin, "赵", d(2024, 4, 10))
            .unwrap();
        p.rules.backpay_on_reregistration = true;
        let recomputed = Roster::draft(h(), &payees, &p).unwrap();
        let corrections = approved.corrections(&recomputed, ym("2024-06"));
        assert_eq!(corrections[0].1.kind, AdjustmentKind::BackPay);
        assert_eq!(corrections[0].1.amount, Fen::yuan(200));
        assert_eq!(corrections[0].1.reason, "名册批准后更正：2024-02");
    }
}
