//! The training module's messages (Chinese first, English second).

messages! {
    TrainingMsg;
    Title => "培训", "Training";
    Intro => "培训计划与培训班：课次、报名、签到、学时与结业。", "Training plans and classes: sessions, enrolment, attendance, hours and completion.";
    NotPermitted => "您的角色无权查看培训记录。", "Your role may not see training records.";
    ReadOnly => "只读：只有本班的培训组织者或区县管理员可以签到。", "Read only: only the class's trainer or a district administrator takes attendance.";
    NewClass => "新建培训班", "New class";
    NewPlan => "新建培训计划", "New training plan";
    Dashboard => "培训统计", "Training dashboard";
    ClassesHeading => "培训班", "Classes";
    PlansHeading => "培训计划", "Plans";
    NoClasses => "还没有培训班。", "No classes yet.";
    Trainees => "学员", "Trainees";
    Sessions => "课次", "Sessions";
    Year => "年度", "Year";
    PlanName => "计划名称", "Plan name";
    OrganiserLevel => "主办层级", "Organiser level";
    LevelCity => "市级", "City";
    LevelDistrict => "区县级", "District";
    LevelTownship => "乡镇(街道)级", "Township";
    Save => "保存", "Save";
    Saved => "已保存", "Saved";
    BackToTraining => "‹ 培训", "‹ Training";
    BackToClass => "‹ 返回培训班", "‹ Back to the class";
    ClassName => "培训班名称", "Class name";
    Organiser => "主办单位", "Organiser";
    OrganiserCode => "主办单位代码(证书编号用，如 NA)", "Organiser code (for certificate numbers, e.g. NA)";
    Contractor => "承办单位(可不填)", "Contractor (optional)";
    TargetGroup => "培训对象", "Target group";
    GroupVillageCommittees => "村“两委”成员", "Village committee members";
    GroupCommunityWorkers => "社区工作者", "Community workers";
    GroupTownshipCadres => "乡镇干部", "Township cadres";
    GroupElectionStaff => "换届选举工作人员", "Election staff";
    GroupSupervision => "村(居)务监督委员会成员", "Supervision committee members";
    Topics => "培训内容", "Topics";
    TopicCharter => "自治章程", "Self-governance charter";
    TopicVillageRules => "村规民约/居民公约", "Village rules / resident conventions";
    TopicElection => "换届选举业务", "Election business";
    TopicFourTwo => "四议两公开", "Four deliberations, two disclosures";
    TopicThreeWay => "三事分流", "Three-way sorting";
    TopicSocialWork => "社工职业资格考试辅导", "Social-work exam preparation";
    Seq => "期次", "Class number";
    Plan => "所属培训计划", "Plan";
    NoPlan => "（不属于计划）", "(no plan)";
    AssessmentRequired => "须考核合格才能结业", "Completion requires a passed assessment";
    ClassNotFound => "本机没有这个培训班，请先同步。", "This class is not on this device; sync first.";
    SessionNotFound => "本机没有这个课次，请先同步。", "This session is not on this device; sync first.";
    SessionsHeading => "课次", "Sessions";
    Planned => "计划学时", "Planned hours";
    Present => "已到", "Present";
    OnLeave => "请假", "On leave";
    TakeAttendance => "签到", "Attendance";
    ExportCsv => "导出CSV", "Export CSV";
    NewSession => "新增课次", "New session";
    Date => "日期", "Date";
    Slot => "时段", "Slot";
    Starts => "开始时间", "Starts";
    Ends => "结束时间", "Ends";
    Venue => "地点", "Venue";
    Instructor => "授课人", "Instructor";
    PlannedHours => "计划学时(半天4，全天8)", "Planned hours (half day 4, full day 8)";
    SessionFieldsBad => "请填写日期、开始和结束时间(如09:00)以及计划学时(如4或1.5)", "Enter the date, start and end times (e.g. 09:00) and planned hours (e.g. 4 or 1.5)";
    EnrolmentHeading => "学员", "Trainees";
    RosterImport => "导入学员名单", "Import a roster";
    RosterHint => "Excel(.xlsx)或CSV文件，第一行为表头“姓名,身份证号码”；CSV用UTF-8或GBK编码，Excel中身份证号码列请设为文本格式。人员须已在名录中登记。有错误的文件不会导入任何人。", "An Excel (.xlsx) or CSV file whose first row is the header name,id_number; CSV in UTF-8 or GBK, and in Excel the identity number column formatted as text. People must be in the directory. Nothing is imported from a file with errors.";
    RosterNotXlsx => "无法读取该Excel文件：请确认是.xlsx格式(旧的.xls请另存为.xlsx)后重试。", "Cannot read this Excel file: it must be .xlsx (save an old .xls as .xlsx) and try again.";
    RosterNotText => "无法读取该文件：请另存为CSV(UTF-8或GBK)后重试。", "Cannot read the file: save it as CSV (UTF-8 or GBK) and try again.";
    RosterBad => "文件有误，未导入任何学员。错误行数：", "The file has errors; nobody was enrolled. Lines with errors:";
    RosterEnrolled => "已报名学员：", "Enrolled:";
    RosterNothingNew => "名单中的人员都已报名：", "Everyone in the file is already enrolled:";
    PickPeople => "从名录中选择", "Pick from the directory";
    PickSearch => "输入姓名或身份证号码后4位", "Name or last 4 digits of the ID number";
    AlreadyEnrolled => "已报名", "Enrolled";
    Enrol => "报名", "Enrol";
    CompletionHeading => "结业情况", "Completion";
    IssueCertificates => "发放结业证书", "Issue certificates";
    NothingToIssue => "没有需要新发证书的结业学员。", "No completed trainee is waiting for a certificate.";
    Name => "姓名", "Name";
    CreditedOfPlanned => "计入/计划学时", "Credited / planned hours";
    LeaveHours => "请假学时", "Leave hours";
    Outcome => "结果", "Result";
    CertificateNo => "证书编号", "Certificate no.";
    CertificatesHeading => "结业证书", "Certificates";
    Print => "打印证书", "Print certificates";
    DoorSearch => "搜索姓名或身份证号码", "Search name or ID number";
    Undo => "撤销", "Undo";
    MoreMarks => "迟到、早退、请假", "Late, early, leave";
    Minutes => "分钟数", "Minutes";
    MarkLate => "迟到(按分钟数)", "Late (by minutes)";
    MarkEarly => "早退(提前分钟数)", "Left early (minutes before end)";
    LeaveReason => "请假事由", "Reason for leave";
    MarkLeave => "请假(已批准)", "Approved leave";
    EarlyTooMuch => "早退分钟数过大：签退时间须晚于签到时间", "Too many minutes: signing out must be after signing in";
    RateByClass => "各培训班结业率", "Completion rate per class";
    RateByTownship => "各乡镇(街道)结业率", "Completion rate per township";
    DueHeading => "年度培训要求：待完成与已逾期", "Annual requirements: due and overdue";
    NoneDue => "没有待完成或逾期的人员。", "No one is due or overdue.";
    RequirementYear => "年度", "Year";
    StatusDueBy => "待完成，截止", "Due by ";
    StatusOverdueSince => "已逾期，截止", "Overdue since ";
    ExemptHeading => "本年度免训人员（不计入待完成与逾期）", "Exempted this year (neither due nor overdue)";
    ExemptReason => "免训理由", "Reason for exemption";
    Group => "类别", "Group";
    Status => "状态", "Status";
    Enrolled => "报名", "Enrolled";
    Completed => "结业", "Completed";
    ScanUnavailable => "此浏览器不能使用摄像头扫码，请在下方名单中点选签到。", "This browser cannot scan with the camera; tap names in the roster below.";
    ScanStart => "扫码签到", "Scan QR codes";
    ScanStop => "停止扫码", "Stop scanning";
    CameraFailed => "无法打开摄像头：", "Cannot open the camera: ";
    QrHeading => "学员签到二维码", "Trainees' check-in QR codes";
    QrShow => "显示/隐藏二维码", "Show / hide QR codes";
    KindPlan => "培训计划", "Training plan";
    KindClass => "培训班登记", "Class recorded";
    KindSession => "课次安排", "Session scheduled";
    KindEnrolled => "学员报名", "Trainees enrolled";
    KindMarked => "考勤标记", "Attendance marked";
    KindUndone => "撤销考勤", "Attendance undone";
    KindCertificates => "发放结业证书", "Certificates issued";
    KindAssessment => "考核结果", "Assessment recorded";
    KindEnrollmentChanged => "学籍变动(退学/免训)", "Enrolment changed";
    // ── assessment and enrolment status ──
    RecordsHeading => "考核与学籍", "Assessment and enrolment";
    AssessmentRequiredNote => "本班须考核合格才能结业。", "This class requires a passed assessment for completion.";
    AssessmentNotRequiredNote => "本班不要求考核，考核结果仅作记录。", "No assessment is required; results are kept for the record.";
    RequireAssessment => "改为须考核", "Require an assessment";
    DropAssessment => "改为不须考核", "Drop the assessment";
    AssessmentCol => "考核", "Assessment";
    Passed => "合格", "Passed";
    Failed => "不合格", "Failed";
    NotAssessed => "未考核", "Not assessed";
    RecordAssessment => "录入考核", "Record assessment";
    ChooseResultOption => "请选择", "Choose";
    ChooseResult => "请选择考核结果：合格或不合格", "Choose the result: passed or failed";
    Score => "成绩(0–100，可不填)", "Score (0–100, optional)";
    AssessmentDate => "考核日期", "Assessment date";
    BadAssessmentDate => "请填写考核日期", "Enter the assessment date";
    StatusEnrolled => "在读", "Enrolled";
    StatusExempted => "免训", "Exempted";
    Exempt => "免训", "Exempt";
    Withdraw => "退学", "Withdraw";
    Reinstate => "恢复在读", "Reinstate";
    StatusReason => "原因", "Reason";
    ConfirmWithdraw => "退学(取消报名)后，该学员不再出现在签到名单、结业名单和结业率中；可再次报名恢复。", "Once withdrawn, the trainee leaves the door list, the completion list and the rates; enrolling again brings them back.";
    ConfirmWithdrawButton => "确认退学", "Confirm withdrawal";
    ConfirmExempt => "免训学员单独列出，不计入结业率，也不发结业证书。", "Exempted trainees are listed apart, not counted in the rates and get no certificate.";
    ConfirmExemptButton => "确认免训", "Confirm exemption";
    ConfirmReinstate => "恢复在读后，按已有考勤和考核重新计算结业情况。", "Reinstated, the trainee's completion is computed from their attendance and assessment again.";
    ConfirmReinstateButton => "确认恢复", "Confirm";
    Cancel => "取消", "Cancel";
    WithdrawnHeading => "已退学学员", "Withdrawn trainees";
    ExemptedApart => "免训", "exempted";
    SlotAm => "上午", "Morning";
    SlotPm => "下午", "Afternoon";
    SlotEve => "晚上", "Evening";
    VenueOnline => "线上：", "Online: ";
    ContractedBy => "承办：", "run by ";
    HoursUnit => "学时", " study hours";
    LeaveDefault => "请假", "Leave";
    CertificateTitle => "结业证书", "Certificate of completion";
    CertificateNumber => "编号：", "No. ";
}

/// "2026年第1期" — a class's year and number (期次).
pub fn class_term(year: i32, seq: u32, lang: crate::i18n::Lang) -> String {
    match lang {
        crate::i18n::Lang::Zh => format!("{year}年第{seq}期"),
        crate::i18n::Lang::En => format!("{year}, class {seq}"),
    }
}

/// The sentence of a completion certificate.
pub fn certificate_text(
    name: &str,
    year: i32,
    class: &str,
    seq: u32,
    hours: &str,
    lang: crate::i18n::Lang,
) -> String {
    match lang {
        crate::i18n::Lang::Zh => format!(
            "{name}同志于{year}年参加{class}（第{seq}期）学习，完成学时{hours}，经考核准予结业。"
        ),
        crate::i18n::Lang::En => format!(
            "{name} attended {class} (class {seq}) in {year}, completed {hours} study hours and has been found to have completed the training."
        ),
    }
}
