//! Who is paid what for which month, and why (domain-spec §3.3): a person's qualification file
//! (certificates, registrations, posts, suspensions, adjustments) folded month by month into a
//! trace a reviewer can read, and `amount(person, period)`.
//!
//! One rule of thumb makes the spec's "from the month after the event" rules and the pro-rating
//! rules agree: **a right begins the day after the event that grants it and ends at the end of
//! the day of the event that takes it away.** With `FIRST_DAY` (paid for month m if entitled on
//! day 1 of m) a certificate, registration, appointment or approval on any day of March starts
//! pay in April, and leaving on any day of June stops pay from July. `CUTOFF_15` looks at the
//! 15th instead; `DAILY` counts entitled days. The level paid for a month is the one in force
//! on the month's first entitled day, so an upgrade always applies from the month after it.
//! Suspensions (assessment, sanction, unpaid leave) are whole months.

use std::collections::BTreeSet;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::level::Level;
use super::period::{Period, YearMonth};
use super::rates::{PaymentType, Proration, RateSchedule};
use crate::ids::{EntityId, EventId, UnitId};
use crate::money::{Fen, MoneyError};
use crate::training::hours::StudyHours;

// ---------------------------------------------------------------------------------------------
// Configuration

/// The configurable rules of §3.3, with the spec's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementRules {
    /// Pay only while a registration (登记) of the level is valid. Default true.
    pub require_registration: bool,
    /// Pay the months of a lapsed registration once the person re-registers. Default false.
    pub backpay_on_reregistration: bool,
    pub proration: Proration,
    /// How long a registration is valid. Default 3 years.
    pub registration_validity_years: u32,
    /// Posts whose holders are paid. Default: the four community posts; village staff only if
    /// the district extends the allowance to them.
    pub eligible_posts: BTreeSet<Post>,
    /// Months a disciplinary sanction suspends pay, from the month after it. Default 12.
    pub sanction_suspension_months: u32,
    /// Unpaid leave longer than this many days suspends pay. Default 30 [T].
    pub unpaid_leave_max_days: u32,
}

impl Default for EntitlementRules {
    fn default() -> Self {
        EntitlementRules {
            require_registration: true,
            backpay_on_reregistration: false,
            proration: Proration::FirstDay,
            registration_validity_years: 3,
            eligible_posts: [
                Post::SecretaryDirector,
                Post::Deputy,
                Post::CommitteeMember,
                Post::CommunityStaff,
            ]
            .into(),
            sanction_suspension_months: 12,
            unpaid_leave_max_days: 30,
        }
    }
}

impl EntitlementRules {
    /// Annual assessment 不合格/不称职 for `year`, decided on `decided_on`: no pay for the
    /// following year, and never before the month after the decision.
    pub fn assessment_failed(
        &self,
        year: i32,
        decided_on: NaiveDate,
        reference: &str,
    ) -> Suspension {
        let next_year = YearMonth::new(year + 1, 1).expect("a representable year");
        Suspension {
            kind: SuspensionKind::AssessmentFailed,
            from: next_year.max(YearMonth::after(decided_on)),
            to: YearMonth::new(year + 1, 12).expect("a representable year"),
            reference: reference.into(),
            detail: None,
        }
    }

    /// A disciplinary sanction on `on`: no pay for `sanction_suspension_months` from the month after.
    pub fn sanctioned(&self, on: NaiveDate, reference: &str) -> Suspension {
        let from = YearMonth::after(on);
        let months = self.sanction_suspension_months.max(1);
        let to = YearMonth::of(from.first_day() + Months::new(months - 1));
        Suspension {
            kind: SuspensionKind::Sanction,
            from,
            to,
            reference: reference.into(),
            detail: None,
        }
    }

    /// Unpaid leave from `first` to `last` day (both included). Longer than
    /// `unpaid_leave_max_days`: no pay from the month after it began through the month it ends.
    /// Shorter leave, or long leave within one calendar month, changes nothing (`None`).
    pub fn unpaid_leave(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        reference: &str,
    ) -> Option<Suspension> {
        let days = days_between(first, last);
        let (from, to) = (YearMonth::after(first), YearMonth::of(last));
        (days > i64::from(self.unpaid_leave_max_days) && from <= to).then(|| Suspension {
            kind: SuspensionKind::UnpaidLeave,
            from,
            to,
            reference: reference.into(),
            detail: None,
        })
    }

    /// The months a recorded suspension takes away under these rules, with the reason the
    /// trace shows; `None` when it suspends nothing (cancelled, or leave not long enough).
    pub fn suspension(&self, record: &SuspensionRecord) -> Option<Suspension> {
        if record.cancelled.is_some() {
            return None;
        }
        let reference = record.reference.as_str();
        let (mut s, detail) = match record.cause {
            SuspensionCause::AssessmentFailed {
                year,
                grade,
                decided_on,
            } => (
                self.assessment_failed(year, decided_on, reference),
                format!("{year}年度考核{}，暂停发放", grade.label_zh()),
            ),
            SuspensionCause::Sanction { on } => (
                self.sanctioned(on, reference),
                format!(
                    "{on}受处分，暂停发放{}个月",
                    self.sanction_suspension_months.max(1)
                ),
            ),
            SuspensionCause::UnpaidLeave { from, to } => (
                self.unpaid_leave(from, to, reference)?,
                format!(
                    "无薪休假{from}至{to}共{}天（超过{}天），暂停发放",
                    days_between(from, to),
                    self.unpaid_leave_max_days
                ),
            ),
        };
        s.detail = Some(detail);
        Some(s)
    }
}

// ---------------------------------------------------------------------------------------------
// The qualification file

/// A post in a community or village (2025 Chongqing post types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// 党组织书记兼居委会主任
    SecretaryDirector,
    /// 副书记 / 副主任
    Deputy,
    /// 其他专职"两委"成员
    CommitteeMember,
    /// 专职社区工作人员
    CommunityStaff,
    /// 村干部 / 村专职工作人员 — paid only where the district extends the allowance.
    VillageStaff,
}

impl Post {
    pub fn label_zh(self) -> &'static str {
        match self {
            Post::SecretaryDirector => "书记、主任",
            Post::Deputy => "副书记、副主任",
            Post::CommitteeMember => "两委委员",
            Post::CommunityStaff => "专职社区工作者",
            Post::VillageStaff => "村专职工作人员",
        }
    }
}

/// Why someone left a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// 辞职
    Resigned,
    /// 辞退 / 免职
    Dismissed,
    /// 合同期满
    ContractEnded,
    /// 退休
    Retired,
    /// 死亡
    Died,
    /// 调动 — within the district; the next post follows without a break.
    Transferred,
}

impl LeaveReason {
    pub fn label_zh(self) -> &'static str {
        match self {
            LeaveReason::Resigned => "辞职",
            LeaveReason::Dismissed => "辞退/免职",
            LeaveReason::ContractEnded => "合同期满",
            LeaveReason::Retired => "退休",
            LeaveReason::Died => "死亡",
            LeaveReason::Transferred => "调动",
        }
    }
}

/// Holding a post in a unit from `appointed_on` (pay from the next day) until `left`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostTerm {
    pub unit: UnitId,
    pub post: Post,
    pub appointed_on: NaiveDate,
    /// Last day in post and why.
    pub left: Option<(NaiveDate, LeaveReason)>,
}

