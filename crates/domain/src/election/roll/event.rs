//! What a roll event says (`EventBody::ElectionRoll`): the plan that opens the roll, voter
//! registration (OLVC §13), the published list and objections (§14), nominations and the
//! preliminary and formal candidate lists (§15), proxies (委托投票), ballot boxes and the counts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::directory::person::IdNumber;
use crate::election::tally::{PostTitle, Seats};
use crate::election::template::{ElectionType, ElectoralMode, RulePackVersion};
use crate::event::Relation;
use crate::ids::{EntityId, UnitId};

/// Most voter rows one `VotersRegistered` event carries (a CSV import is split into batches).
pub const MAX_VOTERS_PER_EVENT: usize = 200;

/// 参加选举的村(居)民登记类别 — the three categories of OLVC §13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoterCategory {
    /// (一) 户籍在本村并且在本村居住
    Resident,
    /// (二) 户籍在本村，不在本村居住，本人表示参加选举
    RegisteredAway,
    /// (三) 户籍不在本村，在本村居住一年以上，本人申请参加选举，并经村民会议或者村民代表会议同意
    LivingHere,
}

impl VoterCategory {
    pub const ALL: [VoterCategory; 3] = [
        VoterCategory::Resident,
        VoterCategory::RegisteredAway,
        VoterCategory::LivingHere,
    ];

    /// The number used in the law and in import files: 1, 2, 3.
    pub fn number(self) -> u8 {
        match self {
            VoterCategory::Resident => 1,
            VoterCategory::RegisteredAway => 2,
            VoterCategory::LivingHere => 3,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            VoterCategory::Resident => "（一）户籍在本村并在本村居住",
            VoterCategory::RegisteredAway => "（二）户籍在本村、不在本村居住，本人表示参加选举",
            VoterCategory::LivingHere => "（三）户籍不在本村、在本村居住一年以上，经会议同意",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            VoterCategory::Resident => "(1) registered and living here",
            VoterCategory::RegisteredAway => "(2) registered here, living elsewhere, wants to vote",
            VoterCategory::LivingHere => "(3) registered elsewhere, living here 1+ year, admitted",
        }
    }

    /// Reads `1`, `一`, `(一)`, `（一）` and the like.
    pub fn parse(text: &str) -> Option<VoterCategory> {
        let t = text
            .trim()
            .trim_matches(|c| matches!(c, '(' | ')' | '（' | '）' | ' '));
        match t {
            "1" | "一" => Some(VoterCategory::Resident),
            "2" | "二" => Some(VoterCategory::RegisteredAway),
            "3" | "三" => Some(VoterCategory::LivingHere),
            _ => None,
        }
    }

    /// Category (三) needs the assembly's consent (会议同意) on record [L §13].
    pub fn needs_basis(self) -> bool {
        self == VoterCategory::LivingHere
    }
}

/// One voter as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoterEntry {
    pub name: String,
    pub id_number: IdNumber,
    pub category: VoterCategory,
    /// 户号 — counts registered households in 户代表 mode.
    pub household: Option<String>,
    /// 依据 — e.g. the consent minutes for category (三), or the declaration for (二).
    pub basis: Option<String>,
    /// The directory record, when the voter was picked from it.
    pub person: Option<EntityId>,
}

/// 选举方案 as far as the roll needs it: opens the roll of one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollPlan {
    /// The village or community; every event of the roll is recorded in this unit.
    pub unit: UnitId,
    pub committee: ElectionType,
    pub mode: ElectoralMode,
    pub pack: RulePackVersion,
    /// 应选名额 per post.
    pub seats: Vec<Seats>,
    /// Most principals one proxy may vote for [T: 3].
    pub proxy_max_principals: u32,
    /// 多民族居住 — a minority member is required [L §6].
    pub multi_ethnic: bool,
    /// Planned election day E, when known: ages are counted on it and the list must be
    /// published at least 20 days before it [L §14].
    pub election_day: Option<NaiveDate>,
}

/// 票箱类别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoxKind {
    /// 中心会场票箱
    Central,
    /// 投票站票箱
    Station,
    /// 流动票箱
    Mobile,
}

impl BoxKind {
    pub const ALL: [BoxKind; 3] = [BoxKind::Central, BoxKind::Station, BoxKind::Mobile];

    pub fn label_zh(self) -> &'static str {
        match self {
            BoxKind::Central => "中心会场",
            BoxKind::Station => "投票站",
            BoxKind::Mobile => "流动票箱",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            BoxKind::Central => "Central venue",
            BoxKind::Station => "Polling station",
            BoxKind::Mobile => "Mobile box",
        }
    }
}

/// Which vote a count belongs to: the first round (V18) or the re-run (另行选举, V19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TallyRound {
    First,
    Rerun,
}

/// Votes one registered voter received on one post (candidates and write-ins alike).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteCount {
    pub id_number: IdNumber,
    pub votes: u32,
}

/// Why a member's election is void (当选无效) [L §17; hard eligibility hit T].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoidGround {
    /// 以暴力、威胁、欺骗、贿赂等不正当手段当选
    ImproperMeans,
    /// 伪造选票、虚报选举票数
    ForgedBallots,
    /// 资格审查发现不符合候选人条件
    Ineligible,
}

impl VoidGround {
    pub const ALL: [VoidGround; 3] = [
        VoidGround::ImproperMeans,
        VoidGround::ForgedBallots,
        VoidGround::Ineligible,
    ];

