//! The social-work allowances module's messages (Chinese first, English second).

messages! {
    AllowanceMsg;
    Title => "社工津贴", "Social-work allowances";
}