impl PostTerm {
    fn covers(&self, day: NaiveDate) -> bool {
        self.appointed_on < day && self.left.is_none_or(|(last, _)| day <= last)
    }
}

/// 职业资格证书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub level: Level,
    /// 证书管理号
    pub number: String,
    /// 取得证书日期
    pub obtained_on: NaiveDate,
    /// 证书被撤销 — pay stops from the month after.
    pub revoked_on: Option<NaiveDate>,
}

impl Certificate {
    fn held_on(&self, day: NaiveDate) -> bool {
        self.obtained_on < day && self.revoked_on.is_none_or(|r| day <= r)
    }
}

/// One registration (登记) of a level, first or renewed. Pay is covered from the day after
/// `registered_on` to `valid_until`; `valid_from` starts the period continuing education counts in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub level: Level,
    pub number: String,
    pub registered_on: NaiveDate,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

impl Registration {
    /// 首次登记 on `on`, valid for `years` (to the day before the anniversary).
    pub fn first(level: Level, number: &str, on: NaiveDate, years: u32) -> Registration {
        Registration {
            level,
            number: number.into(),
            registered_on: on,
            valid_from: on,
            valid_until: years_later(on, years),
        }
    }

    /// 再登记 on `on`. On time (by the expiry day) it runs on from the old expiry; after a
    /// lapse it runs from `on`.
    pub fn renewal(&self, on: NaiveDate, years: u32) -> Registration {
        let start = if on <= self.valid_until {
            self.valid_until.succ_opt().expect("a representable date")
        } else {
            on
        };
        Registration {
            level: self.level,
            number: self.number.clone(),
            registered_on: on,
            valid_from: start,
            valid_until: years_later(start, years),
        }
    }

    fn covers(&self, day: NaiveDate) -> bool {
        self.registered_on < day && day <= self.valid_until
    }
}

fn years_later(start: NaiveDate, years: u32) -> NaiveDate {
    (start + Months::new(12 * years))
        .pred_opt()
        .expect("a representable date")
}

/// Continuing-education hours (继续教育学时) earned on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContinuingEducation {
    pub on: NaiveDate,
    pub hours: StudyHours,
    pub what: String,
}

/// Why pay is suspended for whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionKind {
    /// 年度考核不合格/不称职
    AssessmentFailed,
    /// 受处分
    Sanction,
    /// 长期无薪休假
    UnpaidLeave,
}

impl SuspensionKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            SuspensionKind::AssessmentFailed => "年度考核不合格，暂停发放",
            SuspensionKind::Sanction => "受处分，暂停发放",
            SuspensionKind::UnpaidLeave => "长期无薪休假，暂停发放",
        }
    }
}

/// No pay for the months `from`..=`to`. Make these with the `EntitlementRules` helpers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub kind: SuspensionKind,
    pub from: YearMonth,
    pub to: YearMonth,
    /// The decision it rests on (文号 or record id).
    pub reference: String,
    /// What the trace says instead of the kind's label (the year, date or days it rests on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Suspension {
    pub fn covers(&self, month: YearMonth) -> bool {
        self.from <= month && month <= self.to
    }

    /// The reason a suspended month shows in the trace.
    pub fn reason_zh(&self) -> String {
        format!(
            "{}（{}）",
            self.detail.as_deref().unwrap_or(self.kind.label_zh()),
            self.reference
        )
    }
}

/// 年度考核结果 that suspends the allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentGrade {
    /// 不合格
    Unqualified,
    /// 不称职
    Incompetent,
}

impl AssessmentGrade {
    pub fn label_zh(self) -> &'static str {
        match self {
            AssessmentGrade::Unqualified => "不合格",
            AssessmentGrade::Incompetent => "不称职",
        }
    }
}

/// What a recorded suspension rests on; the months follow from the rules in force
/// (`EntitlementRules::suspension`), so a district changing them changes every record alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum SuspensionCause {
    /// 年度考核不合格/不称职 for `year`, decided on `decided_on`.
    AssessmentFailed {
        year: i32,
        grade: AssessmentGrade,
        decided_on: NaiveDate,
    },
    /// 受处分 on `on`.
    Sanction { on: NaiveDate },
    /// 无薪休假 from `from` to `to` (both days included).
    UnpaidLeave { from: NaiveDate, to: NaiveDate },
}

/// A suspension as recorded in the qualification file (one event each), and whether it was
/// cancelled as wrongly recorded (撤销误录, with the reason). A cancelled record suspends nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionRecord {
    /// The event that recorded it (what a cancellation names).
    pub id: EventId,
    pub cause: SuspensionCause,
    pub reference: String,
    pub cancelled: Option<String>,
}

impl SuspensionRecord {
    pub fn kind(&self) -> SuspensionKind {
        match self.cause {
            SuspensionCause::AssessmentFailed { .. } => SuspensionKind::AssessmentFailed,
            SuspensionCause::Sanction { .. } => SuspensionKind::Sanction,
            SuspensionCause::UnpaidLeave { .. } => SuspensionKind::UnpaidLeave,
        }
    }

    /// What was recorded, in a line: 2024年度考核不称职（认定日期2025-01-20）.
    pub fn describe_zh(&self) -> String {
        match self.cause {
            SuspensionCause::AssessmentFailed {
                year,
                grade,
                decided_on,
            } => format!("{year}年度考核{}（认定日期{decided_on}）", grade.label_zh()),
            SuspensionCause::Sanction { on } => format!("{on}受处分"),
            SuspensionCause::UnpaidLeave { from, to } => {
                format!("无薪休假{from}至{to}（{}天）", days_between(from, to))
            }
        }
    }

    /// Its effect under `rules`: the months suspended, or why it suspends nothing.
    pub fn effect_zh(&self, rules: &EntitlementRules) -> String {
        if let Some(reason) = &self.cancelled {
            return format!("已撤销：{reason}");
        }
        match rules.suspension(self) {
            Some(s) if s.from == s.to => format!("暂停发放{}", s.from),
            Some(s) => format!("暂停发放{}至{}", s.from, s.to),
            None => format!("未超过{}天，不暂停发放", rules.unpaid_leave_max_days),
        }
    }
}

fn days_between(first: NaiveDate, last: NaiveDate) -> i64 {
    (last - first).num_days() + 1
}

/// 补发 or 扣回.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// 补发 — paid in addition.
    BackPay,
    /// 扣回 — recovered.
    Recovery,
}

impl AdjustmentKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            AdjustmentKind::BackPay => "补发",
            AdjustmentKind::Recovery => "扣回",
        }
    }
}

/// An explicit line paid (or recovered) in `pay_month`, outside the month-by-month rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub pay_month: YearMonth,
    pub kind: AdjustmentKind,
    /// Always positive; `kind` gives the sign.
    pub amount: Fen,
    /// Why, in Chinese, e.g. "名册批准后更正：2024-05".
    pub reason: String,
    /// Approved roster, decision or voucher it rests on.
    pub reference: String,
}

impl Adjustment {
    /// + for back-pay, − for recovery.
    pub fn signed(&self) -> Fen {
        match self.kind {
            AdjustmentKind::BackPay => self.amount,
            AdjustmentKind::Recovery => Fen(-self.amount.0),
        }
    }
}

