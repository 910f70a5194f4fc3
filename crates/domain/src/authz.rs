//! Who may do what (domain-spec §6.2): the roles, the actions they may take, the checks the
//! server runs on every pushed event (`authorize_event`) and every pulled one (`may_read_event`),
//! and the rules for managing accounts. Scope (which subtree) is checked with
//! `UnitId::is_within`; the app uses the same table only to hide what a user may not do.

use serde::{Deserialize, Serialize};

use crate::event::{EntityKind, Event, EventBody};
use crate::ids::UnitId;
use crate::sync::{Profile, RejectReason};

/// A user's role. Its scope is the `Profile::scope` subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 村/社区干部 — own unit.
    VillageOfficial,
    /// 乡镇/街道指导组 (包村干部) — units of the township.
    TownshipSupervisor,
    /// 乡镇/街道审核人员 (finance or social-work desk) — the township.
    TownshipReviewer,
    /// 区县管理员 (民政局 / 社会工作部) — the district.
    DistrictAdmin,
    /// 联审部门 — the district, joint-review batches only.
    ReviewDepartment,
    /// 培训组织者 — classes they own.
    Trainer,
    /// 市级查看 — the city, aggregates only.
    CityViewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::VillageOfficial,
        Role::TownshipSupervisor,
        Role::TownshipReviewer,
        Role::DistrictAdmin,
        Role::ReviewDepartment,
        Role::Trainer,
        Role::CityViewer,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::VillageOfficial => "村/社区干部",
            Role::TownshipSupervisor => "乡镇/街道指导组",
            Role::TownshipReviewer => "乡镇/街道审核人员",
            Role::DistrictAdmin => "区县管理员",
            Role::ReviewDepartment => "联审部门",
            Role::Trainer => "培训组织者",
            Role::CityViewer => "市级查看",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::VillageOfficial => "Village/community official",
            Role::TownshipSupervisor => "Township supervisor",
            Role::TownshipReviewer => "Township reviewer",
            Role::DistrictAdmin => "District administrator",
            Role::ReviewDepartment => "Joint-review department",
            Role::Trainer => "Trainer",
            Role::CityViewer => "City viewer",
        }
    }
}

/// Something a user may want to do. Modules add their own actions here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 查看名录 — browse units and persons, with personal data. Trainers need it to enrol
    /// people in classes.
    ReadDirectory,
    /// 登记/更正名录 — record persons, correct them, link relatives.
    EditDirectory,
    /// 维护单位树 — record and rename units (groups, villages) within the scope. Township
    /// supervisors keep their township's tree current as well as village officials and
    /// district admins.
    EditUnitTree,
    /// 查看统计 — counts and rates, no personal data.
    ReadAggregates,
    /// 查看单位树 — the codes, names and kinds of the units in scope (no personal data; the
    /// axis of every aggregate).
    ReadUnitTree,
    /// 管理账号
    ManageAccounts,
    /// 查看完整身份证号码 — everyone else sees `5001**********1234` (domain-spec §2.4).
    ViewFullIdNumber,
    /// 添加备注 — a note on any record the user can see.
    AddNote,
    /// 查看备注 — the notes on records the user can see (working notes of the field staff).
    ReadNotes,
    /// Write an event about an entity of this kind.
    RecordEvent(EntityKind),
    /// Receive (pull) the events about entities of this kind. Adding an entity kind means
    /// deciding here who receives it.
    ReadEvent(EntityKind),
    // ── elections: actions ──
    /// 登记选举、变更选举日 — township supervisors and district admins.
    OpenElection,
    /// 确认步骤完成 — township supervisors only (domain-spec §1.8, §6.2).
    TickElectionStep,
    /// 撤销确认 — township supervisors and district admins (who reopen steps).
    UntickElectionStep,
    /// 补充步骤材料 — the village official of the unit; after a tick it needs re-review.
    EditElectionStep,
    /// 选民登记 — open the roll, register voters, publish, objections, nominations, candidate
    /// lists, proxies, ballot boxes.
    RegisterElectionRoll,
    /// 计票录入 — counts per box and post, tie votes, void elections.
    EnterElectionTally,
    /// 设定节假日 — the district's statutory holidays and 调休 working days (district admins).
    SetHolidays,
    // ── eligibility: actions ──
    /// 配置规则包 — clone a rule pack, switch rules on and off, change parameters.
    EditRulePack,
    /// 查看规则包
    ReadRulePack,
    /// 汇总并报送联审批次 — compile a batch of preliminary candidates and send it.
    CompileReviewBatch,
    /// 查看联审批次 — the nominees and rules of a batch.
    ReadReviewBatch,
    /// 填报联审意见 — CLEAR/HIT on the department's own rules.
    AnswerReview,
    /// 查看命中详情 — record dates and notes of HITs (a department: only its own).
    ReadHitDetails,
    /// 查看审查结果 — per-rule results and verdict reasons (a department: only its own).
    ReadReviewResults,
    /// 乡镇党委研究决定 — decide on a WARN hit, with a reason.
    DecideWarn,
    /// 查看研究决定
    ReadWarnDecisions,
    /// 下发审查结论 — send the verdict codes to the village.
    IssueVerdicts,
    /// 查看审查结论 — verdict codes only.
    ReadVerdictCodes,
    // ── allowances: actions ──
    /// 登记资格档案 — certificates, registrations, hours, posts, bank cards, adjustments.
    EditQualifications,
    /// 暂停发放 — record an annual assessment failed, a sanction or unpaid leave, and cancel a
    /// wrongly recorded one. A decision about a worker's pay taken above the village: by the
    /// township desk that reviews the roster and by the district, not by the village official
    /// whose own colleagues (or self) it concerns (domain-spec §3.3, §6.2).
    RecordSuspension,
    /// 设定发放标准 — district rate tables.
    SetAllowanceRates,
    /// A step of a roster's approval (`allowance::roster::may_take`).
    Roster(crate::allowance::roster::RosterStep),
    // ── training: actions ──
    /// 管理培训 — record plans, classes and sessions, enrol, take attendance, issue
    /// certificates (a trainer for the classes they own).
    ManageTraining,
    /// 查看培训记录 — classes, attendance and completion in scope.
    ReadTraining,
}

