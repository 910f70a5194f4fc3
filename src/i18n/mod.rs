//! Every string the app shows, in Chinese (first) and English.
//!
//! A screen never writes a literal: it asks [`I18n::t`] for a [`Msg`]. Adding a message means
//! adding one line to the table below, with both languages — the compiler checks the rest.

use cunju_domain::app_info::Module;
use leptos::prelude::*;

/// The languages of the UI. Chinese is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch button.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// Something the UI can show in either language: the shared [`Msg`] table and each module's
/// own table (`i18n::elections::ElectionMsg`, …), all made by `messages!`.
pub trait Text: Copy + 'static {
    fn text(self, lang: Lang) -> &'static str;
}

/// Declares a message table: `messages! { Name; Key => "中文", "English"; … }`.
macro_rules! messages {
    ($name:ident; $($key:ident => $zh:literal, $en:literal;)*) => {
        /// A message the UI can show.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($key),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$key),*];

            pub fn text(self, lang: $crate::i18n::Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$key, $crate::i18n::Lang::Zh) => $zh, ($name::$key, $crate::i18n::Lang::En) => $en,)*
                }
            }
        }

        impl $crate::i18n::Text for $name {
            fn text(self, lang: $crate::i18n::Lang) -> &'static str {
                $name::text(self, lang)
            }
        }
    };
}

// Each module keeps its own table, so modules grow without touching this file.
pub mod allowances;
pub mod devices;
pub mod elections;
pub mod elections_roll;
pub mod eligibility;
pub mod evidence;
pub mod exports;
pub mod training;

