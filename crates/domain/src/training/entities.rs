//! The records of §4.1 as plain types: what a trainer enters and what the rules read.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::hours::StudyHours;
use crate::ids::{EntityId, Hash, UserId};

/// Who runs a plan or class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganiserLevel {
    /// 市级
    City,
    /// 区县级
    District,
    /// 乡镇/街道级
    Township,
}

/// Whom a class is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetGroup {
    /// 社区工作者
    CommunityWorkers,
    /// 村"两委"成员
    VillageCommittees,
    /// 乡镇干部
    TownshipCadres,
    /// 换届选举工作人员
    ElectionStaff,
    /// 村(居)务监督委员会成员
    SupervisionCommittee,
}

/// What a class teaches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// 自治章程
    SelfGovernanceCharter,
    /// 村规民约 / 居民公约
    VillageRules,
    /// 换届选举业务
    ElectionBusiness,
    /// 四议两公开
    FourDeliberationsTwoDisclosures,
    /// 三事分流
    ThreeWaySorting,
    /// 社会工作职业资格考试辅导
    SocialWorkExam,
    Other(String),
}

/// 年度培训计划.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingPlan {
    pub id: EntityId,
    pub year: i32,
    pub organiser_level: OrganiserLevel,
    pub target_groups: Vec<TargetGroup>,
}

/// Whether completion needs a passed assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentRequirement {
    NotRequired,
    /// 须考核合格
    MustPass,
}

/// 培训班.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingClass {
    pub id: EntityId,
    pub plan: Option<EntityId>,
    pub name: String,
    /// 主办单位
    pub organiser: String,
    /// Short code of the organiser in certificate numbers, e.g. `NA` (letters and digits).
    pub organiser_code: String,
    /// 承办单位
    pub contractor: Option<String>,
    pub target_group: TargetGroup,
    pub topics: Vec<Topic>,
    pub year: i32,
    /// The class's number among the organiser's classes of the year (期次).
    pub seq: u32,
    pub assessment: AssessmentRequirement,
}

/// Half-day slot of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// 上午
    Am,
    /// 下午
    Pm,
    /// 晚上
    Eve,
}

/// Where a session happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Venue {
    Site(String),
    /// Hours are taken as the platform reports them.
    Online {
        platform: String,
    },
}

/// 课次: one half-day of a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: EntityId,
    pub class: EntityId,
    pub date: NaiveDate,
    pub slot: Slot,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
    pub venue: Venue,
    pub instructor: String,
    /// 计划学时 (half day = 4, full day = 8).
    pub planned: StudyHours,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    Enrolled,
    /// 免训
    Exempted,
    /// 退学
    Withdrawn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    pub person: EntityId,
    pub class: EntityId,
    pub status: EnrollmentStatus,
}

/// How a sign-in was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// 签到表拍照
    PaperSheetPhoto,
    /// 扫码
    Qr,
    /// 人脸核验
    FaceCheck,
    /// 点名
    RollCall,
}

/// What happened for one person at one session. No record at all means absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Present {
        signed_in: NaiveTime,
        /// Optional; without it an early departure cannot be seen.
        signed_out: Option<NaiveTime>,
        method: SignInMethod,
    },
    /// 请假. Counts as absence; reported separately when `approved_by` is set. Unapproved leave
    /// is plain absence.
    Leave {
        approved_by: Option<UserId>,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub person: EntityId,
    pub session: EntityId,
    pub presence: Presence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentResult {
    Passed,
    Failed,
}

/// 考核 (test score or essay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub person: EntityId,
    pub class: EntityId,
    pub result: AssessmentResult,
    pub score: Option<u32>,
}

/// 培训总结, with the hashes of its photos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassReport {
    pub class: EntityId,
    pub summary: String,
    pub photos: Vec<Hash>,
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub(crate) fn person() -> EntityId {
        "person:p1".parse().unwrap()
    }

    /// Class 7 of organiser `NA` in 2025.
    pub(crate) fn class(assessment: AssessmentRequirement) -> TrainingClass {
        TrainingClass {
            id: "class:c1".parse().unwrap(),
            plan: None,
            name: "2025年社区工作者轮训班".into(),
            organiser: "南岸区委社会工作部".into(),
            organiser_code: "NA".into(),
            contractor: Some("区委党校".into()),
            target_group: TargetGroup::CommunityWorkers,
            topics: vec![
                Topic::FourDeliberationsTwoDisclosures,
                Topic::ThreeWaySorting,
            ],
            year: 2025,
            seq: 7,
            assessment,
        }
    }

    /// Session `n`: 2025-03-n, 09:00–12:00, `tenths` planned 学时 in tenths.
    pub(crate) fn session(n: u32, tenths: u32) -> Session {
        Session {
            id: format!("session:s{n}").parse().unwrap(),
            class: "class:c1".parse().unwrap(),
            date: NaiveDate::from_ymd_opt(2025, 3, n).unwrap(),
            slot: Slot::Am,
            starts_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            ends_at: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            venue: Venue::Site("社区党群服务中心".into()),
            instructor: "讲师".into(),
            planned: StudyHours::from_tenths(tenths),
        }
    }

    /// Signed in at `hh:mm`, signed out at `out` if given.
    pub(crate) fn present(n: u32, (h, m): (u32, u32), out: Option<(u32, u32)>) -> Attendance {
        Attendance {
            person: person(),
            session: format!("session:s{n}").parse().unwrap(),
            presence: Presence::Present {
                signed_in: NaiveTime::from_hms_opt(h, m, 0).unwrap(),
                signed_out: out.map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).unwrap()),
                method: SignInMethod::Qr,
            },
        }
    }

    pub(crate) fn on_time(n: u32) -> Attendance {
        present(n, (8, 55), Some((12, 0)))
    }

    pub(crate) fn leave(n: u32, approved: bool) -> Attendance {
        Attendance {
            person: person(),
            session: format!("session:s{n}").parse().unwrap(),
            presence: Presence::Leave {
                approved_by: approved.then(|| "u-leader".parse().unwrap()),
                reason: "病假".into(),
            },
        }
    }
}