impl Action {
    /// The action an event body performs; `None` for kinds this build does not know.
    pub fn for_body(body: &EventBody) -> Option<Action> {
        match body {
            EventBody::Note { .. } => Some(Action::AddNote),
            // ── elections ──
            EventBody::ElectionOpened(_) | EventBody::ElectionDayMoved(_) => {
                Some(Action::OpenElection)
            }
            EventBody::StepTicked(_) => Some(Action::TickElectionStep),
            EventBody::StepUnticked(_) => Some(Action::UntickElectionStep),
            EventBody::StepEdited(_) => Some(Action::EditElectionStep),
            EventBody::ElectionRoll(ev) if ev.is_tally() => Some(Action::EnterElectionTally),
            EventBody::ElectionRoll(_) => Some(Action::RegisterElectionRoll),
            EventBody::HolidaysSet(_) => Some(Action::SetHolidays),

            // ── eligibility ──
            EventBody::RulePackCloned(_) | EventBody::RulePackChanged(_) => {
                Some(Action::EditRulePack)
            }
            EventBody::ReviewBatchCompiled(_) | EventBody::ReviewBatchSent(_) => {
                Some(Action::CompileReviewBatch)
            }
            EventBody::ReviewAnswered(_) | EventBody::ReviewSignedOff(_) => {
                Some(Action::AnswerReview)
            }
            EventBody::WarnDecided(_) => Some(Action::DecideWarn),
            EventBody::VerdictsIssued(_) => Some(Action::IssueVerdicts),

            // ── allowances ──
            EventBody::QualificationRecorded(fact) if fact.is_suspension() => {
                Some(Action::RecordSuspension)
            }
            EventBody::QualificationRecorded(_) => Some(Action::EditQualifications),
            EventBody::AllowanceRatesSet(_) => Some(Action::SetAllowanceRates),
            EventBody::RosterDrafted(_) => Some(Action::Roster(
                crate::allowance::roster::RosterStep::Prepare,
            )),
            EventBody::RosterReviewed(_) => {
                Some(Action::Roster(crate::allowance::roster::RosterStep::Review))
            }
            EventBody::RosterSentBack(_) => Some(Action::Roster(
                crate::allowance::roster::RosterStep::SendBack,
            )),
            EventBody::RosterApproved(_) => Some(Action::Roster(
                crate::allowance::roster::RosterStep::Approve,
            )),

            // ── training ──
            EventBody::Unknown(_) => None,
            known => known.entity_kind().map(Action::RecordEvent),
        }
    }

    /// The action needed to receive an event with this body; `None` for kinds this build does
    /// not know (nobody receives what the server cannot judge).
    pub fn to_read(body: &EventBody) -> Option<Action> {
        match body {
            EventBody::Note { .. } => Some(Action::ReadNotes),
            EventBody::Unknown(_) => None,
            known => known.entity_kind().map(Action::ReadEvent),
        }
    }
}