messages! {
    Msg;
    AppName => "村居台账", "Cunju";
    AppTagline => "村(居)委会工作离线台账", "Offline ledger for village and resident committees";
    SwitchLanguage => "English", "中文";
    Online => "在线", "Online";
    Offline => "离线", "Offline";
    OfflineHint => "当前离线：记录保存在本机，联网后自动同步。", "Offline: records are kept on this device and sync when a connection returns.";
    NavHome => "首页", "Home";
    HomeModulesHeading => "业务模块", "Modules";
    ModuleElections => "换届选举", "Committee elections";
    ModuleElectionsDesc => "村(居)委会换届选举程序、期限、证据与计票", "Election procedure, deadlines, evidence and tally";
    ModuleEligibility => "资格审查", "Candidate eligibility";
    ModuleEligibilityDesc => "候选人资格条件与县级联审", "Candidate conditions and the county joint review";
    ModuleAllowances => "社工津贴", "Social-work allowances";
    ModuleAllowancesDesc => "社会工作职业资格津贴与发放花名册", "Qualification allowances and the payment roster";
    ModuleTraining => "培训", "Training";
    ModuleTrainingDesc => "培训班、签到、学时与结业", "Classes, attendance, credited hours and completion";
    ModuleNotYetOpen => "建设中，尚未开放", "Being built, not open yet";
    NotFoundTitle => "找不到该页面", "Page not found";
    NotFoundBack => "返回首页", "Back to home";
    StorageReady => "本机存储已就绪", "On-device storage is ready";
    StorageFailed => "本机存储无法打开", "On-device storage could not be opened";
    HomeWorkHeading => "日常工作", "Daily work";
    NavPeople => "人员登记", "People";
    NavPeopleDesc => "登记本辖区人员，离线也能保存", "Record the people of your area, offline too";
    NavSync => "数据同步", "Sync";
    NavSyncDesc => "上传本机记录，接收辖区内的新记录", "Upload this device's records, receive new ones";
    NavLogin => "登录", "Log in";
    NavLoginDesc => "首次使用请联网登录", "Log in once while online";
    BadgeSynced => "已同步", "Synced";
    BadgePending => "待上传", "To upload";
    BadgeSignedOut => "未登录", "Not signed in";
    BadgeSyncing => "同步中", "Syncing";
    BadgeNeedsLogin => "请登录", "Log in";
    BadgeRejected => "有退回", "Refused";
    SyncTitle => "数据同步", "Sync";
    SyncIntro => "记录先保存在本机，联网后上传到服务器，并接收辖区内其他设备的记录。", "Records are kept on this device first, uploaded when online, and records from other devices in your area are received.";
    SyncAccount => "当前账号", "Account";
    SyncNotLoggedIn => "尚未登录，登录后才能同步。", "Not logged in. Log in to sync.";
    SyncNeedsLogin => "登录已过期，请重新登录。未上传的记录仍保存在本机。", "Your session has expired. Log in again; records not yet uploaded stay on this device.";
    SyncPendingLabel => "待上传", "To upload";
    SyncRejectedLabel => "被退回", "Refused";
    SyncNow => "立即同步", "Sync now";
    SyncRunning => "正在同步…", "Syncing…";
    SyncPushing => "正在上传", "Uploading";
    SyncPulling => "已接收", "Received";
    SyncLastSuccess => "上次成功同步", "Last successful sync";
    SyncNever => "从未同步", "Never";
    SyncUploaded => "上传", "Uploaded";
    SyncReceived => "接收", "Received";
    SyncRefused => "退回", "Refused";
    SyncOfflineWait => "当前离线，联网后自动同步。", "Offline: sync starts by itself when the connection returns.";
    SyncErrorLabel => "同步未完成", "Sync did not finish";
    RejectedHeading => "被服务器退回的记录", "Records refused by the server";
    RejectedIntro => "这些记录仍保存在本机。请按提示处理后点“重新提交”。", "These records are still on this device. Fix the cause shown, then tap “Submit again”.";
    RejectedRetry => "重新提交", "Submit again";
    RejectedNone => "没有被退回的记录", "No refused records";
    KindPersonRecorded => "人员登记", "Person recorded";
    KindPersonCorrected => "信息更正", "Person corrected";
    KindRelativeLinked => "亲属关系", "Relative linked";
    RelativeAdd => "添加近亲属", "Add a close relative";
    RelativeIdNumber => "亲属的身份证号码", "The relative's identity number";
    RelativeRelation => "该亲属是本人的", "This relative is the person's";
    RelativeNotFound => "本辖区内没有登记该身份证号码的人员，请先登记该人员", "Nobody with that identity number is recorded in your area; record them first";
    RelativeSelf => "不能把本人登记为自己的亲属", "A person cannot be their own relative";
    RelativeSaveFailed => "本机存储出错，亲属关系未保存", "Device storage failed; the link was not saved";
    KindUnitRecorded => "单位登记", "Unit recorded";
    KindNote => "备注", "Note";
    KindOther => "其他记录", "Other record";
    RecordedAt => "记录于", "Recorded";
    LoginTitle => "登录", "Log in";
    LoginIntro => "首次使用须联网登录；登录后离线也能继续工作。", "Log in once while online; afterwards the app also works offline.";
    LoginUsername => "用户名", "Username";
    LoginPassword => "密码", "Password";
    LoginSubmit => "登录", "Log in";
    LoginWorking => "正在登录…", "Logging in…";
    LoginMissing => "请输入用户名和密码。", "Enter your username and password.";
    LoginBadCredentials => "用户名或密码错误，请重新输入。", "Wrong username or password. Please try again.";
    LoginTooMany => "登录失败次数过多，请 15 分钟后再试。", "Too many failed logins. Try again in 15 minutes.";
    LoginOffline => "当前离线，无法登录。请联网后再登录；登录过的账号离线也能继续使用。", "You are offline and cannot log in now. Connect first; an account that logged in before keeps working offline.";
    LoginUnreachable => "无法连接服务器，请稍后再试。", "Cannot reach the server. Please try again later.";
    LoginCurrent => "当前账号", "Logged in as";
    LoginSwitchWarning => "本机还有未上传的记录。换用其他账号登录后，这些记录要等原账号重新登录才能上传。", "This device has records not yet uploaded. If another account logs in, they upload only after the original account logs in again.";
    Logout => "退出登录", "Log out";
    LogoutPendingWarning => "退出后，未上传的记录仍保存在本机，原账号再次登录后会上传。", "After logging out, records not yet uploaded stay on this device and upload when the account logs in again.";
    ScopeLabel => "辖区", "Jurisdiction";
    PeopleTitle => "人员登记", "People register";
    PeopleIntro => "登记本辖区的人员。保存在本机，联网后自动上传。", "Record the people of your area. Saved on this device and uploaded when online.";
    PeopleNeedLogin => "请先登录，才能登记和查看人员。", "Log in first to record and see people.";
    PeopleNotPermitted => "您的角色不能登记人员。", "Your role cannot record people.";
    PeopleFormHeading => "登记新人员", "Record a person";
    FieldName => "姓名", "Name";
    FieldSex => "性别", "Sex";
    SexMale => "男", "Male";
    SexFemale => "女", "Female";
    FieldEthnicity => "民族", "Ethnic group";
    FieldIdNumber => "公民身份号码", "Resident ID number";
    FieldBirthDate => "出生日期（留空则按身份证号码）", "Date of birth (blank: from the ID number)";
    FieldPhone => "联系电话（选填）", "Phone (optional)";
    FieldUnit => "所属村(社区)代码", "Village/community code";
    FieldUnitHint => "须在本辖区内，代码以此开头：", "Must be in your jurisdiction, starting with:";
    ErrRequired => "此项必填", "This field is required";
    ErrUnitInvalid => "单位代码应为 2 至 18 位数字", "A unit code has 2 to 18 digits";
    ErrUnitOutOfScope => "该单位不在您的辖区内", "This unit is outside your jurisdiction";
    ErrBirthDate => "请填写有效的出生日期", "Enter a valid date of birth";
    ErrForm => "请改正标出的项目后再保存，未保存任何内容。", "Fix the marked fields, then save. Nothing was saved.";
    SaveOnDevice => "保存到本机", "Save on this device";
    Saving => "正在保存…", "Saving…";
    SavedOnDevice => "已保存到本机，联网后自动上传。", "Saved on this device; it uploads when online.";
    PeopleListHeading => "已登记人员", "Recorded people";
    PeopleEmpty => "暂无人员记录", "No people recorded yet";
    NeedLogin => "请先登录。", "Log in first.";
    NavUnits => "单位", "Units";
    NavUnitsDesc => "本辖区的单位树，可导入、导出", "The unit tree of your area; import and export";
    NavAccounts => "账号", "Accounts";
    NavAccountsDesc => "管理辖区内的用户账号（须联网）", "Manage the accounts of your area (online)";
    NavDevices => "设备管理", "Devices";
    NavDevicesDesc => "查看设备，撤销丢失的手机", "See devices, revoke a lost phone";
    NavPassword => "修改密码", "Change password";
    NavPasswordDesc => "修改自己的登录密码（须联网）", "Change your own password (online)";
    UnitsTitle => "单位", "Units";
    UnitsIntro => "本辖区的村(社区)与上级单位，离线也能查看。", "The villages, communities and their parents in your area; works offline.";
    UnitsEmpty => "本机还没有单位记录。请联网同步，或导入单位表。", "No units on this device yet. Sync while online, or import a unit file.";
    UnitsExport => "导出 CSV", "Export CSV";
    UnitsExportFailed => "导出失败，请重试。", "The export failed; please try again.";
    UnitsImportLink => "导入单位", "Import units";
    UnitsExpand => "展开", "Expand";
    UnitsCollapse => "收起", "Collapse";
    UnitsPeopleSuffix => "人", "people";
    UnitsBack => "返回单位", "Back to units";
    UnitsImportTitle => "导入单位", "Import units";
    UnitsImportIntro => "选择 CSV 文件（UTF-8 或 GBK）。有任何一行错误时不导入任何内容。", "Choose a CSV file (UTF-8 or GBK). If any row is wrong, nothing is imported.";
    UnitsImportChoose => "选择文件", "Choose a file";
    UnitsImportFormat => "表头：代码,名称,类型,上级代码", "Header: 代码,名称,类型,上级代码 (or code,name,kind,parent)";
    UnitsImportNotPermitted => "您的角色不能导入单位。", "Your role cannot import units.";
    UnitsImportNotText => "无法读取该文件：不是 UTF-8 或 GBK 编码的 CSV 文本。请在表格软件中“另存为 CSV”后再选择。", "This file cannot be read: it is not CSV text in UTF-8 or GBK. Save it as CSV in your spreadsheet program and choose it again.";
    UnitsImportRowsBad => "有错误的行数：", "Rows with errors: ";
    UnitsImportNothing => "未导入任何内容，请改正后重新选择文件。", "Nothing was imported; fix the file and choose it again.";
    UnitsImportLine => "行号", "Line";
    UnitsImportProblem => "问题", "Problem";
    UnitsImportWillRecord => "将登记", "To record";
    UnitsImportUnchanged => "无变化", "Unchanged";
    UnitsImportSubmit => "开始导入", "Import";
    UnitsImportDoneRecorded => "导入完成：已登记", "Import finished. Recorded";
    UnitsImportPartial => "已保存的条数：", "Saved before the failure: ";
    PeopleSearchLabel => "按姓名或身份证号（至少后4位）查找", "Search by name or ID number (at least the last 4 digits)";
    PeopleSearchMoreDigits => "按身份证号查找请至少输入后4位数字。", "To search by ID number, type at least its last 4 digits.";
    PeopleNoMatch => "没有找到符合条件的人员", "Nobody matches";
    PeopleFound => "找到", "Found";
    PeopleMoreBefore => "另有", "And";
    PeopleMoreAfter => "人未显示，请输入更多内容缩小范围。", "more not shown; type more to narrow the search.";
    PersonBack => "返回人员列表", "Back to people";
    PersonNotPermitted => "您的角色不能查看人员信息。", "Your role cannot see personal data.";
    PersonMissing => "本机没有这个人员的记录（或不在您的辖区内）。", "This person is not on this device (or not in your jurisdiction).";
    PersonBirthDate => "出生日期", "Date of birth";
    PersonPhone => "联系电话", "Phone";
    PersonUnit => "所属单位", "Unit";
    PersonRelatives => "近亲属", "Close relatives";
    PersonNoRelatives => "未登记近亲属", "No close relatives recorded";
    PersonHistory => "记录历史", "History";
    AccountsTitle => "账号管理", "Accounts";
    AccountsIntro => "辖区内的用户账号：新建、停用、重置密码。须联网操作。", "Accounts in your area: create, disable, reset passwords. Needs a connection.";
    AccountsNotPermitted => "只有区县管理员可以管理账号。", "Only a district administrator manages accounts.";
    AccountsOffline => "当前离线。账号保存在服务器上，请联网后再管理账号。", "You are offline. Accounts are kept on the server; connect to manage them.";
    AccountsListHeading => "辖区内账号", "Accounts in your area";
    AccountsCreateHeading => "新建账号", "Create an account";
    AccountsDisplayName => "姓名", "Display name";
    AccountsRole => "角色", "Role";
    AccountsScope => "辖区单位代码", "Jurisdiction (unit code)";
    AccountsInitialPassword => "初始密码（至少8位）", "Initial password (8 or more characters)";
    AccountsCreateSubmit => "创建账号", "Create account";
    AccountsCreated => "已创建账号", "Account created:";
    AccountsDisabled => "已停用", "Disabled";
    AccountsDisable => "停用", "Disable";
    AccountsEnable => "启用", "Enable";
    AccountsNewPassword => "新密码", "New password";
    AccountsReset => "重置密码", "Reset password";
    AccountsPasswordReset => "密码已重置，该账号需用新密码重新登录。", "Password reset; the account must log in with the new password.";
    PasswordTitle => "修改密码", "Change password";
    PasswordOld => "原密码", "Current password";
    PasswordNew => "新密码（至少8位）", "New password (8 or more characters)";
    PasswordRepeat => "再次输入新密码", "Repeat the new password";
    PasswordSubmit => "修改密码", "Change password";
    PasswordOldMissing => "请输入原密码。", "Enter your current password.";
    PasswordMismatch => "两次输入的新密码不一致，请重新输入。", "The two new passwords differ; type them again.";
    PasswordOffline => "当前离线，无法修改密码。请联网后再试。", "You are offline and cannot change the password now. Connect first.";
    PasswordDone => "密码已修改。其他设备需用新密码重新登录。", "Password changed. Other devices must log in with the new password.";
    Loading => "正在读取…", "Loading…";
}

