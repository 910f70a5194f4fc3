//! One eligibility rule (资格条件 / 负面清单条目) as data: its id, labels, kind, lookback period,
//! the committees it applies to, the evidence it needs and the departments that review it
//! (domain-spec §2.1–§2.3). Rules are plain values so a county can configure them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A rule's id in the pack: `B01`…`B06` (basic), `P01`… (positive), `N01`… (negative list),
/// `C01`… (composition of the winners).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleId(String);

impl RuleId {
    pub fn new(id: impl Into<String>) -> RuleId {
        RuleId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RuleId({})", self.0)
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// What a HIT on the rule does (§2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleKind {
    /// 硬性条件 — a HIT removes the person from the candidate list.
    Hard,
    /// 不宜 — a HIT needs a recorded decision of the township party committee, with a reason.
    Warn,
    /// 结构要求 — a composition check run on the winners, not on one candidate.
    Post,
}

impl RuleKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            RuleKind::Hard => "硬性条件",
            RuleKind::Warn => "不宜人选",
            RuleKind::Post => "班子结构",
        }
    }
}

/// What a check of one rule for one person found (§2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleResult {
    /// 通过 — nothing found.
    Clear,
    /// 命中 — a record was found.
    Hit,
    /// 待查 — not answered yet.
    Pending,
    /// 不适用
    NotApplicable,
}

impl RuleResult {
    pub fn label_zh(self) -> &'static str {
        match self {
            RuleResult::Clear => "通过",
            RuleResult::Hit => "命中",
            RuleResult::Pending => "待审查",
            RuleResult::NotApplicable => "不适用",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RuleResult::Clear => "clear",
            RuleResult::Hit => "hit",
            RuleResult::Pending => "pending",
            RuleResult::NotApplicable => "not applicable",
        }
    }
}

/// The committee a candidate stands for (`applies_to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Committee {
    /// 村民委员会
    VillageCommittee,
    /// 居民委员会
    ResidentCommittee,
    /// 村(社区)党组织委员会
    PartyCommittee,
    /// 村(居)务监督委员会
    SupervisionCommittee,
}

impl Committee {
    pub const ALL: [Committee; 4] = [
        Committee::VillageCommittee,
        Committee::ResidentCommittee,
        Committee::PartyCommittee,
        Committee::SupervisionCommittee,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Committee::VillageCommittee => "村民委员会",
            Committee::ResidentCommittee => "居民委员会",
            Committee::PartyCommittee => "党组织委员会",
            Committee::SupervisionCommittee => "村(居)务监督委员会",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Committee::VillageCommittee => "Village committee",
            Committee::ResidentCommittee => "Resident committee",
            Committee::PartyCommittee => "Party committee",
            Committee::SupervisionCommittee => "Supervision committee",
        }
    }
}

/// A reviewing body (审查单位): the county departments of the joint review (县级联审, §2.4)
/// and the township and election-committee reviewers of step V08a. Names vary by county;
/// these are the usual ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Department {
    /// 组织部
    Organisation,
    /// 纪委监委
    DisciplineSupervision,
    /// 政法委
    PoliticalLegal,
    /// 公安
    PublicSecurity,
    /// 民政
    CivilAffairs,
    /// 社会工作部
    SocialWork,
    /// 法院
    Court,
    /// 检察院
    Procuratorate,
    /// 司法行政
    Justice,
    /// 信访
    PetitionOffice,
    /// 统战部 / 民宗委
    UnitedFrontEthnicReligious,
    /// 规划自然资源
    PlanningNaturalResources,
    /// 住建 / 城管
    HousingUrbanManagement,
    /// 农业农村
    AgricultureRural,
    /// 卫生健康
    Health,
    /// 发展改革 / 信用
    CreditAuthority,
    /// 乡镇(街道)党委
    TownshipPartyCommittee,
    /// 乡镇政府 / 街道办事处
    Township,
    /// 村(居)民选举委员会
    ElectionCommittee,
}