/// Everything that decides one person's allowance (资格档案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    pub person: EntityId,
    pub certificates: Vec<Certificate>,
    pub registrations: Vec<Registration>,
    pub continuing_education: Vec<ContinuingEducation>,
    /// In time order; a transfer is one term ending (`Transferred`) the day the next begins.
    pub posts: Vec<PostTerm>,
    /// Date the allowance application was approved (审批).
    pub approved_on: Option<NaiveDate>,
    /// Suspensions given as months (tests, imports); recorded ones are `suspension_records`.
    pub suspensions: Vec<Suspension>,
    /// Suspensions as recorded (考核、处分、无薪休假), turned into months by the rules.
    #[serde(default)]
    pub suspension_records: Vec<SuspensionRecord>,
    pub adjustments: Vec<Adjustment>,
}

impl Qualification {
    pub fn new(person: EntityId) -> Qualification {
        Qualification {
            person,
            certificates: vec![],
            registrations: vec![],
            continuing_education: vec![],
            posts: vec![],
            approved_on: None,
            suspensions: vec![],
            suspension_records: vec![],
            adjustments: vec![],
        }
    }

    /// Ends the current post on `on` as a transfer and starts `post` in `unit` the same day:
    /// no break in pay; the new unit pays from the next whole month.
    pub fn transfer(&mut self, on: NaiveDate, unit: UnitId, post: Post) {
        if let Some(current) = self.posts.iter_mut().find(|t| t.left.is_none()) {
            current.left = Some((on, LeaveReason::Transferred));
        }
        self.posts.push(PostTerm {
            unit,
            post,
            appointed_on: on,
            left: None,
        });
    }

    /// The registration of `level` valid on `day`, if any (latest first).
    pub fn registration_on(&self, level: Level, day: NaiveDate) -> Option<&Registration> {
        self.registrations
            .iter()
            .filter(|r| r.level == level && r.registered_on <= day && day <= r.valid_until)
            .max_by_key(|r| r.valid_until)
    }

    /// The certificate of `level` (latest obtained).
    pub fn certificate(&self, level: Level) -> Option<&Certificate> {
        self.certificates
            .iter()
            .filter(|c| c.level == level)
            .max_by_key(|c| c.obtained_on)
    }

    /// Continuing-education hours earned in a registration's period (`valid_from..=valid_until`).
    pub fn continuing_education_in(&self, registration: &Registration) -> StudyHours {
        self.continuing_education
            .iter()
            .filter(|c| registration.valid_from <= c.on && c.on <= registration.valid_until)
            .map(|c| c.hours)
            .sum()
    }

    fn registered(&self, level: Level, day: NaiveDate, rules: &EntitlementRules) -> bool {
        let of_level = || self.registrations.iter().filter(|r| r.level == level);
        if of_level().any(|r| r.covers(day)) {
            return true;
        }
        // With back-pay, a gap between a lapsed registration and a later one counts as covered.
        rules.backpay_on_reregistration
            && of_level().any(|r| r.valid_until < day)
            && of_level().any(|r| r.registered_on >= day)
    }

    /// Entitled on `day` (at which level, paid by which unit) or the first bar found.
    fn standing_on(
        &self,
        day: NaiveDate,
        rules: &EntitlementRules,
    ) -> Result<(Level, &UnitId), Bar> {
        let Some(term) = self.posts.iter().find(|t| t.covers(day)) else {
            let last_left = self
                .posts
                .iter()
                .filter_map(|t| t.left)
                .filter(|(last, _)| *last < day)
                .max_by_key(|(last, _)| *last);
            return Err(match last_left {
                Some((on, reason)) => Bar::Left { on, reason },
                None => Bar::NotInPost,
            });
        };
        if !rules.eligible_posts.contains(&term.post) {
            return Err(Bar::PostNotEligible(term.post));
        }
        if self.approved_on.is_none_or(|a| day <= a) {
            return Err(Bar::NotApproved);
        }
        let held: Vec<Level> = self
            .certificates
            .iter()
            .filter(|c| c.held_on(day))
            .map(|c| c.level)
            .collect();
        let Some(&highest_held) = held.iter().max() else {
            return Err(
                match self
                    .certificates
                    .iter()
                    .find(|c| c.revoked_on.is_some_and(|r| r < day))
                {
                    Some(c) => Bar::CertificateRevoked {
                        level: c.level,
                        on: c.revoked_on.expect("filtered"),
                    },
                    None => Bar::NoCertificate,
                },
            );
        };
        let registered = |level: &&Level| {
            !rules.require_registration
                || !level.is_registered()
                || self.registered(**level, day, rules)
        };
        match held.iter().filter(registered).max() {
            Some(&level) => Ok((level, &term.unit)),
            None => Err(self
                .registrations
                .iter()
                .filter(|r| r.level == highest_held && r.valid_until < day)
                .map(|r| r.valid_until)
                .max()
                .map_or(Bar::NotRegistered(highest_held), |expired| {
                    Bar::RegistrationLapsed {
                        level: highest_held,
                        expired,
                    }
                })),
        }
    }

    /// The earliest month any record speaks of: where a history starts.
    fn first_month(&self) -> Option<YearMonth> {
        let dates = self
            .certificates
            .iter()
            .map(|c| c.obtained_on)
            .chain(self.posts.iter().map(|p| p.appointed_on));
        dates.min().map(YearMonth::of)
    }
}

/// Why someone is not entitled on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bar {
    NotInPost,
    Left { on: NaiveDate, reason: LeaveReason },
    PostNotEligible(Post),
    NotApproved,
    NoCertificate,
    CertificateRevoked { level: Level, on: NaiveDate },
    NotRegistered(Level),
    RegistrationLapsed { level: Level, expired: NaiveDate },
}

