//! Election templates as data (spec §0.2, §1.3, §1.4): which rule pack was in force, the
//! ordered steps V00–V24 with who acts, what evidence is kept, when each is due and what a
//! miss costs. Values tagged [CQ?] or [T] are parameters (`TemplateParams`) with the spec's defaults.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::breach::{BreachClass, Reason};
use super::tally::{PostTitle, TallyRules};

/// 选举类型: 村民委员会 or 居民委员会.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectionType {
    /// 村民委员会选举
    Village,
    /// 居民委员会选举
    Resident,
}

/// 选举方式 — who casts the votes (OLRC §8). Villages always elect directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectoralMode {
    /// 直接选举 — every registered voter.
    Direct,
    /// 户代表选举 — one representative per household (resident committees only).
    Household,
    /// 居民代表选举 — 2–3 representatives elected by each 居民小组 (resident committees only).
    GroupReps,
}

/// 提名方式: with nominated candidates (有候选人差额选举) or without pre-set candidates, where
/// villagers declare themselves contenders (无候选人/自荐直选, 竞选人).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NominationMode {
    Candidates,
    SelfDeclared,
}

/// 规则版本 — the set of Chongqing rules an election follows, pinned on the day its election
/// committee (V02) was formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RulePackVersion {
    /// 《重庆市村民委员会选举办法》 2012 revision (in force 2012-10-01), term amended to 5 years in 2019.
    #[serde(rename = "CQ-VC-2012r2019")]
    CqVc2012r2019,
    /// 《重庆市村民委员会选举办法》 2025 revision, in force 2026-01-01.
    #[serde(rename = "CQ-VC-2025")]
    CqVc2025,
    /// 《重庆市居民委员会选举办法》 渝府令〔1998〕36号.
    #[serde(rename = "CQ-RC-1998")]
    CqRc1998,
    /// 《重庆市居民委员会选举办法》 2025 local regulation, in force 2026-01-01.
    #[serde(rename = "CQ-RC-2025")]
    CqRc2025,
}

impl RulePackVersion {
    pub const ALL: [RulePackVersion; 4] = [
        RulePackVersion::CqVc2012r2019,
        RulePackVersion::CqVc2025,
        RulePackVersion::CqRc1998,
        RulePackVersion::CqRc2025,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RulePackVersion::CqVc2012r2019 => "CQ-VC-2012r2019",
            RulePackVersion::CqVc2025 => "CQ-VC-2025",
            RulePackVersion::CqRc1998 => "CQ-RC-1998",
            RulePackVersion::CqRc2025 => "CQ-RC-2025",
        }
    }

    pub fn election_type(self) -> ElectionType {
        match self {
            RulePackVersion::CqVc2012r2019 | RulePackVersion::CqVc2025 => ElectionType::Village,
            RulePackVersion::CqRc1998 | RulePackVersion::CqRc2025 => ElectionType::Resident,
        }
    }

    /// First day the pack applies. CQ-RC-1998's exact in-force day was not verified; the start
    /// of 1998 is used, which only matters for elections nobody will enter.
    pub fn effective_from(self) -> NaiveDate {
        let (y, m, d) = match self {
            RulePackVersion::CqVc2012r2019 => (2012, 10, 1),
            RulePackVersion::CqVc2025 | RulePackVersion::CqRc2025 => (2026, 1, 1),
            RulePackVersion::CqRc1998 => (1998, 1, 1),
        };
        NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
    }

    /// Committee size, women's seat and close-relative avoidance under this pack (spec §1.1).
    pub fn composition(self) -> CompositionRules {
        match self {
            // Size 3–7 and a woman member [L §6][CQ✓]; no close relatives [CQ✓ CQ-VEM 2012].
            RulePackVersion::CqVc2012r2019 | RulePackVersion::CqVc2025 => CompositionRules {
                min_members: 3,
                max_members: 7,
                woman_required: true,
                close_relatives_barred: true,
            },
            // 5–9 members [CQ✓ 1998]; OLRC is silent on women and relatives.
            RulePackVersion::CqRc1998 => CompositionRules {
                min_members: 5,
                max_members: 9,
                woman_required: false,
                close_relatives_barred: false,
            },
            // 5–9, a woman member and 近亲属回避 [CQ✓ 2025].
            RulePackVersion::CqRc2025 => CompositionRules {
                min_members: 5,
                max_members: 9,
                woman_required: true,
                close_relatives_barred: true,
            },
        }
    }
}