/// The permission table: may `role` take `action` (within its scope)?
pub fn permits(role: Role, action: Action) -> bool {
    use Role::*;
    match action {
        Action::ReadDirectory => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin | Trainer
        ),
        Action::EditDirectory => matches!(role, VillageOfficial | DistrictAdmin),
        Action::ReadAggregates => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin | CityViewer
        ),
        Action::ReadUnitTree => matches!(
            role,
            VillageOfficial
                | TownshipSupervisor
                | TownshipReviewer
                | DistrictAdmin
                | ReviewDepartment
                | Trainer
                | CityViewer
        ),
        Action::ManageAccounts => matches!(role, DistrictAdmin),
        Action::ViewFullIdNumber => matches!(role, DistrictAdmin),
        Action::AddNote | Action::ReadNotes => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin
        ),
        Action::EditUnitTree => {
            matches!(role, VillageOfficial | TownshipSupervisor | DistrictAdmin)
        }
        Action::RecordEvent(EntityKind::Unit) => permits(role, Action::EditUnitTree),
        Action::RecordEvent(EntityKind::Person) => permits(role, Action::EditDirectory),
        // The joint-review department checks persons against its own records, so it receives
        // the persons of its scope (and the units they live in) without browsing the
        // directory. When joint-review batches exist, narrow this to the persons in a batch.
        Action::ReadEvent(EntityKind::Unit | EntityKind::Person) => {
            permits(role, Action::ReadDirectory) || role == ReviewDepartment
        }
        // ── elections ──
        Action::OpenElection | Action::UntickElectionStep => {
            matches!(role, TownshipSupervisor | DistrictAdmin)
        }
        Action::TickElectionStep => role == TownshipSupervisor,
        Action::EditElectionStep => role == VillageOfficial,
        // Written only through the actions above.
        Action::RecordEvent(EntityKind::Election) => false,
        Action::ReadEvent(EntityKind::Election) => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin
        ),
        // ── elections: registers and tally ──
        Action::RegisterElectionRoll | Action::RecordEvent(EntityKind::ElectionRoll) => {
            matches!(role, VillageOfficial | TownshipSupervisor)
        }
        Action::EnterElectionTally => matches!(role, TownshipSupervisor),
        Action::ReadEvent(EntityKind::ElectionRoll) => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin
        ),
        // ── elections: holiday calendar ──
        Action::SetHolidays => role == DistrictAdmin,
        Action::RecordEvent(EntityKind::Holidays) => permits(role, Action::SetHolidays),
        // Everyone who reads elections reads the calendar their deadlines use.
        Action::ReadEvent(EntityKind::Holidays) => {
            permits(role, Action::ReadEvent(EntityKind::Election))
        }
        // ── eligibility ──
        Action::EditRulePack => matches!(role, DistrictAdmin),
        Action::ReadRulePack => {
            matches!(role, TownshipSupervisor | DistrictAdmin | ReviewDepartment)
        }
        Action::CompileReviewBatch => matches!(role, TownshipSupervisor | DistrictAdmin),
        Action::ReadReviewBatch => {
            matches!(role, TownshipSupervisor | DistrictAdmin | ReviewDepartment)
        }
        Action::AnswerReview => matches!(role, ReviewDepartment),
        Action::ReadHitDetails => matches!(role, DistrictAdmin | ReviewDepartment),
        Action::ReadReviewResults => {
            matches!(role, TownshipSupervisor | DistrictAdmin | ReviewDepartment)
        }
        Action::DecideWarn => matches!(role, TownshipSupervisor),
        Action::ReadWarnDecisions => matches!(role, TownshipSupervisor | DistrictAdmin),
        Action::IssueVerdicts => matches!(role, TownshipSupervisor | DistrictAdmin),
        Action::ReadVerdictCodes => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin
        ),
        // Each eligibility body names its own action (`for_body`); `may_read` then narrows
        // what each role receives body by body.
        Action::RecordEvent(EntityKind::RulePack | EntityKind::ReviewBatch) => false,
        Action::ReadEvent(EntityKind::RulePack) => permits(role, Action::ReadRulePack),
        Action::ReadEvent(EntityKind::ReviewBatch) => {
            permits(role, Action::ReadReviewBatch) || permits(role, Action::ReadVerdictCodes)
        }
        // ── allowances ──
        Action::EditQualifications => {
            matches!(role, VillageOfficial | TownshipReviewer | DistrictAdmin)
        }
        Action::RecordSuspension => matches!(role, TownshipReviewer | DistrictAdmin),
        Action::SetAllowanceRates => role == DistrictAdmin,
        Action::Roster(step) => crate::allowance::roster::may_take(role, step),
        Action::RecordEvent(EntityKind::Qualification) => permits(role, Action::EditQualifications),
        Action::RecordEvent(EntityKind::AllowanceRates) => permits(role, Action::SetAllowanceRates),
        Action::RecordEvent(EntityKind::Roster) => permits(
            role,
            Action::Roster(crate::allowance::roster::RosterStep::Prepare),
        ),
        // Allowance records are read by those who draft, review or approve rosters and by the
        // township supervisors who read them (domain-spec §6.2), within their scope.
        Action::ReadEvent(
            EntityKind::Qualification | EntityKind::AllowanceRates | EntityKind::Roster,
        ) => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin
        ),
        // ── training ──
        Action::ManageTraining => matches!(role, Trainer | DistrictAdmin),
        Action::ReadTraining => matches!(
            role,
            Trainer | DistrictAdmin | TownshipSupervisor | TownshipReviewer
        ),
        Action::RecordEvent(
            EntityKind::TrainingPlan | EntityKind::TrainingClass | EntityKind::TrainingSession,
        ) => permits(role, Action::ManageTraining),
        Action::ReadEvent(
            EntityKind::TrainingPlan | EntityKind::TrainingClass | EntityKind::TrainingSession,
        ) => permits(role, Action::ReadTraining),
    }
}

