//! The candidate eligibility module's messages (Chinese first, English second).

messages! {
    EligibilityMsg;
    Title => "资格审查", "Candidate eligibility";
    KindPackCloned => "复制规则包", "Rule pack cloned";
    KindPackChanged => "修改规则包", "Rule pack changed";
    KindBatchCompiled => "汇总初步候选人", "Batch compiled";
    KindBatchSent => "报送县级联审", "Batch sent";
    KindAnswered => "部门联审意见", "Department answers";
    KindSignedOff => "部门签署", "Department sign-off";
    KindWarnDecided => "乡镇党委研究决定", "Party committee decision";
    KindVerdictsIssued => "下发审查结论", "Verdicts issued";
}
