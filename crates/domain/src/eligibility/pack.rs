//! Versioned rule packs (规则包): the default `CQ-candidate-2021` pack (domain-spec §2.2–§2.3),
//! cloning a pack under a new id, and typed changes (`PackChange`) that switch rules on or off
//! and change their parameters. Every accepted batch of changes makes a new version.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rule::{Committee, Department, Rule, RuleId, RuleKind};

/// The id of the default pack.
pub const DEFAULT_PACK_ID: &str = "CQ-candidate-2021";

/// The longest lookback a rule may have; anything longer should be "permanent" (`None`).
pub const MAX_LOOKBACK_YEARS: u8 = 50;

/// 资格审查规则包 — a versioned list of rules. An election pins `(id, version)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePack {
    pub id: String,
    pub version: u32,
    pub rules: Vec<Rule>,
}

/// One configuration change to a pack. The app records these as events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PackChange {
    /// 启用 / 停用
    SetEnabled { rule: RuleId, enabled: bool },
    /// 追溯年限; `None` = permanent.
    SetLookback {
        rule: RuleId,
        lookback_years: Option<u8>,
    },
    /// HARD ↔ WARN (several rules are HARD in some lists and WARN in others). POST rules stay POST.
    SetKind { rule: RuleId, kind: RuleKind },
    SetParam {
        rule: RuleId,
        key: String,
        value: String,
    },
    SetDepartments {
        rule: RuleId,
        departments: Vec<Department>,
    },
    SetAppliesTo {
        rule: RuleId,
        applies_to: BTreeSet<Committee>,
    },
    SetEffective {
        rule: RuleId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

impl PackChange {
    pub fn rule(&self) -> &RuleId {
        match self {
            PackChange::SetEnabled { rule, .. }
            | PackChange::SetLookback { rule, .. }
            | PackChange::SetKind { rule, .. }
            | PackChange::SetParam { rule, .. }
            | PackChange::SetDepartments { rule, .. }
            | PackChange::SetAppliesTo { rule, .. }
            | PackChange::SetEffective { rule, .. } => rule,
        }
    }
}

/// Why a pack or a change to it is refused. `Display` is English; `message_zh` is for the app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    #[error("rule {0} is not in this pack; check the rule id")]
    UnknownRule(RuleId),
    #[error("rule {0} appears more than once")]
    DuplicateRule(RuleId),
    #[error(
        "lookback of {years} years for rule {rule} is invalid: use 1 to {MAX_LOOKBACK_YEARS} years, or none for permanent"
    )]
    InvalidLookback { rule: RuleId, years: u8 },
    #[error("rule {0} is a composition (POST) rule: it has no lookback period")]
    LookbackOnPostRule(RuleId),
    #[error(
        "rule {rule} cannot change kind from {from:?} to {to:?}; only HARD and WARN are interchangeable"
    )]
    InvalidKindChange {
        rule: RuleId,
        from: RuleKind,
        to: RuleKind,
    },
    #[error("rule {0} is switched on but has no reviewing department; add one first")]
    NoDepartment(RuleId),
    #[error("rule {0} must apply to at least one committee")]
    NoCommittee(RuleId),
    #[error("rule {rule}: effective-from {from} is after effective-to {to}")]
    EffectiveRange {
        rule: RuleId,
        from: NaiveDate,
        to: NaiveDate,
    },
    #[error("a pack needs a non-empty id different from {0:?}")]
    BadPackId(String),
}