/// Does `role` receive any records at all? A role that does not (the city viewer, which sees
/// aggregates only) gets an empty pull rather than an error, so every device syncs alike.
pub fn reads_records(role: Role) -> bool {
    permits(role, Action::ReadNotes)
        || EntityKind::ALL
            .iter()
            .copied()
            .any(|kind| permits(role, Action::ReadEvent(kind)))
}

/// The server's check for every event it serves in a pull: the event lies in the user's scope
/// and the role may receive its kind. A note is received with what it annotates: only by a
/// role that reads notes and may also receive the annotated entity's kind.
pub fn may_read_event(profile: &Profile, ev: &Event) -> bool {
    if !ev.unit.is_within(&profile.scope) {
        return false;
    }
    let Some(action) = Action::to_read(&ev.body) else {
        return false;
    };
    if !permits(profile.role, action) {
        return false;
    }
    // ── eligibility ──
    if !crate::eligibility::access::may_read(profile, &ev.body) {
        return false;
    }
    match (&ev.body, EntityKind::of(&ev.entity)) {
        (EventBody::Note { .. }, Some(annotated)) => {
            permits(profile.role, Action::ReadEvent(annotated))
        }
        _ => true,
    }
}

/// May `role` write an event with this body (scope aside)? Unknown kinds: never.
pub fn can_write_event(role: Role, body: &EventBody) -> bool {
    Action::for_body(body).is_some_and(|action| permits(role, action))
}

/// The server's permission check for a pushed event, against the profile of the user pushing it:
/// the event must be that user's own (`actor`), of a kind their role may write
/// (else `NotPermitted`), in a unit within their scope (else `OutOfScope`).
pub fn authorize_event(profile: &Profile, ev: &Event) -> Result<(), RejectReason> {
    if ev.actor != profile.user || !can_write_event(profile.role, &ev.body) {
        return Err(RejectReason::NotPermitted);
    }
    // ── eligibility ──
    if !crate::eligibility::access::may_write(profile, &ev.body) {
        return Err(RejectReason::NotPermitted);
    }
    if !ev.unit.is_within(&profile.scope) {
        return Err(RejectReason::OutOfScope);
    }
    // ── training ──
    crate::training::events::authorize_owner(profile, ev)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Accounts

/// Shortest password accepted for a new or changed password.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (hashing is deliberately slow; this bounds it).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Usernames are typed on phones: 2–32 of `a-z A-Z 0-9 _ . -`.
pub const MAX_USERNAME_CHARS: usize = 32;
/// Display names (张三, 青石村 李书记) are shown in lists and on records.
pub const MAX_DISPLAY_NAME_CHARS: usize = 40;

/// A field of an account that breaks a rule. Each message says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountFieldError {
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("the password may have at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
    #[error(
        "the username must be 2–{MAX_USERNAME_CHARS} letters, digits or _ . - (e.g. li-shiqiao)"
    )]
    BadUsername,
    #[error("the display name must be 1–{MAX_DISPLAY_NAME_CHARS} characters")]
    BadDisplayName,
}

impl AccountFieldError {
    pub fn message_zh(&self) -> String {
        match self {
            AccountFieldError::PasswordTooShort => {
                format!("密码至少需要{MIN_PASSWORD_CHARS}个字符，请设置更长的密码")
            }
            AccountFieldError::PasswordTooLong => {
                format!("密码最多{MAX_PASSWORD_CHARS}个字符")
            }
            AccountFieldError::BadUsername => format!(
                "用户名应为2至{MAX_USERNAME_CHARS}个英文字母、数字或 _ . -（例如 li-shiqiao）"
            ),
            AccountFieldError::BadDisplayName => {
                format!("姓名不能为空，且不超过{MAX_DISPLAY_NAME_CHARS}个字")
            }
        }
    }

    /// True for the password rules (the API answers `weak_password`).
    pub fn is_password(&self) -> bool {
        matches!(
            self,
            AccountFieldError::PasswordTooShort | AccountFieldError::PasswordTooLong
        )
    }
}