impl Bar {
    fn label_zh(self, rules: &EntitlementRules) -> String {
        match self {
            Bar::NotInPost => "未在符合条件的岗位".into(),
            Bar::Left { on, reason } => format!("已于{on}离岗（{}）", reason.label_zh()),
            Bar::PostNotEligible(post) => format!("岗位“{}”不在发放范围", post.label_zh()),
            Bar::NotApproved => "津贴申请尚未审批".into(),
            Bar::NoCertificate => "尚未取得职业资格证书".into(),
            Bar::CertificateRevoked { level, on } => {
                format!("{}证书已于{on}撤销", level.label_zh())
            }
            Bar::NotRegistered(level) => format!("{}尚未登记", level.label_zh()),
            Bar::RegistrationLapsed { level, expired } => {
                let backpay = if rules.backpay_on_reregistration {
                    "再登记后补发"
                } else {
                    "再登记前不发放，不补发"
                };
                format!(
                    "{}登记已于{expired}到期未再登记，{backpay}",
                    level.label_zh()
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The calculation

/// The pay factor for a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    Full,
    Zero,
    /// `DAILY`: entitled days of the days in the month.
    Days {
        entitled: u32,
        of: u32,
    },
}

/// One month of the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthLine {
    pub month: YearMonth,
    /// Level in force (on the month's first entitled day), if entitled at all.
    pub level: Option<Level>,
    /// The unit whose roster carries this month.
    pub unit: Option<UnitId>,
    /// The table's amount for the level (0 when none applies).
    pub rate: Fen,
    pub factor: Factor,
    pub amount: Fen,
    pub reason_zh: String,
}

/// A person's allowance for a period: each month, the adjustments paid in it, and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    pub person: EntityId,
    pub period: Period,
    pub months: Vec<MonthLine>,
    pub adjustments: Vec<Adjustment>,
    pub total: Fen,
}

impl Trace {
    /// One line per month, then one per adjustment, then the total — for a reviewer.
    pub fn render_zh(&self) -> String {
        let mut out = String::new();
        for m in &self.months {
            let level = m.level.map_or("—", Level::label_zh);
            let factor = match m.factor {
                Factor::Full => "全月".to_string(),
                Factor::Zero => "不发".to_string(),
                Factor::Days { entitled, of } => format!("{entitled}/{of}天"),
            };
            out.push_str(&format!(
                "{} {level} 标准{} × {factor} = {}（{}）\n",
                m.month, m.rate, m.amount, m.reason_zh
            ));
        }
        for a in &self.adjustments {
            out.push_str(&format!(
                "{} {} {}（{}；依据：{}）\n",
                a.pay_month,
                a.kind.label_zh(),
                a.amount,
                a.reason,
                a.reference
            ));
        }
        out.push_str(&format!("合计 {}", self.total));
        out
    }
}

/// Why an allowance could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowanceError {
    #[error("no rate table is in force for {0}; add the district's table from that month")]
    NoRateTable(YearMonth),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A district's rules and rate tables together: the whole input besides the person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AllowancePolicy {
    pub rules: EntitlementRules,
    pub rates: RateSchedule,
}

impl AllowancePolicy {
    /// `amount(person, period)` of §3.3: the months' amounts plus the adjustments paid in the period.
    pub fn amount(&self, q: &Qualification, period: Period) -> Result<Fen, AllowanceError> {
        Ok(self.trace(q, period)?.total)
    }

    /// The month-by-month calculation for `period`, with reasons.
    pub fn trace(&self, q: &Qualification, period: Period) -> Result<Trace, AllowanceError> {
        let months: Vec<MonthLine> = self
            .history(q, period.to())?
            .into_iter()
            .filter(|m| period.contains(m.month))
            .collect();
        let adjustments: Vec<Adjustment> = q
            .adjustments
            .iter()
            .filter(|a| period.contains(a.pay_month))
            .cloned()
            .collect();
        let total = Fen::checked_sum(
            months
                .iter()
                .map(|m| m.amount)
                .chain(adjustments.iter().map(Adjustment::signed)),
        )?;
        Ok(Trace {
            person: q.person.clone(),
            period,
            months,
            adjustments,
            total,
        })
    }

    /// Every suspension of the person under these rules: those given as months and those
    /// recorded (not cancelled, long enough to count).
    pub fn suspensions(&self, q: &Qualification) -> Vec<Suspension> {
        q.suspensions
            .iter()
            .cloned()
            .chain(
                q.suspension_records
                    .iter()
                    .filter_map(|r| self.rules.suspension(r)),
            )
            .collect()
    }

    /// Every month from the person's first record to `until`. One-off awards need the whole
    /// history: they are paid in the first entitled month at their level only.
    pub fn history(
        &self,
        q: &Qualification,
        until: YearMonth,
    ) -> Result<Vec<MonthLine>, AllowanceError> {
        let Some(first) = q.first_month() else {
            return Ok(vec![]);
        };
        let mut one_offs_paid = BTreeSet::new();
        let mut lines = vec![];
        if first > until {
            return Ok(lines);
        }
        let suspensions = self.suspensions(q);
        for month in Period::new(first, until).expect("ordered").months() {
            lines.push(self.month_line(q, month, &suspensions, &mut one_offs_paid)?);
        }
        Ok(lines)
    }

    fn month_line(
        &self,
        q: &Qualification,
        month: YearMonth,
        suspensions: &[Suspension],
        one_offs_paid: &mut BTreeSet<Level>,
    ) -> Result<MonthLine, AllowanceError> {
        let rules = &self.rules;
        let days: Vec<Result<(Level, &UnitId), Bar>> =
            month.dates().map(|d| q.standing_on(d, rules)).collect();
        let first_entitled = days.iter().find_map(|d| d.as_ref().ok());
        let (level, unit) = match first_entitled {
            Some(&(level, unit)) => (Some(level), Some(unit.clone())),
            None => (None, None),
        };
        // A month not paid under the pro-rating rule shows no level; a suspended one does.
        let zero = |level: Option<Level>, reason_zh: String| MonthLine {
            month,
            level,
            unit: level.and(unit.clone()),
            rate: Fen::ZERO,
            factor: Factor::Zero,
            amount: Fen::ZERO,
            reason_zh,
        };

        if let Some(s) = suspensions.iter().find(|s| s.covers(month)) {
            return Ok(zero(level, s.reason_zh()));
        }
        let factor = match rules.proration {
            Proration::FirstDay => match days[0] {
                Ok(_) => Factor::Full,
                Err(bar) => return Ok(zero(None, format!("当月1日：{}", bar.label_zh(rules)))),
            },
            Proration::Cutoff15 => match days[14] {
                Ok(_) => Factor::Full,
                Err(bar) => return Ok(zero(None, format!("当月15日：{}", bar.label_zh(rules)))),
            },
            Proration::Daily => {
                let entitled = days.iter().filter(|d| d.is_ok()).count() as u32;
                let of = month.days();
                if entitled == 0 {
                    let bar = days[0].expect_err("none entitled");
                    return Ok(zero(None, bar.label_zh(rules)));
                }
                if entitled == of {
                    Factor::Full
                } else {
                    Factor::Days { entitled, of }
                }
            }
        };
        let level = level.expect("entitled on some day");
        let table = self
            .rates
            .in_force(month)
            .ok_or(AllowanceError::NoRateTable(month))?;
        let Some(rate) = table.rate(level) else {
            return Ok(zero(
                Some(level),
                format!("{}未列入发放标准（{}）", level.label_zh(), table.version),
            ));
        };
        let (amount, reason_zh) = match (rate.payment, factor) {
            (PaymentType::OneOff, _) if one_offs_paid.contains(&level) => {
                (Fen::ZERO, format!("{}一次性奖励已发放", level.label_zh()))
            }
            (PaymentType::OneOff, _) => {
                one_offs_paid.insert(level);
                (rate.amount, format!("{}，一次性奖励", level.label_zh()))
            }
            (PaymentType::Monthly, Factor::Days { entitled, of }) => (
                rate.amount
                    .mul_ratio_rounded(i64::from(entitled), i64::from(of))?,
                format!(
                    "{}，符合条件{entitled}天/本月{of}天，按日折算（四舍五入到分）",
                    level.label_zh()
                ),
            ),
            (PaymentType::Monthly, _) => (
                rate.amount,
                format!("{}，{}", level.label_zh(), rules.proration.label_zh()),
            ),
        };
        Ok(MonthLine {
            month,
            level: Some(level),
            unit,
            rate: rate.amount,
            factor,
            amount,
            reason_zh,
        })
    }
}

#[cfg(any(test, feature = "testing"))]
pub(crate) mod tests {
    // Without `test`, only the sample bodies are used (the permission matrix of `testing`).
    #![cfg_attr(not(test), allow(dead_code, unused_imports))]
    use super::*;
    use crate::allowance::rates::{LevelRate, RateTable};

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub(crate) fn ym(text: &str) -> YearMonth {
        text.parse().unwrap()
    }

