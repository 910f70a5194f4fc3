//! The committee elections module's messages (Chinese first, English second).

messages! {
    ElectionMsg;
    Title => "换届选举", "Committee elections";
}
