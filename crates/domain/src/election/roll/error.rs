//! Why a roll event is refused, in Chinese for the screen and English for logs. A screen checks
//! an event with `RollView::check` before appending it; the fold applies the same check, so an
//! event that arrives in conflict (two devices registering one voter offline) is set aside with
//! the same reason.

use crate::directory::person::{IdNumberError, mask_id_number};
use crate::election::breach::Reason;
use crate::election::tally::PostTitle;

/// What is wrong with one voter row (a single entry or a line of an import file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoterProblem {
    #[error("the name is empty")]
    NameMissing,
    #[error("identity number: {0}")]
    BadIdNumber(IdNumberError),
    #[error("the category must be 1, 2 or 3 (OLVC §13), not {0:?}")]
    BadCategory(String),
    #[error("{age} years old on the counting day; voters must be 18")]
    Underage { age: i32 },
    #[error("already registered as {name}; nobody is registered twice")]
    AlreadyRegistered { name: String },
    #[error("the same identity number is on line {first} too")]
    RepeatedInFile { first: usize },
    #[error("category (3) needs the assembly's consent recorded as the basis")]
    BasisMissing,
}

impl VoterProblem {
    pub fn message_zh(&self) -> String {
        match self {
            VoterProblem::NameMissing => "姓名不能为空".into(),
            VoterProblem::BadIdNumber(e) => e.message_zh(),
            VoterProblem::BadCategory(t) => {
                format!("登记类别应为1、2或3（村民委员会组织法第十三条），不能是“{t}”")
            }
            VoterProblem::Underage { age } => {
                format!("计算至选举日年满{age}周岁，未满十八周岁不能登记")
            }
            VoterProblem::AlreadyRegistered { name } => {
                format!("已登记为“{name}”，不得重复登记")
            }
            VoterProblem::RepeatedInFile { first } => {
                format!("身份证号码与第{first}行重复")
            }
            VoterProblem::BasisMissing => {
                "第（三）类须经村民会议或村民代表会议同意，请填写依据".into()
            }
        }
    }
}

/// Why an event cannot be added to the roll; nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollError {
    #[error("the roll is not open yet; open it first")]
    NotOpened,
    #[error("the roll is already open")]
    AlreadyOpened,
    #[error("the event belongs to unit {found}, the roll to {expected}")]
    WrongUnit { expected: String, found: String },
    #[error("{}", .0.en)]
    Plan(Reason),
    #[error("a registration carries 1 to {max} voters, not {found}")]
    BatchSize { found: usize, max: usize },
    #[error("voter {id}: {problem}")]
    Voter { id: String, problem: VoterProblem },
    #[error("{0} is not on the voter list")]
    NotRegistered(String),
    #[error("there are no voters to publish")]
    NothingToPublish,
    #[error("the list has {current} voters, not {published}")]
    CountDiffers { published: u32, current: u32 },
    #[error("objection {0} is already on record")]
    ObjectionExists(u32),
    #[error("there is no objection {0}")]
    ObjectionUnknown(u32),
    #[error("objection {0} is already decided")]
    ObjectionDecided(u32),
    #[error("the decision cannot come before the objection was filed")]
    DecidedBeforeFiled,
    #[error("the plan has no seat for {}", .0.label_en())]
    PostNotInPlan(PostTitle),
    #[error("the women's seat can only go to a woman")]
    WomenSeatNeedsWoman,
    #[error("{0} is already nominated for this post")]
    AlreadyNominated(String),
    #[error("{0} was not nominated for this post")]
    NotNominated(String),
    #[error("{0} is listed twice")]
    ListedTwice(String),
    #[error("{0} is not on the preliminary list of this post")]
    NotPreliminary(String),
    #[error("{}", .0.en)]
    TooFewCandidates(Reason),
    #[error("a voter cannot be their own proxy")]
    ProxySelf,
    #[error("{0} already has a proxy; withdraw it first")]
    ProxyExists(String),
    #[error("{0} has given a proxy and may not act as one (no sub-delegation)")]
    ProxySubDelegation(String),
    #[error("{0} is a candidate and may not act as a proxy")]
    ProxyIsCandidate(String),
    #[error("{agent} already votes for {max} principals, the most allowed")]
    ProxyFull { agent: String, max: u32 },
    #[error("{0} has no proxy to withdraw")]
    NoProxy(String),
    #[error("the box number is empty")]
    BoxNoMissing,
    #[error("a mobile box needs at least 3 scrutineers, not {0}")]
    MobileBoxScrutineers(usize),
    #[error("there is no box {0}")]
    BoxUnknown(String),
    #[error("{}", .0.en)]
    BadCount(Reason),
    #[error("{0} was not elected")]
    NotElected(String),
    #[error("{en} is empty")]
    TextMissing { zh: &'static str, en: &'static str },
}