    pub(crate) fn period(from: &str, to: &str) -> Period {
        Period::new(ym(from), ym(to)).unwrap()
    }

    pub(crate) const VILLAGE: &str = "5001001001";

    /// In post in VILLAGE since 2020-01-01, application approved 2020-01-01, no certificate.
    pub(crate) fn worker(id: &str) -> Qualification {
        let mut q = Qualification::new(format!("person:{id}").parse().unwrap());
        q.posts.push(PostTerm {
            unit: VILLAGE.parse().unwrap(),
            post: Post::CommunityStaff,
            appointed_on: d(2020, 1, 1),
            left: None,
        });
        q.approved_on = Some(d(2020, 1, 1));
        q
    }

    /// Certificate and first registration of `level` on the same day.
    pub(crate) fn qualify(q: &mut Qualification, level: Level, on: NaiveDate) {
        q.certificates.push(Certificate {
            level,
            number: format!("{}-{on}", level.code()),
            obtained_on: on,
            revoked_on: None,
        });
        q.registrations.push(Registration::first(
            level,
            &format!("R-{}", level.code()),
            on,
            3,
        ));
    }

    pub(crate) fn policy(proration: Proration) -> AllowancePolicy {
        AllowancePolicy {
            rules: EntitlementRules {
                proration,
                ..EntitlementRules::default()
            },
            rates: RateSchedule::new(vec![RateTable::chongqing_default(ym("2015-01"))]),
        }
    }

    fn amounts(p: &AllowancePolicy, q: &Qualification, from: &str, to: &str) -> Vec<String> {
        p.trace(q, period(from, to))
            .unwrap()
            .months
            .iter()
            .map(|m| m.amount.to_string())
            .collect()
    }

    #[test]
    fn worked_example_300_then_500() {
        // 社会工作师: certificate 2023-11-20, registered 2024-03-12; 高级 2024-09-05, registered the same day.
        let mut q = worker("p1");
        q.certificates.push(Certificate {
            level: Level::SwIntermediate,
            number: "Z2023-1".into(),
            obtained_on: d(2023, 11, 20),
            revoked_on: None,
        });
        q.registrations.push(Registration::first(
            Level::SwIntermediate,
            "R1",
            d(2024, 3, 12),
            3,
        ));
        qualify(&mut q, Level::SwSenior, d(2024, 9, 5));
        let p = policy(Proration::FirstDay);
        let trace = p.trace(&q, period("2024-01", "2024-12")).unwrap();
        let paid: Vec<(String, Option<Level>, String)> = trace
            .months
            .iter()
            .map(|m| (m.month.to_string(), m.level, m.amount.to_string()))
            .collect();
        let expect = |m: &str, l: Option<Level>, a: &str| (m.to_string(), l, a.to_string());
        use Level::*;
        assert_eq!(
            paid,
            [
                expect("2024-01", None, "0.00"),
                expect("2024-02", None, "0.00"),
                expect("2024-03", None, "0.00"),
                expect("2024-04", Some(SwIntermediate), "300.00"),
                expect("2024-05", Some(SwIntermediate), "300.00"),
                expect("2024-06", Some(SwIntermediate), "300.00"),
                expect("2024-07", Some(SwIntermediate), "300.00"),
                expect("2024-08", Some(SwIntermediate), "300.00"),
                expect("2024-09", Some(SwIntermediate), "300.00"),
                expect("2024-10", Some(SwSenior), "500.00"),
                expect("2024-11", Some(SwSenior), "500.00"),
                expect("2024-12", Some(SwSenior), "500.00"),
            ]
        );
        assert_eq!(trace.total, Fen::yuan(3300));
        assert_eq!(
            p.amount(&q, period("2024-01", "2024-12")),
            Ok(Fen::yuan(3300))
        );
        assert!(
            trace.months[2].reason_zh.contains("社会工作师尚未登记"),
            "{}",
            trace.months[2].reason_zh
        );
    }

    #[test]
    fn start_month_is_the_month_after_the_latest_of_certificate_registration_appointment_approval()
    {
        let p = policy(Proration::FirstDay);
        // Each in turn is the latest event, on the last day of May and the first of June.
        for (which, on, first_paid) in [
            ("approval", d(2024, 5, 31), "2024-06"),
            ("approval", d(2024, 6, 1), "2024-07"),
            ("appointment", d(2024, 5, 31), "2024-06"),
            ("appointment", d(2024, 6, 1), "2024-07"),
            ("certificate", d(2024, 5, 31), "2024-06"),
            ("certificate", d(2024, 6, 1), "2024-07"),
        ] {
            let mut q = worker("p1");
            qualify(&mut q, Level::SwAssistant, d(2023, 1, 1));
            match which {
                "approval" => q.approved_on = Some(on),
                "appointment" => q.posts[0].appointed_on = on,
                _ => {
                    q.certificates[0].obtained_on = on;
                    q.registrations[0] = Registration::first(Level::SwAssistant, "R", on, 3);
                }
            }
            let first = p
                .trace(&q, period("2024-01", "2024-12"))
                .unwrap()
                .months
                .into_iter()
                .find(|m| m.amount > Fen::ZERO)
                .unwrap();
            assert_eq!(first.month, ym(first_paid), "{which} on {on}");
        }
    }

    #[test]
    fn without_required_registration_the_certificate_alone_starts_pay() {
        let mut q = worker("p1");
        q.certificates.push(Certificate {
            level: Level::SwAssistant,
            number: "Z".into(),
            obtained_on: d(2024, 3, 5),
            revoked_on: None,
        });
        let mut p = policy(Proration::FirstDay);
        assert_eq!(p.amount(&q, period("2024-04", "2024-04")), Ok(Fen::ZERO));
        p.rules.require_registration = false;
        assert_eq!(
            p.amount(&q, period("2024-04", "2024-04")),
            Ok(Fen::yuan(200))
        );
    }

    fn leaves_on(day: NaiveDate) -> Qualification {
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        q.posts[0].left = Some((day, LeaveReason::Resigned));
        q
    }

    #[test]
    fn leaving_mid_month_first_day_pays_that_month_and_stops_the_next() {
        let p = policy(Proration::FirstDay);
        assert_eq!(
            amounts(&p, &leaves_on(d(2024, 6, 20)), "2024-06", "2024-07"),
            ["300.00", "0.00"]
        );
        assert_eq!(
            amounts(&p, &leaves_on(d(2024, 6, 1)), "2024-06", "2024-07"),
            ["300.00", "0.00"]
        );
        assert_eq!(
            amounts(&p, &leaves_on(d(2024, 5, 31)), "2024-06", "2024-07"),
            ["0.00", "0.00"]
        );
        let trace = p
            .trace(&leaves_on(d(2024, 6, 20)), period("2024-07", "2024-07"))
            .unwrap();
        assert_eq!(
            trace.months[0].reason_zh,
            "当月1日：已于2024-06-20离岗（辞职）"
        );
    }