impl Msg {
    /// The name of one of the four modules.
    pub fn module_name(module: Module) -> Msg {
        match module {
            Module::Elections => Msg::ModuleElections,
            Module::Eligibility => Msg::ModuleEligibility,
            Module::Allowances => Msg::ModuleAllowances,
            Module::Training => Msg::ModuleTraining,
        }
    }

    /// What kind of record an event is, for histories and lists.
    pub fn event_kind(body: &cunju_domain::event::EventBody) -> AnyMsg {
        use cunju_domain::event::EventBody;
        match body {
            EventBody::PersonRecorded { .. } => Msg::KindPersonRecorded.into(),
            EventBody::PersonCorrected { .. } => Msg::KindPersonCorrected.into(),
            EventBody::RelativeLinked { .. } => Msg::KindRelativeLinked.into(),
            EventBody::UnitRecorded { .. } => Msg::KindUnitRecorded.into(),
            EventBody::Note { .. } => Msg::KindNote.into(),
            // ── elections ──
            EventBody::ElectionOpened(_) => elections::ElectionMsg::KindElectionOpened.into(),
            EventBody::ElectionDayMoved(_) => elections::ElectionMsg::KindElectionDayMoved.into(),
            EventBody::StepTicked(_) => elections::ElectionMsg::KindStepTicked.into(),
            EventBody::StepUnticked(_) => elections::ElectionMsg::KindStepUnticked.into(),
            EventBody::StepEdited(_) => elections::ElectionMsg::KindStepEdited.into(),
            EventBody::ElectionRoll(_) => elections::ElectionMsg::KindElectionRoll.into(),
            EventBody::HolidaysSet(_) => elections::ElectionMsg::KindHolidaysSet.into(),

            // ── eligibility ──
            EventBody::RulePackCloned(_) => eligibility::EligibilityMsg::KindPackCloned.into(),
            EventBody::RulePackChanged(_) => eligibility::EligibilityMsg::KindPackChanged.into(),
            EventBody::ReviewBatchCompiled(_) => {
                eligibility::EligibilityMsg::KindBatchCompiled.into()
            }
            EventBody::ReviewBatchSent(_) => eligibility::EligibilityMsg::KindBatchSent.into(),
            EventBody::ReviewAnswered(_) => eligibility::EligibilityMsg::KindAnswered.into(),
            EventBody::ReviewSignedOff(_) => eligibility::EligibilityMsg::KindSignedOff.into(),
            EventBody::WarnDecided(_) => eligibility::EligibilityMsg::KindWarnDecided.into(),
            EventBody::VerdictsIssued(_) => eligibility::EligibilityMsg::KindVerdictsIssued.into(),

            // ── allowances ──
            EventBody::QualificationRecorded(_) => {
                allowances::AllowanceMsg::KindQualificationRecorded.into()
            }
            EventBody::AllowanceRatesSet(_) => {
                allowances::AllowanceMsg::KindAllowanceRatesSet.into()
            }
            EventBody::RosterDrafted(_) => allowances::AllowanceMsg::KindRosterDrafted.into(),
            EventBody::RosterReviewed(_) => allowances::AllowanceMsg::KindRosterReviewed.into(),
            EventBody::RosterSentBack(_) => allowances::AllowanceMsg::KindRosterSentBack.into(),
            EventBody::RosterApproved(_) => allowances::AllowanceMsg::KindRosterApproved.into(),

            // ── training ──
            EventBody::TrainingPlanRecorded(_) => training::TrainingMsg::KindPlan.into(),
            EventBody::TrainingClassRecorded(_) => training::TrainingMsg::KindClass.into(),
            EventBody::TrainingSessionScheduled(_) => training::TrainingMsg::KindSession.into(),
            EventBody::TraineesEnrolled(_) => training::TrainingMsg::KindEnrolled.into(),
            EventBody::AttendanceMarked(_) => training::TrainingMsg::KindMarked.into(),
            EventBody::AttendanceUndone(_) => training::TrainingMsg::KindUndone.into(),
            EventBody::CertificatesIssued(_) => training::TrainingMsg::KindCertificates.into(),
            EventBody::AssessmentRecorded(_) => training::TrainingMsg::KindAssessment.into(),
            EventBody::EnrollmentChanged(_) => training::TrainingMsg::KindEnrollmentChanged.into(),
            EventBody::Unknown(_) => Msg::KindOther.into(),
        }
    }