impl Department {
    pub const ALL: [Department; 19] = [
        Department::Organisation,
        Department::DisciplineSupervision,
        Department::PoliticalLegal,
        Department::PublicSecurity,
        Department::CivilAffairs,
        Department::SocialWork,
        Department::Court,
        Department::Procuratorate,
        Department::Justice,
        Department::PetitionOffice,
        Department::UnitedFrontEthnicReligious,
        Department::PlanningNaturalResources,
        Department::HousingUrbanManagement,
        Department::AgricultureRural,
        Department::Health,
        Department::CreditAuthority,
        Department::TownshipPartyCommittee,
        Department::Township,
        Department::ElectionCommittee,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Department::Organisation => "组织部",
            Department::DisciplineSupervision => "纪委监委",
            Department::PoliticalLegal => "政法委",
            Department::PublicSecurity => "公安",
            Department::CivilAffairs => "民政",
            Department::SocialWork => "社会工作部",
            Department::Court => "法院",
            Department::Procuratorate => "检察院",
            Department::Justice => "司法行政",
            Department::PetitionOffice => "信访",
            Department::UnitedFrontEthnicReligious => "统战部/民宗委",
            Department::PlanningNaturalResources => "规划自然资源",
            Department::HousingUrbanManagement => "住建/城管",
            Department::AgricultureRural => "农业农村",
            Department::Health => "卫生健康",
            Department::CreditAuthority => "发展改革/信用",
            Department::TownshipPartyCommittee => "乡镇(街道)党委",
            Department::Township => "乡镇(街道)",
            Department::ElectionCommittee => "村(居)民选举委员会",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Department::Organisation => "Organisation department",
            Department::DisciplineSupervision => "Discipline & supervision commission",
            Department::PoliticalLegal => "Political-legal committee",
            Department::PublicSecurity => "Public security",
            Department::CivilAffairs => "Civil affairs",
            Department::SocialWork => "Social-work department",
            Department::Court => "Court",
            Department::Procuratorate => "Procuratorate",
            Department::Justice => "Justice bureau",
            Department::PetitionOffice => "Petition office",
            Department::UnitedFrontEthnicReligious => "United front / ethnic & religious affairs",
            Department::PlanningNaturalResources => "Planning & natural resources",
            Department::HousingUrbanManagement => "Housing / urban management",
            Department::AgricultureRural => "Agriculture & rural affairs",
            Department::Health => "Health",
            Department::CreditAuthority => "Development & reform / credit",
            Department::TownshipPartyCommittee => "Township party committee",
            Department::Township => "Township / street office",
            Department::ElectionCommittee => "Election committee (VEC)",
        }
    }
}

/// One rule of a pack, in the shape of domain-spec §2.3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: RuleId,
    /// 中文条文
    pub zh: String,
    pub en: String,
    pub kind: RuleKind,
    /// 追溯年限: a HIT record older than this many years before election day is ignored.
    /// `None` = permanent (终身).
    pub lookback_years: Option<u8>,
    pub applies_to: BTreeSet<Committee>,
    /// 审查依据 — the documents a reviewer looks at.
    pub evidence: Vec<String>,
    /// 审查单位 — each must answer for every candidate.
    pub departments: Vec<Department>,
    pub enabled: bool,
    /// Free-form settings the rule's text refers to (e.g. `intentional_only`).
    pub params: BTreeMap<String, String>,
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<NaiveDate>,
    /// Where the rule comes from and how sure we are (§0.1), e.g. `"CQ✓ category; details T"`.
    pub tag: String,
    /// The reading used by other lists, shown when a county configures the rule.
    pub alt: Option<String>,
}

impl Rule {
    /// Whether the rule is switched on, in force on `day` and meant for `committee`.
    pub fn applies(&self, committee: Committee, day: NaiveDate) -> bool {
        self.enabled && self.applies_to.contains(&committee) && self.in_force_on(day)
    }

    /// `effective_from <= day <= effective_to`, open ends allowed.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.effective_from.is_none_or(|from| from <= day)
            && self.effective_to.is_none_or(|to| day <= to)
    }

    /// Whether a HIT record dated `record_date` still counts on `election_day`: it does unless
    /// it lies more than `lookback_years` whole years before election day. A record exactly
    /// `lookback_years` old still counts. An undated record always counts.
    pub fn record_counts(&self, record_date: Option<NaiveDate>, election_day: NaiveDate) -> bool {
        match (self.lookback_years, record_date) {
            (Some(years), Some(record)) => {
                let cutoff = election_day
                    .checked_sub_months(chrono::Months::new(12 * u32::from(years)))
                    .unwrap_or(NaiveDate::MIN);
                record >= cutoff
            }
            _ => true,
        }
    }
}