    #[test]
    fn leaving_mid_month_cutoff_15_pays_if_in_post_on_the_15th() {
        let p = policy(Proration::Cutoff15);
        assert_eq!(
            amounts(&p, &leaves_on(d(2024, 6, 15)), "2024-06", "2024-07"),
            ["300.00", "0.00"]
        );
        assert_eq!(
            amounts(&p, &leaves_on(d(2024, 6, 14)), "2024-06", "2024-07"),
            ["0.00", "0.00"]
        );
    }

    #[test]
    fn joining_mid_month_cutoff_15_pays_if_qualified_by_the_14th() {
        // Rights begin the day after the event: approved on the 14th → entitled on the 15th.
        let p = policy(Proration::Cutoff15);
        for (approved, june) in [(d(2024, 6, 14), "300.00"), (d(2024, 6, 15), "0.00")] {
            let mut q = worker("p1");
            qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
            q.approved_on = Some(approved);
            assert_eq!(
                amounts(&p, &q, "2024-06", "2024-06"),
                [june],
                "approved {approved}"
            );
        }
    }

    #[test]
    fn leaving_mid_month_daily_pays_days_in_post_rounded_to_the_fen() {
        let p = policy(Proration::Daily);
        // Last day 20 June: 20/30 × 300 = 200.00.
        assert_eq!(
            amounts(&p, &leaves_on(d(2024, 6, 20)), "2024-06", "2024-07"),
            ["200.00", "0.00"]
        );
        // Last day 10 July: 10/31 × 300 = 96.774… → 96.77 (rounds down).
        assert_eq!(
            amounts(&p, &leaves_on(d(2024, 7, 10)), "2024-07", "2024-07"),
            ["96.77"]
        );
        // Last day 1 July: 1/31 × 300 = 9.677… → 9.68 (rounds up).
        assert_eq!(
            amounts(&p, &leaves_on(d(2024, 7, 1)), "2024-07", "2024-07"),
            ["9.68"]
        );
        // Last day 31 July: the whole month.
        let trace = p
            .trace(&leaves_on(d(2024, 7, 31)), period("2024-07", "2024-07"))
            .unwrap();
        assert_eq!(trace.months[0].factor, Factor::Full);
        let trace = p
            .trace(&leaves_on(d(2024, 7, 10)), period("2024-07", "2024-07"))
            .unwrap();
        assert_eq!(
            trace.months[0].factor,
            Factor::Days {
                entitled: 10,
                of: 31
            }
        );
        assert!(trace.months[0].reason_zh.contains("符合条件10天/本月31天"));
    }

    #[test]
    fn joining_mid_month_daily_counts_from_the_day_after_appointment() {
        let p = policy(Proration::Daily);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        q.posts[0].appointed_on = d(2024, 6, 10);
        // 11..=30 June: 20 days of 30.
        assert_eq!(amounts(&p, &q, "2024-06", "2024-07"), ["200.00", "300.00"]);
    }

    fn lapsed_assistant(reregistered: NaiveDate) -> Qualification {
        let mut q = worker("p1");
        qualify(&mut q, Level::SwAssistant, d(2021, 1, 10)); // valid until 2024-01-09
        let renewal = q.registrations[0].renewal(reregistered, 3);
        q.registrations.push(renewal);
        q
    }

    #[test]
    fn lapse_and_reregistration_without_backpay() {
        let p = policy(Proration::FirstDay);
        assert_eq!(
            lapsed_assistant(d(2024, 5, 20)).registrations[0].valid_until,
            d(2024, 1, 9)
        );
        assert_eq!(
            amounts(&p, &lapsed_assistant(d(2024, 5, 20)), "2024-01", "2024-07"),
            ["200.00", "0.00", "0.00", "0.00", "0.00", "200.00", "200.00"]
        );
        // Re-registered on the last day of May: June is paid; on 1 June: June is not.
        assert_eq!(
            amounts(&p, &lapsed_assistant(d(2024, 5, 31)), "2024-06", "2024-06"),
            ["200.00"]
        );
        assert_eq!(
            amounts(&p, &lapsed_assistant(d(2024, 6, 1)), "2024-06", "2024-07"),
            ["0.00", "200.00"]
        );
        let trace = p
            .trace(
                &lapsed_assistant(d(2024, 5, 20)),
                period("2024-02", "2024-02"),
            )
            .unwrap();
        assert_eq!(
            trace.months[0].reason_zh,
            "当月1日：助理社会工作师登记已于2024-01-09到期未再登记，再登记前不发放，不补发"
        );
    }

    #[test]
    fn lapse_and_reregistration_with_backpay_pays_the_gap() {
        let mut p = policy(Proration::FirstDay);
        p.rules.backpay_on_reregistration = true;
        assert_eq!(
            amounts(&p, &lapsed_assistant(d(2024, 5, 20)), "2024-01", "2024-06"),
            ["200.00"; 6]
        );
        // Not yet re-registered: nothing to back-pay.
        let mut q = worker("p1");
        qualify(&mut q, Level::SwAssistant, d(2021, 1, 10));
        assert_eq!(amounts(&p, &q, "2024-02", "2024-02"), ["0.00"]);
    }

    #[test]
    fn reregistration_on_time_keeps_pay_without_a_break() {
        let p = policy(Proration::FirstDay);
        let q = lapsed_assistant(d(2023, 11, 1));
        assert_eq!(q.registrations[1].valid_from, d(2024, 1, 10));
        assert_eq!(q.registrations[1].valid_until, d(2027, 1, 9));
        assert_eq!(amounts(&p, &q, "2024-01", "2024-03"), ["200.00"; 3]);
    }

    #[test]
    fn levels_never_stack() {
        let p = policy(Proration::FirstDay);
        let mut q = worker("p1");
        qualify(&mut q, Level::CqSwWorker, d(2019, 1, 1));
        qualify(&mut q, Level::SwAssistant, d(2022, 1, 1));
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        let trace = p.trace(&q, period("2024-01", "2024-01")).unwrap();
        assert_eq!(trace.months[0].level, Some(Level::SwIntermediate));
        assert_eq!(
            trace.total,
            Fen::yuan(300),
            "就高不叠加: not 100 + 200 + 300"
        );
    }

    #[test]
    fn a_lapsed_higher_registration_falls_back_to_a_valid_lower_level() {
        let p = policy(Proration::FirstDay);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwAssistant, d(2023, 6, 1)); // valid to 2026-05-31
        qualify(&mut q, Level::SwIntermediate, d(2021, 1, 10)); // valid to 2024-01-09
        assert_eq!(amounts(&p, &q, "2024-01", "2024-02"), ["300.00", "200.00"]);
    }