impl fmt::Display for RulePackVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The pack in force on `committee_formed_on`, the day the election committee (选举委员会, V02)
/// was formed; `None` before the earliest pack we carry.
pub fn pack_in_force(
    election_type: ElectionType,
    committee_formed_on: NaiveDate,
) -> Option<RulePackVersion> {
    RulePackVersion::ALL
        .into_iter()
        .filter(|p| p.election_type() == election_type && p.effective_from() <= committee_formed_on)
        .max_by_key(|p| p.effective_from())
}

/// Composition rules of a pack (spec §1.1). Minority members are required wherever several
/// ethnic groups live [L]; that is a fact of the unit, passed to the tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositionRules {
    pub min_members: u32,
    pub max_members: u32,
    /// 妇女成员 — at least one woman on the committee.
    pub woman_required: bool,
    /// 近亲属回避 — members may not be close relatives of each other.
    pub close_relatives_barred: bool,
}

/// Where a normative fact comes from (spec §0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceTag {
    /// National statute, read in full.
    #[serde(rename = "L")]
    Statute,
    /// Chongqing text actually read.
    #[serde(rename = "CQ✓")]
    ChongqingVerified,
    /// Believed Chongqing rule, not verified against the text.
    #[serde(rename = "CQ?")]
    ChongqingUnverified,
    /// Typical practice elsewhere; always configurable.
    #[serde(rename = "T")]
    Typical,
}

impl SourceTag {
    pub fn tag(self) -> &'static str {
        match self {
            SourceTag::Statute => "[L]",
            SourceTag::ChongqingVerified => "[CQ✓]",
            SourceTag::ChongqingUnverified => "[CQ?]",
            SourceTag::Typical => "[T]",
        }
    }
}

/// 步骤编号 — the steps of spec §1.3 (used for resident committees too, spec §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StepCode {
    V00,
    V01,
    V02,
    V03,
    V04,
    V05,
    V06,
    V07,
    V07b,
    V08,
    V09,
    V10,
    V10b,
    V11,
    V12,
    V13,
    V14,
    V15,
    V16,
    V17,
    V18,
    V19,
    V20,
    V21,
    V22,
    V23,
    V24,
}

impl StepCode {
    pub fn code(self) -> &'static str {
        use StepCode::*;
        match self {
            V00 => "V00",
            V01 => "V01",
            V02 => "V02",
            V03 => "V03",
            V04 => "V04",
            V05 => "V05",
            V06 => "V06",
            V07 => "V07",
            V07b => "V07b",
            V08 => "V08",
            V09 => "V09",
            V10 => "V10",
            V10b => "V10b",
            V11 => "V11",
            V12 => "V12",
            V13 => "V13",
            V14 => "V14",
            V15 => "V15",
            V16 => "V16",
            V17 => "V17",
            V18 => "V18",
            V19 => "V19",
            V20 => "V20",
            V21 => "V21",
            V22 => "V22",
            V23 => "V23",
            V24 => "V24",
        }
    }
}

impl fmt::Display for StepCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A fixed text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Label {
    pub zh: &'static str,
    pub en: &'static str,
}

const fn label(zh: &'static str, en: &'static str) -> Label {
    Label { zh, en }
}

/// What a "within N days" period counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Anchor {
    /// 选举日 E.
    ElectionDay,
    /// The day another step was done (or, until it is done, the day it is due).
    Step(StepCode),
}

/// When a step is due, relative to election day E or to another step (spec §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Timing {
    /// "≈ E − from … E − to": a planning window, never a breach on its own.
    Around { from: u32, to: u32 },
    /// "X 日前": on or before E − X.
    DaysBefore(u32),
    /// At least `days` before another step is done (0 = no later than that step).
    DaysBeforeStep { step: StepCode, days: u32 },
    /// "自…之日起 N 日内", optionally followed by a second period that starts when the first
    /// ends (objections within 5 days of the list, each decided within 3 days of receipt).
    Within {
        anchor: Anchor,
        days: u32,
        then: Option<u32>,
    },
    /// On election day.
    OnElectionDay,
    /// After another step, with no deadline of its own.
    After(StepCode),
}