    /// The one-line description of one of the four modules.
    pub fn module_description(module: Module) -> Msg {
        match module {
            Module::Elections => Msg::ModuleElectionsDesc,
            Module::Eligibility => Msg::ModuleEligibilityDesc,
            Module::Allowances => Msg::ModuleAllowancesDesc,
            Module::Training => Msg::ModuleTrainingDesc,
        }
    }
}

/// A message from any table, for code that mixes modules (event histories).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnyMsg {
    Core(Msg),
    Elections(elections::ElectionMsg),
    Eligibility(eligibility::EligibilityMsg),
    Allowances(allowances::AllowanceMsg),
    Training(training::TrainingMsg),
}

impl Text for AnyMsg {
    fn text(self, lang: Lang) -> &'static str {
        match self {
            AnyMsg::Core(m) => m.text(lang),
            AnyMsg::Elections(m) => m.text(lang),
            AnyMsg::Eligibility(m) => m.text(lang),
            AnyMsg::Allowances(m) => m.text(lang),
            AnyMsg::Training(m) => m.text(lang),
        }
    }
}

impl From<Msg> for AnyMsg {
    fn from(m: Msg) -> Self {
        AnyMsg::Core(m)
    }
}
impl From<elections::ElectionMsg> for AnyMsg {
    fn from(m: elections::ElectionMsg) -> Self {
        AnyMsg::Elections(m)
    }
}
impl From<eligibility::EligibilityMsg> for AnyMsg {
    fn from(m: eligibility::EligibilityMsg) -> Self {
        AnyMsg::Eligibility(m)
    }
}
impl From<allowances::AllowanceMsg> for AnyMsg {
    fn from(m: allowances::AllowanceMsg) -> Self {
        AnyMsg::Allowances(m)
    }
}
impl From<training::TrainingMsg> for AnyMsg {
    fn from(m: training::TrainingMsg) -> Self {
        AnyMsg::Training(m)
    }
}