impl PackError {
    /// The message shown in the app, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            PackError::UnknownRule(r) => format!("规则包中没有规则{r}，请核对规则编号"),
            PackError::DuplicateRule(r) => format!("规则{r}重复出现"),
            PackError::InvalidLookback { rule, years } => format!(
                "规则{rule}的追溯年限{years}年无效：应为1至{MAX_LOOKBACK_YEARS}年，或不设年限(终身)"
            ),
            PackError::LookbackOnPostRule(r) => format!("规则{r}为班子结构要求，不设追溯年限"),
            PackError::InvalidKindChange { rule, from, to } => format!(
                "规则{rule}不能从“{}”改为“{}”：只能在硬性条件与不宜人选之间切换",
                from.label_zh(),
                to.label_zh()
            ),
            PackError::NoDepartment(r) => format!("规则{r}已启用但没有审查单位，请先指定审查单位"),
            PackError::NoCommittee(r) => format!("规则{r}至少应适用于一个委员会"),
            PackError::EffectiveRange { rule, from, to } => {
                format!("规则{rule}的生效日期{from}晚于失效日期{to}")
            }
            PackError::BadPackId(id) => format!("规则包编号不能为空，也不能与“{id}”相同"),
        }
    }
}

impl RulePack {
    /// The rule with this id, if any.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The rules switched on, in force on `day` and meant for `committee`.
    pub fn applicable(&self, committee: Committee, day: NaiveDate) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.applies(committee, day))
    }

    /// A copy under a new id, starting again at version 1 (e.g. `CQ-candidate-2026` after the
    /// county checks the 2025 measures).
    pub fn clone_as(&self, new_id: &str) -> Result<RulePack, PackError> {
        let new_id = new_id.trim();
        if new_id.is_empty() || new_id == self.id {
            return Err(PackError::BadPackId(self.id.clone()));
        }
        Ok(RulePack {
            id: new_id.to_string(),
            version: 1,
            rules: self.rules.clone(),
        })
    }

    /// Applies `changes` together: the next version if every change is valid and the result is
    /// a valid pack, otherwise the first error and no change at all.
    pub fn apply(&self, changes: &[PackChange]) -> Result<RulePack, PackError> {
        let mut next = self.clone();
        for change in changes {
            next.apply_one(change)?;
        }
        next.validate()?;
        next.version += 1;
        Ok(next)
    }

    fn apply_one(&mut self, change: &PackChange) -> Result<(), PackError> {
        let id = change.rule();
        let rule = self
            .rules
            .iter_mut()
            .find(|r| &r.id == id)
            .ok_or_else(|| PackError::UnknownRule(id.clone()))?;
        match change {
            PackChange::SetEnabled { enabled, .. } => rule.enabled = *enabled,
            PackChange::SetLookback { lookback_years, .. } => {
                rule.lookback_years = *lookback_years;
            }
            PackChange::SetKind { kind, .. } => {
                if (rule.kind == RuleKind::Post) != (*kind == RuleKind::Post) {
                    return Err(PackError::InvalidKindChange {
                        rule: id.clone(),
                        from: rule.kind,
                        to: *kind,
                    });
                }
                rule.kind = *kind;
            }
            PackChange::SetParam { key, value, .. } => {
                rule.params.insert(key.clone(), value.clone());
            }
            PackChange::SetDepartments { departments, .. } => {
                rule.departments = departments.clone();
            }
            PackChange::SetAppliesTo { applies_to, .. } => rule.applies_to = applies_to.clone(),
            PackChange::SetEffective { from, to, .. } => {
                rule.effective_from = *from;
                rule.effective_to = *to;
            }
        }
        Ok(())
    }

    /// Checks a whole pack (e.g. one received as JSON): unique ids, sensible lookbacks and
    /// dates, and a reviewing department for every enabled HARD or WARN rule.
    pub fn validate(&self) -> Result<(), PackError> {
        if self.id.trim().is_empty() {
            return Err(PackError::BadPackId(String::new()));
        }
        let mut seen = BTreeSet::new();
        for rule in &self.rules {
            let id = || rule.id.clone();
            if !seen.insert(&rule.id) {
                return Err(PackError::DuplicateRule(id()));
            }
            match rule.lookback_years {
                Some(_) if rule.kind == RuleKind::Post => {
                    return Err(PackError::LookbackOnPostRule(id()));
                }
                Some(years) if years == 0 || years > MAX_LOOKBACK_YEARS => {
                    return Err(PackError::InvalidLookback { rule: id(), years });
                }
                _ => {}
            }
            if rule.applies_to.is_empty() {
                return Err(PackError::NoCommittee(id()));
            }
            if let (Some(from), Some(to)) = (rule.effective_from, rule.effective_to)
                && from > to
            {
                return Err(PackError::EffectiveRange {
                    rule: id(),
                    from,
                    to,
                });
            }
            if rule.enabled && rule.kind != RuleKind::Post && rule.departments.is_empty() {
                return Err(PackError::NoDepartment(id()));
            }
        }
        Ok(())
    }

    /// The default pack: domain-spec §2.2 (B01–B06) and §2.3 (P01–P04, N01–N18, C01–C03).
    /// Wording of the Chongqing negative list is unverified (§2.1): counties switch on what
    /// they confirm.
    pub fn cq_candidate_2021() -> RulePack {
        use Department::*;
        use RuleKind::*;
        let rules = vec![
            // §2.2 basic legal conditions
            rule("B01", "年满十八周岁", "Aged ≥ 18 on election day", Hard, &[ElectionCommittee])
                .evidence(&["ID number / household register"])
                .tag("L"),
            rule("B02", "未被依法剥夺政治权利", "Not deprived of political rights", Hard, &[PublicSecurity, Court])
                .evidence(&["police/court check"])
                .tag("L"),
            rule("B03", "已登记参加本村(居)选举", "On this unit's published voter list", Hard, &[ElectionCommittee])
                .evidence(&["voter-list entry"])
                .tag("L"),
            rule("B04", "具有完全民事行为能力", "Full legal capacity", Hard, &[ElectionCommittee])
                .evidence(&["declaration", "guardianship record if any"])
                .tag("L §18 analogue"),
            rule("B05", "未在服刑", "Not currently under criminal sentence", Hard, &[PublicSecurity])
                .evidence(&["police check"])
                .tag("L §18 analogue"),
            rule("B06", "选举委员会成员被提名须退出", "A VEC member who is nominated must leave the VEC (automatic action, not a disqualification)", Hard, &[ElectionCommittee])
                .evidence(&["VEC roster change"])
                .tag("L §12"),
            // §2.3 positive conditions
            rule("P01", "拥护党的领导、政治素质好", "Supports party leadership / politically reliable", Warn, &[TownshipPartyCommittee])
                .evidence(&["branch opinion"])
                .tag("T (CQ 6 conditions, wording unverified)"),
            rule("P02", "遵纪守法、品行良好、公道正派", "Law-abiding, good conduct, fair-minded", Warn, &[ElectionCommittee, Township])
                .evidence(&["village opinion"])
                .tag("L §15 (nomination guidance) + T"),
            rule("P03", "热心公益、有一定文化水平和工作能力", "Public-spirited, some education and capability", Warn, &[ElectionCommittee])
                .evidence(&["education certificate"])
                .tag("L §15 + T"),
            rule("P04", "身体健康、能正常履职", "Healthy enough to perform duties", Warn, &[ElectionCommittee])
                .evidence(&["declaration"])
                .tag("T"),
            // §2.3 negative list
            rule("N01", "受过刑事处罚", "Has received a criminal penalty (some lists: intentional crimes only — configurable)", Hard, &[PublicSecurity, Court, Procuratorate])
                .evidence(&["no-criminal-record certificate 无犯罪记录证明", "court/procuratorate check"])
                .param("intentional_only", "false")
                .alt("older lists: sentence served < 5 years")
                .tag("CQ✓ category; details T"),
            rule("N02", "存在“村霸”问题", "Village-bully conduct", Hard, &[PoliticalLegal, PublicSecurity])
                .evidence(&["political-legal committee / police finding"])
                .tag("CQ✓ category"),
            rule("N03", "涉黑涉恶(含充当“保护伞”)", "Involved in organised crime or gangs, or protecting them", Hard, &[PoliticalLegal, PublicSecurity, DisciplineSupervision])
                .evidence(&["police / anti-gang office record"])
                .alt("older lists: handled < 5 years ago")
                .tag("CQ✓ category"),
            rule("N04", "组织、参与邪教", "Cult membership or activity", Hard, &[PublicSecurity, PoliticalLegal])
                .evidence(&["police record"])
                .tag("CQ✓ category"),
            rule("N05", "组织、参与非法宗教活动", "Illegal religious activity", Hard, &[UnitedFrontEthnicReligious, PublicSecurity])
                .evidence(&["ethnic & religious affairs record"])
                .tag("CQ✓ category"),
            rule("N06", "被列为失信被执行人/失信联合惩戒对象", "Listed as a dishonest judgment debtor / joint-sanction target", Hard, &[Court, CreditAuthority])
                .evidence(&["court enforcement-list query 失信被执行人名单"])
                .tag("T"),
            rule("N07", "严重违法用地、违章建房拒不整改", "Serious illegal land use or construction not rectified", Hard, &[PlanningNaturalResources, HousingUrbanManagement, Township])
                .evidence(&["enforcement record", "rectification status"])
                .tag("T"),
            rule("N08", "正在接受纪律审查、监察调查或立案侦查", "Under party-discipline, supervisory or criminal investigation", Hard, &[DisciplineSupervision, PublicSecurity, Procuratorate])
                .evidence(&["case status"])
                .alt("some lists: WARN")
                .tag("T"),
            rule("N09", "受党纪政务处分且处分影响期未满", "Party or public-office sanction still within its restriction period", Hard, &[DisciplineSupervision, Organisation])
                .evidence(&["sanction decision"])
                .param("durations", "by sanction type, e.g. removal from party post 2 y; probation period as decided")
                .tag("T"),
            rule("N10", "煽动、组织、参与非法上访或群体性事件受处理", "Incited, organised or joined illegal petitioning or mass incidents (handled)", Hard, &[PetitionOffice, PublicSecurity])
                .lookback(5)
                .evidence(&["petition-office / police record"])
                .alt("WARN in some lists")
                .tag("T"),
            rule("N11", "换届中贿选、拉票、以暴力威胁欺骗等干扰破坏选举", "Bribery, canvassing or coercion in this election", Hard, &[Township, DisciplineSupervision, PublicSecurity])
                .evidence(&["investigation finding"])
                .param("side_effect", "WIN_VOID if already elected")
                .tag("L §17 + T"),
            rule("N12", "拒不签订竞职/纪律承诺书", "Refuses to sign the campaign-discipline pledge", Hard, &[Township])
                .evidence(&["signed pledge"])
                .tag("T"),
            rule("N13", "因嫖娼、吸毒、赌博、扰乱公共秩序受行政拘留", "Administrative detention for prostitution, drugs, gambling or public disorder", Warn, &[PublicSecurity])
                .lookback(5)
                .evidence(&["police record"])
                .tag("T"),
            rule("N14", "编造散布有损党的形象言论等违反政治纪律", "Political-discipline violations (mainly party-committee candidates)", Hard, &[Organisation, DisciplineSupervision])
                .only(&[Committee::PartyCommittee])
                .evidence(&["finding"])
                .tag("T"),
            rule("N15", "长期外出不能正常履职", "Long-term absence, unable to perform duties", Warn, &[Township, ElectionCommittee])
                .evidence(&["residence/work statement"])
                .alt("HARD in some lists")
                .tag("T"),
            rule("N16", "任职期间侵占集体资产、长期不公开村务引发集体上访", "Misappropriated collective assets / long-term failure to publish village affairs causing collective petitions", Warn, &[AgricultureRural, DisciplineSupervision])
                .evidence(&["audit", "petition records"])
                .tag("T"),
            rule("N17", "民主评议连续两次不称职/离任审计发现严重问题", "Rated unfit twice / serious audit findings", Warn, &[Township, AgricultureRural])
                .evidence(&["evaluation results", "audit report"])
                .tag("L §33 (termination) + T"),
            rule("N18", "违反计划生育政策未处理完毕", "Family-planning violation unresolved (legacy)", Warn, &[])
                .disabled()
                .tag("T (pre-2021 lists)"),
            // §2.3 composition of the winners
            rule("C01", "成员之间近亲属回避", "No close relatives on the same committee", Post, &[])
                .tag("CQ✓ (VC 2012; RC 2025)"),
            rule("C02", "村委会成员及其近亲属不得任村务监督委员会成员", "Committee members and their close relatives may not sit on the supervision committee", Post, &[])
                .tag("L §32"),
            rule("C03", "妇女成员/少数民族成员", "Women member / minority member present", Post, &[])
                .tag("L §6; CQ✓"),
        ];
        RulePack {
            id: DEFAULT_PACK_ID.to_string(),
            version: 1,
            rules,
        }
    }
}