impl Timing {
    /// The rule in words, for messages: (中文, English).
    pub fn describe(&self) -> (String, String) {
        match *self {
            Timing::Around { from, to } => (
                format!("约在选举日前{from}至{to}日"),
                format!("around {from} to {to} days before election day"),
            ),
            Timing::DaysBefore(x) => (
                format!("须在选举日{x}日前完成"),
                format!("must be done at least {x} days before election day"),
            ),
            Timing::DaysBeforeStep { step, days: 0 } => (
                format!("须在{step}之前完成"),
                format!("must be done no later than {step}"),
            ),
            Timing::DaysBeforeStep { step, days } => (
                format!("须在{step}的{days}日前完成"),
                format!("must be done at least {days} days before {step}"),
            ),
            Timing::Within { anchor, days, then } => {
                let (from_zh, from_en) = match anchor {
                    Anchor::ElectionDay => ("选举日".to_string(), "election day".to_string()),
                    Anchor::Step(s) => (format!("{s}完成之日"), format!("{s} was done")),
                };
                match then {
                    None => (
                        format!("自{from_zh}起{days}日内完成"),
                        format!("must be done within {days} days after {from_en}"),
                    ),
                    Some(more) => (
                        format!("自{from_zh}起{days}日内受理、受理后{more}日内作出决定"),
                        format!(
                            "objections within {days} days after {from_en}, decided within {more} days of receipt"
                        ),
                    ),
                }
            }
            Timing::OnElectionDay => ("选举日当天".into(), "on election day".into()),
            Timing::After(step) => (format!("在{step}之后"), format!("after {step}")),
        }
    }
}

/// One step of the procedure as data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepTemplate {
    pub code: StepCode,
    pub name: Label,
    /// Who acts.
    pub actor: Label,
    /// Evidence the app must capture.
    pub evidence: &'static [(&'static str, &'static str)],
    pub timing: Timing,
    pub source: SourceTag,
    /// Stable id of the timing rule, reported when it fires.
    pub rule: &'static str,
    /// The breach if the timing is missed; `None` means the timing is guidance only.
    pub late: Option<BreachClass>,
    /// What spec §1.3 says a breach of this step (timing or otherwise) costs.
    pub breach: Option<BreachClass>,
}

/// Candidates beyond seats (差额) on the formal list, per post [T: Beijing, Zhejiang].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Margin {
    pub min: u32,
    pub max: u32,
}

/// 差额 margins: 主任 +1, 副主任 +1, 委员 +1…+2 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateMargins {
    pub chair: Margin,
    pub vice_chair: Margin,
    pub member: Margin,
}

impl Default for CandidateMargins {
    fn default() -> Self {
        CandidateMargins {
            chair: Margin { min: 1, max: 1 },
            vice_chair: Margin { min: 1, max: 1 },
            member: Margin { min: 1, max: 2 },
        }
    }
}

impl CandidateMargins {
    pub fn for_post(&self, post: PostTitle) -> Margin {
        match post {
            PostTitle::Chair => self.chair,
            PostTitle::ViceChair => self.vice_chair,
            PostTitle::Member | PostTitle::WomenMember => self.member,
        }
    }

    /// V09 正式候选人: candidates must outnumber seats [L §15] (else PROC), and should do so by
    /// the configured margin [T] (else a warning reason, not a breach).
    pub fn check_formal_list(
        &self,
        post: PostTitle,
        seats: u32,
        candidates: u32,
    ) -> Result<(), Reason> {
        let m = self.for_post(post);
        if candidates <= seats {
            return Err(Reason::new(
                "V09.more_candidates_than_seats",
                format!(
                    "{}正式候选人{candidates}名，应选{seats}名：候选人数必须多于应选人数（差额选举）",
                    post.label_zh()
                ),
                format!(
                    "{}: {candidates} formal candidates for {seats} seats; there must be more candidates than seats",
                    post.label_en()
                ),
            ));
        }
        let extra = candidates - seats;
        if extra < m.min || extra > m.max {
            return Err(Reason::new(
                "V09.candidate_margin",
                format!(
                    "{}差额为{extra}名，方案规定{}至{}名",
                    post.label_zh(),
                    m.min,
                    m.max
                ),
                format!(
                    "{}: {extra} more candidates than seats; the plan expects {} to {}",
                    post.label_en(),
                    m.min,
                    m.max
                ),
            ));
        }
        Ok(())
    }
}

