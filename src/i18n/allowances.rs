//! The social-work allowances module's messages (Chinese first, English second).

messages! {
    AllowanceMsg;
    Title => "社工津贴", "Social-work allowances";
    KindQualificationRecorded => "资格档案", "Qualification record";
    KindAllowanceRatesSet => "发放标准", "Allowance rates";
    KindRosterDrafted => "编制名册", "Roster drafted";
    KindRosterReviewed => "名册审核", "Roster reviewed";
    KindRosterSentBack => "名册退回", "Roster sent back";
    KindRosterApproved => "名册审批", "Roster approved";
}