fn rule(id: &str, zh: &str, en: &str, kind: RuleKind, departments: &[Department]) -> Rule {
    Rule {
        id: RuleId::new(id),
        zh: zh.to_string(),
        en: en.to_string(),
        kind,
        lookback_years: None,
        applies_to: Committee::ALL.into_iter().collect(),
        evidence: Vec::new(),
        departments: departments.to_vec(),
        enabled: true,
        params: Default::default(),
        effective_from: None,
        effective_to: None,
        tag: String::new(),
        alt: None,
    }
}

/// Small builders so the default pack reads like the spec's table.
impl Rule {
    fn evidence(mut self, items: &[&str]) -> Rule {
        self.evidence = items.iter().map(|s| s.to_string()).collect();
        self
    }
    fn tag(mut self, tag: &str) -> Rule {
        self.tag = tag.to_string();
        self
    }
    fn lookback(mut self, years: u8) -> Rule {
        self.lookback_years = Some(years);
        self
    }
    fn only(mut self, committees: &[Committee]) -> Rule {
        self.applies_to = committees.iter().copied().collect();
        self
    }
    fn param(mut self, key: &str, value: &str) -> Rule {
        self.params.insert(key.to_string(), value.to_string());
        self
    }
    fn alt(mut self, text: &str) -> Rule {
        self.alt = Some(text.to_string());
        self
    }
    fn disabled(mut self) -> Rule {
        self.enabled = false;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(pack: &RulePack) -> Vec<&str> {
        pack.rules.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn default_pack_has_exactly_the_spec_rule_ids_in_order() {
        let pack = RulePack::cq_candidate_2021();
        let mut expected: Vec<String> = Vec::new();
        expected.extend((1..=6).map(|i| format!("B{i:02}")));
        expected.extend((1..=4).map(|i| format!("P{i:02}")));
        expected.extend((1..=18).map(|i| format!("N{i:02}")));
        expected.extend((1..=3).map(|i| format!("C{i:02}")));
        assert_eq!(ids(&pack), expected);
        assert_eq!(pack.id, "CQ-candidate-2021");
        assert_eq!(pack.version, 1);
        pack.validate().unwrap();
    }

    #[test]
    fn default_pack_n18_is_disabled_and_only_n18() {
        let pack = RulePack::cq_candidate_2021();
        let disabled: Vec<&str> = pack
            .rules
            .iter()
            .filter(|r| !r.enabled)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(disabled, ["N18"]);
    }

    #[test]
    fn default_pack_every_hard_rule_has_a_department() {
        let pack = RulePack::cq_candidate_2021();
        for r in pack.rules.iter().filter(|r| r.kind == RuleKind::Hard) {
            assert!(!r.departments.is_empty(), "{}", r.id);
        }
        for r in pack
            .rules
            .iter()
            .filter(|r| r.kind == RuleKind::Warn && r.enabled)
        {
            assert!(!r.departments.is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn default_pack_kinds_and_lookbacks_follow_the_spec() {
        let pack = RulePack::cq_candidate_2021();
        let kind = |id: &str| pack.rule(id).unwrap().kind;
        for id in [
            "B01", "B02", "B03", "B04", "B05", "B06", "N01", "N08", "N12", "N14",
        ] {
            assert_eq!(kind(id), RuleKind::Hard, "{id}");
        }
        for id in [
            "P01", "P02", "P03", "P04", "N13", "N15", "N16", "N17", "N18",
        ] {
            assert_eq!(kind(id), RuleKind::Warn, "{id}");
        }
        for id in ["C01", "C02", "C03"] {
            assert_eq!(kind(id), RuleKind::Post, "{id}");
        }
        let lookback = |id: &str| pack.rule(id).unwrap().lookback_years;
        assert_eq!(lookback("N01"), None);
        assert_eq!(lookback("N03"), None);
        assert_eq!(lookback("N10"), Some(5));
        assert_eq!(lookback("N13"), Some(5));
    }

    #[test]
    fn n14_applies_to_party_committee_only() {
        let pack = RulePack::cq_candidate_2021();
        let e = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let vc: Vec<&str> = pack
            .applicable(Committee::VillageCommittee, e)
            .map(|r| r.id.as_str())
            .collect();
        assert!(!vc.contains(&"N14") && !vc.contains(&"N18") && vc.contains(&"N13"));
        assert!(
            pack.applicable(Committee::PartyCommittee, e)
                .any(|r| r.id == "N14")
        );
    }

    #[test]
    fn default_pack_round_trips_through_json() {
        let pack = RulePack::cq_candidate_2021();
        let json = serde_json::to_string(&pack).unwrap();
        assert!(json.contains(r#""kind":"HARD""#));
        assert!(json.contains(r#""public_security""#));
        let back: RulePack = serde_json::from_str(&json).unwrap();
        assert_eq!(back, pack);
    }

    #[test]
    fn clone_as_starts_a_new_pack_at_version_1() {
        let pack = RulePack::cq_candidate_2021()
            .apply(&[PackChange::SetEnabled {
                rule: RuleId::new("N13"),
                enabled: false,
            }])
            .unwrap();
        assert_eq!(pack.version, 2);
        let copy = pack.clone_as("CQ-candidate-2026").unwrap();
        assert_eq!((copy.id.as_str(), copy.version), ("CQ-candidate-2026", 1));
        assert_eq!(copy.rules, pack.rules);
        assert_eq!(
            pack.clone_as(" "),
            Err(PackError::BadPackId(DEFAULT_PACK_ID.into()))
        );
        assert!(pack.clone_as(DEFAULT_PACK_ID).is_err());
    }

    #[test]
    fn changes_switch_rules_and_bump_the_version_once() {
        let pack = RulePack::cq_candidate_2021();
        let next = pack
            .apply(&[
                PackChange::SetEnabled {
                    rule: RuleId::new("N13"),
                    enabled: false,
                },
                PackChange::SetLookback {
                    rule: RuleId::new("N01"),
                    lookback_years: Some(5),
                },
                PackChange::SetKind {
                    rule: RuleId::new("N08"),
                    kind: RuleKind::Warn,
                },
                PackChange::SetParam {
                    rule: RuleId::new("N01"),
                    key: "intentional_only".into(),
                    value: "true".into(),
                },
            ])
            .unwrap();
        assert_eq!(next.version, 2);
        assert!(!next.rule("N13").unwrap().enabled);
        assert_eq!(next.rule("N01").unwrap().lookback_years, Some(5));
        assert_eq!(next.rule("N01").unwrap().params["intentional_only"], "true");
        assert_eq!(next.rule("N08").unwrap().kind, RuleKind::Warn);
        // The original is untouched.
        assert_eq!(pack, RulePack::cq_candidate_2021());
    }

    #[test]
    fn unknown_rule_is_refused_in_both_languages() {
        let err = RulePack::cq_candidate_2021()
            .apply(&[PackChange::SetEnabled {
                rule: RuleId::new("N99"),
                enabled: true,
            }])
            .unwrap_err();
        assert_eq!(err, PackError::UnknownRule(RuleId::new("N99")));
        assert!(err.to_string().contains("N99 is not in this pack"));
        assert!(err.message_zh().contains("没有规则N99"));
    }

    #[test]
    fn invalid_lookback_is_refused_and_nothing_changes() {
        let pack = RulePack::cq_candidate_2021();
        let set = |years| PackChange::SetLookback {
            rule: RuleId::new("N10"),
            lookback_years: Some(years),
        };
        for years in [0, MAX_LOOKBACK_YEARS + 1] {
            let err = pack
                .apply(&[
                    PackChange::SetEnabled {
                        rule: RuleId::new("N13"),
                        enabled: false,
                    },
                    set(years),
                ])
                .unwrap_err();
            assert!(matches!(err, PackError::InvalidLookback { .. }), "{years}");
            assert!(err.message_zh().contains("追溯年限"));
        }
        assert!(pack.apply(&[set(1)]).is_ok());
        assert!(pack.apply(&[set(MAX_LOOKBACK_YEARS)]).is_ok());
        let post = PackChange::SetLookback {
            rule: RuleId::new("C01"),
            lookback_years: Some(5),
        };
        assert_eq!(
            pack.apply(&[post]),
            Err(PackError::LookbackOnPostRule(RuleId::new("C01")))
        );
    }

    #[test]
    fn post_rules_cannot_become_candidate_rules() {
        let err = RulePack::cq_candidate_2021()
            .apply(&[PackChange::SetKind {
                rule: RuleId::new("C01"),
                kind: RuleKind::Hard,
            }])
            .unwrap_err();
        assert!(matches!(err, PackError::InvalidKindChange { .. }));
    }

    #[test]
    fn enabling_n18_needs_a_department_first() {
        let pack = RulePack::cq_candidate_2021();
        let enable = PackChange::SetEnabled {
            rule: RuleId::new("N18"),
            enabled: true,
        };
        assert_eq!(
            pack.apply(std::slice::from_ref(&enable)),
            Err(PackError::NoDepartment(RuleId::new("N18")))
        );
        let with_dept = pack
            .apply(&[
                PackChange::SetDepartments {
                    rule: RuleId::new("N18"),
                    departments: vec![Department::Health],
                },
                enable,
            ])
            .unwrap();
        assert!(with_dept.rule("N18").unwrap().enabled);
    }

    #[test]
    fn effective_dates_must_be_in_order() {
        let d = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        let err = RulePack::cq_candidate_2021()
            .apply(&[PackChange::SetEffective {
                rule: RuleId::new("N06"),
                from: Some(d(2026)),
                to: Some(d(2025)),
            }])
            .unwrap_err();
        assert!(matches!(err, PackError::EffectiveRange { .. }));
    }

    #[test]
    fn a_rule_out_of_force_does_not_apply() {
        let d = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        let pack = RulePack::cq_candidate_2021()
            .apply(&[PackChange::SetEffective {
                rule: RuleId::new("N06"),
                from: None,
                to: Some(d(2025)),
            }])
            .unwrap();
        let n06 = pack.rule("N06").unwrap();
        assert!(n06.applies(Committee::VillageCommittee, d(2025)));
        assert!(!n06.applies(Committee::VillageCommittee, d(2026)));
    }

    #[test]
    fn duplicate_rule_ids_are_refused() {
        let mut pack = RulePack::cq_candidate_2021();
        pack.rules.push(pack.rules[0].clone());
        assert_eq!(
            pack.validate(),
            Err(PackError::DuplicateRule(RuleId::new("B01")))
        );
    }
}