impl RollError {
    pub fn message_zh(&self) -> String {
        match self {
            RollError::NotOpened => "尚未建立选民登记册，请先建立".into(),
            RollError::AlreadyOpened => "选民登记册已经建立".into(),
            RollError::WrongUnit { expected, found } => {
                format!("记录所属单位{found}与登记册单位{expected}不一致")
            }
            RollError::Plan(r) | RollError::TooFewCandidates(r) | RollError::BadCount(r) => {
                r.zh.clone()
            }
            RollError::BatchSize { found, max } => {
                format!("每条登记记录应含1至{max}名选民，现为{found}名")
            }
            RollError::Voter { id, problem } => format!("{id}：{}", problem.message_zh()),
            RollError::NotRegistered(id) => format!("{id}不在选民名单中"),
            RollError::NothingToPublish => "名单中还没有选民，无法公布".into(),
            RollError::CountDiffers { published, current } => {
                format!("名单现有{current}人，与公布人数{published}不符，请刷新后再公布")
            }
            RollError::ObjectionExists(no) => format!("第{no}号异议已经登记"),
            RollError::ObjectionUnknown(no) => format!("没有第{no}号异议"),
            RollError::ObjectionDecided(no) => format!("第{no}号异议已经作出处理决定"),
            RollError::DecidedBeforeFiled => "处理日期不能早于异议提出日期".into(),
            RollError::PostNotInPlan(post) => {
                format!("选举方案中没有“{}”职位", post.label_zh())
            }
            RollError::WomenSeatNeedsWoman => "妇女委员职位只能提名女性".into(),
            RollError::AlreadyNominated(id) => format!("{id}已被提名为该职位候选人"),
            RollError::NotNominated(id) => format!("{id}未被提名为该职位候选人"),
            RollError::ListedTwice(id) => format!("{id}在名单中重复出现"),
            RollError::NotPreliminary(id) => format!("{id}不在该职位的初步候选人名单中"),
            RollError::ProxySelf => "不能委托本人".into(),
            RollError::ProxyExists(id) => format!("{id}已委托他人投票，请先撤销原委托"),
            RollError::ProxySubDelegation(id) => {
                format!("{id}已委托他人投票，不能再接受委托（不得转委托）")
            }
            RollError::ProxyIsCandidate(id) => format!("{id}是候选人，不能接受委托投票"),
            RollError::ProxyFull { agent, max } => {
                format!("{agent}已接受{max}人委托，每人最多接受{max}人委托")
            }
            RollError::NoProxy(id) => format!("{id}没有委托投票"),
            RollError::BoxNoMissing => "请填写票箱编号".into(),
            RollError::MobileBoxScrutineers(n) => {
                format!("流动票箱至少应有3名监票人，现为{n}名")
            }
            RollError::BoxUnknown(no) => format!("没有编号为{no}的票箱，请先登记票箱"),
            RollError::NotElected(id) => format!("{id}不是当选人"),
            RollError::TextMissing { zh, .. } => format!("请填写{zh}"),
        }
    }
}

/// How a voter is named in messages: name and masked identity number.
pub fn voter_label(name: Option<&str>, id_number: &str) -> String {
    match name {
        Some(n) => format!("{n}（{}）", mask_id_number(id_number)),
        None => mask_id_number(id_number),
    }
}