/// Checks a new password (counted in characters, so 8 Chinese characters are enough).
pub fn check_password(password: &str) -> Result<(), AccountFieldError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(AccountFieldError::PasswordTooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(AccountFieldError::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// Checks a new username (already trimmed).
pub fn check_username(username: &str) -> Result<(), AccountFieldError> {
    let ok = (2..=MAX_USERNAME_CHARS).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(AccountFieldError::BadUsername)
    }
}

/// Checks a display name (already trimmed).
pub fn check_display_name(name: &str) -> Result<(), AccountFieldError> {
    let chars = name.chars().count();
    if (1..=MAX_DISPLAY_NAME_CHARS).contains(&chars) && !name.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(AccountFieldError::BadDisplayName)
    }
}

/// Why an administrator may not do something to an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountDenied {
    #[error("only a district administrator manages accounts")]
    NotAdministrator,
    #[error("unit {0} is outside your jurisdiction")]
    OutOfScope(UnitId),
    #[error("you cannot change the role, jurisdiction or status of your own account")]
    OwnAccess,
}

impl AccountDenied {
    pub fn message_zh(&self) -> String {
        match self {
            AccountDenied::NotAdministrator => "只有区县管理员可以管理账号".into(),
            AccountDenied::OutOfScope(unit) => {
                format!("单位{unit}不在您的辖区内，请联系上级管理员")
            }
            AccountDenied::OwnAccess => {
                "不能更改自己账号的角色、辖区或状态，请由另一位管理员操作".into()
            }
        }
    }
}

/// May `admin` see and manage (list, reset the password of) the account `target`? Accounts
/// are managed by administrators whose scope contains the account's scope.
pub fn may_manage_account(admin: &Profile, target: &Profile) -> Result<(), AccountDenied> {
    if !permits(admin.role, Action::ManageAccounts) {
        return Err(AccountDenied::NotAdministrator);
    }
    if !target.scope.is_within(&admin.scope) {
        return Err(AccountDenied::OutOfScope(target.scope.clone()));
    }
    Ok(())
}

/// May `admin` give an account the jurisdiction `scope` (create it, or move an account to it)?
/// Any role may be given with it, as long as the scope lies within the administrator's.
pub fn may_grant_scope(admin: &Profile, scope: &UnitId) -> Result<(), AccountDenied> {
    if !permits(admin.role, Action::ManageAccounts) {
        return Err(AccountDenied::NotAdministrator);
    }
    if !scope.is_within(&admin.scope) {
        return Err(AccountDenied::OutOfScope(scope.clone()));
    }
    Ok(())
}