const LANG_SETTING: &str = "cunju.lang";

/// The UI language, shared through context by [`provide_i18n`].
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// The text of `msg` in the current language (reactive when called inside a view).
    pub fn t(&self, msg: impl Text) -> &'static str {
        msg.text(self.lang.get())
    }

    pub fn set_lang(&self, lang: Lang) {
        crate::platform::set_local_setting(LANG_SETTING, lang.tag());
        crate::platform::set_document_lang(lang.tag());
        self.lang.set(lang);
    }
}

/// Creates the language state (remembered choice, else Chinese) and puts it in context.
pub fn provide_i18n() -> I18n {
    let lang = crate::platform::local_setting(LANG_SETTING)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_default();
    crate::platform::set_document_lang(lang.tag());
    let i18n = I18n {
        lang: RwSignal::new(lang),
    };
    provide_context(i18n);
    i18n
}

/// The language state of the surrounding app.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn check_table<M: Text + std::fmt::Debug>(all: &[M]) {
        for &msg in all {
            assert!(
                !msg.text(Lang::Zh).trim().is_empty(),
                "{msg:?} has no Chinese text"
            );
            assert!(
                !msg.text(Lang::En).trim().is_empty(),
                "{msg:?} has no English text"
            );
        }
    }

    #[wasm_bindgen_test]
    fn every_message_has_text_in_both_languages() {
        check_table(Msg::ALL);
        check_table(elections::ElectionMsg::ALL);
        check_table(elections_roll::RollMsg::ALL);
        check_table(eligibility::EligibilityMsg::ALL);
        check_table(allowances::AllowanceMsg::ALL);
        check_table(training::TrainingMsg::ALL);
    }

    #[wasm_bindgen_test]
    fn language_tags_round_trip() {
        for lang in [Lang::Zh, Lang::En] {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