/// The [CQ?] and [T] values of spec §1.3–§1.5, with the spec's defaults. Change them per
/// deployment once the Chongqing texts are checked; [L] values are fixed in the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateParams {
    /// V07b: self-declarations (自荐) at least this many days before E [T: Zhejiang].
    pub self_declaration_days_before: u32,
    /// V10: formal candidate list published at least this many days before E [T][CQ?].
    pub formal_list_days_before: u32,
    /// V10b: written withdrawals at least this many days before E [T: Zhejiang].
    pub withdrawal_days_before: u32,
    /// V12: proxy applications at least this many days before E [T: Zhejiang 3, Shanghai 5].
    pub proxy_apply_days_before: u32,
    /// V12: proxy list published at least this many days before E [T].
    pub proxy_publish_days_before: u32,
    /// V12: most principals one proxy may vote for (委托投票) [T: 3; some provinces 2].
    pub proxy_max_principals: u32,
    /// V13: voting arrangements announced at least this many days before E [T: Zhejiang].
    pub voting_notice_days_before: u32,
    /// V14: mobile ballot boxes approved at least this many days before E [T][CQ?].
    pub mobile_box_approval_days_before: u32,
    /// V19: re-run (另行选举) within this many days of E [T: Beijing 15; Shanghai, Zhejiang 30].
    pub rerun_within_days: u32,
    /// V21: certificates of election within this many days of the winners notice [T].
    pub certificate_within_days: u32,
    /// V23: archived within this many days of E [T].
    pub archive_within_days: u32,
    /// V02: election committee size [T: Beijing, Zhejiang 5–9].
    pub committee_min: u32,
    pub committee_max: u32,
    /// V09: 差额 margins per post [T].
    pub candidate_margins: CandidateMargins,
    /// A step not yet done shows as "due soon" this many days before its deadline.
    pub due_soon_days: u32,
    /// §1.5 options.
    pub tally: TallyRules,
}

impl Default for TemplateParams {
    fn default() -> Self {
        TemplateParams {
            self_declaration_days_before: 10,
            formal_list_days_before: 5,
            withdrawal_days_before: 3,
            proxy_apply_days_before: 3,
            proxy_publish_days_before: 2,
            proxy_max_principals: 3,
            voting_notice_days_before: 5,
            mobile_box_approval_days_before: 1,
            rerun_within_days: 15,
            certificate_within_days: 7,
            archive_within_days: 30,
            committee_min: 5,
            committee_max: 9,
            candidate_margins: CandidateMargins::default(),
            due_soon_days: 3,
            tally: TallyRules::default(),
        }
    }
}

/// Why a template cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("village committees are elected directly by all registered villagers")]
    VillageModeMustBeDirect,
}

impl TemplateError {
    pub fn message_zh(&self) -> String {
        match self {
            TemplateError::VillageModeMustBeDirect => {
                "村民委员会由登记参加选举的村民直接选举，不能采用户代表或居民代表方式".into()
            }
        }
    }
}

/// 选举模板 — one election's steps, timings and parameters under its pinned rule pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElectionTemplate {
    pub pack: RulePackVersion,
    pub election_type: ElectionType,
    pub mode: ElectoralMode,
    pub nomination: NominationMode,
    pub composition: CompositionRules,
    pub params: TemplateParams,
    /// In procedure order; only the steps that apply to this nomination mode.
    pub steps: Vec<StepTemplate>,
}

impl ElectionTemplate {
    pub fn new(
        pack: RulePackVersion,
        mode: ElectoralMode,
        nomination: NominationMode,
        params: TemplateParams,
    ) -> Result<ElectionTemplate, TemplateError> {
        let election_type = pack.election_type();
        if election_type == ElectionType::Village && mode != ElectoralMode::Direct {
            return Err(TemplateError::VillageModeMustBeDirect);
        }
        let mut steps: Vec<StepTemplate> = all_steps(&params)
            .into_iter()
            .filter(|s| match s.code {
                StepCode::V07 => nomination == NominationMode::Candidates,
                StepCode::V07b => nomination == NominationMode::SelfDeclared,
                _ => true,
            })
            .collect();
        if election_type == ElectionType::Resident {
            // OLRC does not spell out the village procedure; until CQ-REM-2025 is checked the
            // village steps apply to resident committees as typical practice (spec §1.4).
            for s in &mut steps {
                if s.source == SourceTag::Statute {
                    s.source = SourceTag::Typical;
                }
            }
        }
        Ok(ElectionTemplate {
            pack,
            election_type,
            mode,
            nomination,
            composition: pack.composition(),
            params,
            steps,
        })
    }

    /// A directly elected election with candidates under `pack` and default parameters.
    pub fn direct(pack: RulePackVersion) -> Result<ElectionTemplate, TemplateError> {
        ElectionTemplate::new(
            pack,
            ElectoralMode::Direct,
            NominationMode::Candidates,
            TemplateParams::default(),
        )
    }

