//! The candidate eligibility module's messages (Chinese first, English second).

messages! {
    EligibilityMsg;
    Title => "资格审查", "Candidate eligibility";
}