    pub fn rule(self) -> &'static str {
        match self {
            VoidGround::ImproperMeans => "OLVC17.improper_means",
            VoidGround::ForgedBallots => "OLVC17.forged_ballots",
            VoidGround::Ineligible => "V08.ineligible_winner",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            VoidGround::ImproperMeans => "以暴力、威胁、欺骗、贿赂等不正当手段当选",
            VoidGround::ForgedBallots => "伪造选票、虚报选举票数",
            VoidGround::Ineligible => "当选后发现不符合候选人资格条件",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            VoidGround::ImproperMeans => "elected by violence, threats, deception or bribery",
            VoidGround::ForgedBallots => "forged ballots or falsified counts",
            VoidGround::Ineligible => "found ineligible after the election",
        }
    }
}

/// One event of an election roll (选民登记与计票台账). All kinds share the wire kind
/// `election_roll` and one version; `op` names the kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RollEvent {
    /// 建立登记册 — the plan that opens the roll.
    Opened { plan: RollPlan },
    /// 选民登记 — up to `MAX_VOTERS_PER_EVENT` voters.
    VotersRegistered { voters: Vec<VoterEntry> },
    /// 移出名单 — e.g. after an upheld objection.
    VoterRemoved { id_number: IdNumber, reason: String },
    /// 公布选民名单 — with the count posted.
    ListPublished { on: NaiveDate, count: u32 },
    /// 对名单提出异议
    ObjectionFiled {
        no: u32,
        filed_on: NaiveDate,
        by: String,
        text: String,
    },
    /// 异议处理决定
    ObjectionDecided {
        no: u32,
        decided_on: NaiveDate,
        upheld: bool,
        decision: String,
    },
    /// 提名 — a registered voter nominated for a post, with the nomination votes.
    Nominated {
        post: PostTitle,
        id_number: IdNumber,
        nomination_votes: u32,
        /// Belongs to a smaller ethnic group of a multi-ethnic unit.
        minority: bool,
    },
    /// 初步候选人 — in nomination-vote order.
    PreliminaryFixed {
        post: PostTitle,
        candidates: Vec<IdNumber>,
    },
    /// 正式候选人 — more candidates than seats [L §15].
    FormalFixed {
        post: PostTitle,
        candidates: Vec<IdNumber>,
        published_on: NaiveDate,
    },
    /// 委托投票 — `agent`, a close relative with voting rights here, votes for `principal`.
    ProxyRecorded {
        principal: IdNumber,
        agent: IdNumber,
        relation: Relation,
    },
    /// 撤销委托
    ProxyWithdrawn { principal: IdNumber },
    /// 公布委托投票名单
    ProxiesPublished { on: NaiveDate },
    /// 票箱 — recorded again to correct it.
    BoxRecorded {
        no: String,
        kind: BoxKind,
        seal_no: String,
        scrutineers: Vec<String>,
        /// 乡镇批准 — mobile boxes need the township's approval.
        approved_on: Option<NaiveDate>,
    },
    /// 票箱选票数 — ballots issued and collected at one box.
    BallotsCounted {
        round: TallyRound,
        box_no: String,
        issued: u32,
        returned: u32,
    },
    /// 计票 — one box, one post: valid and void ballots and the votes per person.
    VotesCounted {
        round: TallyRound,
        box_no: String,
        post: PostTitle,
        valid: u32,
        invalid: u32,
        votes: Vec<VoteCount>,
    },
    /// 重新投票 — among candidates tied on the boundary.
    TieVoteCounted {
        round: TallyRound,
        post: PostTitle,
        votes: Vec<VoteCount>,
    },
    /// 当选无效 — recorded by the township supervisor with its ground.
    WinVoided {
        id_number: IdNumber,
        ground: VoidGround,
        note: String,
    },
}

impl RollEvent {
    /// The wire name of the kind (`op`).
    pub fn op(&self) -> &'static str {
        match self {
            RollEvent::Opened { .. } => "opened",
            RollEvent::VotersRegistered { .. } => "voters_registered",
            RollEvent::VoterRemoved { .. } => "voter_removed",
            RollEvent::ListPublished { .. } => "list_published",
            RollEvent::ObjectionFiled { .. } => "objection_filed",
            RollEvent::ObjectionDecided { .. } => "objection_decided",
            RollEvent::Nominated { .. } => "nominated",
            RollEvent::PreliminaryFixed { .. } => "preliminary_fixed",
            RollEvent::FormalFixed { .. } => "formal_fixed",
            RollEvent::ProxyRecorded { .. } => "proxy_recorded",
            RollEvent::ProxyWithdrawn { .. } => "proxy_withdrawn",
            RollEvent::ProxiesPublished { .. } => "proxies_published",
            RollEvent::BoxRecorded { .. } => "box_recorded",
            RollEvent::BallotsCounted { .. } => "ballots_counted",
            RollEvent::VotesCounted { .. } => "votes_counted",
            RollEvent::TieVoteCounted { .. } => "tie_vote_counted",
            RollEvent::WinVoided { .. } => "win_voided",
        }
    }

    /// Counts and their consequences are the township supervisor's (计票确认); everything else
    /// is registration work that the village official does too.
    pub fn is_tally(&self) -> bool {
        matches!(
            self,
            RollEvent::BallotsCounted { .. }
                | RollEvent::VotesCounted { .. }
                | RollEvent::TieVoteCounted { .. }
                | RollEvent::WinVoided { .. }
        )
    }
}

/// The roll entity of an election: `election_roll:<X>` for `election:<X>`.
pub fn roll_id_for(election: &EntityId) -> Option<EntityId> {
    let (prefix, rest) = election.as_str().split_once(':')?;
    (prefix == "election")
        .then(|| format!("election_roll:{rest}").parse().ok())
        .flatten()
}

/// The election entity a roll belongs to.
pub fn election_of(roll: &EntityId) -> Option<EntityId> {
    let (prefix, rest) = roll.as_str().split_once(':')?;
    (prefix == "election_roll")
        .then(|| format!("election:{rest}").parse().ok())
        .flatten()
}