    pub fn step(&self, code: StepCode) -> Option<&StepTemplate> {
        self.steps.iter().find(|s| s.code == code)
    }
}

/// Every step of spec §1.3 with the parameters filled in.
fn all_steps(p: &TemplateParams) -> Vec<StepTemplate> {
    use BreachClass::*;
    use SourceTag::*;
    use StepCode::*;
    vec![
        StepTemplate {
            code: V00,
            name: label("换届部署", "Deployment of the general election"),
            actor: label("区县、乡镇（街道）", "District and township"),
            evidence: &[
                ("工作方案", "work plan"),
                ("指导机构成员名单", "guidance-body members"),
                ("包村干部分工表", "village → supervisor assignment"),
            ],
            timing: Timing::Around { from: 90, to: 60 },
            source: Typical,
            rule: "V00.deployment_window",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V01,
            name: label(
                "经济责任审计及结果公布",
                "Economic audit of the outgoing committee and publication of its results",
            ),
            actor: label(
                "区县农业农村部门审计，村公布",
                "District agriculture authority audits; the village posts",
            ),
            evidence: &[
                ("审计报告", "audit report"),
                ("公布照片及日期", "posting photo with date"),
            ],
            timing: Timing::DaysBeforeStep { step: V02, days: 3 },
            source: ChongqingVerified,
            rule: "V01.audit_published_3_days_before_committee",
            late: Some(Proc),
            breach: Some(Proc),
        },
        StepTemplate {
            code: V02,
            name: label("推选选举委员会", "Form the election committee"),
            actor: label(
                "原委员会召集，乡镇（街道）指导",
                "Outgoing committee convenes; township supervises",
            ),
            evidence: &[
                ("会议记录", "minutes"),
                ("签到表", "sign-in sheet"),
                ("表决结果", "vote result"),
                ("选举委员会名单公布", "published committee roster"),
                ("乡镇备案", "filing with the township"),
            ],
            timing: Timing::Around { from: 45, to: 30 },
            source: Statute,
            rule: "V02.committee_window",
            late: None,
            breach: Some(Proc),
        },
        StepTemplate {
            code: V03,
            name: label("制定选举工作方案", "Adopt the election plan"),
            actor: label(
                "选举委员会起草，村民会议或村民代表会议通过",
                "Election committee drafts; assembly adopts",
            ),
            evidence: &[("选举工作方案", "plan document"), ("会议记录", "minutes")],
            timing: Timing::Around { from: 35, to: 35 },
            source: Statute,
            rule: "V03.plan_window",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V04,
            name: label("选民登记", "Register participating voters"),
            actor: label(
                "选举委员会、登记员",
                "Election committee, registration staff",
            ),
            evidence: &[
                (
                    "登记册（含登记类别）",
                    "register with a category per person",
                ),
                ("参选意愿记录", "record of wishing to take part"),
                ("同意登记的会议记录", "consent minutes"),
            ],
            timing: Timing::Around { from: 35, to: 21 },
            source: Statute,
            rule: "V04.registration_window",
            late: None,
            breach: Some(Proc),
        },
        StepTemplate {
            code: V05,
            name: label(
                "公布选民名单、发放选民证",
                "Publish the voter list; hand out voter cards",
            ),
            actor: label("选举委员会", "Election committee"),
            evidence: &[
                ("名单公布照片及日期", "photo of the posted list with date"),
                ("选民人数", "count"),
                ("选民证", "voter cards"),
            ],
            timing: Timing::DaysBefore(20),
            source: Statute,
            rule: "V05.list_published_20_days_before",
            late: Some(Proc),
            breach: Some(Proc),
        },
        StepTemplate {
            code: V06,
            name: label("选民名单异议处理", "Objections to the voter list"),
            actor: label(
                "村民提出，选举委员会处理",
                "Any voter objects; the election committee decides",
            ),
            evidence: &[
                ("异议登记", "objection log"),
                ("书面处理决定", "written decision"),
                ("处理结果公布", "published result"),
            ],
            timing: Timing::Within {
                anchor: Anchor::Step(V05),
                days: 5,
                then: Some(3),
            },
            source: Statute,
            rule: "V06.objections_5_days_decided_3_days",
            late: Some(Proc),
            breach: Some(Proc),
        },
        StepTemplate {
            code: V07,
            name: label("提名初步候选人", "Nomination of preliminary candidates"),
            actor: label(
                "选民提名，选举委员会统计",
                "Voters nominate; committee counts",
            ),
            evidence: &[
                ("提名票", "nomination ballots"),
                ("提名统计表", "nomination tally"),
                ("初步候选人名单", "ranked preliminary candidate list"),
            ],
            timing: Timing::Around { from: 18, to: 12 },
            source: Statute,
            rule: "V07.nomination_window",
            late: None,
            breach: Some(Proc),
        },
        StepTemplate {
            code: V07b,
            name: label(
                "自荐报名（无候选人选举）",
                "Self-declaration (no-candidate mode)",
            ),
            actor: label("竞选人", "Contender"),
            evidence: &[("自荐表", "self-declaration forms")],
            timing: Timing::DaysBefore(p.self_declaration_days_before),
            source: Typical,
            rule: "V07b.self_declaration_deadline",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V08,
            name: label(
                "候选人资格审查（含县级联审）",
                "Eligibility review, incl. county joint review",
            ),
            actor: label(
                "选举委员会；区县有关部门；乡镇汇总",
                "Election committee; county departments; township collects",
            ),
            evidence: &[(
                "逐人逐部门审查结果、审查人、日期、印章照片",
                "per candidate and department: result, reviewer, date, seal photo",
            )],
            timing: Timing::DaysBeforeStep { step: V09, days: 0 },
            source: ChongqingVerified,
            rule: "V08.review_before_formal_list",
            late: None,
            breach: Some(WinVoid),
        },
        StepTemplate {
            code: V09,
            name: label("确定正式候选人", "Fix the formal candidates"),
            actor: label("选举委员会", "Election committee"),
            evidence: &[
                ("各职位正式候选人名单", "formal list per post"),
                ("承诺书", "candidate pledges"),
            ],
            timing: Timing::DaysBeforeStep { step: V10, days: 0 },
            source: Statute,
            rule: "V09.before_publication",
            late: None,
            breach: Some(Proc),
        },
        StepTemplate {
            code: V10,
            name: label("公布正式候选人名单", "Publish the formal candidate list"),
            actor: label("选举委员会", "Election committee"),
            evidence: &[("名单公布照片及日期", "photo of the posted list with date")],
            timing: Timing::DaysBefore(p.formal_list_days_before),
            source: ChongqingUnverified,
            rule: "V10.formal_list_days_before",
            late: Some(Proc),
            breach: Some(Proc),
        },
        StepTemplate {
            code: V10b,
            name: label("候选人退出及递补", "Withdrawal and backfill"),
            actor: label("候选人、选举委员会", "Candidate, election committee"),
            evidence: &[
                ("书面退出申请", "withdrawal letter"),
                ("递补公告", "notice"),
            ],
            timing: Timing::DaysBefore(p.withdrawal_days_before),
            source: Typical,
            rule: "V10b.withdrawal_deadline",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V11,
            name: label("候选人与选民见面", "Candidate–voter meeting"),
            actor: label("选举委员会组织", "Election committee organises"),
            evidence: &[
                ("会议记录", "minutes"),
                ("签到表", "sign-in sheet"),
                ("照片", "photos"),
            ],
            timing: Timing::DaysBefore(1),
            source: Statute,
            rule: "V11.meeting_before_election_day",
            late: Some(Proc),
            breach: Some(Proc),
        },
        StepTemplate {
            code: V12,
            name: label("委托投票", "Proxy voting"),
            actor: label(
                "外出选民申请，选举委员会审核公布",
                "Absent voter → election committee",
            ),
            evidence: &[
                ("书面委托书", "written proxy form"),
                ("委托投票证", "proxy certificate"),
                (
                    "委托人及受托人名单公布",
                    "published list of voters and their proxies",
                ),
            ],
            timing: Timing::DaysBefore(p.proxy_publish_days_before),
            source: Typical,
            rule: "V12.proxy_list_published",
            late: Some(Proc),
            breach: Some(Proc),
        },
        StepTemplate {
            code: V13,
            name: label(
                "公告投票安排及工作人员",
                "Announce voting arrangements and counting staff",
            ),
            actor: label("选举委员会", "Election committee"),
            evidence: &[
                ("公告照片及日期", "notice photo with date"),
                (
                    "唱票、计票、监票人员名单",
                    "roster of readers, recorders, scrutineers",
                ),
            ],
            timing: Timing::DaysBefore(p.voting_notice_days_before),
            source: Typical,
            rule: "V13.voting_notice_days_before",
            late: Some(Proc),
            breach: Some(Proc),
        },
        StepTemplate {
            code: V14,
            name: label("流动票箱审批", "Mobile ballot boxes"),
            actor: label(
                "选举委员会提出，乡镇指导机构批准",
                "Committee proposes; township approves",
            ),
            evidence: &[
                ("审批文件", "approval"),
                ("流动票箱服务选民名单", "list of voters served"),
                ("封箱记录", "box seal record"),
                ("返回时间", "return time"),
            ],
            timing: Timing::DaysBefore(p.mobile_box_approval_days_before),
            source: ChongqingUnverified,
            rule: "V14.mobile_box_approved",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V15,
            name: label("选票印制与保管", "Ballot preparation"),
            actor: label("选举委员会", "Election committee"),
            evidence: &[("印制数量", "print count"), ("保管记录", "custody log")],
            timing: Timing::Around { from: 2, to: 1 },
            source: Typical,
            rule: "V15.ballot_window",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V16,
            name: label("选举日投票", "Election day: voting"),
            actor: label(
                "选举委员会、投票站工作人员",
                "Election committee, station staff",
            ),
            evidence: &[
                ("发票登记（含委托票、流动票）", "ballot-issue register"),
                ("秘密写票处照片", "booth photos"),
            ],
            timing: Timing::OnElectionDay,
            source: Statute,
            rule: "V16.voting_on_election_day",
            late: None,
            breach: Some(Proc),
        },
        StepTemplate {
            code: V17,
            name: label(
                "公开计票、当场公布",
                "Open counting, result announced on the spot",
            ),
            actor: label("选举委员会、监票人", "Election committee, scrutineers"),
            evidence: &[
                ("计票单", "tally sheets"),
                ("选举结果报告单", "signed result record"),
                ("选票封存记录", "sealed-ballot record"),
            ],
            timing: Timing::OnElectionDay,
            source: Statute,
            rule: "V17.count_on_election_day",
            late: None,
            breach: Some(Proc),
        },
        StepTemplate {
            code: V18,
            name: label("确认选举有效及当选人", "Validity and winners"),
            actor: label("选举委员会", "Election committee"),
            evidence: &[
                ("有效性决定", "validity decision"),
                ("得票排序", "ranked results"),
            ],
            timing: Timing::OnElectionDay,
            source: Statute,
            rule: "V18.result_on_election_day",
            late: None,
            breach: Some(InvalidRound),
        },
        StepTemplate {
            code: V19,
            name: label("另行选举", "Re-run for unfilled seats"),
            actor: label("选举委员会", "Election committee"),
            evidence: &[
                ("另行选举候选人名单", "new candidate list"),
                ("选票", "ballots"),
                ("计票单", "tally"),
            ],
            timing: Timing::Within {
                anchor: Anchor::ElectionDay,
                days: p.rerun_within_days,
                then: None,
            },
            source: Typical,
            rule: "V19.rerun_within_days",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V20,
            name: label(
                "公布当选名单并报乡镇备案",
                "Publish the winners; report to the township",
            ),
            actor: label("选举委员会", "Election committee"),
            evidence: &[("当选公告", "winners notice"), ("备案报告", "report form")],
            timing: Timing::Within {
                anchor: Anchor::Step(V18),
                days: 1,
                then: None,
            },
            source: Typical,
            rule: "V20.winners_published",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V21,
            name: label("颁发当选证书", "Certificates of election"),
            actor: label("乡镇人民政府", "Township government"),
            evidence: &[("证书编号", "certificate number per member")],
            timing: Timing::Within {
                anchor: Anchor::Step(V20),
                days: p.certificate_within_days,
                then: None,
            },
            source: Typical,
            rule: "V21.certificates",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V22,
            name: label("工作移交", "Handover"),
            actor: label(
                "原委员会移交新委员会，选举委员会主持，乡镇监督",
                "Outgoing → incoming committee; election committee presides; township supervises",
            ),
            evidence: &[(
                "双方及监交人签字的移交清单（印章、账目、资产、债权债务、档案）",
                "handover inventory (seals, accounts, assets, claims and debts, archives) signed by both sides and the supervisor",
            )],
            timing: Timing::Within {
                anchor: Anchor::ElectionDay,
                days: 10,
                then: None,
            },
            source: Statute,
            rule: "V22.handover_within_10_days",
            late: Some(Late),
            breach: Some(Late),
        },
        StepTemplate {
            code: V23,
            name: label("选举资料归档", "Archive the election documents"),
            actor: label(
                "选举委员会移交村（居）委员会",
                "Election committee → committee",
            ),
            evidence: &[
                ("归档目录", "archive index"),
                ("封存选票", "sealed ballots"),
            ],
            timing: Timing::Within {
                anchor: Anchor::ElectionDay,
                days: p.archive_within_days,
                then: None,
            },
            source: Typical,
            rule: "V23.archive_within_days",
            late: None,
            breach: None,
        },
        StepTemplate {
            code: V24,
            name: label(
                "选举监督委员会、代表及小组长",
                "Elect the supervision committee, representatives and group heads",
            ),
            actor: label(
                "选举委员会、村（居）委员会",
                "Election committee / committee",
            ),
            evidence: &[("同类选举材料", "same evidence types")],
            timing: Timing::After(V20),
            source: ChongqingVerified,
            rule: "V24.after_winners",
            late: None,
            breach: Some(Compliance),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn pack_is_the_one_in_force_when_the_committee_was_formed() {
        use ElectionType::*;
        assert_eq!(
            pack_in_force(Village, day(2025, 12, 31)),
            Some(RulePackVersion::CqVc2012r2019)
        );
        assert_eq!(
            pack_in_force(Village, day(2026, 1, 1)),
            Some(RulePackVersion::CqVc2025)
        );
        assert_eq!(
            pack_in_force(Resident, day(2021, 3, 1)),
            Some(RulePackVersion::CqRc1998)
        );
        assert_eq!(
            pack_in_force(Resident, day(2026, 1, 1)),
            Some(RulePackVersion::CqRc2025)
        );
        assert_eq!(pack_in_force(Village, day(2012, 9, 30)), None);
    }

    #[test]
    fn villages_elect_directly_residents_may_vote_by_household() {
        let p = TemplateParams::default;
        assert_eq!(
            ElectionTemplate::new(
                RulePackVersion::CqVc2025,
                ElectoralMode::Household,
                NominationMode::Candidates,
                p()
            ),
            Err(TemplateError::VillageModeMustBeDirect)
        );
        let rc = ElectionTemplate::new(
            RulePackVersion::CqRc2025,
            ElectoralMode::Household,
            NominationMode::Candidates,
            p(),
        )
        .unwrap();
        assert_eq!(rc.composition.min_members, 5);
        assert!(
            rc.steps.iter().all(|s| s.source != SourceTag::Statute),
            "village [L] steps are typical practice for resident committees"
        );
    }

    #[test]
    fn nomination_mode_picks_v07_or_v07b() {
        let with = ElectionTemplate::direct(RulePackVersion::CqVc2025).unwrap();
        assert!(with.step(StepCode::V07).is_some() && with.step(StepCode::V07b).is_none());
        let without = ElectionTemplate::new(
            RulePackVersion::CqVc2025,
            ElectoralMode::Direct,
            NominationMode::SelfDeclared,
            TemplateParams::default(),
        )
        .unwrap();
        assert!(without.step(StepCode::V07).is_none() && without.step(StepCode::V07b).is_some());
        assert_eq!(without.steps.len(), 26);
    }

    #[test]
    fn every_step_has_names_actor_evidence_and_a_rule() {
        let t = ElectionTemplate::direct(RulePackVersion::CqVc2025).unwrap();
        for s in &t.steps {
            assert!(!s.name.zh.is_empty() && !s.name.en.is_empty(), "{}", s.code);
            assert!(
                !s.actor.zh.is_empty() && !s.evidence.is_empty(),
                "{}",
                s.code
            );
            assert!(s.rule.starts_with(s.code.code()), "{}", s.code);
        }
    }

    #[test]
    fn formal_list_needs_more_candidates_than_seats() {
        let m = CandidateMargins::default();
        assert_eq!(
            m.check_formal_list(PostTitle::Member, 3, 3)
                .unwrap_err()
                .rule,
            "V09.more_candidates_than_seats"
        );
        assert!(m.check_formal_list(PostTitle::Member, 3, 4).is_ok());
        assert!(m.check_formal_list(PostTitle::Member, 3, 5).is_ok());
        assert_eq!(
            m.check_formal_list(PostTitle::Member, 3, 6)
                .unwrap_err()
                .rule,
            "V09.candidate_margin"
        );
        assert!(m.check_formal_list(PostTitle::Chair, 1, 2).is_ok());
    }
}