/// May `admin` change `target`'s access (role, scope, disabled)? As `may_manage_account`, and
/// never their own: an administrator cannot lock themselves out or widen their own rights.
pub fn may_change_access(admin: &Profile, target: &Profile) -> Result<(), AccountDenied> {
    may_manage_account(admin, target)?;
    if admin.user == target.user {
        return Err(AccountDenied::OwnAccess);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::NOW;
    use crate::event::{DeviceLog, NewEvent, Relation, Sex};
    use Role::*;
    use chrono::NaiveDate;

    const VILLAGE: &str = "5001001001";
    const OTHER_VILLAGE: &str = "5001002001";
    const TOWNSHIP: &str = "5001001";
    const DISTRICT: &str = "5001";
    const CITY: &str = "50";

    fn profile(role: Role, scope: &str) -> Profile {
        Profile {
            department: None,
            user: "u1".parse().unwrap(),
            display_name: "测试".into(),
            role,
            scope: scope.parse().unwrap(),
        }
    }

    fn event(unit: &str, entity: &str, body: EventBody) -> Event {
        let mut log = DeviceLog::new("d1".parse().unwrap());
        log.append(
            NewEvent {
                actor: "u1".parse().unwrap(),
                unit: unit.parse().unwrap(),
                entity: entity.parse().unwrap(),
                body,
            },
            NOW,
            [0; 10],
        )
    }

    fn person_recorded(unit: &str) -> Event {
        event(
            unit,
            "person:p1",
            EventBody::PersonRecorded {
                name: "王五".into(),
                sex: Sex::Female,
                ethnicity: "土家族".into(),
                id_number: "500101199001011234".into(),
                birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                phone: None,
            },
        )
    }

    #[test]
    fn permission_table_for_every_role() {
        // (role, read directory, edit directory, aggregates, unit tree, accounts, notes,
        //  receive unit and person records)
        let table = [
            (VillageOfficial, true, true, true, true, false, true, true),
            (
                TownshipSupervisor,
                true,
                false,
                true,
                true,
                false,
                true,
                true,
            ),
            (TownshipReviewer, true, false, true, true, false, true, true),
            (DistrictAdmin, true, true, true, true, true, true, true),
            (
                ReviewDepartment,
                false,
                false,
                false,
                true,
                false,
                false,
                true,
            ),
            (Trainer, true, false, false, true, false, false, true),
            (CityViewer, false, false, true, true, false, false, false),
        ];
        assert_eq!(table.len(), Role::ALL.len());
        for (role, read, edit, aggregates, tree, accounts, note, records) in table {
            assert_eq!(
                permits(role, Action::ReadDirectory),
                read,
                "{role:?} read directory"
            );
            assert_eq!(
                permits(role, Action::EditDirectory),
                edit,
                "{role:?} edit directory"
            );
            assert_eq!(
                permits(role, Action::ReadAggregates),
                aggregates,
                "{role:?} aggregates"
            );
            assert_eq!(permits(role, Action::ReadUnitTree), tree, "{role:?} tree");
            assert_eq!(
                permits(role, Action::ManageAccounts),
                accounts,
                "{role:?} accounts"
            );
            assert_eq!(
                permits(role, Action::ViewFullIdNumber),
                role == Role::DistrictAdmin,
                "{role:?} full id numbers"
            );
            assert_eq!(permits(role, Action::AddNote), note, "{role:?} note");
            assert_eq!(permits(role, Action::ReadNotes), note, "{role:?} notes");
            assert_eq!(
                permits(role, Action::RecordEvent(EntityKind::Person)),
                edit,
                "{role:?} records persons"
            );
            assert_eq!(
                permits(role, Action::RecordEvent(EntityKind::Unit)),
                permits(role, Action::EditUnitTree),
                "{role:?} records units"
            );
            for kind in [EntityKind::Unit, EntityKind::Person] {
                assert_eq!(
                    permits(role, Action::ReadEvent(kind)),
                    records,
                    "{role:?} reads {kind:?}"
                );
            }
            assert_eq!(reads_records(role), records || note, "{role:?}");
        }
    }

    /// One event of every known kind in `unit` (a unit record is of `unit` itself).
    fn one_of_each_kind(unit: &str) -> Vec<Event> {
        vec![
            event(
                unit,
                &format!("unit:{unit}"),
                EventBody::UnitRecorded {
                    code: unit.parse().unwrap(),
                    name: "石桥村".into(),
                    unit_kind: crate::event::UnitKind::Village,
                    parent: None,
                },
            ),
            person_recorded(unit),
            event(
                unit,
                "person:p1",
                EventBody::PersonCorrected {
                    fields: [("phone".to_string(), serde_json::json!("13800000000"))].into(),
                },
            ),
            event(
                unit,
                "person:p1",
                EventBody::RelativeLinked {
                    other: "person:p2".parse().unwrap(),
                    relation: Relation::Spouse,
                },
            ),
            event(
                unit,
                "person:p1",
                EventBody::Note {
                    text: "已走访".into(),
                },
            ),
        ]
    }

    #[test]
    fn who_receives_what_in_scope_and_nothing_outside() {
        // (role, receives: unit, person, correction, relative link, note on a person)
        let table = [
            (VillageOfficial, [true, true, true, true, true]),
            (TownshipSupervisor, [true, true, true, true, true]),
            (TownshipReviewer, [true, true, true, true, true]),
            (DistrictAdmin, [true, true, true, true, true]),
            (ReviewDepartment, [true, true, true, true, false]),
            (Trainer, [true, true, true, true, false]),
            (CityViewer, [false; 5]),
        ];
        assert_eq!(table.len(), Role::ALL.len());
        for (role, expected) in table {
            let me = profile(role, TOWNSHIP);
            for (ev, readable) in one_of_each_kind(VILLAGE).iter().zip(expected) {
                assert_eq!(
                    may_read_event(&me, ev),
                    readable,
                    "{role:?} in scope: {}",
                    ev.body.kind_name()
                );
            }
            for outside in [OTHER_VILLAGE, DISTRICT, "5101001001"] {
                for ev in one_of_each_kind(outside) {
                    assert!(
                        !may_read_event(&me, &ev),
                        "{role:?} must not receive {} in {outside}",
                        ev.body.kind_name()
                    );
                }
            }
        }
    }

    #[test]
    fn a_note_is_received_with_what_it_annotates() {
        let sup = profile(TownshipSupervisor, TOWNSHIP);
        let note = |entity: &str| {
            event(
                VILLAGE,
                entity,
                EventBody::Note {
                    text: "待核实".into(),
                },
            )
        };
        assert!(may_read_event(&sup, &note("unit:5001001001")));
        assert!(
            may_read_event(&sup, &note("meeting:7")),
            "a note on a kind this build does not know follows the note rule alone"
        );
        assert!(!may_read_event(
            &profile(Trainer, TOWNSHIP),
            &note("person:p1")
        ));
    }

    #[test]
    fn unknown_kinds_are_never_served() {
        let mut ev = person_recorded(VILLAGE);
        ev.body = EventBody::Unknown(serde_json::json!({"kind": "future", "v": 1, "data": {}}));
        for role in Role::ALL {
            assert!(!may_read_event(&profile(role, CITY), &ev), "{role:?}");
        }
    }

    #[test]
    fn only_the_city_viewer_receives_no_records() {
        let silent: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| !reads_records(*r))
            .collect();
        assert_eq!(silent, [CityViewer]);
    }

    #[test]
    fn village_official_records_people_in_own_unit_only() {
        let me = profile(VillageOfficial, VILLAGE);
        assert_eq!(authorize_event(&me, &person_recorded(VILLAGE)), Ok(()));
        assert_eq!(
            authorize_event(&me, &person_recorded("500100100101")),
            Ok(()),
            "own group"
        );
        assert_eq!(
            authorize_event(&me, &person_recorded(OTHER_VILLAGE)),
            Err(RejectReason::OutOfScope)
        );
        assert_eq!(
            authorize_event(&me, &person_recorded(TOWNSHIP)),
            Err(RejectReason::OutOfScope),
            "the parent township is not within the village"
        );
    }

    #[test]
    fn district_admin_edits_anywhere_in_the_district() {
        let admin = profile(DistrictAdmin, DISTRICT);
        assert_eq!(authorize_event(&admin, &person_recorded(VILLAGE)), Ok(()));
        assert_eq!(
            authorize_event(&admin, &person_recorded(OTHER_VILLAGE)),
            Ok(())
        );
        assert_eq!(
            authorize_event(&admin, &person_recorded("5002001001")),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn readers_may_not_edit_the_directory_even_in_scope() {
        for (role, scope) in [
            (TownshipSupervisor, TOWNSHIP),
            (TownshipReviewer, TOWNSHIP),
            (ReviewDepartment, DISTRICT),
            (Trainer, DISTRICT),
            (CityViewer, CITY),
        ] {
            let user = profile(role, scope);
            assert_eq!(
                authorize_event(&user, &person_recorded(VILLAGE)),
                Err(RejectReason::NotPermitted),
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_forbidden_kind_is_not_permitted_rather_than_out_of_scope() {
        let viewer = profile(CityViewer, CITY);
        assert_eq!(
            authorize_event(&viewer, &person_recorded("5101001001")),
            Err(RejectReason::NotPermitted)
        );
    }

    #[test]
    fn supervisors_may_add_notes_in_their_township() {
        let sup = profile(TownshipSupervisor, TOWNSHIP);
        let note = |unit| {
            event(
                unit,
                "person:p1",
                EventBody::Note {
                    text: "已走访".into(),
                },
            )
        };
        assert_eq!(authorize_event(&sup, &note(VILLAGE)), Ok(()));
        assert_eq!(
            authorize_event(&sup, &note("5001002001")),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn every_directory_kind_needs_edit_directory() {
        let link = event(
            VILLAGE,
            "person:p1",
            EventBody::RelativeLinked {
                other: "person:p2".parse().unwrap(),
                relation: Relation::Child,
            },
        );
        assert!(can_write_event(VillageOfficial, &link.body));
        assert!(!can_write_event(TownshipSupervisor, &link.body));
    }

    fn unit_recorded(unit: &str, code: &str) -> Event {
        event(
            unit,
            &format!("unit:{code}"),
            EventBody::UnitRecorded {
                code: code.parse().unwrap(),
                name: "试点一组".into(),
                unit_kind: crate::event::UnitKind::Group,
                parent: Some(unit.parse().unwrap()),
            },
        )
    }

    #[test]
    fn unit_tree_is_kept_by_village_officials_supervisors_and_admins_in_scope() {
        let group = |unit: &str| unit_recorded(unit, &format!("{unit}901"));
        for (role, scope, allowed) in [
            (VillageOfficial, VILLAGE, true),
            (TownshipSupervisor, TOWNSHIP, true),
            (DistrictAdmin, DISTRICT, true),
            (TownshipReviewer, TOWNSHIP, false),
            (ReviewDepartment, DISTRICT, false),
            (Trainer, DISTRICT, false),
            (CityViewer, CITY, false),
        ] {
            let user = profile(role, scope);
            assert_eq!(permits(role, Action::EditUnitTree), allowed, "{role:?}");
            let expected = if allowed {
                Ok(())
            } else {
                Err(RejectReason::NotPermitted)
            };
            assert_eq!(
                authorize_event(&user, &group(VILLAGE)),
                expected,
                "{role:?}"
            );
            if allowed {
                assert_eq!(
                    authorize_event(&user, &group("5002001001")),
                    Err(RejectReason::OutOfScope),
                    "{role:?} outside its scope"
                );
            }
        }
        // A supervisor keeps the tree but does not record residents.
        let sup = profile(TownshipSupervisor, TOWNSHIP);
        assert_eq!(
            authorize_event(&sup, &person_recorded(VILLAGE)),
            Err(RejectReason::NotPermitted)
        );
    }

    #[test]
    fn unknown_kinds_are_never_writable() {
        let body = EventBody::Unknown(serde_json::json!({"kind": "future", "v": 1, "data": {}}));
        for role in Role::ALL {
            assert!(!can_write_event(role, &body), "{role:?}");
        }
    }

    #[test]
    fn events_written_as_someone_else_are_not_permitted() {
        let mut other = profile(DistrictAdmin, DISTRICT);
        other.user = "u2".parse().unwrap();
        assert_eq!(
            authorize_event(&other, &person_recorded(VILLAGE)),
            Err(RejectReason::NotPermitted)
        );
    }

    #[test]
    fn role_names_on_the_wire_are_snake_case() {
        assert_eq!(
            serde_json::to_value(VillageOfficial).unwrap(),
            "village_official"
        );
        assert_eq!(
            serde_json::to_value(ReviewDepartment).unwrap(),
            "review_department"
        );
        assert_eq!(
            serde_json::from_value::<Role>("city_viewer".into()).unwrap(),
            CityViewer
        );
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert_eq!(
            check_password("1234567"),
            Err(AccountFieldError::PasswordTooShort)
        );
        assert_eq!(check_password("12345678"), Ok(()));
        assert_eq!(
            check_password("村居台账村居台账"),
            Ok(()),
            "characters, not bytes"
        );
        assert_eq!(
            check_password("村居台账"),
            Err(AccountFieldError::PasswordTooShort)
        );
        assert_eq!(check_password(&"x".repeat(128)), Ok(()));
        assert_eq!(
            check_password(&"x".repeat(129)),
            Err(AccountFieldError::PasswordTooLong)
        );
        assert!(
            AccountFieldError::PasswordTooShort
                .message_zh()
                .contains("至少需要8个字符")
        );
        assert!(AccountFieldError::PasswordTooShort.is_password());
        assert!(!AccountFieldError::BadUsername.is_password());
    }

    #[test]
    fn usernames_are_short_ascii_words() {
        for ok in ["li", "demo-village", "zhang.san_2", &"a".repeat(32)] {
            assert_eq!(check_username(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a", "张三", "li si", "a/b", &"a".repeat(33)] {
            assert_eq!(
                check_username(bad),
                Err(AccountFieldError::BadUsername),
                "{bad}"
            );
        }
        assert_eq!(check_display_name("李书记"), Ok(()));
        assert_eq!(
            check_display_name(""),
            Err(AccountFieldError::BadDisplayName)
        );
        assert_eq!(
            check_display_name(&"名".repeat(41)),
            Err(AccountFieldError::BadDisplayName)
        );
    }

    #[test]
    fn a_district_admin_grants_scopes_within_the_district_only() {
        let admin = profile(DistrictAdmin, DISTRICT);
        let unit = |s: &str| s.parse::<UnitId>().unwrap();
        assert_eq!(may_grant_scope(&admin, &unit(VILLAGE)), Ok(()));
        assert_eq!(may_grant_scope(&admin, &unit(DISTRICT)), Ok(()));
        assert_eq!(
            may_grant_scope(&admin, &unit(CITY)),
            Err(AccountDenied::OutOfScope(unit(CITY)))
        );
        assert_eq!(
            may_grant_scope(&admin, &unit("5002")),
            Err(AccountDenied::OutOfScope(unit("5002")))
        );
        for role in Role::ALL.into_iter().filter(|r| *r != DistrictAdmin) {
            assert_eq!(
                may_grant_scope(&profile(role, DISTRICT), &unit(VILLAGE)),
                Err(AccountDenied::NotAdministrator),
                "{role:?}"
            );
        }
    }

    #[test]
    fn accounts_are_managed_within_scope_and_never_ones_own_access() {
        let admin = profile(DistrictAdmin, DISTRICT);
        let mut official = profile(VillageOfficial, VILLAGE);
        official.user = "u9".parse().unwrap();
        assert_eq!(may_manage_account(&admin, &official), Ok(()));
        assert_eq!(may_change_access(&admin, &official), Ok(()));
        let mut elsewhere = official.clone();
        elsewhere.scope = "5002001001".parse().unwrap();
        assert!(matches!(
            may_manage_account(&admin, &elsewhere),
            Err(AccountDenied::OutOfScope(_))
        ));
        assert_eq!(may_manage_account(&admin, &admin), Ok(()));
        assert_eq!(
            may_change_access(&admin, &admin),
            Err(AccountDenied::OwnAccess)
        );
        assert_eq!(
            may_manage_account(&official, &admin),
            Err(AccountDenied::NotAdministrator)
        );
        assert!(
            AccountDenied::OutOfScope("5002".parse().unwrap())
                .message_zh()
                .contains("不在您的辖区内")
        );
    }
}