    #[test]
    fn upgrade_applies_from_the_month_after_the_higher_registration() {
        let p = policy(Proration::Daily);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwAssistant, d(2022, 1, 1));
        q.certificates.push(Certificate {
            level: Level::SwIntermediate,
            number: "Z".into(),
            obtained_on: d(2024, 5, 10),
            revoked_on: None,
        });
        q.registrations.push(Registration::first(
            Level::SwIntermediate,
            "R2",
            d(2024, 6, 10),
            3,
        ));
        // Even with DAILY, the level is the one in force on the month's first entitled day.
        assert_eq!(
            amounts(&p, &q, "2024-05", "2024-07"),
            ["200.00", "200.00", "300.00"]
        );
    }

    #[test]
    fn revoked_certificate_stops_pay_from_the_next_month() {
        let p = policy(Proration::FirstDay);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        q.certificates[0].revoked_on = Some(d(2024, 4, 30));
        assert_eq!(amounts(&p, &q, "2024-04", "2024-05"), ["300.00", "0.00"]);
        let trace = p.trace(&q, period("2024-05", "2024-05")).unwrap();
        assert_eq!(
            trace.months[0].reason_zh,
            "当月1日：社会工作师证书已于2024-04-30撤销"
        );
    }

    #[test]
    fn failed_annual_assessment_suspends_the_following_year() {
        let p = policy(Proration::FirstDay);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        q.registrations
            .push(q.registrations[0].renewal(d(2025, 11, 1), 3));
        q.suspensions.push(
            p.rules
                .assessment_failed(2024, d(2025, 1, 20), "考核〔2025〕3号"),
        );
        assert_eq!(
            amounts(&p, &q, "2025-01", "2025-02"),
            ["300.00", "0.00"],
            "decided in January: suspended from February"
        );
        assert_eq!(amounts(&p, &q, "2025-12", "2026-01"), ["0.00", "300.00"]);
        let trace = p.trace(&q, period("2025-02", "2025-02")).unwrap();
        assert_eq!(
            trace.months[0].reason_zh,
            "年度考核不合格，暂停发放（考核〔2025〕3号）"
        );
        assert_eq!(trace.months[0].level, Some(Level::SwIntermediate));
    }

    #[test]
    fn sanction_suspends_twelve_months_from_the_month_after() {
        let p = policy(Proration::FirstDay);
        let s = p.rules.sanctioned(d(2024, 6, 10), "处分");
        assert_eq!((s.from, s.to), (ym("2024-07"), ym("2025-06")));
    }

    #[test]
    fn unpaid_leave_longer_than_n_days_suspends() {
        let rules = EntitlementRules::default();
        assert_eq!(
            rules.unpaid_leave(d(2024, 2, 20), d(2024, 3, 20), "假"),
            None,
            "30 days"
        );
        let s = rules
            .unpaid_leave(d(2024, 2, 20), d(2024, 3, 21), "假")
            .unwrap();
        assert_eq!((s.from, s.to), (ym("2024-03"), ym("2024-03")), "31 days");
        assert_eq!(
            rules.unpaid_leave(d(2024, 3, 1), d(2024, 3, 31), "假"),
            None,
            "within one month"
        );
        let s = rules
            .unpaid_leave(d(2024, 3, 10), d(2024, 6, 30), "假")
            .unwrap();
        assert_eq!((s.from, s.to), (ym("2024-04"), ym("2024-06")));
    }

    fn record(n: u128, cause: SuspensionCause) -> SuspensionRecord {
        SuspensionRecord {
            id: EventId(n),
            cause,
            reference: format!("文号{n}"),
            cancelled: None,
        }
    }

    /// A 社会工作师 paid 300 a month from 2023 on, registered through 2027, with `records`.
    fn suspended(records: Vec<SuspensionRecord>) -> Qualification {
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        q.registrations
            .push(q.registrations[0].renewal(d(2025, 11, 1), 3));
        q.suspension_records = records;
        q
    }

    fn reason(p: &AllowancePolicy, q: &Qualification, month: &str) -> String {
        p.trace(q, period(month, month)).unwrap().months[0]
            .reason_zh
            .clone()
    }

    #[test]
    fn a_recorded_sanction_suspends_twelve_months_from_the_month_after_with_its_reason() {
        let p = policy(Proration::FirstDay);
        let q = suspended(vec![record(
            1,
            SuspensionCause::Sanction { on: d(2024, 6, 10) },
        )]);
        let months = amounts(&p, &q, "2024-06", "2025-07");
        assert_eq!(
            months[0], "300.00",
            "June 2024: the month of the sanction is paid"
        );
        assert_eq!(months[1..13], ["0.00"; 12], "July 2024 to June 2025");
        assert_eq!(months[13], "300.00", "July 2025: paid again");
        assert_eq!(
            reason(&p, &q, "2024-07"),
            "2024-06-10受处分，暂停发放12个月（文号1）"
        );
        let line = &p.trace(&q, period("2024-07", "2024-07")).unwrap().months[0];
        assert_eq!(
            line.level,
            Some(Level::SwIntermediate),
            "the level stays shown"
        );
        // A sanction on the last day of a month or the first of the next.
        for (on, first, last) in [
            (d(2024, 6, 30), "2024-07", "2025-06"),
            (d(2024, 7, 1), "2024-08", "2025-07"),
        ] {
            let s = p
                .rules
                .suspension(&record(2, SuspensionCause::Sanction { on }))
                .unwrap();
            assert_eq!((s.from, s.to), (ym(first), ym(last)), "{on}");
        }
        // A district that suspends for 6 months instead.
        let mut six = policy(Proration::FirstDay);
        six.rules.sanction_suspension_months = 6;
        assert_eq!(amounts(&six, &q, "2024-12", "2025-01"), ["0.00", "300.00"]);
        assert_eq!(
            reason(&six, &q, "2024-12"),
            "2024-06-10受处分，暂停发放6个月（文号1）"
        );
    }

    #[test]
    fn a_recorded_failed_assessment_suspends_the_following_calendar_year() {
        let p = policy(Proration::FirstDay);
        // Decided in December of the year assessed: the whole following year.
        let q = suspended(vec![record(
            1,
            SuspensionCause::AssessmentFailed {
                year: 2024,
                grade: AssessmentGrade::Incompetent,
                decided_on: d(2024, 12, 20),
            },
        )]);
        let months = amounts(&p, &q, "2024-12", "2026-01");
        assert_eq!(months[0], "300.00");
        assert_eq!(months[1..13], ["0.00"; 12], "2025-01 to 2025-12");
        assert_eq!(months[13], "300.00");
        assert_eq!(
            reason(&p, &q, "2025-01"),
            "2024年度考核不称职，暂停发放（文号1）"
        );
        // Decided late (March of the following year): from the month after the decision only,
        // and still only to the end of that year.
        let late = suspended(vec![record(
            2,
            SuspensionCause::AssessmentFailed {
                year: 2024,
                grade: AssessmentGrade::Unqualified,
                decided_on: d(2025, 3, 5),
            },
        )]);
        assert_eq!(amounts(&p, &late, "2025-03", "2025-04"), ["300.00", "0.00"]);
        assert_eq!(amounts(&p, &late, "2026-01", "2026-01"), ["300.00"]);
        assert_eq!(
            reason(&p, &late, "2025-04"),
            "2024年度考核不合格，暂停发放（文号2）"
        );
    }

    #[test]
    fn recorded_unpaid_leave_suspends_only_beyond_thirty_days() {
        let p = policy(Proration::FirstDay);
        // Exactly 30 days (10 March to 8 April): nothing is suspended.
        let thirty = suspended(vec![record(
            1,
            SuspensionCause::UnpaidLeave {
                from: d(2024, 3, 10),
                to: d(2024, 4, 8),
            },
        )]);
        assert_eq!(amounts(&p, &thirty, "2024-03", "2024-05"), ["300.00"; 3]);
        assert_eq!(p.suspensions(&thirty), []);
        assert_eq!(
            thirty.suspension_records[0].effect_zh(&p.rules),
            "未超过30天，不暂停发放"
        );
        // 31 days (10 March to 9 April): April, the month after it began through the month
        // it ended.
        let long = suspended(vec![record(
            2,
            SuspensionCause::UnpaidLeave {
                from: d(2024, 3, 10),
                to: d(2024, 4, 9),
            },
        )]);
        assert_eq!(
            amounts(&p, &long, "2024-03", "2024-05"),
            ["300.00", "0.00", "300.00"]
        );
        assert_eq!(
            reason(&p, &long, "2024-04"),
            "无薪休假2024-03-10至2024-04-09共31天（超过30天），暂停发放（文号2）"
        );
        assert_eq!(
            long.suspension_records[0].effect_zh(&p.rules),
            "暂停发放2024-04"
        );
        assert_eq!(
            long.suspension_records[0].describe_zh(),
            "无薪休假2024-03-10至2024-04-09（31天）"
        );
        // Three months and more: from the month after it began through the month it ended.
        let longer = suspended(vec![record(
            3,
            SuspensionCause::UnpaidLeave {
                from: d(2024, 3, 10),
                to: d(2024, 6, 30),
            },
        )]);
        assert_eq!(
            amounts(&p, &longer, "2024-03", "2024-07"),
            ["300.00", "0.00", "0.00", "0.00", "300.00"]
        );
        assert_eq!(
            longer.suspension_records[0].effect_zh(&p.rules),
            "暂停发放2024-04至2024-06"
        );
    }

    #[test]
    fn a_cancelled_record_suspends_nothing() {
        let p = policy(Proration::FirstDay);
        let mut sanction = record(1, SuspensionCause::Sanction { on: d(2024, 6, 10) });
        sanction.cancelled = Some("误录：处分对象不是本人".into());
        let q = suspended(vec![sanction]);
        assert_eq!(amounts(&p, &q, "2024-07", "2024-08"), ["300.00"; 2]);
        assert_eq!(
            q.suspension_records[0].effect_zh(&p.rules),
            "已撤销：误录：处分对象不是本人"
        );
    }

    #[test]
    fn transfer_keeps_pay_and_moves_to_the_new_unit_next_month() {
        let p = policy(Proration::FirstDay);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        q.transfer(d(2024, 6, 10), "5001002001".parse().unwrap(), Post::Deputy);
        let trace = p.trace(&q, period("2024-06", "2024-07")).unwrap();
        let units: Vec<String> = trace
            .months
            .iter()
            .map(|m| m.unit.clone().unwrap().to_string())
            .collect();
        assert_eq!(units, [VILLAGE, "5001002001"]);
        assert_eq!(trace.total, Fen::yuan(600));
    }

    #[test]
    fn village_staff_are_paid_only_where_the_district_extends_it() {
        let mut p = policy(Proration::FirstDay);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwAssistant, d(2023, 1, 1));
        q.posts[0].post = Post::VillageStaff;
        assert_eq!(p.amount(&q, period("2024-01", "2024-01")), Ok(Fen::ZERO));
        p.rules.eligible_posts.insert(Post::VillageStaff);
        assert_eq!(
            p.amount(&q, period("2024-01", "2024-01")),
            Ok(Fen::yuan(200))
        );
    }

    #[test]
    fn unapproved_application_is_not_paid() {
        let p = policy(Proration::FirstDay);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwAssistant, d(2023, 1, 1));
        q.approved_on = None;
        let trace = p.trace(&q, period("2024-01", "2024-01")).unwrap();
        assert_eq!(trace.months[0].reason_zh, "当月1日：津贴申请尚未审批");
    }

    #[test]
    fn a_new_rate_table_applies_from_its_month() {
        let mut p = policy(Proration::FirstDay);
        let mut table = RateTable::chongqing_default(ym("2024-07"));
        table.version = "5001-2024".into();
        table.rates[1].amount = Fen::yuan(350);
        p.rates.tables.push(table);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        assert_eq!(amounts(&p, &q, "2024-06", "2024-07"), ["300.00", "350.00"]);
    }

    #[test]
    fn no_rate_table_is_an_error_that_names_the_month() {
        let mut p = policy(Proration::FirstDay);
        p.rates.tables[0].effective_from = ym("2024-03");
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        assert_eq!(
            p.trace(&q, period("2024-01", "2024-03")),
            Err(AllowanceError::NoRateTable(ym("2023-02")))
        );
    }

    #[test]
    fn one_off_award_is_paid_once_per_level() {
        let mut p = policy(Proration::FirstDay);
        p.rates.tables[0].rates = vec![LevelRate {
            level: Level::SwIntermediate,
            amount: Fen::yuan(2000),
            payment: PaymentType::OneOff,
        }];
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2024, 3, 12));
        assert_eq!(
            amounts(&p, &q, "2024-03", "2024-05"),
            ["0.00", "2000.00", "0.00"]
        );
        assert_eq!(
            amounts(&p, &q, "2024-05", "2024-05"),
            ["0.00"],
            "paid in April, seen from May"
        );
    }

    #[test]
    fn adjustments_add_back_pay_and_subtract_recovery_in_their_pay_month() {
        let p = policy(Proration::FirstDay);
        let mut q = worker("p1");
        qualify(&mut q, Level::SwIntermediate, d(2023, 1, 1));
        q.adjustments.push(Adjustment {
            pay_month: ym("2024-02"),
            kind: AdjustmentKind::BackPay,
            amount: Fen::yuan(300),
            reason: "2023-12 漏发".into(),
            reference: "名册 5001001-2023-12".into(),
        });
        q.adjustments.push(Adjustment {
            pay_month: ym("2024-03"),
            kind: AdjustmentKind::Recovery,
            amount: Fen::yuan(100),
            reason: "多发".into(),
            reference: "审计 12".into(),
        });
        assert_eq!(
            p.amount(&q, period("2024-01", "2024-02")),
            Ok(Fen::yuan(900))
        );
        assert_eq!(
            p.amount(&q, period("2024-03", "2024-03")),
            Ok(Fen::yuan(200))
        );
        let text = p
            .trace(&q, period("2024-02", "2024-02"))
            .unwrap()
            .render_zh();
        assert_eq!(
            text,
            "2024-02 社会工作师 标准300.00 × 全月 = 300.00（社会工作师，按月（当月1日在册即全月发放））\n\
             2024-02 补发 300.00（2023-12 漏发；依据：名册 5001001-2023-12）\n\
             合计 600.00"
        );
    }

    #[test]
    fn continuing_education_counts_within_the_registration_period() {
        let mut q = worker("p1");
        qualify(&mut q, Level::SwAssistant, d(2022, 1, 1));
        for (on, hours) in [
            (d(2021, 12, 31), 40),
            (d(2022, 1, 1), 30),
            (d(2024, 12, 31), 40),
            (d(2025, 1, 1), 8),
        ] {
            q.continuing_education.push(ContinuingEducation {
                on,
                hours: StudyHours::hours(hours),
                what: "培训".into(),
            });
        }
        let reg = q.registrations[0].clone();
        assert_eq!(reg.valid_until, d(2024, 12, 31));
        assert_eq!(q.continuing_education_in(&reg), StudyHours::hours(70));
    }
}
